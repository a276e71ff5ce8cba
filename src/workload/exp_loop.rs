//! Document 000's `f`: `y = [1]*10000000; [math.exp(i) for i in y]`, one element at a time.

use super::checks::{all_floats, close};
use super::demand::values;
use super::interp::{Value, list_of};
use super::scale::scaled;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::gil_model::Ticker;
use crate::stats::neumaier_sum;
use std::hint::black_box;

pub struct ExpLoop;

struct Prepared {
    tasks: usize,
    n: usize,
}

impl Workload for ExpLoop {
    fn name(&self) -> &'static str {
        "exp-loop"
    }
    fn description(&self) -> &'static str {
        "document 000's f: math.exp over a list of 10^7 ones, element by element (10 tasks)"
    }
    fn kind(&self) -> Kind {
        Kind::Interpreted
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, n) = shape(p);
        Box::new(Prepared { tasks, n })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, n) = shape(p);
        // The list of ones and the list of their exponentials, both alive at the end.
        Some(
            Demand::compute(tasks, tasks as f64 * n as f64).with_task_bytes(2 * values::<Value>(n)),
        )
    }
}

/// Tasks, and the list length of each.
fn shape(p: &Params) -> (usize, usize) {
    let n = scaled(p.size.pick(100_000, 10_000_000, 100_000), p.scale);
    (p.size.pick(10, 10, 1_600), n)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        let y = list_of(Value::Int(1), self.n);
        // The list comprehension builds a new list of boxed floats, as CPython does.
        let mut ticker = Ticker::default();
        let out: Vec<Value> = y
            .iter()
            .map(|v| {
                ticker.step();
                black_box(*v).exp()
            })
            .collect();
        // Sum the list carefully: n·e must be checkable to 1e-9, which a naive running sum
        // of 10^7 terms does not guarantee.
        Ok(Output::Float(neumaier_sum(out.iter().map(|v| v.to_f64()))))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let sums = match all_floats(results) {
            Ok(s) => s,
            Err(e) => return Check::fail(e),
        };
        let want = self.n as f64 * std::f64::consts::E;
        match sums.iter().position(|s| !close(*s, want, 1e-9)) {
            Some(i) => Check::fail(format!("task {i}: sum {} != n·e = {want}", sums[i])),
            None => Check::pass(format!("every task's sum = n·e within 1e-9 ({want})"))
                .with("sum_per_task", want),
        }
    }
}
