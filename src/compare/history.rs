//! `parbench compare --history`: one current run judged against the stored runs of the same
//! machine and configuration, without building the base.
//!
//! Rounds of one run share that run's minutes on the machine, and on a shared VM whole runs
//! shift by several percent (see docs/ARCHITECTURE.md, "History"): a comparison of two
//! separate runs sees only the rounds' spread and mistakes such a shift for the code's. A
//! history measures the spread that matters, run to run. Each run's value of a cell is the
//! mean of its rounds' log medians (what `compare` averages); the current run's value is
//! judged against the last runs' values by the prediction interval of one new value, Student's
//! t with the history's variance times (1 + 1/n) — the two-sample t-test with one value on
//! one side, which is how [`TwoSample`] computes it — each cell's variance moderated towards
//! the one pooled over its workload's cells, Holm's correction over the cells, and
//! `compare`'s verdict rule. A cell whose history holds a step (a change point,
//! [`crate::stats::changepoint`]) is judged against the runs since its last step only, so
//! that an old level does not widen the interval or pull its centre.

use super::model::{CellComparison, Criteria, GroupPrior, Metric, RunInfo, Side, Unit};
use super::notes;
use super::values::side_values;
use super::{Comparison, Pending, SCHEMA, index, judge, machine::Reference, mean, stream_name};
use crate::error::Error;
use crate::results::{CellId, Results};
use crate::stats::changepoint::{self, Settings};
use crate::stats::median;
use crate::stats::moderated::TwoSample;
use std::collections::HashMap;

/// The fewest runs of a cell at its current level that give its spread (two degrees of
/// freedom; the moderation lends more).
pub const MIN_RUNS: usize = 3;

/// A stored run, as the history gives it to the comparison (oldest first).
pub struct HistoryRun<'a> {
    /// How the notes name it: "run 12 (3f2a9c1d0e)".
    pub label: String,
    pub results: &'a Results,
}

/// One cell's values in the history, oldest first, with the label of the run of each.
struct CellHistory<'a> {
    logs: Vec<f64>,
    labels: Vec<&'a str>,
    samples: usize,
    medians: Vec<f64>,
}

/// Compares `cur` against `history` (the runs to learn the spread from, oldest first; the
/// caller chose them by machine and configuration). `store` names the history in the output.
pub fn against_history(
    store: &str,
    history: &[HistoryRun<'_>],
    cur_file: &str,
    cur: &Results,
    opts: &Criteria,
) -> Result<Comparison, Error> {
    let latest = history
        .last()
        .ok_or_else(|| Error::usage(format!("--history {store}: no stored run to compare with")))?;
    let cur_cells = index(cur_file, cur)?;
    let keys: Vec<CellId> = cur.cells.iter().map(CellId::of).collect();
    let indexed: Vec<HashMap<CellId, _>> = history
        .iter()
        .map(|h| index(&h.label, h.results))
        .collect::<Result<_, _>>()?;
    let settings = Settings::default();

    let mut cells = Vec::with_capacity(keys.len());
    let mut pending = Vec::new();
    let mut stepped = Vec::new();
    for k in &keys {
        let mut out = CellComparison::blank(k);
        out.unit = Some(Unit::Run);
        let current = side_values(cur_cells[k], cur, opts.metric, "current");
        let mut past = CellHistory {
            logs: Vec::new(),
            labels: Vec::new(),
            samples: 0,
            medians: Vec::new(),
        };
        for (h, cells_of) in history.iter().zip(&indexed) {
            let Some(c) = cells_of.get(k) else { continue };
            // A run where the cell failed or was skipped says nothing of its speed.
            if let Ok(v) = side_values(c, h.results, opts.metric, "history")
                && !v.round_logs.is_empty()
            {
                past.logs.push(mean(&v.round_logs));
                past.labels.push(&h.label);
                past.samples += v.side.samples;
                past.medians.push(v.side.median_s);
            }
        }
        let current = match current {
            Ok(v) if !v.round_logs.is_empty() => v,
            Ok(_) => {
                out.reason = Some("no round with a usable median in current".into());
                cells.push(out);
                continue;
            }
            Err(why) => {
                out.reason = Some(why);
                cells.push(out);
                continue;
            }
        };
        let y = mean(&current.round_logs);
        out.current = Some(current.side);
        // Judge against the level the cell is at now: the runs since its last step (a step
        // leaves at least `min_segment` runs on each side, so never too few to judge).
        if let Some(last) = changepoint::detect(&past.logs, &settings, &stream_name(k)).last() {
            stepped.push((k.clone(), past.labels[last.index].to_string()));
            past.logs.drain(..last.index);
            past.labels.drain(..last.index);
            past.medians.drain(..last.index);
        }
        if !past.logs.is_empty() {
            let centre = mean(&past.logs).exp();
            out.baseline = Some(Side {
                samples: past.samples,
                rounds: past.logs.len(),
                median_s: median(&past.medians).expect("non-empty"),
                speedup: (opts.metric == Metric::Speedup).then_some(centre),
            });
        }
        if past.logs.len() < MIN_RUNS {
            out.verdict = super::verdict::Verdict::Inconclusive;
            out.reason = Some(format!(
                "{} usable run(s) of this cell in the history: at least {MIN_RUNS} give its \
                 run-to-run spread",
                past.logs.len()
            ));
            if let Some(b) = (!past.logs.is_empty()).then(|| mean(&past.logs)) {
                out.ratio = Some(match opts.metric {
                    Metric::Time => (y - b).exp(),
                    Metric::Speedup => (b - y).exp(),
                });
            }
            cells.push(out);
            continue;
        }
        let test = match opts.metric {
            Metric::Time => TwoSample::new(&[y], &past.logs),
            Metric::Speedup => TwoSample::new(&past.logs, &[y]),
        }
        .expect("both sides non-empty");
        pending.push(Pending::Rounds(cells.len(), test));
        cells.push(out);
    }

    // The history's spread already holds the machine's run-to-run changes, so neither the
    // reference adjustment nor the uniform-shift guard of two-run comparisons applies: a shift
    // of every cell beyond that spread is flagged.
    // Each workload's cells share a prior: they run one kernel at one size, and their
    // run-to-run noise differs from other workloads' by up to a hundredfold (a sleep against an
    // interpreter loop), which one prior over all cells cannot describe: it raised the quiet
    // cells' spread tenfold.
    let judged = judge(&mut cells, &pending, |c| c.workload.clone(), opts, None);
    let summary = judged.summary(&cells);
    let reference = Reference::Missing(
        "the history's run-to-run spread holds the machine's own changes of speed".into(),
    );
    let mut all_notes = vec![history_note(store, history, &cells)];
    if !stepped.is_empty() {
        let examples: Vec<String> = stepped
            .iter()
            .take(4)
            .map(|(k, at)| format!("{k} (from {at})"))
            .collect();
        all_notes.push(format!(
            "{} cells changed level within the history and are judged against the runs since \
             their last step only: {}{}",
            stepped.len(),
            examples.join(", "),
            if stepped.len() > 4 { ", …" } else { "" }
        ));
    }
    all_notes.extend(notes::notes(&notes::Context {
        base: latest.results,
        cur,
        opts,
        machines_differ: false,
        paired_runs: false,
        cells: &cells,
        summary: &summary,
        reference: &reference,
        uniform: None,
        per_test_alpha: judged.per_test_alpha,
    }));

    let mut baseline = RunInfo::new(store, latest.results);
    baseline.file = format!(
        "{store} ({} runs, {} … {})",
        history.len(),
        history[0].label,
        latest.label
    );
    Ok(Comparison {
        schema: SCHEMA,
        metric: opts.metric,
        threshold_pct: opts.threshold_pct,
        alpha: opts.alpha,
        correction: "holm",
        test: "two-sided Student's t of the current run's value (the mean of its rounds' log \
               medians) against the stored runs' values since the cell's last change point \
               (a prediction interval: variance × (1 + 1/n)), each cell's variance moderated \
               towards the one pooled over its workload's cells (empirical Bayes)",
        interval: "95 % prediction interval on the log scale from the same moderated variance"
            .into(),
        baseline,
        current: RunInfo::new(cur_file, cur),
        notes: all_notes,
        prior: None,
        priors: judged
            .priors
            .iter()
            .map(|(g, p)| GroupPrior {
                group: g.clone(),
                d0: p.d0,
                s0_pct: p.s0_pct,
            })
            .collect(),
        summary,
        cells,
    })
}

/// What the current run was judged against.
fn history_note(store: &str, history: &[HistoryRun<'_>], cells: &[CellComparison]) -> String {
    let runs: Vec<usize> = cells
        .iter()
        .filter(|c| c.p_value.is_some())
        .filter_map(|c| c.baseline.as_ref().map(|b| b.rounds))
        .collect();
    let spread = match (runs.iter().min(), runs.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} runs each"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi} runs each"),
        _ => "no cell with enough runs".into(),
    };
    format!(
        "judged against the history in {store}: the last {} runs of this machine and \
         configuration ({} … {}), {spread}; a cell's verdict is its current value against the \
         spread of its stored runs' values, which holds the machine's run-to-run changes",
        history.len(),
        history[0].label,
        history[history.len() - 1].label
    )
}
