//! `scoped`: one scoped thread per worker, each taking a fixed contiguous share of the tasks,
//! like `handythread.foreach` in document 000. Threads are created for every run, so their
//! start-up cost is part of what this strategy measures.

use super::{Executor, Family, Setup, Strategy, run_caught};
use crate::workload::{Instance, TaskResult};

pub struct Scoped;

struct Run {
    workers: usize,
    /// The core worker 0 is pinned to, when pinned.
    pin: Option<usize>,
}

impl Strategy for Scoped {
    fn name(&self) -> &'static str {
        "scoped"
    }
    fn family(&self) -> Family {
        Family::Threads
    }
    fn colour(&self) -> [u8; 3] {
        [31, 119, 180]
    }
    fn description(&self) -> &'static str {
        "std::thread::scope, one thread per worker, static contiguous partition"
    }
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        Ok(Box::new(Run {
            workers: setup.workers,
            pin: setup.options.pinned_first(),
        }))
    }
}

/// The tasks worker `w` of `p` takes out of `n`: shares differ in size by at most one.
fn share(n: usize, p: usize, w: usize) -> std::ops::Range<usize> {
    (w * n / p)..((w + 1) * n / p)
}

impl Executor for Run {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        let n = instance.tasks();
        let p = self.workers.clamp(1, n.max(1));
        let pin = self.pin;
        let parts: Vec<Vec<TaskResult>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..p)
                .map(|w| {
                    std::thread::Builder::new()
                        .name(format!("parbench-scoped-{w}"))
                        .spawn_scoped(s, move || {
                            crate::sys::affinity::pin_worker(pin, w);
                            share(n, p, w).map(|i| run_caught(instance, i)).collect()
                        })
                        .expect("spawn scoped worker thread")
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("run_caught contains task panics"))
                .collect()
        });
        parts.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_partition_the_tasks() {
        for n in [0, 1, 7, 10, 1000] {
            for p in 1..=8 {
                let all: Vec<usize> = (0..p).flat_map(|w| share(n, p, w)).collect();
                assert_eq!(all, (0..n).collect::<Vec<_>>());
            }
        }
    }
}
