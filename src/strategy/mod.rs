//! Strategies: ways to run a workload's tasks on `workers` workers.
//!
//! Adding a strategy is one file implementing [`Strategy`] and one line in [`registry`].

mod blas;
mod pool;
mod scoped;
mod serial;

use crate::workload::{Instance, TaskFailure, TaskResult, Workload};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// How many tasks a worker takes at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Left to the strategy: rayon splits adaptively; static partitions take n/p each.
    Auto,
    /// At least this many consecutive tasks per hand-out.
    Size(usize),
}

impl fmt::Display for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chunk::Auto => f.write_str("auto"),
            Chunk::Size(n) => write!(f, "{n}"),
        }
    }
}

/// A way to execute a workload's tasks.
pub trait Strategy: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    /// Why this strategy does not apply to `workload`; `None` when it does.
    fn skip_reason(&self, _workload: &dyn Workload) -> Option<String> {
        None
    }
    /// Whether the worker count means anything to this strategy (it does not for `serial`).
    fn parallel(&self) -> bool {
        true
    }
    /// Whether `--chunk` changes how this strategy hands out tasks.
    fn chunked(&self) -> bool {
        false
    }
    /// Starts whatever the strategy keeps between runs (a thread pool, say). Not timed.
    fn executor(&self, workers: usize, chunk: Chunk) -> Result<Box<dyn Executor>, String>;
}

/// A started strategy, ready to run all tasks of an instance, as many times as asked.
pub trait Executor {
    /// Runs every task once and returns their results in index order.
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult>;
}

/// Runs task `index`, turning an error or a panic into a reported failure, so that one bad
/// task never takes its worker or the run down with it.
pub fn run_caught(instance: &dyn Instance, index: usize) -> TaskResult {
    match catch_unwind(AssertUnwindSafe(|| instance.run(index))) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(message)) => Err(TaskFailure { message }),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_string());
            Err(TaskFailure {
                message: format!("panicked: {what}"),
            })
        }
    }
}

/// Every strategy, in the order DESIGN.md lists them.
pub fn registry() -> Vec<Box<dyn Strategy>> {
    vec![
        Box::new(serial::Serial),
        Box::new(scoped::Scoped),
        Box::new(pool::Pool),
        Box::new(blas::Blas),
    ]
}

/// Looks a strategy up by its name.
pub fn find(name: &str) -> Option<Box<dyn Strategy>> {
    registry().into_iter().find(|s| s.name() == name)
}
