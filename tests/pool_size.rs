//! No pool starts more workers than it has tasks: `--workers 99999 --strategies process` on a
//! workload of 4 tasks starts 4 worker processes, counted by a wrapper that logs each start,
//! and the cell keeps its `workers` label.

use crate::common;

use parbench::measure::runner::{self, Silent};
use parbench::workload::Size;
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_process_pool_starts_no_more_workers_than_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("starts.log");
    let wrapper = dir.path().join("parbench-worker");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho started >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_parbench")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut plan = common::plan(&["sum-squares"], &["process"], Size::Quick, &[64]);
    plan.options.worker_exe = Some(wrapper);
    // One start of the pool, so the starts counted are one pool's.
    plan.rounds = 1;
    let cells = runner::run(&plan, &mut Silent);
    let cell = cells
        .iter()
        .find(|c| c.strategy == "process")
        .expect("a process cell");
    assert!(cell.verified, "{}", cell.check);
    assert_eq!(cell.workers, 64, "the cell keeps its label");
    assert_eq!(cell.worker_restarts, 0);
    let starts = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(starts, cell.tasks, "one worker process per task, not 64");
    assert_eq!(cell.tasks, 4);
}
