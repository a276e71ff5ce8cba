//! parbench runs the workloads of two documents on parallel programming with numpy/scipy under
//! several execution strategies and worker counts, verifies every result, and records the
//! timings with the conditions they were measured under.
//!
//! # Execution model
//!
//! A [`workload::Workload`] is an embarrassingly parallel job of `n` independent tasks. Preparing
//! it for a size class gives a [`workload::Instance`]: the shared inputs (large arrays are built
//! here, once, outside every timed region) plus a way to run task `i` and to check the combined
//! result. A task's inputs are derived from the run's seed and the task's index alone, so any
//! executor can run any index range and every strategy, worker count and chunking gives
//! bit-for-bit the same outputs; the checksum of a cell is a digest of those outputs.
//!
//! A [`strategy::Strategy`] decides how the tasks reach the cores: in order on the calling
//! thread (`serial`), one scoped thread per worker over a static partition (`scoped`), a rayon
//! pool of `workers` threads (never more than tasks) with work stealing (`pool`), in re-executed
//! worker processes fed through pipes (`process`), in order with OpenBLAS itself running `workers`
//! threads (`blas`), or on threads that share a model of CPython's global interpreter lock
//! (`gil`). Every strategy but `blas` pins OpenBLAS to one thread, so that task-level and
//! BLAS-level parallelism never oversubscribe the cores.
//!
//! The [`measure`] stage times each (workload, strategy, workers) cell in rounds, each round in a
//! fresh process: warm-up runs, then calibrated timed samples, each sample's outputs verified
//! and digested, every finished cell round journaled (see docs/ARCHITECTURE.md). [`results`] holds the versioned JSON
//! schema that every later stage reads.

// Linking: the crate reaches BLAS through ndarray's `dot` as well as through ndarray-linalg;
// naming the crate here makes sure libopenblas is on the link line of every target.
extern crate ndarray_linalg;

pub mod cli;
pub mod commands;
pub mod compare;
pub mod error;
pub mod gil_model;
pub mod history;
pub mod measure;
pub mod pair;
pub mod plot;
pub mod report;
pub mod results;
pub mod stats;
pub mod strategy;
pub mod sys;
pub mod units;
pub mod workload;

pub use error::Error;
