//! Criterion's output of `cargo bench --bench scaling`, made into an in-memory results file so
//! that the same charts and tables describe it.
//!
//! The bench's ids are `<workload>/<strategy>/<workers>`; criterion writes each benchmark's
//! `benchmark.json` (the id), `estimates.json` (point estimates with 95 % bootstrap intervals,
//! in ns) and `sample.json` (per-sample iteration counts and total times) under `…/new/`.

use super::{Input, Source};
use crate::error::Error;
use crate::results::{self, Cell, Config, Machine, Results};
use crate::strategy;
use crate::workload::{self, Params, Size};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Deserialize)]
struct BenchmarkId {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
}

#[derive(Deserialize)]
struct Interval {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: Interval,
    point_estimate: f64,
}

#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// Every `new/benchmark.json` under `dir`, sorted so that reports are reproducible.
fn benchmark_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        // Ids have three parts, so `new/` sits four levels down; deeper is not ours.
        if depth > 5 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push((path, depth + 1));
            } else if path.file_name().is_some_and(|n| n == "benchmark.json")
                && d.file_name().is_some_and(|n| n == "new")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::usage(format!("{}: cannot read: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::usage(format!("{}: not a criterion file ({e})", path.display())))
}

/// Reads one benchmark; `None` when its id is not `<workload>/<strategy>/<workers>`.
fn cell(id_file: &Path) -> Result<Option<(Cell, SystemTime)>, Error> {
    let id: BenchmarkId = read_json(id_file)?;
    let (Some(strategy), Some(workers)) = (id.function_id, id.value_str) else {
        return Ok(None);
    };
    let Ok(workers) = workers.parse::<usize>() else {
        return Ok(None);
    };
    let dir = id_file.parent().expect("benchmark.json has a parent");
    let est_file = dir.join("estimates.json");
    let est: Estimates = read_json(&est_file)?;
    let when = std::fs::metadata(&est_file)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    // Per-sample means; criterion's samples time batches of iterations.
    let samples_s = match read_json::<Sample>(&dir.join("sample.json")) {
        Ok(s) => s
            .iters
            .iter()
            .zip(&s.times)
            .filter(|(i, _)| **i > 0.0)
            .map(|(i, t)| t / i * 1e-9)
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut c = Cell::new(&id.group_id, &strategy, workers);
    let m = &est.median;
    c.median_s = Some(m.point_estimate * 1e-9);
    c.ci95_s = Some([
        m.confidence_interval.lower_bound * 1e-9,
        m.confidence_interval.upper_bound * 1e-9,
    ]);
    c.ci_coverage = Some(m.confidence_interval.confidence_level);
    c.samples_s = samples_s;
    // The bench asserts each cell's verification before timing it.
    c.verified = true;
    c.check = "verified by the bench before it was timed".into();
    c.chunk = strategy::registry()
        .iter()
        .find(|s| s.name() == strategy)
        .and_then(|s| s.chunked().then(|| "auto".to_string()));
    Ok(Some((c, when)))
}

/// Builds a results file from the criterion directory `dir`. Criterion records no machine:
/// `machine` is the one reading the estimates, which is where `cargo bench` ran.
pub fn load(dir: &Path, machine: Machine) -> Result<Input, Error> {
    if !dir.is_dir() {
        return Err(Error::usage(format!(
            "--criterion {}: not a directory",
            dir.display()
        )));
    }
    let mut cells = Vec::new();
    let mut newest = SystemTime::UNIX_EPOCH;
    for f in benchmark_files(dir) {
        if let Some((c, when)) = cell(&f)? {
            newest = newest.max(when);
            cells.push(c);
        }
    }
    if cells.is_empty() {
        return Err(Error::usage(format!(
            "--criterion {}: no <workload>/<strategy>/<workers> estimates (run `cargo bench \
             --bench scaling` first)",
            dir.display()
        )));
    }

    // The registries' order, as `parbench run` writes cells; unknown names after, by name.
    let wl: Vec<&str> = workload::registry().iter().map(|w| w.name()).collect();
    let st: Vec<&str> = strategy::registry().iter().map(|s| s.name()).collect();
    let rank =
        |list: &[&str], name: &str| list.iter().position(|n| *n == name).unwrap_or(usize::MAX);
    cells.sort_by(|a, b| {
        (
            rank(&wl, &a.workload),
            &a.workload,
            rank(&st, &a.strategy),
            &a.strategy,
            a.workers,
        )
            .cmp(&(
                rank(&wl, &b.workload),
                &b.workload,
                rank(&st, &b.strategy),
                &b.strategy,
                b.workers,
            ))
    });

    // Task counts are those of the bench's quick instances; preparing builds inputs only.
    let params = Params {
        size: Size::Quick,
        ..Params::default()
    };
    let mut out: Vec<Cell> = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let name = cells[start].workload.clone();
        let end = start
            + cells[start..]
                .iter()
                .take_while(|c| c.workload == name)
                .count();
        let mut group = cells[start..end].to_vec();
        let tasks = workload::registry()
            .into_iter()
            .find(|w| w.name() == name)
            .map(|w| w.prepare(&params).tasks())
            .unwrap_or(0);
        for c in &mut group {
            c.tasks = tasks;
        }
        results::derive_scaling(&mut group);
        out.extend(group);
        start = end;
    }

    let uniq = |f: &dyn Fn(&Cell) -> String| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in &out {
            let x = f(c);
            if !v.contains(&x) {
                v.push(x);
            }
        }
        v
    };
    let workloads = uniq(&|c| c.workload.clone());
    let strategies = uniq(&|c| c.strategy.clone());
    let mut workers: Vec<usize> = out.iter().map(|c| c.workers).collect();
    workers.sort_unstable();
    workers.dedup();
    let samples = out.iter().map(|c| c.samples_s.len()).max().unwrap_or(0);
    let config = Config::of_matrix(
        "quick (criterion: cargo bench --bench scaling)",
        workloads,
        strategies,
        workers,
        samples,
    );
    let created = if newest > SystemTime::UNIX_EPOCH {
        humantime::format_rfc3339_seconds(newest).to_string()
    } else {
        results::now_utc()
    };
    let cells = out;
    Ok(Input {
        results: Results {
            parbench_version: format!("{} (criterion estimates)", env!("CARGO_PKG_VERSION")),
            created,
            ..Results::new(machine, config, cells)
        },
        source: Source::Criterion(dir.to_path_buf()),
    })
}
