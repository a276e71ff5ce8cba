//! Document 000's `g`: `y = np.ones(10000000)`, a fresh array per task.

use super::checks::all_floats;
use super::demand::doubles;
use super::scale::scaled;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::pairwise_sum;
use std::hint::black_box;

pub struct Ones;

struct Prepared {
    tasks: usize,
    n: usize,
}

impl Workload for Ones {
    fn name(&self) -> &'static str {
        "ones"
    }
    fn description(&self) -> &'static str {
        "document 000's g: allocate and fill 10^7 doubles with 1.0 (100 tasks)"
    }
    fn kind(&self) -> Kind {
        Kind::Array
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, n) = shape(p);
        Box::new(Prepared { tasks, n })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, n) = shape(p);
        Some(Demand::compute(tasks, tasks as f64 * n as f64).with_task_bytes(doubles(n)))
    }
}

/// Tasks, and the array length of each.
fn shape(p: &Params) -> (usize, usize) {
    let n = scaled(p.size.pick(100_000, 10_000_000, 1_000_000), p.scale);
    (p.size.pick(20, 100, 2_000), n)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        // numpy releases the GIL inside np.ones.
        crate::gil_model::released(|| {
            // Allocated as numpy allocates it: fresh, with huge pages advised (sys::hugepages).
            let mut y: Vec<f64> = Vec::with_capacity(black_box(self.n));
            crate::sys::hugepages::advise(&mut y);
            y.resize(self.n, 1.0);
            let y = black_box(y);
            // The sum is the task's result: it proves the array was really written.
            Ok(Output::Float(pairwise_sum(&y)))
        })
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let sums = match all_floats(results) {
            Ok(s) => s,
            Err(e) => return Check::fail(e),
        };
        let want = self.n as f64;
        match sums.iter().position(|s| *s != want) {
            Some(i) => Check::fail(format!("task {i}: sum {} != n = {want}", sums[i])),
            None => Check::pass(format!("every array sums to n = {want}")).with("n", want),
        }
    }
}
