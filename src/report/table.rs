//! The terminal table printed at the end of a run.

use crate::results::Cell;
use crate::units::{compact, seconds};
use std::fmt::Write;

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map(f).unwrap_or_else(|| "-".into())
}

const HEADER: [&str; 10] = [
    "workload", "strategy", "workers", "chunk", "median", "95% CI", "speedup", "effic.", "µs/task",
    "verified",
];

/// Most characters of a failed cell's reason in the table; the results file keeps it whole.
const CHECK_WIDTH: usize = 100;

/// `text` on one line, cut to `width` characters with an ellipsis.
fn shortened(text: &str, width: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= width {
        return line;
    }
    let cut: String = line.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Columns right-aligned (the numeric ones).
fn numeric(col: usize) -> bool {
    col == 2 || (4..9).contains(&col)
}

/// One row per cell: workload, strategy, workers, chunk, median, interval, speedup, efficiency,
/// dispatch cost per task (noop only), verified; skipped cells say why.
pub fn render(cells: &[Cell]) -> String {
    let mut rows: Vec<[String; 10]> = Vec::new();
    for c in cells {
        let verdict = match &c.skipped {
            Some(why) => format!("skipped: {why}"),
            None if c.verified && c.failed_tasks.is_empty() => "yes".into(),
            None if c.verified => format!("yes ({} failed as expected)", c.failed_tasks.len()),
            None => format!("NO: {}", shortened(&c.check, CHECK_WIDTH)),
        };
        rows.push([
            c.workload.clone(),
            c.strategy.clone(),
            c.workers.to_string(),
            c.chunk.clone().unwrap_or_else(|| "-".into()),
            opt(c.median_s, seconds),
            c.ci95_s
                .map(|[lo, hi]| format!("[{}, {}]", seconds(lo), seconds(hi)))
                .unwrap_or_else(|| "-".into()),
            opt(c.speedup, |s| format!("{}x", compact(s, 2))),
            opt(c.efficiency, |e| format!("{}%", compact(e * 100.0, 0))),
            opt(c.overhead_us_per_task, |o| compact(o, 2)),
            verdict,
        ]);
    }
    let mut widths = HEADER.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cols: &[String]| {
        let last = cols.len() - 1;
        for (i, col) in cols.iter().enumerate() {
            let fill = " ".repeat(widths[i].saturating_sub(col.chars().count()));
            let _ = match i {
                _ if i == last => write!(out, "{col}"),
                _ if numeric(i) => write!(out, "{fill}{col}  "),
                _ => write!(out, "{col}{fill}  "),
            };
        }
        out.push('\n');
    };
    line(&mut out, &HEADER.map(String::from));
    for r in &rows {
        line(&mut out, r);
    }
    if cells
        .iter()
        .any(|c| c.strategy == "gil" && c.skipped.is_none())
    {
        out.push_str(
            "gil rows come from a MODEL of CPython's global interpreter lock (one lock, \
             switch interval, released by array/BLAS/I/O work), not from CPython itself.\n",
        );
    }
    if cells
        .iter()
        .any(|c| c.strategy == "blas" && c.skipped.is_none())
    {
        out.push_str(
            "blas: OpenBLAS never threads a GEMM with M·N·K <= 262,144, so small matrices stay \
             flat by design.\n",
        );
    }
    out
}
