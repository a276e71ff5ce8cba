//! What a workload will ask of the machine at given parameters, known without preparing it:
//! the up-front estimate (`measure::estimate`, see docs/ARCHITECTURE.md) refuses a run whose
//! inputs cannot fit before a single byte of them is allocated, and extrapolates a short
//! calibration to the real size by the ratio of `work`.

use super::TaskResult;

/// Memory and work of one prepared instance. Every workload derives it from the same
/// functions and constants its `prepare` uses, so the two cannot drift apart.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Demand {
    pub tasks: usize,
    /// Work of one run of all tasks in the workload's own unit (elements, iterations,
    /// multiply-adds, seconds asleep): only the ratio of two demands of the same workload
    /// means anything.
    pub work: f64,
    /// Bytes of the inputs `prepare` builds and keeps for as long as the instance lives.
    pub input_bytes: u64,
    /// Of those, the arrays [`super::Instance::inputs`] lists: the `process` strategy copies
    /// them once to a shared-memory file that its workers map instead of rebuilding them.
    pub shared_bytes: u64,
    /// Peak bytes one task allocates while it runs, its result included.
    pub task_bytes: u64,
}

impl Demand {
    /// Tasks that allocate nothing but their result and share no inputs.
    pub fn compute(tasks: usize, work: f64) -> Demand {
        Demand {
            tasks,
            work,
            task_bytes: RESULT_BYTES,
            ..Demand::default()
        }
    }

    /// Adds what one task allocates beyond its result.
    pub fn with_task_bytes(mut self, bytes: u64) -> Demand {
        self.task_bytes = RESULT_BYTES + bytes;
        self
    }

    /// Adds inputs that the instance keeps; `shared` when the `process` strategy maps them.
    pub fn with_inputs(mut self, bytes: u64, shared: bool) -> Demand {
        self.input_bytes += bytes;
        if shared {
            self.shared_bytes += bytes;
        }
        self
    }
}

/// One task's result as the runner keeps it (an `Output` in its `Result`), plus a small vector
/// on the heap for the workloads that return a few floats.
pub const RESULT_BYTES: u64 = (std::mem::size_of::<TaskResult>() + 16 * F64) as u64;

/// The size of one double, which most inputs are arrays of.
pub const F64: usize = std::mem::size_of::<f64>();

/// Bytes of `n` doubles, without overflowing at absurd scales.
pub fn doubles(n: usize) -> u64 {
    (n as u64).saturating_mul(F64 as u64)
}

/// Bytes of `n` values of type `T`.
pub fn values<T>(n: usize) -> u64 {
    (n as u64).saturating_mul(std::mem::size_of::<T>() as u64)
}
