//! The exit-code model at the surface, through the built binary: every error exits 2 with one
//! line that names the flag, file or valid values; a negative outcome (a failed verification)
//! exits 1 with a readable reason; `scripts/run.sh` works with a size given.

use crate::common;

use common::{arg, parbench, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// Asserts exit 2 and a single line on stderr, "parbench: ...", containing every one of
/// `names`; returns the line.
fn one_line_error(out: &Output, names: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = err.trim_end();
    assert_eq!(line.lines().count(), 1, "not one line: {err}");
    assert!(line.starts_with("parbench: "), "{err}");
    for n in names {
        assert!(line.contains(n), "message lacks {n}: {err}");
    }
    line.to_string()
}

#[test]
fn negative_numbers_name_their_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    for flag in [
        "--workers",
        "--warmup",
        "--seed",
        "--chunk",
        "--samples",
        "--rounds",
    ] {
        let o = parbench(&["run", "--quick", flag, "-1", "--out", arg(&out)]);
        let line = one_line_error(&o, &[flag, "'-1'"]);
        assert!(!line.contains("unexpected argument"), "{line}");
    }
    let o = parbench(&["compare", "--threshold", "-1", "a.json", "b.json"]);
    one_line_error(&o, &["--threshold", "'-1'"]);
    assert!(!out.exists());
}

#[test]
fn missing_arguments_are_named() {
    one_line_error(&parbench(&["compare", "a.json"]), &["<CURRENT>"]);
    one_line_error(&parbench(&["pair"]), &["--out", "--baseline-out"]);
    let line = one_line_error(&parbench(&["pair", "--out", "c.json"]), &["--baseline-out"]);
    assert!(!line.ends_with(':'), "{line}");
}

#[test]
fn a_bad_choice_lists_the_valid_values() {
    one_line_error(
        &parbench(&["run", "--size", "huge"]),
        &["--size", "huge", "quick, doc, large"],
    );
    one_line_error(
        &parbench(&["list", "--size", "huge"]),
        &["--size", "quick, doc, large"],
    );
    one_line_error(
        &parbench(&["compare", "a.json", "b.json", "--metric", "memory"]),
        &["--metric", "memory", "time, speedup"],
    );
    one_line_error(
        &parbench(&["frobnicate"]),
        &["frobnicate", "run", "compare", "report"],
    );
}

#[test]
fn an_unwritable_out_names_the_flag_and_path_but_no_temporary_file() {
    let line = one_line_error(
        &parbench(&[
            "run",
            "--quick",
            "--workloads",
            "noop",
            "--out",
            "/proc/x.json",
        ]),
        &["--out /proc/x.json"],
    );
    assert!(
        !line.contains(".tmp") && !line.contains("at path"),
        "{line}"
    );
}

/// The smallest real matrix: one cell, one sample, no warm-up (`--quick` added where the size
/// is not under test).
const NOOP: [&str; 14] = [
    "--workloads",
    "noop",
    "--strategies",
    "serial",
    "--workers",
    "1",
    "--rounds",
    "1",
    "--sample-time",
    "0",
    "--samples",
    "1",
    "--warmup",
    "0",
];

#[test]
fn pair_reports_an_unknown_workload_once_before_any_side_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let out = parbench(&[
        "pair",
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
        "--",
        "--workloads",
        "nosuch",
    ]);
    let line = one_line_error(&out, &["--workloads", "nosuch", "noop"]);
    assert_eq!(line.matches("unknown name").count(), 1, "{line}");
    assert!(!line.contains("see its message above"), "{line}");
    assert!(!a.exists() && !b.exists());
}

#[test]
fn pair_says_what_happened_to_a_side_that_never_took_a_turn() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let mut args = vec![
        "pair",
        "--baseline-exe",
        "/bin/true",
        "--baseline-out",
        arg(&a),
        "--out",
        arg(&b),
        "--",
        "--quick",
    ];
    args.extend(NOOP);
    let line = one_line_error(
        &parbench(&args),
        &["baseline side", "/bin/true", "status 0", "first turn"],
    );
    assert!(!line.contains("see its message above"), "{line}");
    assert!(!a.exists() && !b.exists());
}

/// A small results file, measured for real.
fn results(dir: &Path) -> std::path::PathBuf {
    let f = dir.join("r.json");
    let mut args = vec!["run", "--quick", "--out", arg(&f)];
    args.extend(NOOP);
    let out = parbench(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    f
}

/// The same measured file with one cell changed by `edit` (a JSON value).
fn spoiled(
    dir: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> std::path::PathBuf {
    let good = results(dir);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    edit(&mut v);
    let bad = dir.join(name);
    std::fs::write(&bad, serde_json::to_string(&v).unwrap()).unwrap();
    bad
}

#[test]
fn report_and_compare_refuse_an_impossible_cell_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "zero-workers.json",
            Box::new(|v| v["cells"][0]["workers"] = 0.into()),
            "0 workers",
        ),
        (
            "twice.json",
            Box::new(|v| {
                let c = v["cells"][0].clone();
                v["cells"].as_array_mut().unwrap().push(c);
            }),
            "appears twice",
        ),
        (
            "negative.json",
            Box::new(|v| v["cells"][0]["samples_s"][0] = (-0.5).into()),
            "sample -0.5",
        ),
        (
            "tiny.json",
            Box::new(|v| {
                v["cells"][0]["samples_s"] = serde_json::json!([1e-300]);
                v["cells"][0]["median_s"] = 1e-300.into();
            }),
            "not a measured time",
        ),
        (
            "empty.json",
            Box::new(|v| v["cells"][0]["samples_s"] = serde_json::json!([])),
            "without samples",
        ),
    ];
    for (name, edit, why) in cases {
        let bad = spoiled(dir.path(), name, edit);
        let out_dir = dir.path().join(format!("{name}-report"));
        let report = parbench(&["report", arg(&bad), "--out", arg(&out_dir)]);
        one_line_error(&report, &[name, "cell noop/serial/", why]);
        assert!(!out_dir.exists(), "{name}: report wrote something");
        let compare = parbench(&["compare", arg(&bad), arg(&bad)]);
        one_line_error(&compare, &[name, "cell noop/serial/", why]);
    }
}

#[test]
fn a_chart_that_cannot_be_written_exits_2_not_1() {
    let dir = tempfile::tempdir().unwrap();
    let r = results(dir.path());
    let missing = dir.path().join("no/such/dir/chart");
    // The PNG's name is taken by a directory: only the second of the two files fails.
    std::fs::create_dir(dir.path().join("taken.png")).unwrap();
    let taken = dir.path().join("taken");
    for (chart, names) in [
        (&missing, ["--chart", "no/such/dir"]),
        (&taken, ["--chart", "taken.png"]),
    ] {
        let out = parbench(&["compare", arg(&r), arg(&r), "--chart", arg(chart)]);
        one_line_error(&out, &names);
        assert!(stdout(&out).is_empty(), "printed a comparison");
    }
    assert!(!dir.path().join("taken.svg").exists());
}

#[test]
fn a_failed_task_shows_its_own_message_shortened_to_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.json");
    // io-sleep's tasks wait 20 ms each at --size quick: with a 1 ms timeout every task the
    // process pool hands out is killed, retried and killed again.
    let mut args = vec![
        "run",
        "--quick",
        "--workloads",
        "io-sleep",
        "--strategies",
        "serial,process",
        "--task-timeout",
        "0.001",
        "--out",
        arg(&f),
    ];
    // One worker, one sample, no warm-up.
    args.extend(&NOOP[4..]);
    let out = parbench(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = stdout(&out);
    let row = table
        .lines()
        .find(|l| l.starts_with("io-sleep") && l.contains("process"))
        .unwrap_or_else(|| panic!("no process row: {table}"));
    let (_, verdict) = row.split_once("NO: ").expect("the cell failed");
    assert!(verdict.contains("task-timeout"), "{row}");
    assert!(
        verdict.chars().count() <= 100,
        "{} chars: {verdict}",
        verdict.len()
    );
    let check = std::fs::read_to_string(&f).unwrap();
    for debug in ["TaskFailure", "Err(", "Ok("] {
        assert!(!table.contains(debug), "{debug} in the table: {table}");
        assert!(!check.contains(debug), "{debug} in the results file");
    }
}

/// `scripts/run.sh` with the binary under test (no setup, no build), its results under `root`.
fn run_sh(root: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/run.sh"))
        .args(args)
        .env("PARBENCH", env!("CARGO_BIN_EXE_parbench"))
        .env("PARBENCH_RESULTS", root)
        .output()
        .expect("run bash")
}

/// The one results folder `run.sh` made under `root`, named after `size`.
fn only_folder(root: &Path, size: &str) -> std::path::PathBuf {
    let dirs: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with(&format!("{size}-")), "{name}");
    dirs[0].clone()
}

#[test]
fn run_sh_takes_a_size_and_names_its_folder_after_it() {
    for (size, given) in [("doc", &["--size", "doc"][..]), ("quick", &[][..])] {
        let root = tempfile::tempdir().unwrap();
        let args: Vec<&str> = given.iter().chain(&NOOP).copied().collect();
        let out = run_sh(root.path(), &args);
        assert!(out.status.success(), "{size}: {}", stderr(&out));
        let folder = only_folder(root.path(), size);
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("results.json")).unwrap())
                .unwrap();
        assert_eq!(r["config"]["size"], size);
        assert!(folder.join("report.md").exists());
    }
    // Bad flags leave no empty folder behind.
    let root = tempfile::tempdir().unwrap();
    let out = run_sh(root.path(), &["--size", "huge"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}
