//! The up-front estimate (memory and time before the first cell) and pools that start no more
//! threads than they have tasks.

use crate::common;
use parbench::gil_model;
use parbench::measure::estimate::estimate;
use parbench::measure::runner::{self, Silent};
use parbench::strategy::{self, Chunk};
use parbench::workload::{Check, Instance, Output, Size, TaskResult};
use std::time::Duration;

#[test]
fn the_estimate_lists_every_cell_of_the_plan_in_order() {
    let mut plan = common::plan(
        &["sum-squares", "add", "matmul"],
        &["serial", "scoped", "pool", "process", "blas", "gil"],
        Size::Quick,
        &[1, 2],
    );
    plan.chunks = vec![Chunk::Auto, Chunk::Size(3)];
    let e = estimate(&plan);
    let want: Vec<String> = plan
        .workloads
        .iter()
        .flat_map(|w| {
            plan.settings().into_iter().map(|(s, workers, chunk)| {
                let chunk = if s.chunked() && chunk != Chunk::Auto {
                    format!("/chunk {chunk}")
                } else {
                    String::new()
                };
                format!("{}/{}/{workers}{chunk}", w.name(), s.name())
            })
        })
        .collect();
    let got: Vec<String> = e.cells.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(got, want);
    assert!(e.cells.iter().all(|c| c.peak_bytes.is_some()));
    // The calibration is short: a few tasks of a small instance per workload.
    assert!(e.calibration_s < 30.0, "{}", e.summary());
}

#[test]
fn ones_at_scale_1e6_exits_2_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let o = common::parbench(&[
        "run",
        "--workloads",
        "ones",
        "--strategies",
        "serial",
        "--workers",
        "1",
        "--scale",
        "1e6",
        "--out",
        common::arg(&out),
    ]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.lines().any(|l| l.contains("--scale")), "{err}");
    assert!(!out.exists());
}

#[test]
fn dry_run_lists_the_cells_and_the_estimated_duration() {
    let o = common::parbench(&[
        "run",
        "--quick",
        "--workloads",
        "sum-squares,add",
        "--strategies",
        "serial,pool",
        "--workers",
        "1,2",
        "--dry-run",
    ]);
    let text = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    for cell in ["sum-squares/serial/1", "sum-squares/pool/2", "add/pool/1"] {
        assert!(text.contains(cell), "{text}");
    }
    assert!(text.contains("estimate:"), "{text}");
}

/// Two tasks, each watching for a while how many threads of this process bear the name of
/// the strategy's workers (`parbench-pool-3`, …), so that threads started late are seen too.
/// They release the GIL model's lock as numpy would, so that `gil` runs them side by side.
struct CountThreads {
    prefix: String,
}

impl CountThreads {
    fn count(&self) -> usize {
        std::fs::read_dir("/proc/self/task")
            .expect("/proc/self/task")
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with(&self.prefix))
            .count()
    }
}

impl Instance for CountThreads {
    fn tasks(&self) -> usize {
        2
    }
    fn run(&self, _index: usize) -> Result<Output, String> {
        let most = gil_model::released(|| {
            (0..20)
                .map(|_| {
                    std::thread::sleep(Duration::from_millis(5));
                    self.count()
                })
                .max()
        });
        Ok(Output::Int(most.unwrap_or(0) as i128))
    }
    fn verify(&self, _results: &[TaskResult]) -> Check {
        Check::pass("counted")
    }
}

#[test]
fn pools_start_no_more_threads_than_tasks() {
    // Alone in its process: other tests' pools bear the same names.
    if common::ran_in_own_process("estimate::pools_start_no_more_threads_than_tasks") {
        return;
    }
    for name in ["scoped", "pool", "gil"] {
        let s = strategy::find(name).unwrap();
        // Thread names are cut to 15 bytes: "parbench-scoped-0" reads "parbench-scoped".
        let instance = CountThreads {
            prefix: format!("parbench-{name}"),
        };
        let mut exec =
            strategy::start_for(s.as_ref(), &instance, 8, Chunk::Auto, &common::options()).unwrap();
        for r in exec.execute(&instance) {
            assert_eq!(r.unwrap(), Output::Int(2), "{name} with 8 workers, 2 tasks");
        }
    }
}

#[test]
fn a_cell_with_more_workers_than_tasks_keeps_its_label() {
    let mut plan = common::plan(
        &["risky"],
        &["serial", "scoped", "pool", "gil"],
        Size::Quick,
        &[16],
    );
    plan.samples = 1;
    let cells = runner::run(&plan, &mut Silent);
    let labels: Vec<(String, usize)> = cells
        .iter()
        .map(|c| (c.strategy.clone(), c.workers))
        .collect();
    assert_eq!(
        labels,
        [("serial", 1), ("scoped", 16), ("pool", 16), ("gil", 16)].map(|(s, w)| (s.to_string(), w))
    );
    assert!(cells.iter().all(|c| c.verified), "{cells:?}");
}
