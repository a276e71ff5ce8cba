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

/// Most retried task numbers a verdict lists before it counts the rest.
const RETRIED_LISTED: usize = 3;

/// `n` and `word` with an `s` unless `n` is 1.
fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// What happened to a cell's workers while it was measured: worker processes replaced, tasks
/// retried, samples left out because a replacement disturbed them. A `yes` that hides a
/// killed worker would read as a clean measurement.
pub fn disturbances(c: &Cell) -> Vec<String> {
    let mut notes = Vec::new();
    if c.worker_restarts > 0 {
        notes.push(count(c.worker_restarts, "restart"));
    }
    let retried = &c.retried_tasks;
    if !retried.is_empty() {
        let mut listed: Vec<String> = retried
            .iter()
            .take(RETRIED_LISTED)
            .map(|t| t.to_string())
            .collect();
        if retried.len() > RETRIED_LISTED {
            listed.push(format!("{} more", retried.len() - RETRIED_LISTED));
        }
        let word = if retried.len() == 1 { "task" } else { "tasks" };
        notes.push(format!("{word} {} retried", listed.join(", ")));
    }
    if !c.disturbed_s.is_empty() {
        notes.push(format!("{} left out", count(c.disturbed_s.len(), "sample")));
    }
    notes
}

/// The verified column: `yes`, or `NO: ` and the reason, with what happened to the workers in
/// brackets; the reason is cut so that the column after `NO: ` stays within `width` characters.
pub fn verdict(c: &Cell, width: usize) -> String {
    let mut notes = disturbances(c);
    if c.verified && !c.failed_tasks.is_empty() {
        notes.insert(0, format!("{} failed as expected", c.failed_tasks.len()));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    if c.verified {
        format!("yes{notes}")
    } else {
        let room = width.saturating_sub(notes.chars().count());
        format!("NO: {}{notes}", shortened(&c.check, room))
    }
}

/// One row per cell: workload, strategy, workers, chunk, median, interval, speedup, efficiency,
/// dispatch cost per task (noop only), verified; skipped cells say why.
pub fn render(cells: &[Cell]) -> String {
    let mut rows: Vec<[String; 10]> = Vec::new();
    for c in cells {
        let verdict = match &c.skipped {
            Some(why) => format!("skipped: {why}"),
            None => verdict(c, CHECK_WIDTH),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cell() -> Cell {
        let mut c = Cell::new("crash", "process", 2);
        c.verified = true;
        c
    }

    fn verified_column(c: &Cell) -> String {
        let table = render(std::slice::from_ref(c));
        let row = table.lines().nth(1).unwrap();
        row.split("  ").last().unwrap().trim().to_string()
    }

    #[test]
    fn a_clean_cell_says_yes_and_nothing_more() {
        assert_eq!(verified_column(&cell()), "yes");
    }

    #[test]
    fn restarts_retries_and_left_out_samples_show_in_the_verified_column() {
        let mut c = cell();
        c.worker_restarts = 1;
        c.retried_tasks = vec![3];
        c.disturbed_s = vec![0.5];
        assert_eq!(
            verified_column(&c),
            "yes (1 restart, task 3 retried, 1 sample left out)"
        );
        c.worker_restarts = 2;
        c.retried_tasks = vec![1, 4, 6, 7, 9];
        c.disturbed_s = vec![0.5, 0.6];
        c.failed_tasks = vec![crate::results::FailedTask {
            task: 3,
            error: "worker died".into(),
        }];
        assert_eq!(
            verified_column(&c),
            "yes (1 failed as expected, 2 restarts, tasks 1, 4, 6, 2 more retried, 2 samples \
             left out)"
        );
    }

    #[test]
    fn an_unverified_cell_keeps_its_reason_and_adds_the_restarts() {
        let mut c = cell();
        c.verified = false;
        c.check = "task 3 failed".into();
        c.worker_restarts = 2;
        assert_eq!(verified_column(&c), "NO: task 3 failed (2 restarts)");
        c.check = "worker exceeded --task-timeout ".repeat(10);
        let column = verdict(&c, 100);
        let after = column.strip_prefix("NO: ").unwrap();
        assert!(after.starts_with("worker exceeded"), "{column}");
        assert!(after.ends_with("… (2 restarts)"), "{column}");
        assert!(
            after.chars().count() <= 100,
            "the reason makes room: {column}"
        );
    }
}
