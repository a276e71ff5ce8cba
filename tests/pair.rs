//! `parbench pair` through the built binary: the turns, the files, the comparison of paired
//! rounds, and what happens when a side misbehaves or the input is bad.

use crate::common;

use common::{arg, parbench, stderr, stdout};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A stand-in side speaking the protocol: three turns (one round, three samples of the cell
/// `label`), each logged to `order.log` beside its `--out` file as "NAME STEP FILES", FILES
/// being how many results files that directory holds at the time, then its own file. With
/// `crash_after` it exits 3 after that many turns, mid-run.
fn fake_side(dir: &Path, name: &str, crash_after: Option<usize>) -> PathBuf {
    fake_side_of(dir, name, crash_after, "w/serial/1")
}

fn fake_side_of(dir: &Path, name: &str, crash_after: Option<usize>, label: &str) -> PathBuf {
    let crash = crash_after.map_or(String::new(), |n| {
        format!("  if [ \"$s\" -eq {n} ]; then exit 3; fi\n")
    });
    let script = format!(
        "#!/bin/sh\n\
         out=''; prev=''\n\
         for a in \"$@\"; do if [ \"$prev\" = --out ]; then out=$a; fi; prev=$a; done\n\
         name=$(basename \"$out\" .json)\n\
         for s in 0 1 2; do\n\
         {crash}\
           echo \"parbench-turn ready $s 3 0 $s {label}\"\n\
           read cmd || exit 1\n\
           [ \"$cmd\" = go ] || exit 1\n\
           echo \"$name $s $(ls \"$(dirname \"$out\")\" | grep -c 'json$')\" >> \"$(dirname \"$out\")/order.log\"\n\
           echo 'a line the coordinator ignores'\n\
           echo 'parbench-turn done'\n\
         done\n\
         echo '{{}}' > \"$out\"\n"
    );
    let path = dir.join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `parbench pair` of the sides `baseline` and `current` into `dir`'s a.json and b.json, with
/// `extra` flags.
fn pair_of(dir: &Path, baseline: &Path, current: &Path, extra: &[&str]) -> Output {
    let (a, _, b) = files(dir);
    let mut args = vec![
        "pair",
        "--baseline-exe",
        arg(baseline),
        "--current-exe",
        arg(current),
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
    ];
    args.extend(extra);
    parbench(&args)
}

/// The baseline's, the second baseline's and the current side's results files in `dir`.
fn files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    (dir.join("a.json"), dir.join("a2.json"), dir.join("b.json"))
}

fn order(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("order.log"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn sides_take_turns_and_the_first_to_go_moves_on_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let side = fake_side(dir.path(), "side.sh", None);
    let (a, a2, b) = files(dir.path());
    let out = pair_of(dir.path(), &side, &side, &["--", "--quick"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        order(dir.path()),
        ["a 0 0", "b 0 0", "b 1 0", "a 1 0", "a 2 0", "b 2 1"],
        "two sides alternate who goes first; the first to finish writes its file before the \
         other's last turn"
    );

    for f in [dir.path().join("order.log"), a.clone(), b.clone()] {
        std::fs::remove_file(f).unwrap();
    }
    let out = pair_of(dir.path(), &side, &side, &["--aa-out", arg(&a2)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        order(dir.path()),
        [
            "a 0 0", "a2 0 0", "b 0 0", "a2 1 0", "b 1 0", "a 1 0", "b 2 0", "a 2 1", "a2 2 2"
        ],
        "three sides rotate"
    );
    for f in [&a, &a2, &b] {
        assert!(f.exists(), "{}", f.display());
    }
}

#[test]
fn a_side_that_crashes_is_reported_and_the_others_finish() {
    let dir = tempfile::tempdir().unwrap();
    let crashing = fake_side(dir.path(), "crash.sh", Some(1));
    let side = fake_side(dir.path(), "side.sh", None);
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let out = pair_of(dir.path(), &crashing, &side, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the baseline side") && err.contains("a.json"),
        "{err}"
    );
    assert_eq!(order(dir.path()), ["a 0 0", "b 0 0", "b 1 0", "b 2 0"]);
    assert!(!a.exists() && b.exists());
}

#[test]
fn sides_out_of_step_are_stopped_with_exit_2_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let one = fake_side_of(dir.path(), "one.sh", None, "w/serial/1");
    let other = fake_side_of(dir.path(), "other.sh", None, "w/pool/2");
    let (a, _, b) = files(dir.path());
    let out = pair_of(dir.path(), &one, &other, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("out of step") && err.contains("w/pool/2"),
        "{err}"
    );
    assert!(!dir.path().join("order.log").exists(), "a side measured");
    assert!(!a.exists() && !b.exists());
}

#[test]
fn real_sides_of_different_matrices_stop_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _, b) = files(dir.path());
    let out = parbench(&[
        "pair",
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
        "--baseline-arg=--workloads=sum-squares",
        "--current-arg=--workloads=curve-fit",
        "--",
        "--quick",
        "--strategies",
        "serial",
        "--samples",
        "1",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("out of step") && err.contains("curve-fit/serial/1"),
        "{err}"
    );
    assert!(!a.exists() && !b.exists());
}

#[test]
fn a_side_that_never_starts_stops_the_others_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let refuses = dir.path().join("old-parbench.sh");
    std::fs::write(
        &refuses,
        "#!/bin/sh\necho 'error: unexpected argument --pair-id' >&2\nexit 2\n",
    )
    .unwrap();
    std::fs::set_permissions(&refuses, std::fs::Permissions::from_mode(0o755)).unwrap();
    let side = fake_side(dir.path(), "side.sh", None);
    let (a, _, b) = files(dir.path());
    let out = pair_of(dir.path(), &refuses, &side, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the baseline side ended before its first turn"));
    assert!(
        !dir.path().join("order.log").exists(),
        "the current side measured alone"
    );
    assert!(!a.exists() && !b.exists());
}

#[test]
fn a_real_side_takes_one_turn_per_sample_skipped_cells_included() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("side.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_parbench"))
        .args([
            "run",
            "--quick",
            "--workloads",
            "sum-squares",
            "--strategies",
            "serial,blas",
            "--workers",
            "1",
            "--rounds",
            "2",
            "--samples",
            "2",
            "--pair-id",
            "test",
            "--out",
            arg(&f),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut asked = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        if let Some(rest) = line.strip_prefix("parbench-turn ready ") {
            asked.push(rest.to_string());
            writeln!(stdin, "go").unwrap();
            let done = lines.next().unwrap().unwrap();
            assert_eq!(done, "parbench-turn done");
        }
    }
    assert!(child.wait().unwrap().success());
    // Turn, turns, round, sample, cell: blas is skipped on sum-squares (no BLAS calls) and
    // still takes its two turns; round 1 starts one cell further on.
    assert_eq!(
        asked,
        [
            "0 8 0 0 sum-squares/serial/1",
            "1 8 0 1 sum-squares/serial/1",
            "2 8 0 0 sum-squares/blas/1",
            "3 8 0 1 sum-squares/blas/1",
            "4 8 1 0 sum-squares/blas/1",
            "5 8 1 1 sum-squares/blas/1",
            "6 8 1 0 sum-squares/serial/1",
            "7 8 1 1 sum-squares/serial/1",
        ]
    );
    assert!(f.exists());
}

#[test]
fn bad_input_exits_2_naming_the_flag_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let base = ["pair", "--baseline-out", arg(&a), "--out", arg(&b)];
    let cases: [(&[&str], &str); 5] = [
        (&["--", "--bogus"], "--bogus"),
        (&["--", "--out", "x.json"], "--out"),
        (&["--current-arg=--rounds=0", "--", "--quick"], "--rounds"),
        (&["--aa-out", arg(&a)], "--aa-out"),
        (
            &["--baseline-exe", "/nonexistent/parbench"],
            "--baseline-exe",
        ),
    ];
    for (extra, flag) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let out = parbench(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(flag), "{extra:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{extra:?}: {err}");
        assert!(!a.exists() && !b.exists(), "{extra:?} wrote a file");
    }
}

#[test]
fn a_side_whose_coordinator_is_gone_stops_without_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("side.json");
    // stdin is closed: the first turn never comes.
    let out = parbench(&[
        "run",
        "--quick",
        "--workloads",
        "sum-squares",
        "--strategies",
        "serial",
        "--rounds",
        "1",
        "--samples",
        "2",
        "--pair-id",
        "x",
        "--out",
        arg(&f),
    ]);
    // An error, not a negative outcome: nothing was measured to say no about.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--pair-id"), "{}", stderr(&out));
    // One turn per sample: the first of two, round 0, sample 0.
    assert!(stdout(&out).starts_with("parbench-turn ready 0 2 0 0 sum-squares/serial/1"));
    assert!(!f.exists());
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn real_sides_write_paired_files_that_compare_round_by_round_as_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, a2, b) = files(dir.path());
    let out = parbench(&[
        "pair",
        "--baseline-out",
        arg(&a),
        "--aa-out",
        arg(&a2),
        "--out",
        arg(&b),
        "--current-arg=--scale=1.1",
        "--",
        "--quick",
        "--workloads",
        "sum-squares,curve-fit",
        "--strategies",
        "serial,pool",
        "--workers",
        "1,2",
        "--rounds",
        "3",
        "--samples",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (ra, ra2, rb) = (read(&a), read(&a2), read(&b));
    let id = &ra["config"]["pair_id"];
    assert!(id.is_string(), "{id}");
    assert_eq!(&ra2["config"]["pair_id"], id);
    assert_eq!(&rb["config"]["pair_id"], id);
    assert_eq!(ra["config"]["scale"], 1.0);
    assert_eq!(rb["config"]["scale"], 1.1);
    for r in [&ra, &ra2, &rb] {
        for c in r["cells"].as_array().unwrap() {
            assert_eq!(c["verified"], true, "{c}");
            assert_eq!(c["samples_s"].as_array().unwrap().len(), 6, "{c}");
        }
    }

    let json = dir.path().join("cmp.json");
    let out = parbench(&["compare", arg(&a), arg(&b), "--json", arg(&json)]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let cmp = read(&json);
    assert_eq!(cmp["baseline"]["pair_id"], *id);
    for c in cmp["cells"].as_array().unwrap() {
        assert_eq!(c["unit"], "pair", "{c}");
    }
    // Three pairs cannot pass Holm's correction over six cells (2/8 > 0.05/6): the note says
    // what to record instead.
    let text = stdout(&out);
    assert!(text.contains("3 pairs of rounds"), "{text}");

    // A file from another invocation is not paired with these, even with as many rounds.
    let mut other = read(&a2);
    other["config"]["pair_id"] = Value::String("another".into());
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let out = parbench(&["compare", arg(&a), arg(&other_path), "--json", arg(&json)]);
    assert!(out.status.success(), "{}", stdout(&out));
    for c in read(&json)["cells"].as_array().unwrap() {
        assert_eq!(c["unit"], "round", "{c}");
    }
}
