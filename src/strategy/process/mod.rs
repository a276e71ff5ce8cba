//! `process`: a pool of `workers` re-executed parbench processes (`parbench worker`), as
//! multiprocessing, loky and ProcessPoolExecutor run Python functions in other interpreters.
//!
//! Task index ranges go down each worker's stdin and results come back on its stdout as
//! length-prefixed frames; large inputs are shared through a file in /dev/shm that each worker
//! maps. A worker that dies or exceeds the task timeout is killed and replaced, and the tasks of
//! its batch are retried once, one at a time, so that exactly the tasks that kill or hang a
//! worker are reported as failed. Workers exit when their stdin closes, which the kernel does
//! when the parent dies, so none outlives the run.

pub mod serve;
mod shm;
mod wire;

use crate::strategy::{ExecStats, Executor, Family, Setup, Strategy};
use crate::workload::{Instance, TaskFailure, TaskResult};
use shm::SharedFile;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wire::{FromWorker, ToWorker};

pub struct Process;

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
        let spawner = Spawner {
            exe,
            init,
            task_timeout: setup.options.task_timeout,
            pin: setup.options.pinned_first(),
            spin: wire::spin_for(setup.workers.max(1)),
        };
        // Start them all, then wait: workers prepare in parallel.
        let mut started = Vec::new();
        for slot in 0..setup.workers.max(1) {
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

/// What went wrong with a worker.
enum Fault {
    /// The pipe closed or broke: the process died (its exit status says how).
    Died(String),
    TimedOut(Duration),
}

impl Fault {
    fn describe(&self, spawner: &Spawner) -> String {
        match self {
            Fault::Died(why) => format!("worker process {why}"),
            Fault::TimedOut(d) => format!(
                "worker exceeded --task-timeout ({:.3} s per task, {:.3} s for its batch) and was killed",
                spawner.task_timeout.as_secs_f64(),
                d.as_secs_f64()
            ),
        }
    }
}

enum Event {
    Frame(FromWorker, usize),
    Closed(String),
    TimedOut,
}

/// How to start one more worker.
struct Spawner {
    exe: PathBuf,
    /// The encoded Init frame every worker gets first.
    init: Vec<u8>,
    task_timeout: Duration,
    /// When pinned, the core of slot 0: each worker pins itself to the core of its slot.
    pin: Option<usize>,
    /// How long parent and workers spin for a reply before sleeping.
    spin: Duration,
}

/// A running worker process. Dropping it ends the process: its stdin closes so it exits by
/// itself within `grace`, or it is killed; either way it is reaped.
struct Worker {
    /// Which worker of the pool this is (a replacement takes over the slot).
    slot: usize,
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    /// Read on the dispatching thread itself, after `poll` says a frame is there: a reader
    /// thread and a channel would add two thread wake-ups to every round trip.
    stdout: BufReader<ChildStdout>,
    spin: Duration,
    grace: Duration,
}

impl Spawner {
    /// Starts worker `slot` and sends it the Init frame.
    fn launch(&self, slot: usize) -> std::io::Result<Worker> {
        let mut cmd = Command::new(&self.exe);
        if let Some(first) = self.pin {
            cmd.env(
                crate::sys::affinity::WORKER_CORE_ENV,
                (first + slot).to_string(),
            );
        }
        if !self.spin.is_zero() {
            cmd.env(wire::SPIN_ENV, "1");
        }
        let mut child = cmd
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Each worker runs its tasks with one BLAS thread; this also stops OpenBLAS from
            // starting a thread pool per worker that would never be used.
            .env("OPENBLAS_NUM_THREADS", "1")
            .spawn()
            .map_err(|e| {
                std::io::Error::other(format!("cannot start {}: {e}", self.exe.display()))
            })?;
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let stdin = BufWriter::new(child.stdin.take().expect("piped stdin"));
        let mut worker = Worker {
            slot,
            child,
            stdin: Some(stdin),
            stdout,
            spin: self.spin,
            grace: Duration::from_secs(2),
        };
        let stdin = worker.stdin.as_mut().expect("just opened");
        stdin.write_all(&self.init)?;
        stdin.flush()?;
        Ok(worker)
    }

    /// Starts worker `slot` and waits until it is ready.
    fn start(&self, slot: usize) -> Result<Worker, Fault> {
        self.launch(slot)
            .map_err(|e| Fault::Died(e.to_string()))?
            .ready()
    }
}

impl Worker {
    /// The next frame from the worker, waiting at most `timeout` for it to begin.
    fn recv(&mut self, timeout: Duration) -> Event {
        if self.stdout.buffer().is_empty() {
            match wire::wait_readable(self.stdout.get_ref().as_raw_fd(), timeout, self.spin) {
                Ok(true) => {}
                Ok(false) => return Event::TimedOut,
                Err(e) => return Event::Closed(format!("could not be polled ({e})")),
            }
        }
        match wire::recv::<FromWorker>(&mut self.stdout) {
            Ok(Some((msg, n))) => Event::Frame(msg, n),
            Ok(None) => Event::Closed("closed its output".into()),
            Err(e) => Event::Closed(format!("sent a broken frame ({e})")),
        }
    }

    fn ready(mut self) -> Result<Worker, Fault> {
        match self.recv(START_TIMEOUT) {
            Event::Frame(FromWorker::Ready, _) => Ok(self),
            Event::Frame(FromWorker::Failed(e), _) => {
                Err(Fault::Died(format!("could not start: {e}")))
            }
            Event::Frame(other, _) => Err(Fault::Died(format!("said {other:?} at start"))),
            Event::Closed(why) => Err(Fault::Died(format!("{why} at start ({})", self.reap()))),
            Event::TimedOut => Err(Fault::TimedOut(START_TIMEOUT)),
        }
    }

    /// Runs tasks `start..end`; returns their results and the bytes exchanged.
    fn run(
        &mut self,
        start: usize,
        end: usize,
        timeout: Duration,
    ) -> (Result<Vec<TaskResult>, Fault>, u64) {
        let stdin = self.stdin.as_mut().expect("open until dropped");
        let sent = match wire::send(stdin, &ToWorker::Run { start, end }) {
            Ok(n) => n as u64,
            Err(e) => {
                return (
                    Err(Fault::Died(format!(
                        "stopped reading ({e}; {})",
                        self.reap()
                    ))),
                    0,
                );
            }
        };
        match self.recv(timeout) {
            Event::Frame(FromWorker::Done { start: s, results }, n)
                if s == start && results.len() == end - start =>
            {
                (Ok(results), sent + n as u64)
            }
            Event::Frame(other, n) => (
                Err(Fault::Died(format!("answered out of turn: {other:?}"))),
                sent + n as u64,
            ),
            Event::Closed(_) => (Err(Fault::Died(self.reap())), sent),
            Event::TimedOut => (Err(Fault::TimedOut(timeout)), sent),
        }
    }

    /// Waits for a process whose output has closed and says how it ended.
    fn reap(&mut self) -> String {
        // The output closing means the process is exiting; give it a moment, then make sure.
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return format!("died ({status})"),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = self.child.kill();
                    return match self.child.wait() {
                        Ok(status) => format!("stopped answering and was killed ({status})"),
                        Err(e) => format!("could not be reaped: {e}"),
                    };
                }
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Pool {
    spawner: Spawner,
    /// `None` where a worker died and no replacement could be started.
    workers: Vec<Option<Worker>>,
    /// Tasks per batch, or `None` to size batches as the run goes.
    fixed: Option<usize>,
    stats: ExecStats,
    /// Keeps the shared input file alive (and removes it) with the pool.
    _shared: Option<SharedFile>,
}

/// State the dispatcher threads of one `execute` share.
struct Run<'a> {
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

impl Run<'_> {
    fn claim(&self) -> Option<(usize, usize)> {
        let len = self
            .fixed
            .unwrap_or_else(|| self.batch.load(Ordering::Relaxed))
            .max(1);
        let start = self.next.fetch_add(len, Ordering::Relaxed);
        (start < self.n).then(|| (start, (start + len).min(self.n)))
    }

    fn store(&self, start: usize, results: Vec<TaskResult>) {
        let mut all = self.results.lock().expect("results lock");
        for (k, r) in results.into_iter().enumerate() {
            all[start + k] = Some(r);
        }
    }

    fn fail(&self, i: usize, message: String) {
        self.store(i, vec![Err(TaskFailure { message })]);
    }

    /// Adapts the batch size to the per-task time just observed.
    fn adapt(&self, len: usize, took: Duration) {
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
    fn replace(&self, slot: &mut Option<Worker>, fault: Fault) -> String {
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

    fn run_batch(
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
    fn dispatch(&self, slot: &mut Option<Worker>) {
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
    fn retry(&self, slot: &mut Option<Worker>, start: usize, end: usize, first: &str) {
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
        let run = Run {
            spawner: &self.spawner,
            n,
            next: AtomicUsize::new(0),
            batch: AtomicUsize::new(1),
            fixed: self.fixed,
            // Keep at least four batches per worker, so a slow batch cannot leave the others
            // idle for long at the end.
            max_batch: (n / (4 * workers)).max(1),
            results: Mutex::new(vec![None; n]),
            ipc: AtomicU64::new(0),
            restarts: AtomicUsize::new(0),
            retried: Mutex::new(Vec::new()),
        };
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
