//! Strategies: ways to run a workload's tasks on `workers` workers.
//!
//! Adding a strategy is one file implementing [`Strategy`] and one line in [`registry`].

mod blas;
mod gil_threads;
mod pool;
pub mod process;
mod scoped;
mod serial;

use crate::workload::{Instance, Params, TaskFailure, TaskResult, Workload};
use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

/// How many tasks a worker takes at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Left to the strategy: rayon splits adaptively, `process` sizes batches to a few
    /// milliseconds of work as joblib does, `gil` hands out one task at a time.
    Auto,
    /// This many consecutive tasks per hand-out (at least, for rayon).
    Size(usize),
}

impl Chunk {
    /// The tasks per hand-out this setting means for `strategy`: a fixed count, or `None` where
    /// the strategy sizes its batches as it goes (`auto` under `process`).
    pub fn resolve(self, strategy: &dyn Strategy) -> Option<usize> {
        match self {
            Chunk::Size(n) => Some(n),
            Chunk::Auto => strategy.auto_chunk(),
        }
    }
}

impl fmt::Display for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chunk::Auto => f.write_str("auto"),
            Chunk::Size(n) => write!(f, "{n}"),
        }
    }
}

/// Settings that some strategies need and the rest ignore.
#[derive(Clone, Debug)]
pub struct Options {
    /// The parbench executable that `process` re-executes; `None` means the running one.
    /// Tests and benches, whose own executable is not parbench, pass Cargo's path to it.
    pub worker_exe: Option<PathBuf>,
    /// How long one task may run in a worker process before the worker is killed.
    pub task_timeout: Duration,
    /// The GIL model's switch interval.
    pub switch_interval: Duration,
    /// Pin worker `w` of every pool, and `serial`'s thread as worker 0, to the
    /// `first_core + w`-th allowed core (see [`crate::sys::affinity`]).
    pub pin: bool,
    /// Where pinned workers start counting cores; the runner moves it on each round.
    pub first_core: usize,
}

impl Options {
    /// The core slot of worker 0 this round, or `None` when unpinned: what every strategy
    /// hands to [`crate::sys::affinity::pin_worker`] (or, for processes, to the worker) as `first`.
    pub fn pinned_first(&self) -> Option<usize> {
        self.pin.then_some(self.first_core)
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            worker_exe: None,
            task_timeout: Duration::from_secs(60),
            switch_interval: crate::gil_model::DEFAULT_SWITCH_INTERVAL,
            pin: false,
            first_core: 0,
        }
    }
}

/// Everything a strategy may need to start its workers for one cell.
pub struct Setup<'a> {
    pub workers: usize,
    pub chunk: Chunk,
    /// The registered workload, when there is one (worker processes look it up by name).
    pub workload: Option<&'a dyn Workload>,
    pub params: Params,
    pub instance: &'a dyn Instance,
    pub options: &'a Options,
}

/// What an executor observed while running, beyond the results themselves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecStats {
    /// Bytes sent both ways between the parent and worker processes.
    pub ipc_bytes: u64,
    /// Worker processes that died or hung and were replaced.
    pub restarts: usize,
    /// Tasks run a second time after their worker died or hung.
    pub retried: Vec<usize>,
}

/// What kind of parallelism a strategy stands for, in the documents' terms. Reports group
/// their claims by it ("threads", "processes") instead of keeping lists of names, so a new
/// strategy joins the right claims by saying what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Tasks in order on one thread: the baseline of every speedup.
    Serial,
    /// Threads sharing memory with nothing between them and the cores (Rust threads, or
    /// Python threads while numpy has released the GIL).
    Threads,
    /// Threads that must hold a model of CPython's global interpreter lock for interpreter
    /// work.
    InterpreterThreads,
    /// Separate processes, each with its own memory (and, in Python, its own lock).
    Processes,
    /// Tasks in order while a library (OpenBLAS) runs its own threads inside each.
    Library,
}

/// A way to execute a workload's tasks.
pub trait Strategy: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn family(&self) -> Family;
    /// The colour of this strategy's series in every chart (RGB), so a reader learns it once.
    fn colour(&self) -> [u8; 3];
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
    /// What `--chunk auto` means for a strategy that chunks: this many tasks per hand-out
    /// (rayon's and the GIL model's one, which rayon may split coarser on its own), or `None`
    /// where batches are sized as the run goes (`process`). Where it is `Some(1)`, auto and
    /// chunk 1 are the same setting.
    fn auto_chunk(&self) -> Option<usize> {
        Some(1)
    }
    /// How many threads OpenBLAS may run inside each task: one for every strategy that brings
    /// its own parallelism, so that pools and BLAS never oversubscribe the cores.
    fn blas_threads(&self, _workers: usize) -> usize {
        1
    }
    /// Whether a task that kills or hangs its worker leaves the run standing.
    fn isolates_tasks(&self) -> bool {
        false
    }
    /// Starts whatever the strategy keeps between runs (a thread pool, worker processes).
    /// Timed apart from the tasks, as `startup_s`.
    fn executor(&self, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String>;
}

/// A started strategy, ready to run all tasks of an instance, as many times as asked.
pub trait Executor {
    /// Runs every task once and returns their results in index order.
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult>;
    /// What happened since the last call (IPC volume, restarts, retries).
    fn take_stats(&mut self) -> ExecStats {
        ExecStats::default()
    }
}

thread_local! {
    static IN_TASK: Cell<bool> = const { Cell::new(false) };
}

/// Keeps the panic messages of tasks off stderr: [`run_caught`] reports them as the task's
/// failure, and a message per panicking task would scramble the progress display. Panics
/// anywhere else still print as usual.
pub fn quiet_task_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TASK.with(Cell::get) {
                default(info);
            }
        }));
    });
}

/// Runs task `index`, turning an error or a panic into a reported failure, so that one bad
/// task never takes its worker or the run down with it.
pub fn run_caught(instance: &dyn Instance, index: usize) -> TaskResult {
    let outer = IN_TASK.with(|f| f.replace(true));
    let caught = catch_unwind(AssertUnwindSafe(|| instance.run(index)));
    IN_TASK.with(|f| f.set(outer));
    match caught {
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

/// Starts `strategy` for a cell: its executor, with OpenBLAS's thread count set from
/// [`Strategy::blas_threads`] around every run of the tasks. The count is process-wide, so it is
/// set here, in one place, rather than by each executor.
pub fn start(strategy: &dyn Strategy, setup: &Setup<'_>) -> Result<Box<dyn Executor>, String> {
    Ok(Box::new(WithBlasThreads {
        inner: strategy.executor(setup)?,
        threads: strategy.blas_threads(setup.workers),
    }))
}

struct WithBlasThreads {
    inner: Box<dyn Executor>,
    threads: usize,
}

impl Executor for WithBlasThreads {
    fn execute(&mut self, instance: &dyn Instance) -> Vec<TaskResult> {
        crate::sys::openblas::set_threads(self.threads);
        let out = self.inner.execute(instance);
        if self.threads != 1 {
            // Back to one, so that code outside any cell (preparing inputs) runs as before.
            crate::sys::openblas::set_threads(1);
        }
        out
    }

    fn take_stats(&mut self) -> ExecStats {
        self.inner.take_stats()
    }
}

/// Why `strategy` cannot run `workload`, if it cannot.
pub fn skip_reason(strategy: &dyn Strategy, workload: &dyn Workload) -> Option<String> {
    if workload.needs_isolation() && !strategy.isolates_tasks() {
        return Some(format!(
            "{} kills or hangs its worker; only a strategy that isolates tasks in processes \
             survives that",
            workload.name()
        ));
    }
    strategy.skip_reason(workload)
}

/// Starts `strategy` for an instance that is not a registered workload (tests, benches).
pub fn start_for(
    strategy: &dyn Strategy,
    instance: &dyn Instance,
    workers: usize,
    chunk: Chunk,
    options: &Options,
) -> Result<Box<dyn Executor>, String> {
    start(
        strategy,
        &Setup {
            workers,
            chunk,
            workload: None,
            params: Params::default(),
            instance,
            options,
        },
    )
}

/// Every strategy, in the order docs/ARCHITECTURE.md lists them.
pub fn registry() -> Vec<Box<dyn Strategy>> {
    vec![
        Box::new(serial::Serial),
        Box::new(scoped::Scoped),
        Box::new(pool::Pool),
        Box::new(process::Process),
        Box::new(blas::Blas),
        Box::new(gil_threads::GilThreads),
    ]
}

/// Looks a strategy up by its name.
pub fn find(name: &str) -> Option<Box<dyn Strategy>> {
    registry().into_iter().find(|s| s.name() == name)
}
