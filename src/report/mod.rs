//! Reporting: turns results into what people read. The terminal table lives here; charts and
//! documents read the same [`Results`](crate::results::Results).
//!
//! - [`scaling`]: speedup, intervals, efficiency, Karp–Flatt, Amdahl fit, overhead, best strategy
//! - [`findings`]: the documents' claims tested against the file
//! - [`charts`]: SVG and PNG charts (plotters, bundled font)

pub mod charts;
pub mod findings;
pub mod scaling;
pub mod table;
pub mod units;

use crate::error::Error;
use crate::results::Results;
use std::path::{Path, PathBuf};

/// Where a report's results came from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A results file written by `parbench run`.
    File(PathBuf),
    /// A criterion output directory (`target/criterion`).
    Criterion(PathBuf),
}

impl Source {
    /// `<stem>-report/` beside a results file; `parbench-report/` inside a criterion directory,
    /// next to criterion's own `report/`.
    pub fn default_dir(&self) -> PathBuf {
        match self {
            Source::File(path) => {
                let stem = path
                    .file_stem()
                    .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
                path.with_file_name(format!("{stem}-report"))
            }
            Source::Criterion(dir) => dir.join("parbench-report"),
        }
    }
}

/// What a report is made from.
pub struct Input {
    pub results: Results,
    /// Per cell (same index): `overhead_us_per_task`, where the file records it.
    pub overhead_us: Vec<Option<f64>>,
    pub source: Source,
}

impl Input {
    /// Reads a results file; a missing, truncated or foreign file is a usage error naming it.
    pub fn read(path: &Path) -> Result<Input, Error> {
        let results = Results::read(path)?;
        let overhead_us = recorded_overhead(path, results.cells.len());
        Ok(Input {
            results,
            overhead_us,
            source: Source::File(path.to_path_buf()),
        })
    }
}

/// `overhead_us_per_task` is newer than this build's `Cell` type: it is read from the raw JSON
/// so that files with and without it both report, and this module needs no schema change.
fn recorded_overhead(path: &Path, cells: usize) -> Vec<Option<f64>> {
    let value: Option<serde_json::Value> = std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    let raw = value
        .as_ref()
        .and_then(|v| v.get("cells"))
        .and_then(|c| c.as_array());
    (0..cells)
        .map(|i| {
            raw.and_then(|r| r.get(i))
                .and_then(|c| c.get("overhead_us_per_task"))
                .and_then(|o| o.as_f64())
        })
        .collect()
}
