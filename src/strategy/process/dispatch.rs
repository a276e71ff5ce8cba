//! Handing the tasks of one run out to the worker processes in batches, and what happens when
//! a worker dies or hangs: it is replaced and its batch retried one task at a time.

use super::AUTO_BATCH_TARGET;
use super::shm::SharedFile;
use super::spawn::{Fault, Spawner, Worker};
use crate::strategy::{ExecStats, Executor};
use crate::workload::{Instance, TaskFailure, TaskResult};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub(super) struct Pool {
    pub(super) spawner: Spawner,
    /// `None` where a worker died and no replacement could be started.
    pub(super) workers: Vec<Option<Worker>>,
    /// Tasks per batch, or `None` to size batches as the run goes.
    pub(super) fixed: Option<usize>,
    pub(super) stats: ExecStats,
    /// Keeps the shared input file alive (and removes it) with the pool.
    pub(super) _shared: Option<SharedFile>,
}

/// State the dispatcher threads of one `execute` share.
pub(super) struct Run<'a> {
    spawner: &'a Spawner,
    n: usize,
    next: AtomicUsize,
    /// Current batch size under `--chunk auto`.
    batch: AtomicUsize,
    fixed: Option<usize>,
    max_batch: usize,
    results: Mutex<Vec<Option<TaskResult>>>,
    ipc: AtomicU64,
    restarts: AtomicUsize,
    retried: Mutex<Vec<usize>>,
}

impl<'a> Run<'a> {
    fn new(spawner: &'a Spawner, n: usize, workers: usize, fixed: Option<usize>) -> Run<'a> {
        Run {
            spawner,
            n,
            next: AtomicUsize::new(0),
            batch: AtomicUsize::new(1),
            fixed,
            // Keep at least four batches per worker, so a slow batch cannot leave the others
            // idle for long at the end.
            max_batch: (n / (4 * workers)).max(1),
            results: Mutex::new(vec![None; n]),
            ipc: AtomicU64::new(0),
            restarts: AtomicUsize::new(0),
            retried: Mutex::new(Vec::new()),
        }
    }

    pub(super) fn claim(&self) -> Option<(usize, usize)> {
        let len = self
            .fixed
            .unwrap_or_else(|| self.batch.load(Ordering::Relaxed))
            .max(1);
        let start = self.next.fetch_add(len, Ordering::Relaxed);
        (start < self.n).then(|| (start, (start + len).min(self.n)))
    }

    pub(super) fn store(&self, start: usize, results: Vec<TaskResult>) {
        let mut all = self.results.lock().expect("results lock");
        for (k, r) in results.into_iter().enumerate() {
            all[start + k] = Some(r);
        }
    }

    pub(super) fn fail(&self, i: usize, message: String) {
        self.store(i, vec![Err(TaskFailure { message })]);
    }

    /// Adapts the batch size to the per-task time just observed.
    pub(super) fn adapt(&self, len: usize, took: Duration) {
        if self.fixed.is_some() {
            return;
        }
        let per_task = took.as_secs_f64() / len as f64;
        let ideal = if per_task > 0.0 {
            (AUTO_BATCH_TARGET.as_secs_f64() / per_task) as usize
        } else {
            self.max_batch
        };
        self.batch
            .store(ideal.clamp(1, self.max_batch), Ordering::Relaxed);
    }

    /// Kills a faulty worker and puts a fresh one in its place; returns what went wrong.
    pub(super) fn replace(&self, slot: &mut Option<Worker>, fault: Fault) -> String {
        let why = fault.describe(self.spawner);
        let mut index = 0;
        if let Some(mut w) = slot.take() {
            // It is dead or hung: no point waiting for it to exit by itself.
            w.grace = Duration::ZERO;
            index = w.slot;
        }
        self.restarts.fetch_add(1, Ordering::Relaxed);
        self.ipc
            .fetch_add(self.spawner.init.len() as u64, Ordering::Relaxed);
        *slot = self.spawner.start(index).ok();
        why
    }

    pub(super) fn run_batch(
        &self,
        w: &mut Worker,
        start: usize,
        end: usize,
    ) -> Result<Vec<TaskResult>, Fault> {
        let timeout = self
            .spawner
            .task_timeout
            .saturating_mul((end - start) as u32);
        let (res, bytes) = w.run(start, end, timeout);
        self.ipc.fetch_add(bytes, Ordering::Relaxed);
        res
    }

    /// One worker's share of the run: claim batches until none are left.
    pub(super) fn dispatch(&self, slot: &mut Option<Worker>) {
        while let Some(w) = slot.as_mut() {
            let Some((start, end)) = self.claim() else {
                return;
            };
            let began = Instant::now();
            match self.run_batch(w, start, end) {
                Ok(results) => {
                    self.adapt(end - start, began.elapsed());
                    self.store(start, results);
                }
                Err(fault) => {
                    let first = self.replace(slot, fault);
                    self.retry(slot, start, end, &first);
                }
            }
        }
    }

    /// Runs each task of a failed batch once more, alone, so that only the tasks that fail
    /// again are reported.
    pub(super) fn retry(&self, slot: &mut Option<Worker>, start: usize, end: usize, first: &str) {
        for i in start..end {
            let Some(w) = slot.as_mut() else {
                self.fail(
                    i,
                    format!("{first}; no replacement worker could be started"),
                );
                continue;
            };
            match self.run_batch(w, i, i + 1) {
                Ok(results) => {
                    self.retried.lock().expect("retried lock").push(i);
                    self.store(i, results);
                }
                Err(fault) => {
                    let again = self.replace(slot, fault);
                    self.fail(i, format!("{again} (task {i}, after one retry)"));
                }
            }
        }
    }
}

impl Executor for Pool {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        let n = instance.tasks();
        let workers = self.workers.len().max(1);
        let run = Run::new(&self.spawner, n, workers, self.fixed);
        std::thread::scope(|s| {
            for slot in self.workers.iter_mut() {
                let run = &run;
                s.spawn(move || run.dispatch(slot));
            }
        });
        let mut retried = run.retried.into_inner().expect("retried lock");
        retried.sort_unstable();
        self.stats.ipc_bytes += run.ipc.into_inner();
        self.stats.restarts += run.restarts.into_inner();
        self.stats.retried.extend(retried);
        // Replace workers lost for good, so the next sample starts with a full pool.
        for (index, slot) in self.workers.iter_mut().enumerate() {
            if slot.is_none() {
                *slot = self.spawner.start(index).ok();
            }
        }
        run.results
            .into_inner()
            .expect("results lock")
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(TaskFailure {
                        message: "no worker process was left to run it".into(),
                    })
                })
            })
            .collect()
    }

    fn take_stats(&mut self) -> ExecStats {
        std::mem::take(&mut self.stats)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Close every stdin first so the workers exit together, then reap them one by one.
        for w in self.workers.iter_mut().flatten() {
            drop(w.stdin.take());
        }
        self.workers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn spawner() -> Spawner {
        Spawner {
            exe: PathBuf::from("/nonexistent/parbench"),
            init: Vec::new(),
            task_timeout: Duration::from_secs(1),
            pin: None,
            spin: Duration::ZERO,
        }
    }

    /// Every batch a run hands out, in order, until none is left.
    fn batches(run: &Run<'_>) -> Vec<(usize, usize)> {
        std::iter::from_fn(|| run.claim()).collect()
    }

    #[test]
    fn fixed_chunks_cover_every_task_once() {
        let s = spawner();
        let run = Run::new(&s, 10, 2, Some(4));
        assert_eq!(batches(&run), [(0, 4), (4, 8), (8, 10)]);
        // A fixed chunk is not adapted.
        run.adapt(4, Duration::from_nanos(1));
        assert_eq!(run.claim(), None);
    }

    #[test]
    fn auto_batches_grow_to_the_target_and_stay_below_a_quarter_per_worker() {
        let s = spawner();
        let run = Run::new(&s, 1000, 2, None);
        assert_eq!(run.claim(), Some((0, 1)), "auto starts with one task");
        // 1 ms a task: 5 tasks make the 5 ms target.
        run.adapt(1, Duration::from_millis(1));
        assert_eq!(run.claim(), Some((1, 6)));
        // Tasks of nanoseconds: capped at n / (4 workers) = 125.
        run.adapt(5, Duration::from_nanos(50));
        assert_eq!(run.claim(), Some((6, 131)));
        // A slow task: back to one.
        run.adapt(125, Duration::from_secs(1));
        assert_eq!(run.claim(), Some((131, 132)));
    }

    #[test]
    fn results_land_at_their_index_and_failures_are_messages() {
        let s = spawner();
        let run = Run::new(&s, 3, 1, None);
        run.store(1, vec![Ok(crate::workload::Output::Int(7))]);
        run.fail(2, "worker died".into());
        let all = run.results.into_inner().unwrap();
        assert_eq!(all[0], None);
        assert_eq!(all[1], Some(Ok(crate::workload::Output::Int(7))));
        assert_eq!(
            all[2],
            Some(Err(TaskFailure {
                message: "worker died".into()
            }))
        );
    }
}
