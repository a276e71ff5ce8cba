//! Document 001's `simulate_file_read`: each task waits 0.5 s, standing for a file read.

use super::checks::all_ok;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use std::time::Duration;

pub struct IoSleep;

struct Prepared {
    tasks: usize,
    wait: Duration,
}

impl Workload for IoSleep {
    fn name(&self) -> &'static str {
        "io-sleep"
    }
    fn description(&self) -> &'static str {
        "simulate_file_read: each of 5 tasks waits 0.5 s (I/O-bound)"
    }
    fn kind(&self) -> Kind {
        Kind::Io
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, secs) = shape(p);
        Box::new(Prepared {
            tasks,
            wait: Duration::from_secs_f64(secs),
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, secs) = shape(p);
        Some(Demand::compute(tasks, tasks as f64 * secs))
    }
}

/// Tasks, and the seconds each waits.
fn shape(p: &Params) -> (usize, f64) {
    let secs = p.size.pick(0.02, 0.5, 0.1) * p.scale;
    (p.size.pick(5, 5, 20), secs.max(0.0))
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        // A blocking read releases the GIL for its duration.
        crate::gil_model::released(|| std::thread::sleep(self.wait));
        Ok(Output::Text(format!("Data from file {index}")))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_ok(results) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        for (i, o) in outs.iter().enumerate() {
            if **o != Output::Text(format!("Data from file {i}")) {
                return Check::fail(format!("task {i} returned {o}"));
            }
        }
        Check::pass(format!("all {} files returned", outs.len()))
            .with("files", outs.len() as f64)
            .with("wait_s", self.wait.as_secs_f64())
    }
}
