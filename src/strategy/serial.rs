//! `serial`: every task in index order on the calling thread; the baseline of every speedup.

use super::{Executor, Family, Setup, Strategy, run_caught};
use crate::workload::{Instance, TaskResult};

pub struct Serial;

/// Under `--pin`, the measuring thread stays on worker 0's core until the cell is done.
struct Run {
    _pin: Option<crate::sys::affinity::Pinned>,
}

impl Strategy for Serial {
    fn name(&self) -> &'static str {
        "serial"
    }
    fn family(&self) -> Family {
        Family::Serial
    }
    fn colour(&self) -> [u8; 3] {
        [0, 0, 0]
    }
    fn description(&self) -> &'static str {
        "all tasks in order on one thread, BLAS single-threaded (the baseline)"
    }
    fn parallel(&self) -> bool {
        false
    }
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        Ok(Box::new(Run {
            _pin: setup
                .options
                .pinned_first()
                .map(crate::sys::affinity::pin_for_scope),
        }))
    }
}

impl Executor for Run {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        (0..instance.tasks())
            .map(|i| run_caught(instance, i))
            .collect()
    }
}
