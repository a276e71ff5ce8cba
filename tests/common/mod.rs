//! Helpers shared by the integration tests.
#![allow(dead_code)]

use parbench::measure::runner::{self, Plan, Silent};
use parbench::results::Cell;
use parbench::strategy::{self, Chunk, Options, Strategy};
use parbench::workload::{self, Params, Size};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Options whose worker executable is the built parbench: a test's own executable is not.
pub fn options() -> Options {
    Options {
        worker_exe: Some(PathBuf::from(env!("CARGO_BIN_EXE_parbench"))),
        ..Options::default()
    }
}

/// A one-round plan of `workloads` × `strategies` × `workers`, one sample and no warm-up.
pub fn plan(workloads: &[&str], strategies: &[&str], size: Size, workers: &[usize]) -> Plan {
    let mut p = Plan::new(
        workloads
            .iter()
            .map(|w| workload::find(w).expect("known workload"))
            .collect(),
        strategies
            .iter()
            .map(|s| strategy::find(s).expect("known strategy"))
            .collect::<Vec<Box<dyn Strategy>>>(),
        workers.to_vec(),
        Params {
            size,
            ..Params::default()
        },
    );
    p.warmup = 0;
    p.samples = 1;
    p.options = options();
    p
}

/// Runs `workloads` × every strategy × `workers` once each through the real runner.
pub fn run_matrix(workloads: &[&str], size: Size, workers: &[usize], chunk: Chunk) -> Vec<Cell> {
    let names: Vec<&str> = strategy::registry().iter().map(|s| s.name()).collect();
    let mut p = plan(workloads, &names, size, workers);
    p.chunks = vec![chunk];
    runner::run(&p, &mut Silent)
}

/// The serial cell of `workload` at `size`, measured once.
pub fn serial_cell(workload: &str, size: Size) -> Cell {
    runner::run(&plan(&[workload], &["serial"], size, &[1]), &mut Silent).remove(0)
}

/// Runs the built `parbench` with `args` and waits for it.
pub fn parbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parbench"))
        .args(args)
        .output()
        .expect("run parbench")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// In the test binary's own run, runs test `name` (its path, e.g. `blas_threads::probe`) alone
/// in a child process of this binary, asserts that it passed, and returns true: the caller then
/// returns. In that child it returns false and the caller runs its body. Tests of one binary
/// share a process and run concurrently, so a test asserting on process-wide state (OpenBLAS's
/// thread count) needs a process of its own.
pub fn ran_in_own_process(name: &str) -> bool {
    const ALONE: &str = "PARBENCH_TEST_ALONE";
    if std::env::var_os(ALONE).is_some_and(|v| v == name) {
        return false;
    }
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(ALONE, name)
        .output()
        .expect("run the test binary");
    let (stdout, stderr) = (stdout(&out), stderr(&out));
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} in a process of its own:\n{stdout}\n{stderr}"
    );
    true
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}
