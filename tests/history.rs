//! `parbench history` and `parbench compare --history` through the built binary: the store's
//! contract (append-only, atomic, series kept apart, bad input refused with the store
//! untouched), the report, and verdicts against a history of synthetic runs (made from one
//! real quick run, see tests/compare.rs) whose whole-run shifts are known.

use crate::common::{arg, parbench, stderr, stdout};
use crate::compare::{scale_all, scale_samples, synthetic_rounds};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

/// Run `k` of one build: 4 rounds of 2 samples, and the whole run shifted by a fixed pattern
/// within ±4 % (a run's minutes on a shared machine), which every round of it shares.
fn run(k: u64) -> Value {
    let mut r = synthetic_rounds(1000 + k, 4, 2, 0.01);
    let shifts = [
        0.0, 0.03, -0.02, 0.04, -0.04, 0.01, -0.03, 0.02, -0.01, 0.035,
    ];
    scale_all(&mut r, 1.0 + shifts[k as usize % shifts.len()]);
    r
}

fn add(store: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["history", "add", arg(file), "--store", arg(store)];
    args.extend_from_slice(extra);
    parbench(&args)
}

/// `history report` of `store` into `out`, which must succeed; its report.md.
fn report(store: &Path, out: &Path) -> String {
    let o = parbench(&[
        "history",
        "report",
        "--store",
        arg(store),
        "--out",
        arg(out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(out.join("report.md")).unwrap()
}

/// A store of `n` runs, each added with commit `c<k>`.
fn store_of(dir: &Path, n: u64, edit: impl Fn(u64, &mut Value)) -> PathBuf {
    let store = dir.join("store");
    for k in 0..n {
        let mut r = run(k);
        edit(k, &mut r);
        let f = write(dir, &format!("run{k}.json"), &r);
        let out = add(&store, &f, &["--commit", &format!("c{k}")]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    store
}

/// Every file under `dir` with its contents, to show that a refused command changed nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(snapshot(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn compare_history(store: &Path, cur: &Path, extra: &[&str]) -> (std::process::Output, Value) {
    let j = cur.with_extension("cmp.json");
    let _ = std::fs::remove_file(&j);
    let mut args = vec![
        "compare",
        "--history",
        arg(store),
        arg(cur),
        "--json",
        arg(&j),
    ];
    args.extend_from_slice(extra);
    let out = parbench(&args);
    let json = std::fs::read_to_string(&j)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (out, json)
}

/// Asserts that a `compare --history` JSON judged its run against `runs` stored runs.
fn assert_judged_against(json: &Value, runs: usize) {
    let file = json["baseline"]["file"].as_str().unwrap_or_default();
    assert!(file.contains(&format!("({runs} runs,")), "{json}");
}

fn verdict_count(json: &Value, verdict: &str) -> usize {
    json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == verdict)
        .count()
}

#[test]
fn runs_are_stored_once_in_order_and_listed_by_series() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 3, |_, _| {});
    let index = std::fs::read(store.join("index.json")).unwrap();
    // The same file again is a no-op that says so.
    let again = add(&store, &dir.path().join("run1.json"), &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("already stored as run 2"),
        "{}",
        stdout(&again)
    );
    assert_eq!(std::fs::read(store.join("index.json")).unwrap(), index);

    // A different configuration or machine starts a series of its own.
    let mut rounds = run(7);
    rounds["config"]["rounds"] = serde_json::json!(5);
    let mut machine = run(8);
    machine["machine"]["cpu_model"] = serde_json::json!("Another CPU");
    for (name, r) in [("rounds.json", &rounds), ("machine.json", &machine)] {
        let out = add(&store, &write(dir.path(), name, r), &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let list = parbench(&["history", "list", "--store", arg(&store)]);
    assert!(list.status.success());
    let text = stdout(&list);
    assert_eq!(text.matches("series ").count(), 3, "{text}");
    let first = text.split("series ").nth(1).unwrap();
    for c in ["c0", "c1", "c2"] {
        assert!(first.contains(c), "{text}");
    }
    assert!(text.contains("Another CPU"), "{text}");
    let idx: Value =
        serde_json::from_slice(&std::fs::read(store.join("index.json")).unwrap()).unwrap();
    assert_eq!(idx["schema"], "parbench/history/v1");
    let runs: Vec<u64> = idx["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run"].as_u64().unwrap())
        .collect();
    assert_eq!(runs, [1, 2, 3, 4, 5]);
    // The copies are the files as added.
    let stored = idx["runs"][0]["file"].as_str().unwrap();
    assert_eq!(
        std::fs::read(store.join(stored)).unwrap(),
        std::fs::read(dir.path().join("run0.json")).unwrap()
    );
}

#[test]
fn bad_files_and_stores_exit_2_and_leave_the_store_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 2, |_, _| {});
    let before = snapshot(&store);
    let not_json = dir.path().join("bad.json");
    std::fs::write(&not_json, "{ truncated").unwrap();
    let mut interrupted = run(5);
    interrupted["interrupted"] =
        serde_json::json!({"reason": "SIGINT", "finished_rounds": 2, "planned_rounds": 4});
    let interrupted = write(dir.path(), "interrupted.json", &interrupted);
    let foreign = write(
        dir.path(),
        "foreign.json",
        &serde_json::json!({"schema": "other/v9"}),
    );
    let good = write(dir.path(), "good.json", &run(6));
    let mut side = run(7);
    side["config"]["pair_id"] = serde_json::json!("1234-abcd");
    let side = write(dir.path(), "side.json", &side);
    let missing = dir.path().join("missing.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![arg(&not_json)], "bad.json"),
        (vec![arg(&interrupted)], "interrupted run"),
        (vec![arg(&foreign)], "foreign.json"),
        (vec![arg(&missing)], "missing.json"),
        (vec![arg(&good), "--commit", "a b"], "--commit"),
        (vec![arg(&good), "--label", ""], "--label"),
        (vec![arg(&good), "--label", "two\nlines"], "--label"),
        (vec![arg(&side)], "parbench pair"),
    ];
    for (args, names) in cases {
        let mut full = vec!["history", "add"];
        full.extend(args);
        full.extend(["--store", arg(&store)]);
        let out = parbench(&full);
        assert_eq!(out.status.code(), Some(2), "{full:?}: {}", stderr(&out));
        let e = stderr(&out);
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(e.contains(names), "{names}: {e}");
        assert_eq!(snapshot(&store), before, "{full:?} changed the store");
    }

    // A directory that is not a store is refused, and nothing is written into it.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let out = add(&other, &good, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a parbench history store"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&other).len(), 1);
    // A corrupt index is refused by every subcommand, and left as it is.
    std::fs::write(store.join("index.json"), "[").unwrap();
    let before = snapshot(&store);
    for args in [
        vec!["history", "add", arg(&good), "--store", arg(&store)],
        vec!["history", "list", "--store", arg(&store)],
    ] {
        let out = parbench(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("index.json"), "{}", stderr(&out));
    }
    assert_eq!(snapshot(&store), before);
}

#[test]
fn a_run_of_the_same_build_passes_and_a_slower_one_fails_against_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 10, |_, _| {});
    let same = write(dir.path(), "same.json", &run(11));
    let (out, json) = compare_history(&store, &same, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(verdict_count(&json, "regression"), 0);
    let judged = json["summary"]["compared"].as_u64().unwrap();
    assert!(judged >= 8, "{json}");
    assert!(
        json["cells"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["unit"] == "run")
    );
    assert_judged_against(&json, 10);

    // 25 % slower everywhere: beyond the ±4 % the runs moved by themselves.
    let mut slow = run(12);
    scale_all(&mut slow, 1.25);
    let slow = write(dir.path(), "slow.json", &slow);
    let md = dir.path().join("slow.md");
    let (out, json) = compare_history(&store, &slow, &["--markdown", arg(&md)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(verdict_count(&json, "regression") as u64, judged);
    assert!(std::fs::read_to_string(&md).unwrap().contains("regression"));

    // --last keeps the newest runs only; too few runs leave every cell inconclusive.
    let (out, json) = compare_history(&store, &slow, &["--last", "3"]);
    assert!(out.status.code().is_some());
    assert_judged_against(&json, 3);
    let two = store_of(&dir.path().join("two").tap_mkdir(), 2, |_, _| {});
    let (out, json) = compare_history(&two, &slow, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json["summary"]["compared"], 0);
    assert!(verdict_count(&json, "inconclusive") > 0);
}

/// `create_dir_all` in a chain.
trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[test]
fn a_whole_run_shift_inside_the_history_s_spread_is_not_a_regression() {
    // Whole runs of this build move ±3.5 % by themselves while their rounds agree to 1 %: a run
    // 7 % off the history's centre is inside the spread the history shows.
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 10, |k, r| {
        scale_all(r, if k % 2 == 0 { 1.035 } else { 0.965 })
    });
    let mut shifted = run(20);
    scale_all(&mut shifted, 1.07);
    let shifted = write(dir.path(), "shifted.json", &shifted);
    let (out, json) = compare_history(&store, &shifted, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(verdict_count(&json, "regression"), 0, "{json}");
}

#[test]
fn a_cell_that_stepped_in_the_history_is_judged_at_its_new_level() {
    let dir = tempfile::tempdir().unwrap();
    // sum-squares/serial/1 became 30 % slower from run 6 (commit c6) on.
    let store = store_of(dir.path(), 14, |k, r| {
        if k >= 6 {
            scale_samples(r, "sum-squares", "serial", 1, 1.3);
        }
    });
    let mut cur = run(30);
    scale_samples(&mut cur, "sum-squares", "serial", 1, 1.3);
    let cur = write(dir.path(), "cur.json", &cur);
    let (out, json) = compare_history(&store, &cur, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let cell = json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["workload"] == "sum-squares" && c["strategy"] == "serial")
        .unwrap();
    assert_eq!(cell["verdict"], "unchanged", "{cell}");
    assert_eq!(
        cell["baseline"]["rounds"], 8,
        "judged on the runs since the step: {cell}"
    );
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("changed level") && notes.contains("c6"),
        "{notes}"
    );

    // The report marks the step with the commits around it.
    let out_dir = dir.path().join("report");
    let md = report(&store, &out_dir);
    let row = md
        .lines()
        .find(|l| l.contains("sum-squares/serial/1") && l.starts_with("| regression"))
        .unwrap_or_else(|| panic!("no change point row:\n{md}"));
    assert!(row.contains("c5..c6") && row.contains("+30"), "{row}");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    for external in ["<img", "<link", "<script", "src=\"http", "href=\"http"] {
        assert!(!html.contains(external), "report.html refers to {external}");
    }
    let charts = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    let cells = run(0)["cells"].as_array().unwrap().len();
    assert_eq!(charts, cells, "a trend chart per cell");
}

#[test]
fn compare_history_refuses_what_it_cannot_judge() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 4, |_, _| {});
    let mut other_size = run(9);
    other_size["config"]["size"] = serde_json::json!("doc");
    let other_size = write(dir.path(), "doc.json", &other_size);
    let cur = write(dir.path(), "cur.json", &run(9));
    let empty = dir.path().join("empty");
    let report_dir = dir.path().join("r");
    let bare = dir.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    for (args, names) in [
        (
            vec!["compare", "--history", arg(&store), arg(&other_size)],
            "no stored run",
        ),
        (
            vec!["compare", "--history", arg(&empty), arg(&cur)],
            "--history",
        ),
        (
            vec!["compare", "--history", arg(&store), arg(&cur), arg(&cur)],
            "--history",
        ),
        (vec!["compare", arg(&cur)], "BASELINE.json CURRENT.json"),
        (
            vec!["compare", arg(&cur), arg(&cur), "--last", "5"],
            "--history",
        ),
        (
            vec![
                "compare",
                "--history",
                arg(&store),
                arg(&cur),
                "--last",
                "1",
            ],
            "--last",
        ),
        (
            vec![
                "history",
                "report",
                "--store",
                arg(&empty),
                "--out",
                arg(&report_dir),
            ],
            "--store",
        ),
        (
            vec![
                "history",
                "report",
                "--store",
                arg(&bare),
                "--out",
                arg(&report_dir),
            ],
            "holds no run",
        ),
        (vec!["history", "list", "--store", arg(&empty)], "--store"),
        (
            vec![
                "compare",
                "--history",
                arg(&store),
                arg(&cur),
                "--allow-machine-mismatch",
            ],
            "--allow-machine-mismatch",
        ),
        (
            vec!["history", "report", "--store", arg(&store), "--out", "-"],
            "--out -",
        ),
    ] {
        let out = parbench(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let e = stderr(&out);
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(e.contains(names), "{args:?}: {e}");
    }
    // A stored copy of the current file is not part of its own history.
    let out = add(&store, &cur, &[]);
    assert!(out.status.success());
    let (_, json) = compare_history(&store, &cur, &[]);
    assert_judged_against(&json, 4);
}

#[test]
fn only_the_scale_may_differ_and_the_current_scale_is_preferred() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), 4, |_, _| {});
    let scaled = |k: u64, scale: f64| {
        let mut r = run(k);
        r["config"]["scale"] = serde_json::json!(scale);
        scale_all(&mut r, scale);
        r
    };
    // A 10 % scale against a history at scale 1: judged, with the note, and flagged.
    let cur = write(dir.path(), "cur.json", &scaled(20, 1.25));
    let (out, json) = compare_history(&store, &cur, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        json["notes"].to_string().contains("different --scale"),
        "{}",
        json["notes"]
    );
    // Once runs at the current scale are stored, they are the history.
    for k in 0..4 {
        let f = write(dir.path(), &format!("s{k}.json"), &scaled(30 + k, 1.25));
        assert!(add(&store, &f, &[]).status.success());
    }
    let (out, json) = compare_history(&store, &cur, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_judged_against(&json, 4);
    // At a third scale, two stored scales leave no single history.
    let third = write(dir.path(), "third.json", &scaled(40, 1.5));
    let (out, _) = compare_history(&store, &third, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--scale 1, 1.25"), "{}", stderr(&out));
}

#[test]
fn many_cells_stepping_at_once_are_read_as_a_shift_of_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    // Every cell 30 % slower from run 7 (commit c6) on: one boundary, every cell.
    let store = store_of(dir.path(), 12, |k, r| {
        if k >= 6 {
            scale_all(r, 1.3);
        }
    });
    let out_dir = dir.path().join("report");
    let md = report(&store, &out_dir);
    let row = md
        .lines()
        .find(|l| l.starts_with("| 6 → 7 |"))
        .unwrap_or_else(|| panic!("no boundary row:\n{md}"));
    assert!(
        row.contains("c5..c6") && row.contains("shift of the whole run"),
        "{row}"
    );
    assert!(
        !md.contains("a few cells"),
        "only one boundary stepped:\n{md}"
    );
}
