//! Document 001's `risky_computation`: x² for x in 0..10, except that x = 5 raises.
//! The run must report exactly that failure and still finish the other tasks.

use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};

pub struct Risky;

const FAILING: usize = 5;
const TASKS: usize = 10;

struct Prepared {
    tasks: usize,
}

impl Workload for Risky {
    fn name(&self) -> &'static str {
        "risky"
    }
    fn description(&self) -> &'static str {
        "risky_computation: x^2 for 10 tasks, task 5 raises an error that must be reported"
    }
    fn kind(&self) -> Kind {
        Kind::Overhead
    }
    fn prepare(&self, _p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared { tasks: TASKS })
    }
    fn demand(&self, _p: &Params) -> Option<Demand> {
        Some(Demand::compute(TASKS, TASKS as f64))
    }
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        if index == FAILING {
            return Err(format!("Cannot process x={index}"));
        }
        Ok(Output::Int((index * index) as i128))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        for (i, r) in results.iter().enumerate() {
            match (i == FAILING, r) {
                (true, Err(f)) if f.message.contains("Cannot process x=5") => {}
                (false, Ok(Output::Int(v))) if *v == (i * i) as i128 => {}
                _ => return Check::fail(format!("task {i}: unexpectedly {}", super::describe(r))),
            }
        }
        let ok = results.len() - 1;
        Check::pass(format!(
            "{ok} tasks succeeded, task {FAILING} failed as designed"
        ))
        .with("successful", ok as f64)
        .with("failed", 1.0)
    }
}
