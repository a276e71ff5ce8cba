//! `parbench compare` through the built binary: exit codes, refusals, and the verdicts on
//! results files synthesised from a real one.
//!
//! One real quick run gives a file with the real schema, machine and cells; each test then
//! replaces the timings with deterministic synthetic ones (a known centre per cell, ±2 %
//! pseudo-random noise) and edits what it needs, so verdicts do not depend on how busy the
//! test machine is.

use crate::common;

use common::{parbench, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// A real results file: three workloads, serial, pool and blas (skipped on two of them).
fn real_results() -> &'static Value {
    static REAL: OnceLock<Value> = OnceLock::new();
    REAL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("real.json");
        let out = parbench(&[
            "run",
            "--quick",
            "--workloads",
            "sum-squares,ode-sweep,svd",
            "--strategies",
            "serial,pool,blas",
            "--workers",
            "1,2",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    })
}

/// splitmix64: a deterministic stream for synthetic noise.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1) from `state`.
fn unit(state: &mut u64) -> f64 {
    (splitmix(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// The real file with every measured cell's samples replaced by `rounds` rounds of `per_round`
/// samples: for serial a centre of 10 ms times one more than the workload's index, divided by
/// 0.9 × workers for parallel cells; each round off that centre by a uniform ±`between` (the
/// state of the process and minute it ran in), each sample off its round by ±2 % (different
/// streams stand for different runs of one build). No machine reference.
pub(crate) fn synthetic_rounds(
    stream: u64,
    rounds: usize,
    per_round: usize,
    between: f64,
) -> Value {
    let mut r = real_results().clone();
    r["config"]["rounds"] = serde_json::json!(rounds);
    r["config"]["samples"] = serde_json::json!(per_round);
    r.as_object_mut().unwrap().remove("reference");
    let mut workloads: Vec<String> = Vec::new();
    let mut state = stream.wrapping_mul(0x1234_5678_9ABC_DEF1);
    for cell in r["cells"].as_array_mut().unwrap() {
        let w = cell["workload"].as_str().unwrap().to_string();
        if !workloads.contains(&w) {
            workloads.push(w.clone());
        }
        if !cell["skipped"].is_null() {
            continue;
        }
        let idx = workloads.iter().position(|x| *x == w).unwrap() as f64;
        let workers = cell["workers"].as_f64().unwrap();
        let mut centre = 0.01 * (idx + 1.0);
        if cell["strategy"] != "serial" {
            centre /= 0.9 * workers;
        }
        let mut samples = Vec::new();
        for _ in 0..rounds {
            let round = centre * (1.0 + 2.0 * between * (unit(&mut state) - 0.5));
            for _ in 0..per_round {
                samples.push(round * (1.0 + 0.04 * (unit(&mut state) - 0.5)));
            }
        }
        cell["samples_s"] = serde_json::json!(samples);
        cell["round_samples"] = serde_json::json!(vec![per_round; rounds]);
        cell["disturbed_s"] = serde_json::json!([]);
        cell["noise"] = Value::Null;
        cell["verified"] = Value::Bool(true);
    }
    r
}

/// The default synthetic run: 4 rounds of 2 samples, rounds ±1 % apart.
fn synthetic(stream: u64) -> Value {
    synthetic_rounds(stream, 4, 2, 0.01)
}

/// A run of one round of ten samples, as files from before rounds were the default: the ten
/// samples agree to ±2 % since they were taken back to back in one process.
fn one_round(stream: u64) -> Value {
    let mut r = synthetic_rounds(stream, 1, 10, 0.0);
    for c in r["cells"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("round_samples");
    }
    r
}

/// Adds a machine reference to `r`: one timing of a 5 ms kernel per measured cell and round,
/// times `speed` (> 1: the machine is slower), ±1 % noise.
fn with_reference(r: &mut Value, speed: f64, stream: u64) {
    let rounds = r["config"]["rounds"].as_u64().unwrap() as usize;
    let cells = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["skipped"].is_null())
        .count();
    let mut state = stream ^ 0x5EED;
    let samples: Vec<f64> = (0..rounds * cells)
        .map(|_| 0.005 * speed * (1.0 + 0.02 * (unit(&mut state) - 0.5)))
        .collect();
    r["reference"] = serde_json::json!({
        "kernel": "synthetic kernel",
        "samples_s": samples,
        "round_samples": vec![cells; rounds],
    });
}

fn cell_mut<'a>(r: &'a mut Value, workload: &str, strategy: &str, workers: u64) -> &'a mut Value {
    r["cells"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["workload"] == workload && c["strategy"] == strategy && c["workers"] == workers)
        .unwrap_or_else(|| panic!("no cell {workload}/{strategy}/{workers}"))
}

pub(crate) fn scale_samples(r: &mut Value, workload: &str, strategy: &str, workers: u64, f: f64) {
    map_cell_samples(cell_mut(r, workload, strategy, workers), |_, x| x * f);
}

/// Replaces each sample x, the i-th of its cell, with `f(i, x)`.
fn map_cell_samples(cell: &mut Value, f: impl Fn(usize, f64) -> f64) {
    if let Some(s) = cell["samples_s"].as_array_mut() {
        for (i, x) in s.iter_mut().enumerate() {
            *x = serde_json::json!(f(i, x.as_f64().unwrap()));
        }
    }
}

pub(crate) fn scale_all(r: &mut Value, f: f64) {
    for c in r["cells"].as_array_mut().unwrap() {
        map_cell_samples(c, |_, x| x * f);
    }
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

struct Compared {
    out: Output,
    json: Option<Value>,
    markdown: Option<String>,
}

/// Runs `parbench compare base cur extra...` with `--json` and `--markdown` into `dir`.
fn compare(dir: &Path, base: &Value, cur: &Value, extra: &[&str]) -> Compared {
    let b = write(dir, "base.json", base);
    let c = write(dir, "cur.json", cur);
    let j = dir.join("cmp.json");
    let m = dir.join("cmp.md");
    let _ = std::fs::remove_file(&j);
    let _ = std::fs::remove_file(&m);
    let mut args = vec![
        "compare",
        b.to_str().unwrap(),
        c.to_str().unwrap(),
        "--json",
        j.to_str().unwrap(),
        "--markdown",
        m.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = parbench(&args);
    Compared {
        json: std::fs::read_to_string(&j)
            .ok()
            .map(|t| serde_json::from_str(&t).unwrap()),
        markdown: std::fs::read_to_string(&m).ok(),
        out,
    }
}

fn verdicts(json: &Value) -> Vec<(String, String)> {
    json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!(
                    "{}/{}/{}",
                    c["workload"].as_str().unwrap(),
                    c["strategy"].as_str().unwrap(),
                    c["workers"]
                ),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn verdict_of(json: &Value, label: &str) -> String {
    verdicts(json)
        .into_iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no cell {label}"))
        .1
}

/// Exit 2, one line on stderr that contains every one of `names`, no output file written.
fn assert_refused(c: &Compared, names: &[&str]) {
    let err = stderr(&c.out);
    assert_eq!(c.out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    for n in names {
        assert!(err.contains(n), "message lacks {n}: {err}");
    }
    assert!(c.json.is_none() && c.markdown.is_none(), "wrote output");
}

#[test]
fn two_runs_of_the_same_build_exit_0_with_every_measured_cell_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let c = compare(dir.path(), &synthetic(1), &synthetic(2), &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stderr(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["schema"], "parbench/compare/v1");
    assert_eq!(json["summary"]["regressions"], 0);
    // The four skipped blas cells cannot be compared; the 11 others all can.
    assert_eq!(json["summary"]["not_comparable"], 4);
    assert_eq!(json["summary"]["compared"], 11);
    for cell in json["cells"].as_array().unwrap() {
        if cell["verdict"] == "not_comparable" {
            assert!(
                cell["reason"].as_str().unwrap().contains("skipped"),
                "{cell}"
            );
            continue;
        }
        assert_eq!(cell["verdict"], "unchanged", "{cell}");
        for key in ["ratio", "p_value", "p_adjusted", "test"] {
            assert!(!cell[key].is_null(), "{key} missing: {cell}");
        }
        let [lo, hi] = [
            cell["ci95"][0].as_f64().unwrap(),
            cell["ci95"][1].as_f64().unwrap(),
        ];
        let ratio = cell["ratio"].as_f64().unwrap();
        assert!(lo <= ratio && ratio <= hi, "{cell}");
        assert!(cell["p_adjusted"].as_f64() >= cell["p_value"].as_f64());
    }
    let md = c.markdown.unwrap();
    assert!(
        md.starts_with("### parbench compare: no regression"),
        "{md}"
    );
    assert!(md.contains("11 cells unchanged"), "{md}");
}

#[test]
fn a_cell_twenty_percent_slower_is_a_regression_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.2);
    let c = compare(dir.path(), &synthetic(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stderr(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 1);
    assert_eq!(verdict_of(&json, "ode-sweep/pool/2"), "regression");
    // The rest stays unchanged: one slow cell does not drag its neighbours.
    let others = verdicts(&json)
        .into_iter()
        .filter(|(l, v)| l != "ode-sweep/pool/2" && v != "not_comparable");
    for (l, v) in others {
        assert_eq!(v, "unchanged", "{l}");
    }
    // The last line of the terminal output names the cell, for a CI log.
    let text = stdout(&c.out);
    let last = text.trim_end().lines().last().unwrap();
    assert!(last.contains("ode-sweep/pool/2"), "{text}");
    // The Markdown lists the regression first, with both machines.
    let md = c.markdown.unwrap();
    assert!(md.starts_with("### parbench compare: 1 regression"), "{md}");
    let regressions = md.find("#### Regressions").unwrap();
    assert!(md[regressions..].contains("`ode-sweep/pool/2`"));
    assert!(md.contains("| machine |"), "{md}");
}

#[test]
fn a_faster_cell_is_an_improvement_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    scale_samples(&mut cur, "svd", "serial", 1, 0.8);
    let c = compare(dir.path(), &synthetic(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stderr(&c.out));
    let json = c.json.unwrap();
    assert_eq!(verdict_of(&json, "svd/serial/1"), "improvement");
    assert!(c.markdown.unwrap().contains("#### Improvements"));
}

#[test]
fn a_slowdown_below_the_threshold_passes_unless_the_threshold_is_lowered() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(1);
    scale_samples(&mut cur, "sum-squares", "pool", 1, 1.03);
    // The same noise on both sides, so only the 3 % shift differs.
    let c = compare(dir.path(), &synthetic(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let c = compare(dir.path(), &synthetic(1), &cur, &["--threshold", "1"]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stdout(&c.out));
    assert_eq!(
        verdict_of(&c.json.unwrap(), "sum-squares/pool/1"),
        "regression"
    );
}

#[test]
fn missing_skipped_and_unverified_cells_are_not_comparable() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    cur["cells"]
        .as_array_mut()
        .unwrap()
        .retain(|c| !(c["workload"] == "svd" && c["strategy"] == "pool" && c["workers"] == 2));
    cell_mut(&mut cur, "ode-sweep", "pool", 1)["verified"] = Value::Bool(false);
    // Even 50 % slower: a cell that failed verification has no timing verdict.
    scale_samples(&mut cur, "ode-sweep", "pool", 1, 1.5);
    let c = compare(dir.path(), &synthetic(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    let reason = |label: &str| -> String {
        json["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                format!(
                    "{}/{}/{}",
                    c["workload"].as_str().unwrap(),
                    c["strategy"].as_str().unwrap(),
                    c["workers"]
                ) == label
            })
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict_of(&json, "svd/pool/2"), "not_comparable");
    assert!(reason("svd/pool/2").contains("missing in current"));
    assert_eq!(verdict_of(&json, "ode-sweep/pool/1"), "not_comparable");
    assert!(reason("ode-sweep/pool/1").contains("failed verification in current"));
    assert!(reason("sum-squares/blas/2").contains("skipped"));
    assert_eq!(json["summary"]["compared"], 9);
    assert!(c.markdown.unwrap().contains("6 cells not comparable"));
}

#[test]
fn unusable_files_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = synthetic(1);

    let mut other = base.clone();
    other["schema"] = Value::String("parbench/results/v0".into());
    let c = compare(dir.path(), &base, &other, &[]);
    assert_refused(&c, &["cur.json", "parbench/results/v0"]);

    // A file cut off in the middle, as an interrupted copy leaves it.
    let b = write(dir.path(), "b.json", &base);
    let bytes = serde_json::to_vec_pretty(&base).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = parbench(&["compare", b.to_str().unwrap(), truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("truncated.json"), "{}", stderr(&out));
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);

    let missing = dir.path().join("missing.json");
    let out = parbench(&["compare", missing.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.json"), "{}", stderr(&out));

    let mut disjoint = base.clone();
    for c in disjoint["cells"].as_array_mut().unwrap() {
        let renamed = format!("old-{}", c["workload"].as_str().unwrap());
        c["workload"] = Value::String(renamed);
    }
    let c = compare(dir.path(), &base, &disjoint, &[]);
    assert_refused(&c, &["no cell in common"]);

    // Two cells under one name: either could be meant.
    let mut doubled = base.clone();
    let first = doubled["cells"][0].clone();
    doubled["cells"].as_array_mut().unwrap().push(first);
    let c = compare(dir.path(), &doubled, &base, &[]);
    assert_refused(&c, &["base.json", "sum-squares/serial/1", "appears twice"]);
}

#[test]
fn runs_of_different_sizes_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    cur["config"]["size"] = Value::String("doc".into());
    let c = compare(dir.path(), &synthetic(1), &cur, &["--metric", "speedup"]);
    assert_refused(&c, &["different sizes", "quick", "doc"]);
}

#[test]
fn time_across_machines_is_refused_unless_allowed_and_speedup_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    for (field, value) in [
        ("cpu_model", serde_json::json!("Some Other CPU 9000")),
        ("logical_cores", serde_json::json!(64)),
    ] {
        let mut cur = synthetic(2);
        cur["machine"][field] = value;
        let c = compare(dir.path(), &synthetic(1), &cur, &[]);
        assert_refused(
            &c,
            &[
                "different machines",
                "--metric speedup",
                "--allow-machine-mismatch",
            ],
        );

        let c = compare(
            dir.path(),
            &synthetic(1),
            &cur,
            &["--allow-machine-mismatch"],
        );
        assert_eq!(c.out.status.code(), Some(0), "{}", stderr(&c.out));
        assert!(stdout(&c.out).contains("note: the runs come from different machines"));

        let c = compare(dir.path(), &synthetic(1), &cur, &["--metric", "speedup"]);
        assert_eq!(c.out.status.code(), Some(0), "{}", stderr(&c.out));
    }
}

#[test]
fn speedup_sees_a_worse_parallel_cell_on_a_slower_machine() {
    let dir = tempfile::tempdir().unwrap();
    // Another machine, twice as slow everywhere: its times all differ, its speedups do not...
    let mut cur = synthetic(2);
    cur["machine"]["cpu_model"] = Value::String("Slow CPU".into());
    scale_all(&mut cur, 2.0);
    let c = compare(dir.path(), &synthetic(1), &cur, &["--metric", "speedup"]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["metric"], "speedup");
    assert_eq!(json["summary"]["regressions"], 0);
    assert_eq!(json["summary"]["unchanged"], 8);
    // Serial cells are the reference of the speedups, not compared themselves.
    assert_eq!(verdict_of(&json, "svd/serial/1"), "not_comparable");
    let speedup = json["cells"][1]["baseline"]["speedup"].as_f64().unwrap();
    assert!(
        (speedup - 0.9).abs() < 0.05,
        "sum-squares/pool/1: {speedup}"
    );

    // ...except one parallel cell that scales worse there.
    scale_samples(&mut cur, "sum-squares", "pool", 2, 1.25);
    let c = compare(dir.path(), &synthetic(1), &cur, &["--metric", "speedup"]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(verdict_of(&json, "sum-squares/pool/2"), "regression");
    assert_eq!(json["summary"]["regressions"], 1);
    // A time comparison of the same files sees every cell twice as slow: with no machine
    // reference that is the machine as much as the code, so nothing is flagged.
    let c = compare(
        dir.path(),
        &synthetic(1),
        &cur,
        &["--allow-machine-mismatch"],
    );
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 0);
    assert_eq!(json["summary"]["inconclusive"], 11);
}

#[test]
fn a_shift_of_every_cell_is_flagged_only_against_a_steady_machine_reference() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    cur["config"]["scale"] = serde_json::json!(1.1);
    scale_all(&mut cur, 1.1);
    // No reference: every cell 10 % slower could be the machine. Inconclusive, exit 0.
    let c = compare(dir.path(), &synthetic(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let text = stdout(&c.out);
    assert!(
        text.contains("note: the runs used different --scale"),
        "{text}"
    );
    assert!(text.contains("cannot tell that from the machine"), "{text}");
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 0);
    assert_eq!(json["summary"]["inconclusive"], 11);
    assert!(json["notes"][0].as_str().unwrap().contains("+10.0%"));
    assert!(json["summary"]["machine_ratio"].is_null());

    // A reference that stayed put (the same timings in both runs): the machine did not
    // change, the cells did.
    let mut base = synthetic(1);
    with_reference(&mut base, 1.0, 1);
    with_reference(&mut cur, 1.0, 1);
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 11);
    assert_eq!(json["summary"]["machine_adjusted"], false);
    let machine = json["summary"]["machine_ratio"].as_f64().unwrap();
    assert_eq!(machine, 1.0);
    assert!(stdout(&c.out).contains("machine reference (synthetic kernel)"));
}

#[test]
fn a_whole_machine_shift_seen_by_the_reference_is_not_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    let (mut base, mut cur) = (synthetic(1), synthetic(2));
    // The machine 15 % slower for everything in the current run, the reference included...
    scale_all(&mut cur, 1.15);
    with_reference(&mut base, 1.0, 1);
    with_reference(&mut cur, 1.15, 2);
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 0);
    assert_eq!(json["summary"]["unchanged"], 11);
    assert_eq!(json["summary"]["machine_adjusted"], true);
    let machine = json["summary"]["machine_ratio"].as_f64().unwrap();
    assert!((machine - 1.15).abs() < 0.01, "{machine}");
    let [lo, hi] = [0, 1].map(|i| json["summary"]["machine_ci95"][i].as_f64().unwrap());
    assert!(lo < machine && machine < hi, "{lo} {hi}");
    for cell in json["cells"].as_array().unwrap() {
        if cell["verdict"] != "not_comparable" {
            assert_eq!(cell["machine_adjusted"], true, "{cell}");
            // Judged relative to the machine: near 1, not near 1.15.
            assert!(
                (cell["ratio"].as_f64().unwrap() - 1.0).abs() < 0.03,
                "{cell}"
            );
        }
    }
    assert!(stdout(&c.out).contains("divided by the machine's"));

    // ...and one cell a further 20 % slower than the machine is still caught.
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.2);
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 1);
    assert_eq!(verdict_of(&json, "ode-sweep/pool/2"), "regression");

    // References of different kernels are not compared: back to "no reference".
    cur["reference"]["kernel"] = Value::String("another kernel".into());
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    assert!(
        stdout(&c.out).contains("different kernels"),
        "{}",
        stdout(&c.out)
    );
}

#[test]
fn one_round_a_side_is_inconclusive_and_says_what_it_would_need() {
    // Ten samples a side that agree to ±2 %, 50 % apart between the runs: tight, but taken
    // back to back in one process each, so no evidence of what another run would give.
    let dir = tempfile::tempdir().unwrap();
    let mut cur = one_round(2);
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.5);
    let c = compare(dir.path(), &one_round(1), &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["regressions"], 0);
    assert_eq!(json["summary"]["inconclusive"], 11);
    assert_eq!(json["summary"]["compared"], 0);
    let cell = json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["workload"] == "ode-sweep" && c["strategy"] == "pool" && c["workers"] == 2)
        .unwrap();
    assert_eq!(cell["verdict"], "inconclusive");
    assert!(
        (cell["ratio"].as_f64().unwrap() - 1.5).abs() < 0.05,
        "{cell}"
    );
    assert!(
        cell["p_value"].is_null() && cell["ci95"].is_null(),
        "{cell}"
    );
    let reason = cell["reason"].as_str().unwrap();
    assert!(reason.contains("one round per side"), "{reason}");
    assert!(reason.contains("--rounds ≥ 3"), "{reason}");
    let text = stdout(&c.out);
    assert!(text.contains("inconclusive: one round per side"), "{text}");
    assert!(text.contains("11 inconclusive"), "{text}");
    let md = c.markdown.unwrap();
    assert!(md.contains("11 cells inconclusive"), "{md}");

    // One side of rounds is not enough either.
    let c = compare(dir.path(), &one_round(1), &synthetic(2), &[]);
    let json = c.json.unwrap();
    assert_eq!(json["summary"]["inconclusive"], 11);
    assert!(
        json["cells"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("one round in the baseline")
    );
}

#[test]
fn a_few_rounds_that_show_a_shift_flag_it_and_every_cell_states_its_detectable_change() {
    let dir = tempfile::tempdir().unwrap();
    for rounds in [3, 4, 10] {
        let base = synthetic_rounds(1, rounds, 2, 0.01);
        let mut cur = synthetic_rounds(2, rounds, 2, 0.01);
        let c = compare(dir.path(), &base, &cur, &[]);
        assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
        let json = c.json.unwrap();
        assert_eq!(json["summary"]["unchanged"], 11);
        assert!(
            json["prior"]["d0"].as_f64().unwrap() > 0.0,
            "{}",
            json["prior"]
        );
        for cell in json["cells"].as_array().unwrap() {
            if cell["verdict"] == "not_comparable" {
                assert!(cell["mdc_pct"].is_null());
                continue;
            }
            assert_eq!(cell["unit"], "round", "{cell}");
            assert_eq!(cell["test"], "moderated_t", "{cell}");
            assert_eq!(cell["baseline"]["rounds"], rounds);
            assert_eq!(cell["current"]["samples"], 2 * rounds);
            // Rounds ±1 % apart: a change not much beyond the 5 % threshold is detectable.
            let mdc = cell["mdc_pct"].as_f64().unwrap();
            assert!((5.0..10.0).contains(&mdc), "{rounds} rounds: {cell}");
        }
        let median = json["summary"]["mdc_median_pct"].as_f64().unwrap();
        assert!((5.0..10.0).contains(&median), "{median}");
        let text = stdout(&c.out);
        assert!(text.contains("minimum detectable change"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("mdc") && l.contains("verdict"))
        );

        scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.2);
        let c = compare(dir.path(), &base, &cur, &[]);
        assert_eq!(c.out.status.code(), Some(1), "{rounds}: {}", stdout(&c.out));
        assert_eq!(
            verdict_of(&c.json.unwrap(), "ode-sweep/pool/2"),
            "regression"
        );
        let md = c.markdown.unwrap();
        assert!(md.contains("| mdc |"), "{md}");
    }

    // Rounds 20 % apart: the same shift is within the noise, and the detectable change says so.
    let base = synthetic_rounds(1, 4, 2, 0.2);
    let mut cur = synthetic_rounds(2, 4, 2, 0.2);
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.2);
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    let json = c.json.unwrap();
    assert!(json["summary"]["mdc_median_pct"].as_f64().unwrap() > 20.0);
    assert_eq!(json["summary"]["mdc_at_threshold"], 0);
}

/// Multiplies sample i of every cell by `swings[i / per_round]`: a machine whose speed changes
/// from round to round, alike for every cell.
fn swing(r: &mut Value, swings: &[f64], per_round: usize) {
    for c in r["cells"].as_array_mut().unwrap() {
        map_cell_samples(c, |i, x| x * swings[i / per_round]);
    }
}

#[test]
fn paired_runs_are_compared_sample_by_sample_through_the_machine_s_swings() {
    let dir = tempfile::tempdir().unwrap();
    let swings = [
        1.0, 1.3, 0.95, 1.15, 1.05, 1.25, 0.9, 1.2, 1.0, 1.1, 0.92, 1.3,
    ];
    let (mut base, mut cur) = (
        synthetic_rounds(1, 12, 2, 0.0),
        synthetic_rounds(2, 12, 2, 0.0),
    );
    swing(&mut base, &swings, 2);
    swing(&mut cur, &swings, 2);
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.10);

    // Two runs that did not take turns: rounds are independent, and the swings hide 10 %.
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(0), "{}", stdout(&c.out));
    assert_eq!(
        verdict_of(&c.json.unwrap(), "ode-sweep/pool/2"),
        "unchanged"
    );

    // The same samples from one `parbench pair`: each cancels its partner's swing.
    base["config"]["pair_id"] = serde_json::json!("same invocation");
    cur["config"]["pair_id"] = serde_json::json!("same invocation");
    let c = compare(dir.path(), &base, &cur, &[]);
    assert_eq!(c.out.status.code(), Some(1), "{}", stdout(&c.out));
    assert!(
        stdout(&c.out).contains("parbench pair"),
        "{}",
        stdout(&c.out)
    );
    let json = c.json.unwrap();
    for cell in json["cells"].as_array().unwrap() {
        if cell["verdict"] == "not_comparable" {
            continue;
        }
        assert_eq!(cell["unit"], "pair", "{cell}");
        let expected = if cell["workload"] == "ode-sweep"
            && cell["strategy"] == "pool"
            && cell["workers"] == 2
        {
            "regression"
        } else {
            "unchanged"
        };
        assert_eq!(cell["verdict"], expected, "{cell}");
    }
}

#[test]
fn unwritable_output_paths_exit_2_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let b = write(dir.path(), "b.json", &synthetic(1));
    let bad = dir.path().join("no/such/dir/out.md");
    let out = parbench(&[
        "compare",
        b.to_str().unwrap(),
        b.to_str().unwrap(),
        "--markdown",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--markdown"), "{}", stderr(&out));
}

#[test]
fn the_chart_draws_every_compared_cell_in_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let mut cur = synthetic(2);
    scale_samples(&mut cur, "ode-sweep", "pool", 2, 1.2);
    let stem = dir.path().join("chart");
    let c = compare(
        dir.path(),
        &synthetic(1),
        &cur,
        &["--chart", stem.to_str().unwrap()],
    );
    assert_eq!(c.out.status.code(), Some(1), "{}", stderr(&c.out));
    let json = c.json.unwrap();
    let compared: Vec<String> = json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| !cell["ratio"].is_null())
        .map(|cell| {
            let label = format!(
                "{}/{}/{}",
                cell["workload"].as_str().unwrap(),
                cell["strategy"].as_str().unwrap(),
                cell["workers"]
            );
            label
        })
        .collect();
    assert!(!compared.is_empty());

    let svg = std::fs::read_to_string(stem.with_extension("svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let texts: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for label in &compared {
        assert!(texts.contains(&label.as_str()), "no row for {label}");
    }
    assert!(
        texts.iter().any(|t| t.contains("threshold")),
        "legend names the band"
    );
    assert!(
        texts.iter().any(|t| t.contains("> 1 is slower")),
        "axis label"
    );

    let png = std::fs::read(stem.with_extension("png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder.read_info().expect("the PNG decodes");
    let (w, h) = (reader.info().width, reader.info().height);
    assert!(w >= 800 && h >= 22 * compared.len() as u32, "{w}x{h}");
}
