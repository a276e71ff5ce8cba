//! The one reader of results files. Every command that reads one (`report`, `compare`, `pair`'s
//! summary) goes through [`Results::read`], so a file is trusted on the same terms everywhere:
//! this schema, and cells whose numbers could have been measured.

use super::{Cell, CellId, Results, SCHEMA};
use crate::error::Error;
use std::collections::HashSet;
use std::path::Path;

/// No run of all of a cell's tasks takes less than this: a smaller time was not measured.
const SHORTEST_TIME_S: f64 = 1e-9;

impl Results {
    /// Reads a results file, rejecting anything that is not this schema or holds a cell that
    /// cannot be right, with a message that names the file and the cell.
    pub fn read(path: &Path) -> Result<Results, Error> {
        let bytes =
            std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        Results::from_bytes(path, &bytes)
    }

    /// [`Results::read`] of bytes already read from `path` (which names them in errors), for a
    /// caller that must keep exactly the bytes it checked.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Results, Error> {
        let results = parse(path, bytes)?;
        let mut seen = HashSet::new();
        for c in &results.cells {
            let id = CellId::of(c);
            let bad = |reason: String| Error::input(path, format!("cell {id}: {reason}"));
            if !seen.insert(id.clone()) {
                return Err(bad("appears twice".into()));
            }
            check_cell(c).map_err(bad)?;
        }
        Ok(results)
    }
}

/// Reads a results file, rejecting anything that is not this schema with a message that
/// names the file and the problem.
fn parse(path: &Path, bytes: &[u8]) -> Result<Results, Error> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::input(path, format!("not valid JSON ({e})")))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => {
            return Err(Error::input(
                path,
                format!("schema '{other}' is not supported (expected '{SCHEMA}')"),
            ));
        }
        None => {
            return Err(Error::input(
                path,
                "no 'schema' field: not a parbench results file",
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| Error::input(path, format!("malformed results ({e})")))
}

/// Why a cell's numbers cannot have been measured, if they cannot.
fn check_cell(c: &Cell) -> Result<(), String> {
    if c.workers == 0 {
        return Err("0 workers".into());
    }
    if c.loops == 0 {
        return Err("0 loops per sample".into());
    }
    let time = |what: &str, x: f64| -> Result<(), String> {
        if x.is_finite() && x >= SHORTEST_TIME_S {
            Ok(())
        } else {
            Err(format!("{what} {x} s is not a measured time"))
        }
    };
    for &s in &c.samples_s {
        time("sample", s)?;
    }
    for &s in &c.disturbed_s {
        time("left-out sample", s)?;
    }
    if let Some(m) = c.median_s {
        time("median", m)?;
        if c.samples_s.is_empty() {
            return Err("a median without samples".into());
        }
    }
    // Every sample of a verified cell may have been left out (a worker replaced in each run):
    // its outputs were checked, its time was not measured cleanly.
    if c.verified && c.skipped.is_none() && c.samples_s.is_empty() && c.disturbed_s.is_empty() {
        return Err("verified without a sample".into());
    }
    let counted: usize = c.round_samples.iter().sum();
    if !c.round_samples.is_empty() && counted != c.samples_s.len() {
        return Err(format!(
            "round_samples account for {counted} samples, samples_s holds {}",
            c.samples_s.len()
        ));
    }
    if let Some([lo, hi]) = c.ci95_s {
        time("interval bound", lo)?;
        time("interval bound", hi)?;
        if lo > hi {
            return Err(format!("interval [{lo}, {hi}] is reversed"));
        }
    }
    for (what, v) in [("speedup", c.speedup), ("efficiency", c.efficiency)] {
        if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(format!("{what} {v} is not a positive number"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Config, Machine};

    fn cell(samples: &[f64]) -> Cell {
        let mut c = Cell::new("sum-squares", "pool", 2);
        c.samples_s = samples.to_vec();
        c.median_s = crate::stats::median(samples);
        c.verified = !samples.is_empty();
        c
    }

    fn rejected(c: Cell) -> String {
        check_cell(&c).expect_err("should be rejected")
    }

    #[test]
    fn measured_cells_pass() {
        assert_eq!(check_cell(&cell(&[0.01, 0.011, 0.012])), Ok(()));
        // A cell whose executor never started has no samples and claims nothing.
        let mut failed = cell(&[]);
        failed.verified = false;
        assert_eq!(check_cell(&failed), Ok(()));
    }

    #[test]
    fn impossible_cells_are_rejected_with_the_reason() {
        let mut c = cell(&[0.01]);
        c.workers = 0;
        assert!(rejected(c).contains("0 workers"));
        assert!(rejected(cell(&[0.01, -1.0])).contains("sample -1"));
        assert!(rejected(cell(&[0.01, 0.0])).contains("sample 0"));
        assert!(rejected(cell(&[1e-300])).contains("not a measured time"));
        let mut c = cell(&[]);
        c.median_s = Some(0.01);
        assert!(rejected(c).contains("without samples"));
        let mut c = cell(&[]);
        c.verified = true;
        assert!(rejected(c).contains("verified without a sample"));
        let mut c = cell(&[0.01, 0.02]);
        c.ci95_s = Some([0.02, 0.01]);
        assert!(rejected(c).contains("reversed"));
        let mut c = cell(&[0.01]);
        c.speedup = Some(f64::INFINITY);
        assert!(rejected(c).contains("speedup"));
    }

    #[test]
    fn a_duplicate_cell_names_the_cell_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("twice.json");
        let results = Results::new(
            Machine::default(),
            Config::of_matrix("quick", vec![], vec![], vec![2], 1),
            vec![cell(&[0.01]), cell(&[0.02])],
        );
        results.write(&path).unwrap();
        let e = Results::read(&path).unwrap_err().to_string();
        assert!(
            e.contains("twice.json") && e.contains("cell sum-squares/pool/2: appears twice"),
            "{e}"
        );
        assert_eq!(Results::read(&path).unwrap_err().exit_code(), 2);
    }
}
