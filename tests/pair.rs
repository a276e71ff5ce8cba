//! `parbench pair` through the built binary: the turns, the files, the comparison of paired
//! rounds, and what happens when a side misbehaves or the input is bad.

mod common;

use common::{parbench, stderr, stdout};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A stand-in side speaking the protocol: three turns, each logged to `order.log` beside its
/// `--out` file as "NAME STEP", then the file. With `CRASH_AFTER` it exits 3 after that many
/// turns, mid-run.
fn fake_side(dir: &Path, name: &str, crash_after: Option<usize>) -> PathBuf {
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
           echo \"parbench-turn ready $s 3 w/serial/1\"\n\
           read go || exit 1\n\
           echo \"$name $s\" >> \"$(dirname \"$out\")/order.log\"\n\
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

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
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
    let out = parbench(&[
        "pair",
        "--baseline-exe",
        arg(&side),
        "--current-exe",
        arg(&side),
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
        "--",
        "--quick",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        order(dir.path()),
        ["a 0", "b 0", "b 1", "a 1", "a 2", "b 2"],
        "two sides alternate who goes first"
    );

    std::fs::remove_file(dir.path().join("order.log")).unwrap();
    let out = parbench(&[
        "pair",
        "--baseline-exe",
        arg(&side),
        "--current-exe",
        arg(&side),
        "--baseline-out",
        arg(&a),
        "--aa-out",
        arg(&a2),
        "--out",
        arg(&b),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        order(dir.path()),
        [
            "a 0", "a2 0", "b 0", "a2 1", "b 1", "a 1", "b 2", "a 2", "a2 2"
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
    let out = parbench(&[
        "pair",
        "--baseline-exe",
        arg(&crashing),
        "--current-exe",
        arg(&side),
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the baseline side") && err.contains("a.json"),
        "{err}"
    );
    assert_eq!(order(dir.path()), ["a 0", "b 0", "b 1", "b 2"]);
    assert!(!a.exists() && b.exists());
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
        "--samples",
        "2",
        "--pair-id",
        "x",
        "--out",
        arg(&f),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--pair-id"), "{}", stderr(&out));
    // One turn per sample: the first of two.
    assert!(stdout(&out).starts_with("parbench-turn ready 0 2 sum-squares/serial/1"));
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
