//! Diagnostic workloads that test the harness rather than the machine. `all` leaves them out;
//! name them to run them.
//!
//! * `crash`: task 3 kills its own process with SIGKILL, as a segfaulting C extension would.
//! * `hang`: task 2 never returns (it sleeps for an hour).
//! * `panic`: task 4 panics, which every strategy must report as that task's failure.
//! * `blas-probe`: every task reports the BLAS thread count it finds.
//!
//! `crash` and `hang` need a strategy that isolates tasks in processes: in a thread they would
//! take the whole run down or hold it forever, which is the documents' point about loky.

use super::checks::all_ok;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use std::time::Duration;

/// A workload whose task `bad` of `tasks` misbehaves by calling `fault`.
pub struct Faulty {
    name: &'static str,
    description: &'static str,
    tasks: usize,
    bad: usize,
    fault: fn(),
    /// Whether the fault takes the whole process down or never returns.
    isolate: bool,
}

pub struct BlasProbe;

/// How many tasks report the BLAS thread count.
const PROBE_TASKS: usize = 16;

pub const CRASH: Faulty = Faulty {
    name: "crash",
    description: "diagnostic: 8 tasks, task 3 kills its own process (process strategy only)",
    tasks: 8,
    bad: 3,
    fault: kill_self,
    isolate: true,
};

pub const HANG: Faulty = Faulty {
    name: "hang",
    description: "diagnostic: 6 tasks, task 2 never returns (process strategy only)",
    tasks: 6,
    bad: 2,
    fault: sleep_forever,
    isolate: true,
};

pub const PANIC: Faulty = Faulty {
    name: "panic",
    description: "diagnostic: 8 tasks, task 4 panics (every strategy must report it and go on)",
    tasks: 8,
    bad: 4,
    fault: panic_now,
    isolate: false,
};

struct Prepared {
    tasks: usize,
    bad: usize,
    fault: fn(),
}

fn kill_self() {
    // SAFETY: raising a signal on our own process has no memory-safety preconditions; SIGKILL
    // ends the process at once, as a crash in native code would.
    unsafe {
        libc::raise(libc::SIGKILL);
    }
}

fn sleep_forever() {
    std::thread::sleep(Duration::from_secs(3600));
}

fn panic_now() {
    panic!("task {} panicked on purpose", PANIC.bad);
}

impl Workload for Faulty {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn kind(&self) -> Kind {
        Kind::Overhead
    }
    fn needs_isolation(&self) -> bool {
        self.isolate
    }
    fn demand(&self, _p: &Params) -> Option<Demand> {
        Some(Demand::compute(self.tasks, self.tasks as f64))
    }
    fn prepare(&self, _p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared {
            tasks: self.tasks,
            bad: self.bad,
            fault: self.fault,
        })
    }
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        if index == self.bad {
            (self.fault)();
        }
        Ok(Output::Int(index as i128))
    }

    /// Passes when exactly the faulty task failed and every other task returned its index.
    fn verify(&self, results: &[TaskResult]) -> Check {
        let bad = self.bad;
        for (i, r) in results.iter().enumerate() {
            let ok = match r {
                Ok(Output::Int(v)) => i != bad && *v == i as i128,
                Err(_) => i == bad,
                _ => false,
            };
            if !ok {
                return Check::fail(format!("task {i}: unexpectedly {}", super::describe(r)));
            }
        }
        Check::pass(format!(
            "task {} failed and was reported; the others returned",
            bad
        ))
    }
}

struct Probe;

impl Workload for BlasProbe {
    fn name(&self) -> &'static str {
        "blas-probe"
    }
    fn description(&self) -> &'static str {
        "diagnostic: 16 tasks report the BLAS thread count they run with"
    }
    fn kind(&self) -> Kind {
        Kind::Blas
    }
    fn prepare(&self, _p: &Params) -> Box<dyn Instance> {
        Box::new(Probe)
    }
    fn demand(&self, _p: &Params) -> Option<Demand> {
        Some(Demand::compute(PROBE_TASKS, PROBE_TASKS as f64))
    }
}

impl Instance for Probe {
    fn tasks(&self) -> usize {
        PROBE_TASKS
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        Ok(Output::Int(crate::sys::openblas::threads() as i128))
    }

    /// The count is the strategy's choice, so runs under different strategies rightly differ.
    fn agrees(&self, _a: &Output, _b: &Output) -> bool {
        true
    }

    /// All tasks of one run must see the same count; which count is right depends on the
    /// strategy, so the tests compare it with what the strategy promises.
    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_ok(results) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let first = outs.first().and_then(|o| o.as_f64()).unwrap_or(0.0);
        Check::expect(
            outs.iter().all(|o| o.as_f64() == Some(first)),
            format!("tasks saw {first} BLAS threads"),
        )
        .with("blas_threads", first)
    }
}
