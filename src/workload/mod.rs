//! Workloads: the documents' computations, each as `n` independent tasks plus a check of the
//! combined result.
//!
//! Adding a workload is one file implementing [`Workload`] and one line in [`registry`].

mod add;
pub mod array;
mod blocks;
mod checks;
mod curve_fit;
pub mod demand;
mod exp_loop;
mod faults;
pub mod interp;
mod io_sleep;
mod matmul;
mod mc_seeds;
mod monte_carlo;
mod noop;
mod norm_isf;
mod ode_sweep;
mod ones;
mod random;
mod risky;
pub mod rk45;
mod scale;
mod sin;
mod sum_squares;
mod svd;

pub use demand::Demand;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Size classes, as NPB has classes (see docs/ARCHITECTURE.md, "Workloads").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// Every size shrunk, shapes kept: the whole matrix in well under a minute on 2 cores.
    Quick,
    /// The documents' sizes, to reproduce their experiments.
    Doc,
    /// Task counts raised so one serial run takes about 1-2 s on a 2-core machine.
    Large,
}

impl Size {
    /// Picks the value for this size class.
    pub fn pick<T>(self, quick: T, doc: T, large: T) -> T {
        match self {
            Size::Quick => quick,
            Size::Doc => doc,
            Size::Large => large,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Size::Quick => "quick",
            Size::Doc => "doc",
            Size::Large => "large",
        })
    }
}

/// What a workload stands for in the documents; decides which strategies apply and, for the GIL
/// model, whether its work holds the interpreter lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Pure-Python code: loops over dynamically typed values.
    Interpreted,
    /// numpy array code that releases the GIL and calls no BLAS.
    Array,
    /// Code whose time is spent in BLAS or LAPACK.
    Blas,
    /// Waiting for input/output.
    Io,
    /// Empty or trivial tasks that measure the machinery itself.
    Overhead,
}

/// The parameters a workload is prepared with.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub size: Size,
    /// Multiplies the work of each task (`--scale`).
    pub scale: f64,
    /// Base seed; task `i` draws from stream `i` of it.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            size: Size::Doc,
            scale: 1.0,
            seed: crate::results::DEFAULT_SEED,
        }
    }
}

/// A task's result: small and serialisable, so that it can cross a process boundary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Output {
    Int(i128),
    Float(f64),
    Floats(Vec<f64>),
    Text(String),
}

impl Output {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Output::Float(x) => Some(*x),
            Output::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn floats(&self) -> Option<&[f64]> {
        match self {
            Output::Floats(v) => Some(v),
            _ => None,
        }
    }
}

/// A task that did not produce an output: an error it returned, a panic, or (for process
/// strategies) a worker that died or hung.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskFailure {
    pub message: String,
}

pub type TaskResult = Result<Output, TaskFailure>;

/// An output as a message shows it: numbers as numbers, long vectors by their start.
impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Int(i) => write!(f, "{i}"),
            Output::Float(x) => write!(f, "{x}"),
            Output::Floats(v) if v.len() <= 3 => write!(f, "{v:?}"),
            Output::Floats(v) => write!(f, "[{}, {}, … {} values]", v[0], v[1], v.len()),
            Output::Text(s) => write!(f, "'{s}'"),
        }
    }
}

/// A task's result as a verification message shows it: what it returned, or the failure's own
/// message on one line.
pub fn describe(r: &TaskResult) -> String {
    match r {
        Ok(o) => format!("returned {o}"),
        Err(e) => format!(
            "failed: {}",
            e.message.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
    }
}

/// The verdict on the combined result of one run of all tasks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Check {
    pub passed: bool,
    /// Why it failed, or what was checked when it passed.
    pub detail: String,
    /// The workload's scientific result, under the names the documents print.
    pub summary: BTreeMap<String, f64>,
}

impl Check {
    pub fn pass(detail: impl Into<String>) -> Self {
        Check {
            passed: true,
            detail: detail.into(),
            summary: BTreeMap::new(),
        }
    }

    pub fn fail(detail: impl Into<String>) -> Self {
        Check {
            passed: false,
            detail: detail.into(),
            summary: BTreeMap::new(),
        }
    }

    /// Passes when `ok`, with `detail` either way.
    pub fn expect(ok: bool, detail: impl Into<String>) -> Self {
        Check {
            passed: ok,
            detail: detail.into(),
            summary: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &str, value: f64) -> Self {
        self.summary.insert(key.to_string(), value);
        self
    }
}

/// A job of independent tasks, as the documents describe it.
pub trait Workload: Send + Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn kind(&self) -> Kind;
    /// Builds the shared inputs for `params`. Not timed.
    fn prepare(&self, params: &Params) -> Box<dyn Instance>;
    /// Builds the instance around inputs another process prepared (the arrays its
    /// [`Instance::inputs`] listed, now mapped from a shared file). Workloads without large
    /// inputs simply prepare again: their inputs are a function of the parameters.
    fn attach(&self, params: &Params, _inputs: Vec<array::Array>) -> Box<dyn Instance> {
        self.prepare(params)
    }
    /// Whether a task can take its whole process down (or never return), so that only a
    /// strategy that isolates tasks in processes may run it.
    fn needs_isolation(&self) -> bool {
        false
    }
    /// What an instance at `params` would hold and do, known without preparing it, from the
    /// same sizes `prepare` uses. `None` for a workload that cannot tell (test stand-ins):
    /// the up-front estimate leaves it out.
    fn demand(&self, _params: &Params) -> Option<Demand> {
        None
    }
}

/// A prepared workload: shared inputs plus the tasks that read them.
pub trait Instance: Send + Sync {
    fn tasks(&self) -> usize;
    /// Runs task `index`; its inputs come from the seed and the index alone.
    fn run(&self, index: usize) -> Result<Output, String>;
    /// Checks the combined result of all tasks, in index order.
    fn verify(&self, results: &[TaskResult]) -> Check;
    /// The large inputs worker processes should map rather than rebuild, in the order
    /// [`Workload::attach`] takes them.
    fn inputs(&self) -> Vec<&[f64]> {
        Vec::new()
    }
    /// Whether two outputs of the same task are the same result. Exact by default: tasks
    /// are deterministic. Workloads whose work runs in a multithreaded BLAS override it,
    /// since BLAS reorders its sums with the thread count and only agrees to rounding.
    fn agrees(&self, a: &Output, b: &Output) -> bool {
        a == b
    }
}

/// Every workload, in the order of the table in docs/ARCHITECTURE.md.
pub fn registry() -> Vec<Box<dyn Workload>> {
    vec![
        Box::new(sum_squares::SumSquares),
        Box::new(exp_loop::ExpLoop),
        Box::new(ones::Ones),
        Box::new(add::Add),
        Box::new(sin::Sin),
        Box::new(norm_isf::NormIsf),
        Box::new(matmul::Matmul),
        Box::new(svd::Svd),
        Box::new(ode_sweep::OdeSweep),
        Box::new(monte_carlo::MonteCarlo),
        Box::new(mc_seeds::McSeeds),
        Box::new(curve_fit::CurveFit),
        Box::new(io_sleep::IoSleep),
        Box::new(noop::Noop),
        Box::new(risky::Risky),
    ]
}

/// Workloads that test the harness rather than the machine: a task that kills its process, one
/// that never returns, one that reports the BLAS thread count. `all` leaves them out.
pub fn diagnostics() -> Vec<Box<dyn Workload>> {
    vec![
        Box::new(faults::CRASH),
        Box::new(faults::HANG),
        Box::new(faults::PANIC),
        Box::new(faults::BlasProbe),
    ]
}

/// Looks a workload up by its name, diagnostics included.
pub fn find(name: &str) -> Option<Box<dyn Workload>> {
    registry()
        .into_iter()
        .chain(diagnostics())
        .find(|w| w.name() == name)
}
