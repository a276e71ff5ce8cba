//! The three renderings of a comparison: the terminal table, the JSON record and the Markdown
//! summary for a pull-request comment.

use super::verdict::Verdict;
use super::{CellComparison, Comparison, Metric, Side};
use crate::error::Error;
use crate::units::{compact, seconds};
use std::fmt::Write;

/// The compared value of one side: a median time or a median speedup.
fn value(side: Option<&Side>, metric: Metric) -> String {
    match (side, metric) {
        (None, _) => "-".into(),
        (Some(s), Metric::Time) => seconds(s.median_s),
        (Some(s), Metric::Speedup) => s
            .speedup
            .map(|x| format!("{}x", compact(x, 2)))
            .unwrap_or_else(|| "-".into()),
    }
}

/// A ratio as a signed change in percent; positive is worse.
fn change(r: f64) -> String {
    format!("{:+.1}%", (r - 1.0) * 100.0)
}

fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map(|[lo, hi]| format!("[{}, {}]", change(lo), change(hi)))
        .unwrap_or_else(|| "-".into())
}

fn p_value(p: Option<f64>) -> String {
    match p {
        None => "-".into(),
        Some(p) if p >= 1e-3 => format!("{p:.3}"),
        Some(p) => format!("{p:.1e}"),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "2 regressions, 1 improvement, 30 unchanged, 4 inconclusive, 3 not comparable".
fn counts(cmp: &Comparison) -> String {
    let s = &cmp.summary;
    format!(
        "{}, {}, {} unchanged, {} inconclusive, {} not comparable",
        plural(s.regressions, "regression", "regressions"),
        plural(s.improvements, "improvement", "improvements"),
        s.unchanged,
        s.inconclusive,
        s.not_comparable
    )
}

/// A cell's minimum detectable change: "-" when not tested, "never" when its test cannot
/// reach Holm's level at all.
fn mdc(c: &CellComparison) -> String {
    match (c.p_value, c.mdc_pct) {
        (None, _) => "-".into(),
        (Some(_), None) => "never".into(),
        (Some(_), Some(m)) => format!("{m:.1}%"),
    }
}

fn settings(cmp: &Comparison) -> String {
    format!(
        "metric {}, threshold {}%, Holm over {} cells at alpha {}",
        metric_name(cmp.metric),
        cmp.threshold_pct,
        cmp.summary.compared,
        cmp.alpha
    )
}

fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::Time => "time",
        Metric::Speedup => "speedup",
    }
}

/// What a positive change means for the metric.
fn orientation(m: Metric) -> &'static str {
    match m {
        Metric::Time => "change > 0 is worse: the current run takes longer",
        Metric::Speedup => "change > 0 is worse: the baseline's speedup is higher",
    }
}

/// One row per cell in the files' order, notes above, the counts and the regressed cells
/// below, so the last lines of a CI log say what failed.
pub fn terminal(cmp: &Comparison) -> String {
    let mut out = String::new();
    for note in &cmp.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let header = [
        "workload", "strategy", "workers", "chunk", "baseline", "current", "change", "95% CI", "p",
        "p (Holm)", "mdc", "verdict",
    ];
    let rows: Vec<[String; 12]> = cmp
        .cells
        .iter()
        .map(|c| {
            let verdict = match (&c.verdict, &c.reason) {
                (Verdict::NotComparable | Verdict::Inconclusive, Some(why)) => {
                    format!("{}: {why}", c.verdict.label())
                }
                (v, _) => v.label().into(),
            };
            [
                c.workload.clone(),
                c.strategy.clone(),
                c.workers.to_string(),
                c.chunk.clone().unwrap_or_else(|| "-".into()),
                value(c.baseline.as_ref(), cmp.metric),
                value(c.current.as_ref(), cmp.metric),
                c.ratio.map(change).unwrap_or_else(|| "-".into()),
                interval(c.ci95),
                p_value(c.p_value),
                p_value(c.p_adjusted),
                mdc(c),
                verdict,
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let line = |out: &mut String, cols: &[String]| {
        for (i, col) in cols.iter().enumerate() {
            let fill = " ".repeat(widths[i].saturating_sub(col.chars().count()));
            if i == last {
                out.push_str(col);
            } else if (2..11).contains(&i) && i != 3 {
                let _ = write!(out, "{fill}{col}  ");
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
    let _ = writeln!(
        out,
        "\ncompare: {} ({}; {})",
        counts(cmp),
        settings(cmp),
        orientation(cmp.metric)
    );
    let regressed: Vec<String> = cmp
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Regression)
        .map(|c| {
            format!(
                "{} ({})",
                c.label(),
                c.ratio.map(change).unwrap_or_default()
            )
        })
        .collect();
    if !regressed.is_empty() {
        let _ = writeln!(out, "regressed: {}", regressed.join(", "));
    }
    out
}

/// `--json`: every cell's ratio, interval, raw and adjusted p-value and verdict, with both
/// runs' machines and settings.
pub fn json(cmp: &Comparison) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(cmp)
        .map_err(|e| Error::usage(format!("--json: cannot encode the comparison: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Text safe inside a Markdown table cell.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn md_table(out: &mut String, cells: &[&CellComparison], metric: Metric) {
    out.push_str("| cell | baseline | current | change | 95% CI | p (Holm) | mdc |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for c in cells {
        let chunk = c
            .chunk
            .as_deref()
            .map(|k| format!(" (chunk {k})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}`{} | {} | {} | **{}** | {} | {} | {} |",
            md(&c.label()),
            md(&chunk),
            value(c.baseline.as_ref(), metric),
            value(c.current.as_ref(), metric),
            c.ratio.map(change).unwrap_or_else(|| "-".into()),
            interval(c.ci95),
            p_value(c.p_adjusted),
            mdc(c),
        );
    }
}

/// `--markdown`: a summary for a pull-request comment: regressions first, then improvements,
/// then how many cells did not change, then what could not be compared and where each side
/// ran.
pub fn markdown(cmp: &Comparison) -> String {
    let mut out = String::new();
    let of = |v: Verdict| -> Vec<&CellComparison> {
        cmp.cells.iter().filter(|c| c.verdict == v).collect()
    };
    let (regressions, improvements) = (of(Verdict::Regression), of(Verdict::Improvement));
    let title = if regressions.is_empty() && cmp.summary.inconclusive > 0 {
        format!(
            "no regression found, {} inconclusive",
            cmp.summary.inconclusive
        )
    } else if regressions.is_empty() {
        "no regression".to_string()
    } else {
        plural(regressions.len(), "regression", "regressions")
    };
    let _ = writeln!(out, "### parbench compare: {title}\n");
    let _ = writeln!(
        out,
        "{} — {}; {}.\n",
        counts(cmp),
        settings(cmp),
        orientation(cmp.metric)
    );
    if !regressions.is_empty() {
        out.push_str("#### Regressions\n\n");
        md_table(&mut out, &regressions, cmp.metric);
        out.push('\n');
    }
    if !improvements.is_empty() {
        out.push_str("#### Improvements\n\n");
        md_table(&mut out, &improvements, cmp.metric);
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} unchanged (no significant change beyond {}%).\n",
        plural(cmp.summary.unchanged, "cell", "cells"),
        cmp.threshold_pct
    );
    for (verdict, what) in [
        (Verdict::Inconclusive, "inconclusive"),
        (Verdict::NotComparable, "not comparable"),
    ] {
        let lost = of(verdict);
        if lost.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<details><summary>{} {what}</summary>\n",
            plural(lost.len(), "cell", "cells")
        );
        for c in &lost {
            let _ = writeln!(
                out,
                "- `{}`: {}",
                md(&c.label()),
                md(c.reason.as_deref().unwrap_or(""))
            );
        }
        out.push_str("\n</details>\n\n");
    }
    for note in &cmp.notes {
        let _ = writeln!(out, "> **Note:** {}\n", md(note));
    }
    let (b, c) = (&cmp.baseline, &cmp.current);
    out.push_str("| | baseline | current |\n|---|---|---|\n");
    let rows = [
        ("file", format!("`{}`", b.file), format!("`{}`", c.file)),
        ("machine", b.machine(), c.machine()),
        ("created", b.created.clone(), c.created.clone()),
        (
            "parbench",
            version(&b.parbench_version, b.git_commit.as_deref()),
            version(&c.parbench_version, c.git_commit.as_deref()),
        ),
        (
            "size, scale, samples",
            format!("{}, ×{}, {}", b.size, b.scale, b.samples),
            format!("{}, ×{}, {}", c.size, c.scale, c.samples),
        ),
    ];
    for (name, x, y) in rows {
        let _ = writeln!(out, "| {name} | {} | {} |", md(&x), md(&y));
    }
    out
}

fn version(v: &str, commit: Option<&str>) -> String {
    match commit {
        Some(c) => format!("{v} ({})", &c[..c.len().min(12)]),
        None => v.into(),
    }
}
