//! The command-line contract, driven through the built binary: the quick sweep, its results
//! file, and the one-line errors with exit code 2 for bad input.

use crate::common;

use common::{parbench, stderr, stdout};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn quick_sweep_of_everything_verifies_and_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let start = Instant::now();
    let out = parbench(&[
        "run",
        "--quick",
        "--workloads",
        "all",
        "--strategies",
        "serial,scoped,pool,blas",
        "--workers",
        "1,2",
        "--out",
        path.to_str().unwrap(),
    ]);
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(&out)
    );
    // The contract is 60 s on 2 cores; allow for a debug-profile or loaded test machine.
    assert!(took < Duration::from_secs(120), "took {took:?}");

    let r: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(r["schema"], "parbench/results/v1");
    for key in [
        "cpu_model",
        "logical_cores",
        "memory_bytes",
        "os",
        "rustc",
        "blas",
    ] {
        assert!(!r["machine"][key].is_null(), "machine.{key} missing");
    }
    assert!(
        r["machine"]["blas"]["config"]
            .as_str()
            .unwrap()
            .contains("OpenBLAS")
    );
    let cells = r["cells"].as_array().unwrap();
    let mut sums: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut workloads = BTreeSet::new();
    for c in cells {
        let name = c["workload"].as_str().unwrap();
        workloads.insert(name);
        if !c["skipped"].is_null() {
            assert_eq!(c["strategy"], "blas", "only blas may skip: {c}");
            continue;
        }
        assert_eq!(
            c["verified"], true,
            "{name}/{}/{}",
            c["strategy"], c["workers"]
        );
        assert!(!c["samples_s"].as_array().unwrap().is_empty());
        for key in ["median_s", "ci95_s", "speedup", "efficiency", "summary"] {
            assert!(!c[key].is_null(), "{name}: {key} missing");
        }
        sums.entry(name)
            .or_default()
            .insert(c["checksum"].as_str().unwrap());
        if name == "risky" {
            let failed = c["failed_tasks"].as_array().unwrap();
            assert_eq!(failed.len(), 1, "{c}");
            assert_eq!(failed[0]["task"], 5);
            assert!(failed[0]["error"].as_str().unwrap().contains("x=5"));
        }
    }
    assert_eq!(workloads.len(), 15, "{workloads:?}");
    for (name, s) in &sums {
        assert_eq!(s.len(), 1, "{name} has several checksums: {s:?}");
    }
    // The table on stdout names every workload.
    let table = stdout(&out);
    assert!(table.lines().next().unwrap().contains("speedup"));
    for w in &workloads {
        assert!(table.contains(w), "table lacks {w}");
    }
}

/// Runs a bad command line; it must exit 2 with one line on stderr that mentions `names`, and
/// leave no results file.
fn assert_usage_error(args: &[&str], names: &str, out_path: &Path) {
    let out = parbench(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    assert!(
        err.contains(names),
        "{args:?}: message does not name {names}: {err}"
    );
    assert!(!out_path.exists(), "{args:?} left {}", out_path.display());
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let p = path.to_str().unwrap();
    let base = ["run", "--quick", "--workloads", "noop", "--out", p];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    assert_usage_error(
        &["run", "--quick", "--workloads", "nosuch", "--out", p],
        "--workloads",
        &path,
    );
    assert_usage_error(&with(&["--strategies", "threads"]), "--strategies", &path);
    assert_usage_error(&with(&["--workers", "0"]), "--workers", &path);
    assert_usage_error(&with(&["--workers", "abc"]), "--workers", &path);
    assert_usage_error(&with(&["--workers", "1,,2"]), "--workers", &path);
    assert_usage_error(&with(&["--samples", "0"]), "--samples", &path);
    assert_usage_error(&with(&["--sample-time", "-1"]), "--sample-time", &path);
    assert_usage_error(&with(&["--sample-time", "abc"]), "--sample-time", &path);
    assert_usage_error(&with(&["--scale", "-1"]), "--scale", &path);
    assert_usage_error(&with(&["--size", "huge"]), "--size", &path);
    assert_usage_error(&with(&["--chunk", "0"]), "--chunk", &path);
    assert_usage_error(&["run", "--bogus"], "--bogus", &path);
    assert_usage_error(&["frobnicate"], "frobnicate", &path);
}

#[test]
fn unwritable_out_paths_exit_2_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/r.json");
    // A regular file where a directory should be: unwritable even for root.
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("r.json");
    for target in [&missing, &under_file] {
        let t = target.to_str().unwrap();
        let start = Instant::now();
        assert_usage_error(&["run", "--workloads", "io-sleep", "--out", t], t, target);
        // Refused up front, not after a doc-size io-sleep run (2.5 s per sample).
        assert!(start.elapsed() < Duration::from_secs(2));
    }
    let d = dir.path().to_str().unwrap();
    assert_usage_error(
        &["run", "--quick", "--workloads", "noop", "--out", d],
        d,
        &missing,
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left: {leftovers:?}");
}

#[test]
fn list_names_every_workload_and_strategy() {
    let out = parbench(&["list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for name in [
        "sum-squares",
        "exp-loop",
        "ones",
        "add",
        "sin",
        "norm-isf",
        "matmul",
        "svd",
        "ode-sweep",
        "monte-carlo",
        "mc-seeds",
        "curve-fit",
        "io-sleep",
        "noop",
        "risky",
        "serial",
        "scoped",
        "pool",
        "blas",
    ] {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "list lacks {name}"
        );
    }
}

#[test]
fn machine_json_has_the_recorded_fields() {
    let out = parbench(&["machine", "--json"]);
    assert!(out.status.success());
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(m["logical_cores"].as_u64().unwrap() >= 1);
    assert!(m["memory_bytes"].as_u64().unwrap() > 0);
    assert_eq!(m["blas"]["variant"], "pthreads");
    assert!(m["blas"]["default_threads"].as_u64().unwrap() >= 1);
    assert!(m["rustc"].as_str().unwrap().starts_with("rustc "));
}

#[test]
fn scale_reaches_the_tasks_and_their_check() {
    // --scale shrinks sum-squares' loop; the closed form follows n, so the run still verifies.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let out = parbench(&[
        "run",
        "--quick",
        "--workloads",
        "sum-squares",
        "--strategies",
        "serial,pool",
        "--workers",
        "2",
        "--scale",
        "0.5",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(r["config"]["scale"], 0.5);
    let per_task = r["cells"][0]["summary"]["sum_per_task"].as_f64().unwrap();
    // n = 50,000 at quick size and scale 0.5: Σ i² = (n−1) n (2n−1) / 6.
    let n = 50_000f64;
    assert_eq!(per_task, (n - 1.0) * n * (2.0 * n - 1.0) / 6.0);
}

#[test]
fn a_chunk_list_makes_one_cell_per_chunk_for_chunking_strategies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let out = parbench(&[
        "run",
        "--quick",
        "--workloads",
        "noop",
        "--strategies",
        "serial,scoped,pool",
        "--workers",
        "2",
        "--chunk",
        "1,auto",
        "--samples",
        "2",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cells: Vec<(String, Value)> = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["strategy"].as_str().unwrap().to_string(),
                c["chunk"].clone(),
            )
        })
        .collect();
    let want = vec![
        ("serial".to_string(), Value::Null),
        ("scoped".to_string(), Value::Null),
        ("pool".to_string(), Value::from("1")),
        ("pool".to_string(), Value::from("auto")),
    ];
    assert_eq!(cells, want);
    assert_eq!(r["config"]["chunk"], "1,auto");
}

#[test]
fn pinned_runs_verify_under_every_pooled_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let out = parbench(&[
        "run",
        "--quick",
        "--workloads",
        "sum-squares,blas-probe",
        "--strategies",
        "serial,scoped,pool,process,gil",
        "--workers",
        "1,2,3",
        "--pin",
        "--samples",
        "2",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(r["config"]["pin"], true);
    for c in r["cells"].as_array().unwrap() {
        assert_eq!(c["verified"], true, "{c}");
    }
}
