//! `--pin`: where pinned workers run, round after round.

use parbench::strategy::{self, Chunk, Options};
use parbench::workload::{Check, Instance, Output, TaskResult};

/// A task reports the core it ran on.
struct WhereAmI;

impl Instance for WhereAmI {
    fn tasks(&self) -> usize {
        4
    }
    fn run(&self, _index: usize) -> Result<Output, String> {
        // SAFETY: sched_getcpu has no preconditions.
        Ok(Output::Int(unsafe { libc::sched_getcpu() } as i128))
    }
    fn verify(&self, _results: &[TaskResult]) -> Check {
        Check::pass("probe")
    }
}

/// The cores the tasks of each of `runs` runs of a `workers`-worker cell ran on.
fn cores_seen(strategy: &str, workers: usize, first_core: usize, runs: usize) -> Vec<Vec<usize>> {
    let s = strategy::find(strategy).unwrap();
    let options = Options {
        pin: true,
        first_core,
        ..Options::default()
    };
    let mut exec =
        strategy::start_for(s.as_ref(), &WhereAmI, workers, Chunk::Auto, &options).unwrap();
    (0..runs)
        .map(|_| {
            exec.execute(&WhereAmI)
                .into_iter()
                .map(|r| match r {
                    Ok(Output::Int(c)) => c as usize,
                    other => panic!("{strategy}: {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// A one-worker cell, `serial` included, runs on the round's first core, every run of its
/// tasks alike (the runner sets the first core to the round, so that no cell spends every
/// round on the same core).
#[test]
fn pinned_single_workers_run_on_the_first_core_of_the_round() {
    let allowed = parbench::sys::affinity::allowed();
    assert!(!allowed.is_empty());
    for strategy in ["serial", "scoped", "pool", "gil"] {
        for first in 0..3 {
            let seen = cores_seen(strategy, 1, first, 3);
            for (run, cores) in seen.iter().enumerate() {
                let want = allowed[first % allowed.len()];
                assert!(
                    cores.iter().all(|&c| c == want),
                    "{strategy}, first core {first}, run {run}: ran on {cores:?}, wanted {want}"
                );
            }
        }
    }
}

/// Worker w of a two-worker cell runs on the (first + w)-th core: `scoped` gives worker w the
/// w-th half of the tasks, so where each task ran tells which worker ran it.
#[test]
fn pinned_workers_count_from_the_first_core() {
    let allowed = parbench::sys::affinity::allowed();
    for first in 0..3 {
        let w0 = allowed[first % allowed.len()];
        let w1 = allowed[(first + 1) % allowed.len()];
        for cores in cores_seen("scoped", 2, first, 3) {
            assert_eq!(cores, [w0, w0, w1, w1], "first core {first}");
        }
    }
}

/// How many cores the calling thread may run on.
fn allowed_now() -> usize {
    parbench::sys::affinity::current().len()
}

/// `serial` runs on the measuring thread itself: pinned to one core while its cell runs, free
/// again once the cell's executor is gone.
#[test]
fn serial_pins_the_measuring_thread_for_the_cell_only() {
    let allowed = parbench::sys::affinity::allowed().len();
    let s = strategy::find("serial").unwrap();
    let options = Options {
        pin: true,
        first_core: 1,
        ..Options::default()
    };
    let exec = strategy::start_for(s.as_ref(), &WhereAmI, 1, Chunk::Auto, &options).unwrap();
    assert_eq!(allowed_now(), 1);
    drop(exec);
    assert_eq!(allowed_now(), allowed);
}
