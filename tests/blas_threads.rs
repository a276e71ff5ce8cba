//! The BLAS thread count seen inside tasks: 1 under every strategy but `blas`, and `workers`
//! under `blas`, so task-level and BLAS-level threads never multiply.
//!
//! One test function, run in a process of its own: OpenBLAS's thread count is process-wide,
//! and tests in one binary run concurrently.

use crate::common;

use parbench::measure::runner::{self, Silent};
use parbench::strategy::{self, Chunk, Options};
use parbench::workload::{Check, Instance, Output, Size, TaskResult};

/// A task reports the BLAS thread count it finds.
struct Probe {
    tasks: usize,
}

impl Instance for Probe {
    fn tasks(&self) -> usize {
        self.tasks
    }
    fn run(&self, _index: usize) -> Result<Output, String> {
        Ok(Output::Int(parbench::sys::openblas::threads() as i128))
    }
    fn verify(&self, _results: &[TaskResult]) -> Check {
        Check::pass("probe")
    }
}

fn seen(strategy: &str, workers: usize) -> Vec<i128> {
    let s = strategy::find(strategy).unwrap();
    let probe = Probe { tasks: 16 };
    let mut exec = strategy::start_for(
        s.as_ref(),
        &probe,
        workers,
        Chunk::Auto,
        &Options::default(),
    )
    .unwrap();
    exec.execute(&probe)
        .into_iter()
        .map(|r| match r {
            Ok(Output::Int(n)) => n,
            other => panic!("{strategy}: {other:?}"),
        })
        .collect()
}

#[test]
fn blas_threads_inside_tasks() {
    if common::ran_in_own_process("blas_threads::blas_threads_inside_tasks") {
        return;
    }
    let threaded = [
        ("serial", 1),
        ("scoped", 1),
        ("scoped", 2),
        ("pool", 1),
        ("pool", 2),
        ("gil", 1),
        ("gil", 2),
    ];
    for (strategy, workers) in threaded {
        // Start from a state no strategy should inherit.
        parbench::sys::openblas::set_threads(2);
        let counts = seen(strategy, workers);
        assert!(
            counts.iter().all(|&n| n == 1),
            "{strategy}/{workers}: {counts:?}"
        );
    }
    for workers in [1, 2, 3] {
        parbench::sys::openblas::set_threads(1);
        let counts = seen("blas", workers);
        assert!(
            counts.iter().all(|&n| n == workers as i128),
            "blas/{workers}: {counts:?}"
        );
    }
    // The strategy puts BLAS back to one thread when done, so the next cell starts clean.
    assert_eq!(parbench::sys::openblas::threads(), 1);

    // Worker processes run a registered workload: the blas-probe diagnostic reports the count
    // each task saw in its worker.
    parbench::sys::openblas::set_threads(2);
    let plan = common::plan(&["blas-probe"], &["process"], Size::Quick, &[1, 2]);
    for cell in runner::run(&plan, &mut Silent) {
        assert!(
            cell.verified,
            "{}/{}: {}",
            cell.strategy, cell.workers, cell.check
        );
        assert_eq!(
            cell.summary["blas_threads"], 1.0,
            "{}/{}",
            cell.strategy, cell.workers
        );
    }
}
