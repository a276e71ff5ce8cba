//! The terminal table printed at the end of a run.

use crate::results::Cell;
use std::fmt::Write;

fn seconds(x: f64) -> String {
    if x >= 1.0 {
        format!("{x:.3} s")
    } else if x >= 1e-3 {
        format!("{:.3} ms", x * 1e3)
    } else {
        format!("{:.1} µs", x * 1e6)
    }
}

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map(f).unwrap_or_else(|| "-".into())
}

/// One row per cell: workload, strategy, workers, median, interval, speedup, efficiency,
/// verified; skipped cells say why.
pub fn render(cells: &[Cell]) -> String {
    let header = [
        "workload", "strategy", "workers", "median", "95% CI", "speedup", "effic.", "verified",
    ];
    let mut rows: Vec<[String; 8]> = Vec::new();
    for c in cells {
        let verdict = match &c.skipped {
            Some(why) => format!("skipped: {why}"),
            None if c.verified && c.failed_tasks.is_empty() => "yes".into(),
            None if c.verified => format!("yes ({} failed as expected)", c.failed_tasks.len()),
            None => format!("NO: {}", c.check),
        };
        rows.push([
            c.workload.clone(),
            c.strategy.clone(),
            c.workers.to_string(),
            opt(c.median_s, seconds),
            c.ci95_s
                .map(|[lo, hi]| format!("[{}, {}]", seconds(lo), seconds(hi)))
                .unwrap_or_else(|| "-".into()),
            opt(c.speedup, |s| format!("{s:.2}x")),
            opt(c.efficiency, |e| format!("{:.0}%", e * 100.0)),
            verdict,
        ]);
    }
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()).take(7) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cols: &[String]| {
        for (i, col) in cols.iter().enumerate() {
            let pad = if i == cols.len() - 1 { 0 } else { widths[i] };
            let numeric = (2..7).contains(&i);
            let n = col.chars().count();
            let fill = " ".repeat(pad.saturating_sub(n));
            if numeric {
                let _ = write!(out, "{fill}{col}  ");
            } else if i == cols.len() - 1 {
                let _ = write!(out, "{col}");
            } else {
                let _ = write!(out, "{col}{fill}  ");
            }
        }
        out.push('\n');
    };
    line(&mut out, &header.map(String::from));
    for r in &rows {
        line(&mut out, r);
    }
    out
}
