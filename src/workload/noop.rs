//! Empty tasks: what remains is each strategy's cost of handing out a task and collecting its
//! result.

use super::checks::all_ok;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};

pub struct Noop;

struct Prepared {
    tasks: usize,
}

impl Workload for Noop {
    fn name(&self) -> &'static str {
        "noop"
    }
    fn description(&self) -> &'static str {
        "10,000 empty tasks: each strategy's dispatch cost per task"
    }
    fn kind(&self) -> Kind {
        Kind::Overhead
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared { tasks: tasks(p) })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let tasks = tasks(p);
        Some(Demand::compute(tasks, tasks as f64))
    }
}

fn tasks(p: &Params) -> usize {
    p.size.pick(1_000, 10_000, 1_000_000)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        Ok(Output::Int(1))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_ok(results) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let count = outs.iter().filter(|o| ***o == Output::Int(1)).count();
        Check::expect(
            count == self.tasks,
            format!("{count} of {} tasks returned", self.tasks),
        )
        .with("count", count as f64)
    }
}
