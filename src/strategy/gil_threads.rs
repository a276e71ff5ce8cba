//! `gil`: threads that share one global interpreter lock — a model of CPython's threads, not
//! CPython itself (see [`crate::gil_model`]). Tasks are handed out one at a time from a shared queue,
//! as a `ThreadPoolExecutor` does, and each runs as Python code: holding the lock except where
//! the workload releases it (numpy, BLAS, I/O).

use super::{Executor, Family, Setup, Strategy, run_caught};
use crate::gil_model::{self, Gil};
use crate::workload::{Instance, TaskResult};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct GilThreads;

struct Run {
    workers: usize,
    chunk: usize,
    interval: Duration,
    /// The core slot of worker 0, when pinned.
    pin: Option<usize>,
}

impl Strategy for GilThreads {
    fn name(&self) -> &'static str {
        "gil"
    }
    fn family(&self) -> Family {
        Family::InterpreterThreads
    }
    fn colour(&self) -> [u8; 3] {
        [148, 103, 189]
    }
    fn description(&self) -> &'static str {
        "MODEL of CPython threads: one global interpreter lock, switch interval 5 ms, released by array/BLAS/I/O work"
    }
    fn chunked(&self) -> bool {
        true
    }
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
        Ok(Box::new(Run {
            workers: setup.workers,
            chunk: setup
                .chunk
                .resolve(self)
                .expect("the GIL model's auto is a fixed chunk"),
            interval: setup.options.switch_interval,
            pin: setup.options.pinned_first(),
        }))
    }
}

impl Executor for Run {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        let n = instance.tasks();
        let lock = Gil::new(self.interval);
        let next = AtomicUsize::new(0);
        let (chunk, pin) = (self.chunk, self.pin);
        let mut done: Vec<(usize, TaskResult)> = std::thread::scope(|s| {
            // No more threads than tasks: the rest would only queue for the lock and leave.
            let handles: Vec<_> = (0..self.workers.min(n).max(1))
                .map(|w| {
                    let (lock, next) = (lock.clone(), &next);
                    std::thread::Builder::new()
                        .name(format!("parbench-gil-{w}"))
                        .spawn_scoped(s, move || {
                            crate::sys::affinity::pin_worker(pin, w);
                            gil_model::enter(lock);
                            let mut mine = Vec::new();
                            loop {
                                let start = next.fetch_add(chunk, Ordering::Relaxed);
                                if start >= n {
                                    break mine;
                                }
                                for i in start..(start + chunk).min(n) {
                                    mine.push((i, gil_model::hold(|| run_caught(instance, i))));
                                }
                            }
                        })
                        .expect("spawn gil worker thread")
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("run_caught contains task panics"))
                .collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }
}
