//! The integration tests: one binary with a module per topic (as ripgrep's tests/tests.rs), so
//! OpenBLAS and plotters are linked once rather than once per topic. Run one topic with
//! `cargo test --release --test integration cli::`.
//!
//! Tests of one binary share a process and run concurrently: a test that asserts on
//! process-wide state (OpenBLAS's thread count) runs itself in a process of its own through
//! `common::ran_in_own_process`.

mod common;

mod blas_threads;
mod cli;
mod compare;
mod doc_values;
mod errors;
mod estimate;
mod faults;
mod history;
mod interrupt;
mod layers;
mod output;
mod pair;
mod pinning;
mod pool_size;
mod processes;
mod regression_power;
mod report;
mod rounds;
mod strategies_agree;
