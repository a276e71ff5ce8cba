//! `parbench compare`: the regression gate. Reads a baseline and a current results file and
//! gives each cell present in both a verdict — regression, improvement, unchanged or not
//! comparable — from the raw samples, never from the recorded summaries alone.
//!
//! # Method
//!
//! For each cell the *ratio* is oriented so that **> 1 always means worse**:
//!
//! - `--metric time`: median(current samples) / median(baseline samples).
//! - `--metric speedup`: each timed sample of a cell is paired with the sample of the same index
//!   of its workload's `serial` cell in the same run, giving per-sample speedups
//!   `serial[i] / cell[i]`; the ratio is median(baseline speedups) / median(current speedups).
//!   Pairing by index pairs samples taken in the same round when runs interleave cells, so
//!   slow drift of the machine cancels; within one file the serial cell's own noise is carried
//!   into every speedup, which a median of the serial cell alone would hide. The point value
//!   can differ slightly from the `speedup` field of the results file (a ratio of medians).
//!
//! The 95 % interval of the ratio is a percentile bootstrap (each side resampled on its own,
//! seeded per cell so the output is reproducible). The p-value is the two-sided Mann–Whitney
//! rank test of baseline against current values (exact up to 40 values in all, with ties,
//! normal approximation beyond), adjusted by Holm's method over every compared cell, so the
//! chance of any false alarm in the whole comparison stays at α. A regression needs both the
//! interval wholly above 1 + threshold and an adjusted p ≤ α; an improvement needs both below
//! 1 / (1 + threshold).
//!
//! # Rounds are the unit
//!
//! Samples taken one after the other are not independent: a shared machine is slower for
//! seconds at a time (a busy hyperthread sibling on the host, another job), and every sample
//! of a cell taken meanwhile carries the same delay. Treating them as independent makes the
//! interval too narrow and the test too confident, so that rounds 10–40 % apart look like a
//! regression. When both files come from runs with `--rounds` R ≥ 2 (each round measures every
//! cell once, at a different moment), a cell's values are grouped by round: the interval is a
//! two-stage bootstrap (rounds, then samples within them) and the rank test compares the
//! rounds' medians, R against R. Runs of a single round fall back to samples as the unit. A
//! shift of a whole run is shared by all its rounds and stays invisible to either; only the
//! threshold guards against it.
//!
//! # Paired runs
//!
//! Runs made by one `parbench pair` invocation took turns sample by sample on the same machine,
//! so a shift of the machine — the whole run, one core for a while, the host taking the second
//! vCPU — hits both. When both files carry the same pair id and the same rounds of the same
//! number of samples, the samples are compared as pairs: sample i of round r of one side was
//! taken milliseconds from sample i of round r of the other, and their log ratio
//! ln(numerator / denominator) cancels whatever slowed the machine for both. The ratio is exp
//! of the Hodges–Lehmann estimate of all pairs' log ratios (their median beyond 64 pairs; not
//! the ratio of pooled medians, which would let the machine's swings back in); its interval a
//! two-stage bootstrap drawing rounds, then pairs within them; the test the Wilcoxon
//! signed-rank test of the rounds' median log ratios (rounds stay the independent unit), whose
//! smallest p-value over n rounds is 2 / 2ⁿ. The table's baseline and current columns stay the
//! pooled medians.

pub mod chart;
mod model;
mod notes;
pub mod output;
pub mod verdict;

pub use model::*;

use crate::error::Error;
use crate::results::{BASELINE, Cell, CellId, Results};
use crate::stats::inference::{self as stats, Grouped};
use crate::stats::median;
use notes::power_note;
use std::collections::HashMap;
use verdict::Verdict;

/// The name of a cell's bootstrap stream. Its spelling is fixed (not `CellId`'s display), so
/// that the same two files give the same intervals in every version.
fn stream_name(id: &CellId) -> String {
    let chunk = id.chunk.as_deref().unwrap_or("-");
    format!("{}/{}/{}/{chunk}", id.workload, id.strategy, id.workers)
}

/// The cells of a file by identity; a cell seen twice makes the file unusable, since either
/// could be the one meant ([`Results::read`] refuses such files; results built in memory are
/// checked here).
fn index<'a>(file: &str, r: &'a Results) -> Result<HashMap<CellId, &'a Cell>, Error> {
    let mut out = HashMap::new();
    for c in &r.cells {
        if out.insert(CellId::of(c), c).is_some() {
            return Err(Error::usage(format!(
                "{file}: cell {} appears twice",
                CellId::of(c)
            )));
        }
    }
    Ok(out)
}

/// A cell's timings if they can be compared, or why not.
fn usable<'a>(c: &'a Cell, side: &str) -> Result<&'a [f64], String> {
    if let Some(why) = &c.skipped {
        return Err(format!("skipped in {side}: {why}"));
    }
    if !c.verified {
        return Err(format!("failed verification in {side}: {}", c.check));
    }
    if c.samples_s.is_empty() {
        return Err(format!("no samples in {side}"));
    }
    if c.samples_s.iter().any(|s| !s.is_finite() || *s <= 0.0) {
        return Err(format!("non-positive or non-finite sample in {side}"));
    }
    Ok(&c.samples_s)
}

/// The values one side contributes for `metric`, with their description.
fn side_values(
    c: &Cell,
    run: &Results,
    metric: Metric,
    side: &str,
) -> Result<(Vec<f64>, Side), String> {
    let times = usable(c, side)?;
    let median_s = median(times).expect("non-empty");
    match metric {
        Metric::Time => Ok((
            times.to_vec(),
            Side {
                samples: times.len(),
                rounds: rounds_of(times.len(), run),
                median_s,
                speedup: None,
            },
        )),
        Metric::Speedup => {
            if c.strategy == BASELINE {
                return Err(
                    "serial is the reference of every speedup (compare it with --metric time)"
                        .into(),
                );
            }
            let serial = run
                .cells
                .iter()
                .find(|s| s.workload == c.workload && s.strategy == BASELINE)
                .ok_or_else(|| format!("no serial cell of {} in {side}", c.workload))?;
            let serial = usable(serial, side).map_err(|why| format!("serial cell {why}"))?;
            let speedups: Vec<f64> = serial.iter().zip(times).map(|(s, t)| s / t).collect();
            Ok((
                speedups.clone(),
                Side {
                    samples: speedups.len(),
                    rounds: rounds_of(speedups.len(), run),
                    median_s,
                    speedup: median(&speedups),
                },
            ))
        }
    }
}

/// How many rounds `n` samples of a cell of `run` came from: the run's `--rounds` when the
/// samples fill them all, else 1 (the values are then taken as one group).
fn rounds_of(n: usize, run: &Results) -> usize {
    let (r, s) = (run.config.rounds, run.config.samples);
    if r >= 2 && n == r * s { r } else { 1 }
}

/// The same machine as far as timings go: the same CPU model and the same logical core count.
fn same_machine(a: &Results, b: &Results) -> bool {
    a.machine.cpu_model == b.machine.cpu_model && a.machine.logical_cores == b.machine.logical_cores
}

/// Compares `cur` against `base`. Errors (exit 2) when the two cannot be compared at all:
/// different sizes, different machines for a time comparison, no cell in common.
pub fn compare(
    base_file: &str,
    base: &Results,
    cur_file: &str,
    cur: &Results,
    opts: &Criteria,
) -> Result<Comparison, Error> {
    if base.config.size != cur.config.size {
        return Err(Error::usage(format!(
            "{base_file} and {cur_file} were run at different sizes (--size {} vs --size {}): \
             their cells do different work; rerun one of them at the other's size",
            base.config.size, cur.config.size
        )));
    }
    let machines_differ = !same_machine(base, cur);
    if machines_differ && opts.metric == Metric::Time && !opts.allow_machine_mismatch {
        return Err(Error::usage(format!(
            "{base_file} and {cur_file} come from different machines ('{}', {} logical cores \
             vs '{}', {}): their times are not comparable; use --metric speedup (recommended \
             across machines) or --allow-machine-mismatch",
            base.machine.cpu_model,
            base.machine.logical_cores,
            cur.machine.cpu_model,
            cur.machine.logical_cores
        )));
    }
    let paired = base.config.pair_id.is_some() && base.config.pair_id == cur.config.pair_id;
    let base_cells = index(base_file, base)?;
    let cur_cells = index(cur_file, cur)?;
    if !base_cells.keys().any(|k| cur_cells.contains_key(k)) {
        return Err(Error::usage(format!(
            "{base_file} and {cur_file} have no cell in common (same workloads, strategies, \
             worker counts and chunk): nothing to compare"
        )));
    }

    // Baseline order first, then cells only the current run has, so the output follows the
    // files a reader has open.
    let mut keys: Vec<CellId> = base.cells.iter().map(CellId::of).collect();
    keys.extend(
        cur.cells
            .iter()
            .map(CellId::of)
            .filter(|k| !base_cells.contains_key(k)),
    );

    let threshold = opts.threshold_pct / 100.0;
    let mut cells = Vec::with_capacity(keys.len());
    for k in &keys {
        let mut out = CellComparison {
            workload: k.workload.clone(),
            strategy: k.strategy.clone(),
            workers: k.workers,
            chunk: k.chunk.clone(),
            verdict: Verdict::NotComparable,
            reason: None,
            baseline: None,
            current: None,
            ratio: None,
            ci95: None,
            p_value: None,
            p_adjusted: None,
            test: None,
            unit: None,
        };
        let b = base_cells
            .get(k)
            .ok_or_else(|| "missing in baseline".to_string())
            .and_then(|c| side_values(c, base, opts.metric, "baseline"));
        let c = cur_cells
            .get(k)
            .ok_or_else(|| "missing in current".to_string())
            .and_then(|c| side_values(c, cur, opts.metric, "current"));
        match (b, c) {
            (Ok((bv, bs)), Ok((cv, cs))) => {
                let unit =
                    if paired && bs.rounds >= 2 && bs.rounds == cs.rounds && bv.len() == cv.len() {
                        Unit::Pair
                    } else if bs.rounds >= 2 && cs.rounds >= 2 {
                        Unit::Round
                    } else {
                        Unit::Sample
                    };
                let per_round = |n: usize, rounds: usize| {
                    if unit == Unit::Sample { n } else { n / rounds }
                };
                let bg = Grouped::new(&bv, per_round(bv.len(), bs.rounds));
                let cg = Grouped::new(&cv, per_round(cv.len(), cs.rounds));
                let (ng, dg) = match opts.metric {
                    Metric::Time => (&cg, &bg),
                    Metric::Speedup => (&bg, &cg),
                };
                let mut rng = stats::cell_rng(&stream_name(k));
                let test = match unit {
                    Unit::Pair => {
                        let pairs = stats::Paired::new(ng, dg).expect("rounds pair up");
                        let (ratio, ci) = pairs.ratio(&mut rng);
                        out.ratio = Some(ratio);
                        out.ci95 = Some(ci);
                        stats::signed_rank(&pairs.round_logs())
                    }
                    Unit::Round | Unit::Sample => {
                        // The sides' medians were taken in `side_values` already.
                        out.ratio = Some(match opts.metric {
                            Metric::Time => cs.median_s / bs.median_s,
                            Metric::Speedup => {
                                bs.speedup.expect("speedup side")
                                    / cs.speedup.expect("speedup side")
                            }
                        });
                        out.ci95 = stats::grouped_ratio_interval(ng, dg, &mut rng);
                        if unit == Unit::Round {
                            stats::mann_whitney(&bg.round_medians(), &cg.round_medians())
                        } else {
                            stats::mann_whitney(&bv, &cv)
                        }
                    }
                }
                .expect("non-empty");
                out.p_value = Some(test.p_value);
                out.test = Some(test.method);
                out.unit = Some(unit);
                out.baseline = Some(bs);
                out.current = Some(cs);
            }
            (b, c) => {
                let mut reasons: Vec<String> = [b.as_ref().err(), c.as_ref().err()]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                reasons.dedup();
                out.reason = Some(reasons.join("; "));
                out.baseline = b.ok().map(|v| v.1);
                out.current = c.ok().map(|v| v.1);
            }
        }
        cells.push(out);
    }

    let compared: Vec<usize> = (0..cells.len())
        .filter(|&i| cells[i].p_value.is_some())
        .collect();
    let raw: Vec<f64> = compared
        .iter()
        .map(|&i| cells[i].p_value.expect("compared"))
        .collect();
    for (&i, adj) in compared.iter().zip(stats::holm(&raw)) {
        let cell = &mut cells[i];
        cell.p_adjusted = Some(adj);
        cell.verdict = verdict::verdict(cell.ci95.expect("compared"), adj, threshold, opts.alpha);
    }

    let mut summary = Summary {
        compared: compared.len(),
        ..Summary::default()
    };
    for c in &cells {
        match c.verdict {
            Verdict::Regression => summary.regressions += 1,
            Verdict::Improvement => summary.improvements += 1,
            Verdict::Unchanged => summary.unchanged += 1,
            Verdict::NotComparable => summary.not_comparable += 1,
        }
    }

    let mut notes = Vec::new();
    if base.config.scale != cur.config.scale {
        notes.push(format!(
            "the runs used different --scale ({} in the baseline, {} in the current run): each \
             task does {:+.1}% work, so changes of that size are expected (this is how the gate \
             itself is tested)",
            base.config.scale,
            cur.config.scale,
            (cur.config.scale / base.config.scale - 1.0) * 100.0
        ));
    }
    if base.config.seed != cur.config.seed {
        notes.push(format!(
            "the runs used different --seed ({} vs {}): the tasks' inputs differ",
            base.config.seed, cur.config.seed
        ));
    }
    if machines_differ {
        notes.push(match opts.metric {
            Metric::Time => "the runs come from different machines and --allow-machine-mismatch \
                             was given: time ratios mix the code's change with the hardware's"
                .to_string(),
            Metric::Speedup => "the runs come from different machines: speedups are compared, \
                                which still depend on each machine's cores and memory"
                .to_string(),
        });
    }
    if paired {
        let pairs = cells.iter().filter(|c| c.unit == Some(Unit::Pair)).count();
        notes.push(format!(
            "the runs took turns sample by sample (parbench pair): {pairs} of {} compared cells \
             are judged on samples taken side by side, which cancels what slowed the machine \
             for both",
            compared.len()
        ));
    }
    if let Some(note) = power_note(&cells, compared.len(), opts.alpha) {
        notes.push(note);
    }

    Ok(Comparison {
        schema: SCHEMA,
        metric: opts.metric,
        threshold_pct: opts.threshold_pct,
        alpha: opts.alpha,
        correction: "holm",
        test: "two-sided: wilcoxon signed-rank of the rounds' median log ratios for paired runs, \
               else mann-whitney-u of round medians when both runs have rounds, else of samples",
        interval: format!(
            "percentile bootstrap (rounds, then samples within them) of the ratio of medians, \
             or for paired runs of exp(Hodges-Lehmann, beyond 64 pairs the median, of the \
             paired samples' log ratios), pairs kept together; {} resamples, 95 %",
            stats::BOOTSTRAP_RESAMPLES
        ),
        baseline: RunInfo::new(base_file, base),
        current: RunInfo::new(cur_file, cur),
        notes,
        summary,
        cells,
    })
}
