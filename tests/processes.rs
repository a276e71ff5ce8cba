//! The `process` strategy under faults, driven through the built binary: a worker killed with
//! SIGKILL, a task that hangs past --task-timeout, a task that kills its worker, a panicking
//! task, and parbench itself interrupted. Each run must end by itself in bounded time, report
//! exactly the affected tasks, and leave no worker process behind (checked in /proc).

use crate::common;

use parbench::measure::runner::{self, Silent};
use parbench::workload::Size;
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tag in the environment of one test's parbench and (by inheritance) its workers, so the
/// test finds its own processes among those of tests running beside it.
fn marker(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

fn spawn(args: &[&str], tag: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_parbench"))
        .args(args)
        .env("PARBENCH_TEST_MARKER", tag)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start parbench")
}

/// Live (not zombie) processes whose environment carries `tag`, with their command lines.
fn tagged(tag: &str) -> Vec<(i32, String)> {
    let needle = format!("PARBENCH_TEST_MARKER={tag}");
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let dir = e.path();
        let Ok(env) = std::fs::read(dir.join("environ")) else {
            continue;
        };
        if !env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()) {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or("").trim().chars().next();
        if state == Some('Z') {
            continue;
        }
        let cmd = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        out.push((pid, cmd));
    }
    out
}

fn workers(tag: &str) -> Vec<i32> {
    tagged(tag)
        .into_iter()
        .filter(|(_, cmd)| cmd.trim_end().ends_with(" worker"))
        .map(|(pid, _)| pid)
        .collect()
}

/// Waits until `cond` holds, up to `limit`.
fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

fn finish(mut child: Child, limit: Duration) -> (i32, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("parbench still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn no_workers_left(tag: &str) {
    assert!(
        wait_for(Duration::from_secs(5), || tagged(tag).is_empty()),
        "processes left behind: {:?}",
        tagged(tag)
    );
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cell<'a>(r: &'a Value, workload: &str, strategy: &str) -> &'a Value {
    r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["workload"] == workload && c["strategy"] == strategy)
        .unwrap_or_else(|| panic!("no {workload}/{strategy} cell"))
}

fn failed_tasks(c: &Value) -> Vec<u64> {
    c["failed_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["task"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_worker_killed_with_sigkill_is_replaced_and_its_task_retried() {
    let tag = marker("sigkill");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // io-sleep at the documents' size: 5 tasks of 0.5 s, one per hand-out.
    let child = spawn(
        &[
            "run",
            "--workloads",
            "io-sleep",
            "--strategies",
            "serial,process",
            "--workers",
            "2",
            "--rounds",
            "1",
            "--sample-time",
            "0",
            "--samples",
            "2",
            "--warmup",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        &tag,
    );
    assert!(wait_for(Duration::from_secs(20), || workers(&tag).len() == 2));
    // Past the workers' start, inside the first of two timed runs (1.5 s each): a task is in
    // flight now.
    std::thread::sleep(Duration::from_millis(700));
    let victim = workers(&tag)[0];
    // SAFETY: sending a signal to a pid we just read from /proc; at worst it has exited.
    unsafe { libc::kill(victim, libc::SIGKILL) };

    let (code, err) = finish(child, Duration::from_secs(30));
    assert_eq!(code, 0, "{err}");
    no_workers_left(&tag);
    let r = read(&out);
    let c = cell(&r, "io-sleep", "process");
    assert_eq!(c["verified"], true, "{c}");
    assert!(c["worker_restarts"].as_u64().unwrap() >= 1, "{c}");
    let retried = c["retried_tasks"].as_array().unwrap();
    assert_eq!(retried.len(), 1, "exactly the killed worker's task: {c}");
    assert!(failed_tasks(c).is_empty(), "the retry succeeded: {c}");
    // The sample the restart slowed is kept apart, out of the statistics.
    assert_eq!(c["disturbed_s"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(c["samples_s"].as_array().unwrap().len(), 1, "{c}");
}

#[test]
fn a_task_that_hangs_past_the_timeout_is_reported_and_the_run_ends() {
    let tag = marker("hang");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let start = Instant::now();
    let child = spawn(
        &[
            "run",
            "--workloads",
            "hang",
            "--strategies",
            "process",
            "--workers",
            "2",
            "--rounds",
            "1",
            "--sample-time",
            "0",
            "--samples",
            "1",
            "--warmup",
            "0",
            "--task-timeout",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        &tag,
    );
    let (code, err) = finish(child, Duration::from_secs(30));
    assert_eq!(code, 0, "{err}");
    // The first try and the retry each wait one timeout.
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    no_workers_left(&tag);
    let r = read(&out);
    let c = cell(&r, "hang", "process");
    assert_eq!(failed_tasks(c), vec![2], "{c}");
    assert!(
        c["failed_tasks"][0]["error"]
            .as_str()
            .unwrap()
            .contains("task-timeout")
    );
    assert_eq!(c["verified"], true);
    assert!(
        cell(&r, "hang", "serial")["skipped"].is_string(),
        "threads cannot survive it"
    );
}

#[test]
fn a_task_that_kills_its_worker_is_reported_with_the_signal() {
    let tag = marker("crash");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let child = spawn(
        &[
            "run",
            "--workloads",
            "crash",
            "--strategies",
            "process",
            "--workers",
            "1,2,4",
            "--chunk",
            "auto",
            "--rounds",
            "1",
            "--sample-time",
            "0",
            "--samples",
            "2",
            "--warmup",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        &tag,
    );
    let (code, err) = finish(child, Duration::from_secs(30));
    assert_eq!(code, 0, "{err}");
    no_workers_left(&tag);
    let r = read(&out);
    for c in r["cells"].as_array().unwrap() {
        if c["strategy"] != "process" {
            continue;
        }
        assert_eq!(failed_tasks(c), vec![3], "{c}");
        let msg = c["failed_tasks"][0]["error"].as_str().unwrap();
        assert!(
            msg.contains("signal: 9") || msg.contains("SIGKILL"),
            "{msg}"
        );
        assert_eq!(c["verified"], true, "{c}");
    }
}

#[test]
fn a_panicking_task_is_reported_under_every_strategy() {
    let plan = common::plan(
        &["panic"],
        &["serial", "scoped", "pool", "process", "gil"],
        Size::Quick,
        &[1, 2],
    );
    for c in runner::run(&plan, &mut Silent) {
        let failed: Vec<usize> = c.failed_tasks.iter().map(|f| f.task).collect();
        assert_eq!(failed, vec![4], "{}/{}", c.strategy, c.workers);
        assert!(c.failed_tasks[0].error.contains("panicked on purpose"));
        assert!(c.verified, "{}/{}: {}", c.strategy, c.workers, c.check);
    }
}

fn interrupt(signal: i32, name: &str) {
    let tag = marker(name);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let child = spawn(
        &[
            "run",
            "--workloads",
            "io-sleep",
            "--strategies",
            "process",
            "--workers",
            "2",
            "--rounds",
            "1",
            "--sample-time",
            "0",
            "--samples",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
        &tag,
    );
    assert!(wait_for(Duration::from_secs(20), || workers(&tag).len() == 2));
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: signalling our own child, which is still running.
    unsafe { libc::kill(child.id() as i32, signal) };
    let (code, _) = finish(child, Duration::from_secs(5));
    assert_eq!(code, 128 + signal);
    no_workers_left(&tag);
    // The file says what finished (nothing yet) and replaces any older one at --out; the
    // journal stays for --resume; nothing else is left behind.
    let r = read(&out);
    assert!(r["interrupted"].is_object(), "{r}");
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["r.json", "r.json.journal"]);
}

#[test]
fn sigint_to_parbench_ends_its_workers_and_keeps_what_finished() {
    interrupt(libc::SIGINT, "sigint");
}

#[test]
fn sigterm_to_parbench_ends_its_workers_and_keeps_what_finished() {
    interrupt(libc::SIGTERM, "sigterm");
}

#[test]
fn array_workloads_share_inputs_instead_of_piping_them() {
    // At the documents' size B (and C) hold 10^7 doubles, 80 MB each: through the pipe they
    // would dwarf 1 MB. Through the shared file only task ranges and sums cross.
    let plan = common::plan(&["add", "sin", "norm-isf"], &["process"], Size::Doc, &[2]);
    for c in runner::run(&plan, &mut Silent) {
        if c.strategy != "process" {
            continue;
        }
        assert!(c.verified, "{}: {}", c.workload, c.check);
        let ipc = c.ipc_bytes.expect("process cells record ipc_bytes");
        assert!(ipc > 0 && ipc < 1_000_000, "{}: {ipc} bytes", c.workload);
        assert!(c.startup_s.unwrap() > 0.0);
    }
}
