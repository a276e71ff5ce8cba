//! Nothing lost on interruption: SIGINT and SIGTERM keep the finished cell rounds, `--resume`
//! completes the matrix without measuring them again, and a resume under other flags is
//! refused.

use crate::common::{parbench, stderr};
use parbench::results::{Cell, Results};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Long enough to be stopped mid-way (dozens of cell rounds of ≥ 30 ms each), short enough
/// for a test.
const MATRIX: &[&str] = &[
    "--quick",
    "--workloads",
    "sum-squares,add,noop,monte-carlo",
    "--strategies",
    "serial,pool,process",
    "--workers",
    "1,2",
    "--rounds",
    "3",
    "--sample-time",
    "30",
];

/// Starts a run writing to `out`, sends `signal` once `after` cell rounds have finished (the
/// lines a run without a terminal prints), and returns its exit code.
fn interrupted_run(out: &Path, signal: i32, after: usize) -> i32 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_parbench"))
        .arg("run")
        .args(MATRIX)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start parbench");
    let lines = BufReader::new(child.stderr.take().expect("piped"));
    let mut finished = 0;
    let mut sent = false;
    for line in lines.lines() {
        let line = line.expect("utf-8");
        if line.starts_with("parbench: [") {
            finished += 1;
        }
        if finished >= after && !sent {
            // SAFETY: kill() sends a signal to the child this test started and owns.
            unsafe { libc::kill(child.id() as i32, signal) };
            sent = true;
        }
    }
    assert!(
        sent,
        "the run finished before {after} cell rounds were seen"
    );
    child
        .wait()
        .expect("wait")
        .code()
        .expect("exited, not killed")
}

fn read(path: &Path) -> Results {
    Results::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each cell's identity and outputs, for comparing runs.
fn outcome(r: &Results) -> BTreeMap<String, (Option<String>, bool, usize)> {
    r.cells
        .iter()
        .map(|c: &Cell| {
            (
                parbench::results::CellId::of(c).to_string(),
                (c.checksum.clone(), c.verified, c.round_samples.len()),
            )
        })
        .collect()
}

#[test]
fn sigint_and_sigterm_keep_the_finished_cells_and_resume_completes_them() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.json");
    let out = parbench(&[&["run"][..], MATRIX, &["--out", whole.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let whole = read(&whole);
    assert!(whole.interrupted.is_none());

    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let file = dir.path().join(format!("cut-{signal}.json"));
        assert_eq!(interrupted_run(&file, signal, 5), code);
        let cut = read(&file);
        let why = cut.interrupted.clone().expect("marked as interrupted");
        assert!(why.finished_rounds >= 5, "{why:?}");
        assert!(why.finished_rounds < why.planned_rounds, "{why:?}");
        assert!(!cut.cells.is_empty());
        for c in cut.cells.iter().filter(|c| c.skipped.is_none()) {
            assert!(c.verified, "{}: {}", c.workload, c.check);
        }
        let journal = dir.path().join(format!("cut-{signal}.json.journal"));
        assert!(journal.exists(), "the journal stays for --resume");

        let resumed =
            parbench(&[&["run"][..], MATRIX, &["--resume", file.to_str().unwrap()]].concat());
        assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
        // Only what was missing was measured: one progress line per remaining cell round.
        let measured = stderr(&resumed)
            .lines()
            .filter(|l| l.starts_with("parbench: ["))
            .count();
        assert_eq!(measured, why.planned_rounds - why.finished_rounds);
        let done = read(&file);
        assert!(done.interrupted.is_none());
        assert_eq!(
            outcome(&done),
            outcome(&whole),
            "same cells, outputs and rounds"
        );
        assert!(!journal.exists(), "a completed run removes its journal");
    }
}

#[test]
fn a_resume_under_other_flags_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cut.json");
    assert_eq!(interrupted_run(&file, libc::SIGINT, 3), 130);
    let mut other = MATRIX.to_vec();
    other.extend(["--samples", "3"]);
    let out = parbench(&[&["run"][..], &other, &["--resume", file.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--resume") && err.contains("samples"), "{err}");

    let gone = parbench(&[&["run"][..], MATRIX, &["--resume", "/nonexistent/x.json"]].concat());
    assert_eq!(gone.status.code(), Some(2));
    assert!(
        stderr(&gone).contains("nothing to resume"),
        "{}",
        stderr(&gone)
    );
}

#[test]
fn a_killed_measuring_process_costs_one_cell_round_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    let mut run = Command::new(env!("CARGO_BIN_EXE_parbench"))
        .arg("run")
        .args(MATRIX)
        .arg("--out")
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start parbench");
    let lines = BufReader::new(run.stderr.take().expect("piped"));
    let mut finished = 0;
    let mut killed = None;
    let mut err = String::new();
    for line in lines.lines() {
        let line = line.expect("utf-8");
        finished += usize::from(line.starts_with("parbench: ["));
        err.push_str(&line);
        err.push('\n');
        if finished == 2 && killed.is_none() {
            // The measuring child: the only child of the run's process.
            let children = format!("/proc/{0}/task/{0}/children", run.id());
            let pid: i32 = std::fs::read_to_string(children)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            // SAFETY: kill() sends a signal to a process this test's child started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = Some(pid);
        }
    }
    assert!(killed.is_some());
    let code = run.wait().unwrap().code();
    assert!(err.contains("was killed by signal 9"), "{err}");
    let r = read(&file);
    assert!(r.interrupted.is_none());
    // Killed while building a workload's inputs, nothing measured is lost and a fresh process
    // measures the rest; killed inside a cell, that cell loses its round and says why.
    let failed: Vec<&Cell> = r
        .cells
        .iter()
        .filter(|c| !c.verified && c.skipped.is_none())
        .collect();
    match code {
        Some(0) => assert!(failed.is_empty()),
        Some(1) => {
            assert_eq!(failed.len(), 1, "one cell lost one round");
            let why = &failed[0].check;
            assert!(why.contains("process measuring this round"), "{why}");
        }
        other => panic!("exit {other:?}: {err}"),
    }
    let full = r
        .cells
        .iter()
        .filter(|c| c.round_samples.len() == 3)
        .count();
    assert!(
        full + 1 >= r.cells.len(),
        "every other cell has all its rounds"
    );
}
