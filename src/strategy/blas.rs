//! `blas`: the tasks in order on one thread while OpenBLAS itself runs `workers` threads, as a
//! numpy linked against a multithreaded BLAS does.

use super::{Executor, Family, Setup, Strategy, run_caught};
use crate::workload::{Instance, Kind, TaskResult, Workload};

pub struct Blas;

/// The tasks in order; the thread count comes from [`Strategy::blas_threads`], set by
/// [`super::start`] around every run.
struct Run;

impl Strategy for Blas {
    fn name(&self) -> &'static str {
        "blas"
    }
    fn family(&self) -> Family {
        Family::Library
    }
    fn colour(&self) -> [u8; 3] {
        [214, 39, 40]
    }
    fn description(&self) -> &'static str {
        "tasks in order, OpenBLAS set to `workers` threads (multithreaded BLAS)"
    }
    fn skip_reason(&self, workload: &dyn Workload) -> Option<String> {
        (workload.kind() != Kind::Blas).then(|| {
            format!(
                "{} calls no BLAS, so BLAS threads have nothing to run",
                workload.name()
            )
        })
    }
    fn blas_threads(&self, workers: usize) -> usize {
        workers
    }
    fn executor(&self, _setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        Ok(Box::new(Run))
    }
}

impl Executor for Run {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        (0..instance.tasks())
            .map(|i| run_caught(instance, i))
            .collect()
    }
}
