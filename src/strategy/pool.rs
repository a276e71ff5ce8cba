//! `pool`: a rayon thread pool of `workers` threads (never more than the tasks: the others
//! would only sleep), built per cell rather than rayon's global pool, which can be sized only
//! once per process; with work stealing.

use super::{Executor, Family, Setup, Strategy, run_caught};
use crate::workload::{Instance, TaskResult};
use rayon::prelude::*;

pub struct Pool;

struct Run {
    pool: rayon::ThreadPool,
    /// The fewest consecutive tasks rayon may hand out at once.
    min_len: usize,
}

impl Strategy for Pool {
    fn name(&self) -> &'static str {
        "pool"
    }
    fn family(&self) -> Family {
        Family::Threads
    }
    fn colour(&self) -> [u8; 3] {
        [255, 127, 14]
    }
    fn description(&self) -> &'static str {
        "rayon ThreadPool of `workers` threads (at most one per task), dynamic scheduling (work stealing)"
    }
    fn chunked(&self) -> bool {
        true
    }
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        // A cell keeps its `workers` label; threads beyond the task count would never get one.
        let workers = setup.workers.min(setup.instance.tasks()).max(1);
        let pin = setup.options.pinned_first();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("parbench-pool-{i}"))
            .start_handler(move |i| crate::sys::affinity::pin_worker(pin, i))
            .build()
            .map_err(|e| format!("cannot start a pool of {workers} threads: {e}"))?;
        Ok(Box::new(Run {
            pool,
            min_len: setup
                .chunk
                .resolve(self)
                .expect("pool's auto is a fixed chunk"),
        }))
    }
}

impl Executor for Run {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        let min_len = self.min_len;
        self.pool.install(|| {
            (0..instance.tasks())
                .into_par_iter()
                .with_min_len(min_len)
                .map(|i| run_caught(instance, i))
                .collect()
        })
    }
}
