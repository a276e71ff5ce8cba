//! `parbench history report`: per series, a table of the stored runs, a table of every change
//! point (regressions and improvements, with the commits that hold them), and a trend chart
//! per cell; written as report.md and a self-contained report.html beside the charts' SVG and
//! PNG files, as `parbench report` writes its own.

use super::chart;
use super::store::{Series, Store};
use super::trend::{CellTrend, reference_trend, trends};
use crate::error::Error;
use crate::plot::Chart;
use crate::report::document::{Block, Document};
use crate::report::{stem_for, write_document};
use crate::units;
use std::path::{Path, PathBuf};

fn heading(level: u8, text: impl Into<String>, id: impl Into<String>) -> Block {
    Block::Heading {
        level,
        text: text.into(),
        id: id.into(),
    }
}

fn pct(ratio: f64) -> String {
    format!("{:+.1} %", (ratio - 1.0) * 100.0)
}

/// The rows of the change-point table of one series: the largest changes first.
fn step_rows(trends: &[CellTrend]) -> Vec<Vec<String>> {
    let mut steps: Vec<(&CellTrend, &super::trend::Step)> = trends
        .iter()
        .flat_map(|t| t.steps.iter().map(move |s| (t, s)))
        .collect();
    steps.sort_by(|a, b| b.1.ratio.ln().abs().total_cmp(&a.1.ratio.ln().abs()));
    steps
        .into_iter()
        .map(|(t, s)| {
            let before = &t.levels[t.levels.iter().position(|l| l.to == s.index).unwrap_or(0)];
            let after = &t.levels[t.levels.iter().position(|l| l.from == s.index).unwrap_or(0)];
            vec![
                if s.ratio > 1.0 {
                    "regression".into()
                } else {
                    "improvement".into()
                },
                format!("`{}`", t.name),
                pct(s.ratio),
                format!(
                    "{} → {}",
                    units::seconds(before.centre_s),
                    units::seconds(after.centre_s)
                ),
                format!("{} → {}", s.before_run, s.after_run),
                format!("`{}..{}`", s.before_commit, s.after_commit),
                format!("{:.3}", s.p_value),
            ]
        })
        .collect()
}

/// A share of the cells beyond which steps at one boundary, all one way, are read as a shift of
/// the whole run rather than as that many separate changes.
const SHARED: f64 = 0.2;

/// The boundaries between runs where cells stepped, most steps first: how many cells stepped
/// each way, out of the cells measured on both sides, and what the machine reference did
/// between those two runs. Many cells stepping together is a shift of the whole run: the
/// machine (its reference moves too), or a change that touched everything.
fn boundary_rows(trends: &[CellTrend], reference: Option<&CellTrend>) -> Vec<Vec<String>> {
    let mut bounds: Vec<(usize, usize, String, usize, usize)> = Vec::new();
    for t in trends {
        for st in &t.steps {
            let key = (st.before_run, st.after_run);
            let i = match bounds.iter().position(|b| (b.0, b.1) == key) {
                Some(i) => i,
                None => {
                    let commits = format!("`{}..{}`", st.before_commit, st.after_commit);
                    bounds.push((key.0, key.1, commits, 0, 0));
                    bounds.len() - 1
                }
            };
            if st.ratio > 1.0 {
                bounds[i].3 += 1;
            } else {
                bounds[i].4 += 1;
            }
        }
    }
    bounds.sort_by_key(|b| std::cmp::Reverse(b.3 + b.4));
    bounds
        .into_iter()
        .map(|(before, after, commits, slower, faster)| {
            let measured = trends
                .iter()
                .filter(|t| {
                    let runs: Vec<usize> = t.points.iter().map(|p| p.run).collect();
                    runs.contains(&before) && runs.contains(&after)
                })
                .count()
                .max(1);
            let machine = reference.and_then(|r| {
                let at = |run| r.points.iter().find(|p| p.run == run).map(|p| p.value_s);
                Some(pct(at(after)? / at(before)?))
            });
            let shared = slower.max(faster) as f64 / measured as f64 >= SHARED;
            vec![
                format!("{before} → {after}"),
                commits,
                format!("{slower} slower, {faster} faster of {measured}"),
                machine.unwrap_or_else(|| "-".into()),
                if shared {
                    "a shift of the whole run (the machine, or a change touching every cell)".into()
                } else {
                    "a few cells: see their charts".into()
                },
            ]
        })
        .collect()
}

/// The blocks and charts of one series.
fn series_section(
    s: &Series<'_>,
    trends: &[CellTrend],
    reference: Option<&CellTrend>,
    taken: &mut Vec<String>,
    drawn: &mut Vec<Chart>,
) -> Result<Vec<Block>, Error> {
    let mut blocks = vec![
        heading(2, format!("Series {}", s.id), format!("series-{}", s.id)),
        Block::Paragraph(format!(
            "{} ({} logical cores, {}); `{}`; {} runs.",
            s.machine.cpu_model,
            s.machine.logical_cores,
            s.machine.blas,
            s.config.describe(),
            s.runs.len()
        )),
        heading(3, "Runs", format!("runs-{}", s.id)),
        Block::Table {
            header: ["run", "commit", "made", "added", "cells", "label"]
                .map(String::from)
                .to_vec(),
            rows: s
                .runs
                .iter()
                .map(|e| {
                    vec![
                        e.run.to_string(),
                        format!("`{}`", e.short_commit()),
                        e.created.clone(),
                        e.added.clone(),
                        e.cells.to_string(),
                        e.label.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        },
    ];
    let prefix = s.id.get(..6).unwrap_or(&s.id).to_string();
    if let Some(r) = reference {
        blocks.push(heading(
            3,
            "Machine reference",
            format!("reference-{}", s.id),
        ));
        blocks.push(Block::Paragraph(
            "The fixed kernel every run times after each cell (`reference` in the results \
             file): it moves with the machine, never with parbench's code. A step of many \
             cells where it steps too is the machine's."
                .into(),
        ));
        let stem = stem_for(&format!("{prefix}-"), "machine-reference", taken);
        drawn.push(chart::draw(r, &stem)?);
        blocks.push(Block::Figure {
            stem,
            alt: format!(
                "machine reference: {} runs, {} change points",
                r.points.len(),
                r.steps.len()
            ),
        });
    }
    blocks.push(heading(3, "Change points", format!("steps-{}", s.id)));
    let rows = step_rows(trends);
    let regressions = rows.iter().filter(|r| r[0] == "regression").count();
    blocks.push(Block::Paragraph(format!(
        "{} change points in {} cells ({regressions} slower, {} faster), found by E-divisive \
         means on each cell's log values (permutation test; see docs/ARCHITECTURE.md, \
         \"History\"). A change lies between the two runs and commits given.",
        rows.len(),
        trends.iter().filter(|t| !t.steps.is_empty()).count(),
        rows.len() - regressions
    )));
    let bounds = boundary_rows(trends, reference);
    if !bounds.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "By boundary between runs: when {:.0} % or more of the cells measured on both sides \
             step the same way at once, the table reads it as a shift of the whole run rather \
             than as that many changes of the code; the machine reference's change between the \
             two runs tells the machine's part.",
            SHARED * 100.0
        )));
        blocks.push(Block::Table {
            header: [
                "runs",
                "commits",
                "cells that stepped",
                "machine reference",
                "reading",
            ]
            .map(String::from)
            .to_vec(),
            rows: bounds,
        });
    }
    if !rows.is_empty() {
        blocks.push(Block::Table {
            header: [
                "change",
                "cell",
                "ratio",
                "level before → after",
                "runs",
                "commits",
                "p",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    blocks.push(heading(3, "Trends", format!("trends-{}", s.id)));
    let mut workload = String::new();
    for t in trends {
        let Some(id) = &t.id else { continue };
        if id.workload != workload {
            workload = id.workload.clone();
            blocks.push(heading(
                4,
                workload.clone(),
                format!("{}-{}", s.id, workload),
            ));
        }
        let stem = stem_for(&format!("{prefix}-"), &t.name, taken);
        drawn.push(chart::draw(t, &stem)?);
        blocks.push(Block::Figure {
            stem,
            alt: format!(
                "{}: {} runs, {} change points",
                t.name,
                t.points.len(),
                t.steps.len()
            ),
        });
    }
    Ok(blocks)
}

/// Writes the history report of `store` into `dir`; returns the paths written.
pub fn write(store: &Store, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if store.entries.is_empty() {
        return Err(Error::Input {
            flag: Some("--store"),
            path: store.dir.clone(),
            reason: "the history store holds no run".into(),
        });
    }
    let mut taken = Vec::new();
    let mut drawn = Vec::new();
    let mut blocks = vec![Block::Paragraph(format!(
        "{} runs in `{}`, in {} series (one per machine and configuration; series never mix). \
         Each point is one run's value of a cell: the geometric mean of its rounds' median \
         times, with the 95 % interval from its rounds. Each level between change points is \
         drawn with its 95 % prediction band: where one more run at that level is expected \
         (`parbench compare --history` judges a new run much like this, its spread moderated \
         across cells and Holm-corrected, a change needing to pass the threshold too).",
        store.entries.len(),
        store.dir.display(),
        store.series().len()
    ))];
    for s in store.series() {
        let runs = s
            .runs
            .iter()
            .map(|e| store.load(e).map(|r| (*e, r)))
            .collect::<Result<Vec<_>, _>>()?;
        let trends = trends(&runs);
        let reference = reference_trend(&runs);
        blocks.extend(series_section(
            &s,
            &trends,
            reference.as_ref(),
            &mut taken,
            &mut drawn,
        )?);
    }
    let doc = Document {
        title: "parbench history".into(),
        blocks,
    };
    write_document(&doc, &drawn, dir)
}
