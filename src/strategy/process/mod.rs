//! `process`: a pool of `workers` re-executed parbench processes (`parbench worker`), as
//! multiprocessing, loky and ProcessPoolExecutor run Python functions in other interpreters.
//!
//! Task index ranges go down each worker's stdin and results come back on its stdout as
//! length-prefixed frames; large inputs are shared through a file in /dev/shm that each worker
//! maps. A worker that dies or exceeds the task timeout is killed and replaced, and the tasks of
//! its batch are retried once, one at a time, so that exactly the tasks that kill or hang a
//! worker are reported as failed. Workers exit when their stdin closes, which the kernel does
//! when the parent dies, so none outlives the run.

mod dispatch;
pub mod serve;
mod shm;
mod spawn;
mod wire;

use crate::strategy::{ExecStats, Executor, Family, Setup, Strategy};
use dispatch::Pool;
use shm::SharedFile;
use spawn::Spawner;
use std::time::Duration;
use wire::ToWorker;

pub use shm::remove_owned_by;

pub struct Process;

/// Worker processes for a pool of `workers` running `tasks` tasks: a worker beyond the task
/// count would never get one, and `--workers 99999` must not start 99999 processes for 5 tasks.
/// The cell keeps its `workers` label; only the processes started are fewer.
fn pool_size(workers: usize, tasks: usize) -> usize {
    workers.min(tasks).max(1)
}

/// With `--chunk auto`, batches grow until one takes about this long, as joblib's auto
/// batching does, so the round trip is amortised without starving the other workers.
const AUTO_BATCH_TARGET: Duration = Duration::from_millis(5);

/// How long a new worker may take to prepare its workload and report ready.
const START_TIMEOUT: Duration = Duration::from_secs(120);

impl Strategy for Process {
    fn name(&self) -> &'static str {
        "process"
    }
    fn family(&self) -> Family {
        Family::Processes
    }
    fn colour(&self) -> [u8; 3] {
        [44, 160, 44]
    }
    fn description(&self) -> &'static str {
        "pool of re-executed parbench worker processes; pipes for tasks, /dev/shm for arrays"
    }
    fn chunked(&self) -> bool {
        true
    }
    fn auto_chunk(&self) -> Option<usize> {
        None
    }
    fn isolates_tasks(&self) -> bool {
        true
    }
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        let workload = setup
            .workload
            .ok_or("process runs registered workloads only: workers look them up by name")?;
        let exe = match &setup.options.worker_exe {
            Some(p) => p.clone(),
            None => std::env::current_exe().map_err(|e| format!("cannot find parbench: {e}"))?,
        };
        let inputs = setup.instance.inputs();
        let shared = if inputs.is_empty() {
            None
        } else {
            Some(SharedFile::create(&inputs).map_err(|e| format!("cannot share inputs: {e}"))?)
        };
        let init = wire::encode(&ToWorker::Init {
            workload: workload.name().to_string(),
            params: setup.params,
            inputs: shared.as_ref().map(|f| (f.path.clone(), f.lens.clone())),
        });
        let processes = pool_size(setup.workers, setup.instance.tasks());
        let spawner = Spawner {
            exe,
            init,
            task_timeout: setup.options.task_timeout,
            pin: setup.options.pinned_first(),
            spin: wire::spin_for(processes),
        };
        // Start them all, then wait: workers prepare in parallel. If one cannot start, those
        // started are killed and the shared file removed as `started` and `shared` drop.
        let mut started = Vec::new();
        for slot in 0..processes {
            started.push(spawner.launch(slot).map_err(|e| e.to_string())?);
        }
        let mut workers = Vec::new();
        for w in started {
            workers.push(Some(w.ready().map_err(|f| f.describe(&spawner))?));
        }
        Ok(Box::new(Pool {
            spawner,
            workers,
            fixed: setup.chunk.resolve(self),
            stats: ExecStats::default(),
            _shared: shared,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::pool_size;

    #[test]
    fn a_pool_never_has_more_processes_than_tasks() {
        assert_eq!(pool_size(99_999, 5), 5);
        assert_eq!(pool_size(2, 5), 2);
        assert_eq!(pool_size(4, 0), 1);
        assert_eq!(pool_size(0, 3), 1);
    }
}
