//! `parbench compare`: the regression gate. Reads a baseline and a current results file and
//! gives each cell present in both a verdict — regression, improvement, unchanged,
//! inconclusive or not comparable — from the raw samples, never from the recorded summaries
//! alone. [`history`] judges one run against the stored runs of a history instead, with the
//! same test, correction and verdict ([`judge`]).
//!
//! # Method
//!
//! **Rounds are the unit of evidence.** Samples taken back to back in one process share that
//! process's state (address layout, allocator, the machine's mood of the moment): they agree
//! with each other and say little about the next run. Rounds come from separate fresh
//! processes at different moments, so a cell's samples are grouped by round
//! ([`Cell::rounds`], from `round_samples`, older files from `config.samples`) and each
//! round's median is one observation. For each cell the ratio is oriented so that **> 1 always
//! means worse**:
//!
//! - `--metric time`: a round's value is ln(median of its samples); the ratio is exp(mean of
//!   the current rounds' values − mean of the baseline's), a ratio of geometric means of round
//!   medians.
//! - `--metric speedup`: a round's value is ln(median(serial round r) / median(cell round r)),
//!   the serial cell's round taken in the same process and minutes, so both cells need the
//!   same rounds; the ratio is baseline / current.
//!
//! **The test** is Student's t of the difference of the two sides' mean log values, each
//! cell's variance moderated by the variance pooled over every compared cell (empirical
//! Bayes, limma's moderated t): s̃² = (d0·s0² + d·s²) / (d0 + d) on d0 + d degrees of
//! freedom, s0² and d0 fitted to the spread of the cells' variances
//! ([`crate::stats::moderated::Prior::fit`]; d0 at most the cells' total degrees of freedom), and
//! never below the cell's own s². Four rounds a side give a cell 6 degrees of freedom of its
//! own, far too few to pass Holm over 150 cells (t ≈ 7 needed); the borrowed ones bring that
//! near 3.8 when the cells' noise is alike, while a cell noisier than its neighbours keeps its
//! own variance. The 95 % interval is the t interval on the log scale from the same variance,
//! so interval and test agree. p-values are adjusted by Holm's method over every compared
//! cell, so the chance of any false alarm in the whole comparison stays at α. A regression
//! needs both the interval wholly above 1 + threshold and an adjusted p ≤ α; an improvement
//! needs both below 1 / (1 + threshold).
//!
//! **No significance without independent evidence.** A side with fewer than two rounds (files
//! from before rounds were the default) makes the cell *inconclusive*: its ratio is shown, no
//! test is run, and the reason says to rerun with `--rounds ≥ 3`. A shift of a whole run is
//! shared by every round of it and invisible to any test within the run; so for `--metric
//! time`, when the runs carry no usable machine reference and at least
//! [`UNIFORM_SHARE`] (80 %) of the cells tested on rounds moved the same way beyond the threshold,
//! the comparison cannot tell that from the machine changing speed: every cell it would have
//! flagged becomes inconclusive, with a note. (Speedups divide the machine's speed out; paired
//! cells see it on both sides.)
//!
//! **The machine-speed reference** (`Results::reference`: a fixed kernel timed after every
//! cell of every round) measures that shift instead. When both files timed the same kernel in
//! two or more rounds, the machine's ratio (current / baseline) gets the same t-test and
//! interval (from its rounds' log medians, unmoderated) and is reported in the summary and a
//! note. If it moved significantly (p ≤ α) a time comparison judges each cell on its ratio
//! divided by the machine's, the two variances added (Welch–Satterthwaite degrees of
//! freedom); with a steady reference a shift of every cell (`--scale 1.25`) is the code's,
//! and flagged.
//!
//! **Minimum detectable change.** Each compared cell reports `mdc_pct`: the change its test
//! would flag with 80 % power at its measured (moderated) noise and rounds, at the two-sided
//! level α / m (Holm's first step: conservative), (t₁₋α/2m + t₀.₈) · se on the log scale,
//! and never below the threshold (a smaller change is not flagged whatever the test says;
//! right at the threshold the interval rule flags it about half the time). The summary gives
//! the median and how many cells can detect a change of the threshold's size.
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
//! pooled medians. A paired cell's minimum detectable change is the t approximation of its
//! rounds' log ratios, or none ("never") when 2 / 2ⁿ cannot reach α / m; the machine
//! reference is reported but not divided out (both sides saw the same machine).

pub mod chart;
pub mod history;
mod machine;
mod model;
mod notes;
pub mod output;
mod values;
pub mod verdict;

#[cfg(test)]
mod tests;

pub use machine::round_logs as reference_logs;
pub use model::*;
pub use values::run_logs;

use crate::error::Error;
use crate::results::{Cell, CellId, Results};
use crate::stats::inference::{self as stats, Grouped, Method};
use crate::stats::median;
use crate::stats::moderated::{Estimate, Prior, TwoSample};
use machine::Reference;
use std::collections::HashMap;
use values::{SideValues, side_values};
use verdict::Verdict;

/// The power at which a cell's minimum detectable change is stated.
pub const MDC_POWER: f64 = 0.8;

/// The share of tested cells that, moving the same way beyond the threshold with no machine
/// reference, makes a comparison unable to tell the code from the machine.
pub const UNIFORM_SHARE: f64 = 0.8;

/// The name of a cell's random stream (bootstrap, change-point permutations). Its spelling is
/// fixed (not `CellId`'s display), so that the same files give the same answers in every
/// version, and the history report and `compare --history` shuffle a cell alike.
pub fn stream_name(id: &CellId) -> String {
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

/// The same machine as far as timings go: the same CPU model and the same logical core count.
fn same_machine(a: &Results, b: &Results) -> bool {
    a.machine.cpu_model == b.machine.cpu_model && a.machine.logical_cores == b.machine.logical_cores
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Why a side of fewer than two rounds supports no verdict, and what would.
fn one_round_reason(base: usize, cur: usize) -> String {
    let sides = match (base < 2, cur < 2) {
        (true, true) => "one round per side",
        (true, false) => "one round in the baseline",
        _ => "one round in the current run",
    };
    format!(
        "{sides} (samples taken back to back in one process share its state and are not \
         independent evidence): rerun with --rounds ≥ 3"
    )
}

/// A compared cell's test, before the family-wise correction.
pub(crate) enum Pending {
    /// Rounds as independent observations, to be moderated by the prior of all such cells.
    Rounds(usize, TwoSample),
    /// Paired rounds: the signed-rank test's p-value, and a t approximation of the rounds'
    /// log ratios for the detectable change.
    Pair(usize, f64, Method, Estimate),
}

/// The paired comparison of one cell (`parbench pair`): samples kept with their partners.
fn paired(
    out: &mut CellComparison,
    num: &SideValues,
    den: &SideValues,
    per_round: usize,
    key: &CellId,
) -> (f64, Method, Estimate) {
    let (ng, dg) = (
        Grouped::new(&num.samples, per_round),
        Grouped::new(&den.samples, per_round),
    );
    let pairs = stats::Paired::new(&ng, &dg).expect("rounds pair up");
    let (ratio, ci) = pairs.ratio(&mut stats::cell_rng(&stream_name(key)));
    out.ratio = Some(ratio);
    out.ci95 = Some(ci);
    let logs = pairs.round_logs();
    let test = stats::signed_rank(&logs).expect("non-empty");
    let (n, m) = (logs.len() as f64, mean(&logs));
    let s2 = logs.iter().map(|l| (l - m) * (l - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (
        test.p_value,
        test.method,
        Estimate::new(m, (s2 / n).sqrt(), n - 1.0),
    )
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
    let paired_runs = base.config.pair_id.is_some() && base.config.pair_id == cur.config.pair_id;
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
    let mut pending = Vec::new();
    for k in &keys {
        let mut out = CellComparison::blank(k);
        let b = base_cells
            .get(k)
            .ok_or_else(|| "missing in baseline".to_string())
            .and_then(|c| side_values(c, base, opts.metric, "baseline"));
        let c = cur_cells
            .get(k)
            .ok_or_else(|| "missing in current".to_string())
            .and_then(|c| side_values(c, cur, opts.metric, "current"));
        match (b, c) {
            (Ok(b), Ok(c)) => {
                let (num, den) = match opts.metric {
                    Metric::Time => (&c, &b),
                    Metric::Speedup => (&b, &c),
                };
                let i = cells.len();
                match (b.per_round, c.per_round) {
                    (Some(pb), Some(pc))
                        if paired_runs && pb == pc && b.samples.len() == c.samples.len() =>
                    {
                        let (p, method, spread) = paired(&mut out, num, den, pb, k);
                        out.unit = Some(Unit::Pair);
                        pending.push(Pending::Pair(i, p, method, spread));
                    }
                    _ => {
                        out.unit = Some(Unit::Round);
                        if b.side.rounds >= 2 && c.side.rounds >= 2 {
                            let t = TwoSample::new(&num.round_logs, &den.round_logs)
                                .expect("two rounds a side");
                            pending.push(Pending::Rounds(i, t));
                        } else {
                            if !num.round_logs.is_empty() && !den.round_logs.is_empty() {
                                let d = mean(&num.round_logs) - mean(&den.round_logs);
                                out.ratio = Some(d.exp());
                            }
                            out.verdict = Verdict::Inconclusive;
                            out.reason = Some(one_round_reason(b.side.rounds, c.side.rounds));
                        }
                    }
                }
                out.baseline = Some(b.side);
                out.current = Some(c.side);
            }
            (b, c) => {
                let mut reasons: Vec<String> = [b.as_ref().err(), c.as_ref().err()]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                reasons.dedup();
                out.reason = Some(reasons.join("; "));
                out.baseline = b.ok().map(|v| v.side);
                out.current = c.ok().map(|v| v.side);
            }
        }
        cells.push(out);
    }

    let reference = machine::reference(base, cur);
    let shift = match &reference {
        Reference::Measured { shift, .. } => Some(*shift),
        Reference::Missing(_) => None,
    };
    // Speedups divide out the machine's speed already; times are judged relative to it only
    // when it moved, since its noise would otherwise widen every interval for nothing.
    let adjust = opts.metric == Metric::Time && shift.is_some_and(|s| s.p_value <= opts.alpha);
    let judged = judge(
        &mut cells,
        &pending,
        |_| String::new(),
        opts,
        adjust.then_some(shift).flatten(),
    );

    let uniform = if opts.metric == Metric::Time && shift.is_none() {
        verdict::uniform_shift(&mut cells, threshold)
    } else {
        None
    };
    let mut summary = judged.summary(&cells);
    summary.machine_ratio = shift.map(|s| s.log_ratio.exp());
    summary.machine_ci95 = shift.map(|s| s.ci95.map(f64::exp));
    summary.machine_p_value = shift.map(|s| s.p_value);
    summary.machine_adjusted = adjust;

    let notes = notes::notes(&notes::Context {
        base,
        cur,
        opts,
        machines_differ,
        paired_runs,
        cells: &cells,
        summary: &summary,
        reference: &reference,
        uniform,
        per_test_alpha: judged.per_test_alpha,
    });

    Ok(Comparison {
        schema: SCHEMA,
        metric: opts.metric,
        threshold_pct: opts.threshold_pct,
        alpha: opts.alpha,
        correction: "holm",
        test: "two-sided: for separate runs Student's t of the rounds' log median times (or \
               log speedups), each cell's variance moderated towards the one pooled over all \
               cells (empirical Bayes); for paired runs the wilcoxon signed-rank test of the \
               rounds' median log ratios",
        interval: format!(
            "t interval on the log scale from the same moderated variance, or for paired runs \
             a percentile bootstrap (rounds, then pairs within them; {} resamples) of \
             exp(Hodges-Lehmann, beyond 64 pairs the median, of the paired samples' log \
             ratios); 95 %",
            stats::BOOTSTRAP_RESAMPLES
        ),
        baseline: RunInfo::new(base_file, base),
        current: RunInfo::new(cur_file, cur),
        notes,
        prior: judged.priors.first().map(|(_, p)| *p),
        priors: Vec::new(),
        summary,
        cells,
    })
}

/// What judging the tested cells left for the summary and the notes.
pub(crate) struct Judged {
    pub compared: usize,
    pub per_test_alpha: f64,
    /// The prior of each group of cells, by group name (one unnamed group for two files).
    pub priors: Vec<(String, PriorInfo)>,
    /// Per tested cell: whether its noise keeps it from detecting a change of the threshold.
    noise_limited: Vec<bool>,
}

impl Judged {
    /// The summary's counts and detectable changes (the machine fields left empty).
    pub fn summary(&self, cells: &[CellComparison]) -> Summary {
        let mdcs: Vec<f64> = cells.iter().filter_map(|c| c.mdc_pct).collect();
        let mut summary = Summary {
            compared: self.compared,
            mdc_median_pct: median(&mdcs),
            mdc_at_threshold: self.noise_limited.iter().filter(|&&n| !n).count(),
            ..Summary::default()
        };
        for c in cells {
            match c.verdict {
                Verdict::Regression => summary.regressions += 1,
                Verdict::Improvement => summary.improvements += 1,
                Verdict::Unchanged => summary.unchanged += 1,
                Verdict::NotComparable => summary.not_comparable += 1,
                Verdict::Inconclusive => summary.inconclusive += 1,
            }
        }
        summary
    }
}

/// Tests every pending cell and gives it its verdict: the moderated t-test for cells judged on
/// independent values (rounds, or runs of a history), its variance moderated by the prior
/// fitted to the cells of its group (`group` of a cell), relative to the machine's `shift` when
/// given; Holm's correction over every tested cell; the interval-and-p rule of
/// [`verdict::verdict`].
pub(crate) fn judge(
    cells: &mut [CellComparison],
    pending: &[Pending],
    group: impl Fn(&CellComparison) -> String,
    opts: &Criteria,
    shift: Option<Estimate>,
) -> Judged {
    let threshold = opts.threshold_pct / 100.0;
    // The prior of the variances of each group, learnt from its cells tested on independent
    // values, in the order the groups first appear.
    let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for p in pending {
        if let Pending::Rounds(i, t) = p {
            let name = group(&cells[*i]);
            match groups.iter_mut().find(|(g, _)| *g == name) {
                Some((_, v)) => v.push((t.s2, t.df)),
                None => groups.push((name, vec![(t.s2, t.df)])),
            }
        }
    }
    let priors: Vec<(String, Prior)> = groups
        .iter()
        .map(|(g, v)| (g.clone(), Prior::fit(v)))
        .collect();
    let prior_of = |cell: &CellComparison| {
        let name = group(cell);
        priors
            .iter()
            .find(|(g, _)| *g == name)
            .map_or(Prior::NONE, |(_, p)| *p)
    };
    let m = pending.len();
    let per_test_alpha = if m > 0 {
        opts.alpha / m as f64
    } else {
        opts.alpha
    };
    let mut raw = Vec::with_capacity(m);
    let mut noise_limited = Vec::with_capacity(m);
    for p in pending {
        let (i, p_value, method, estimate) = match p {
            Pending::Rounds(i, t) => {
                let mut e = t.moderated(&prior_of(&cells[*i]));
                if let Some(shift) = &shift {
                    e = e.relative_to(shift);
                    cells[*i].machine_adjusted = true;
                }
                let cell = &mut cells[*i];
                cell.ratio = Some(e.log_ratio.exp());
                cell.ci95 = Some(e.ci95.map(f64::exp));
                cell.df = Some(e.df);
                (*i, e.p_value, Method::ModeratedT, e)
            }
            Pending::Pair(i, p, method, spread) => (*i, *p, *method, *spread),
        };
        let cell = &mut cells[i];
        cell.p_value = Some(p_value);
        cell.test = Some(method);
        let reachable = match cell.unit {
            Some(Unit::Pair) => {
                stats::smallest_signed_p(cell.baseline.as_ref().map_or(0, |s| s.rounds))
                    <= per_test_alpha
            }
            _ => true,
        };
        let detectable = estimate
            .detectable(per_test_alpha, MDC_POWER)
            .filter(|_| reachable)
            .map(|d| (d.exp() - 1.0) * 100.0);
        cell.mdc_pct = detectable.map(|d| d.max(opts.threshold_pct));
        noise_limited.push(detectable.is_none_or(|d| d > opts.threshold_pct));
        raw.push((i, p_value));
    }
    let adjusted = stats::holm(&raw.iter().map(|r| r.1).collect::<Vec<_>>());
    for (&(i, _), adj) in raw.iter().zip(adjusted) {
        let cell = &mut cells[i];
        cell.p_adjusted = Some(adj);
        cell.verdict = verdict::verdict(cell.ci95.expect("tested"), adj, threshold, opts.alpha);
    }
    Judged {
        compared: m,
        per_test_alpha,
        priors: priors
            .into_iter()
            .map(|(g, p)| {
                let info = PriorInfo {
                    d0: p.d0,
                    s0_pct: p.s0_sq.sqrt() * 100.0,
                };
                (g, info)
            })
            .collect(),
        noise_limited,
    }
}
