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
pub mod output;
pub mod stats;

use crate::cli::CompareArgs;
use crate::error::Error;
use crate::measure::stats::median;
use crate::results::{self, Cell, Results};
use serde::Serialize;
use stats::{Grouped, Method, Verdict};
use std::collections::HashMap;
use std::process::ExitCode;

/// The schema tag of `--json` output.
pub const SCHEMA: &str = "parbench/compare/v1";

/// What is compared between the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Wall time of each cell: meaningful only on the same machine.
    Time,
    /// Each cell's speedup over serial within its own run: comparable across machines.
    Speedup,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub metric: Metric,
    /// Smallest change that matters, in percent.
    pub threshold_pct: f64,
    /// Family-wise error rate of the whole comparison.
    pub alpha: f64,
    pub allow_machine_mismatch: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            metric: Metric::Time,
            threshold_pct: 5.0,
            alpha: 0.05,
            allow_machine_mismatch: false,
        }
    }
}

/// One side of the comparison as the outputs describe it.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub file: String,
    pub created: String,
    pub parbench_version: String,
    pub git_commit: Option<String>,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub hostname: String,
    pub size: String,
    pub scale: f64,
    pub samples: usize,
    pub seed: u64,
    /// Set when the run was one side of a `parbench pair` invocation.
    pub pair_id: Option<String>,
}

impl RunInfo {
    fn new(file: &str, r: &Results) -> Self {
        RunInfo {
            file: file.into(),
            created: r.created.clone(),
            parbench_version: r.parbench_version.clone(),
            git_commit: r.machine.git_commit.clone(),
            cpu_model: r.machine.cpu_model.clone(),
            logical_cores: r.machine.logical_cores,
            hostname: r.machine.hostname.clone(),
            size: r.config.size.clone(),
            scale: r.config.scale,
            samples: r.config.samples,
            seed: r.config.seed,
            pair_id: r.config.pair_id.clone(),
        }
    }

    /// "CPU model, N logical cores (host)".
    pub fn machine(&self) -> String {
        format!(
            "{}, {} logical cores ({})",
            self.cpu_model, self.logical_cores, self.hostname
        )
    }
}

/// What one side contributed to a cell's comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// Values entering the interval: timed samples, or per-sample speedups.
    pub samples: usize,
    /// Rounds the samples were taken in (`--rounds`).
    pub rounds: usize,
    pub median_s: f64,
    /// Median of the per-sample speedups (`--metric speedup` only).
    pub speedup: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CellComparison {
    pub workload: String,
    pub strategy: String,
    pub workers: usize,
    pub chunk: Option<String>,
    pub verdict: Verdict,
    /// Why the cell is not comparable.
    pub reason: Option<String>,
    pub baseline: Option<Side>,
    pub current: Option<Side>,
    /// > 1 is worse; see the module documentation for each metric.
    pub ratio: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub p_value: Option<f64>,
    /// Holm-adjusted over every compared cell.
    pub p_adjusted: Option<f64>,
    pub test: Option<Method>,
    /// What the rank test compared: the rounds' medians, or the samples themselves.
    pub unit: Option<Unit>,
}

/// The independent observations behind a cell's test and interval (see the module notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Sample i of round r of each side, taken side by side (`parbench pair`); rounds are the
    /// test's observations.
    Pair,
    Round,
    Sample,
}

impl CellComparison {
    pub fn label(&self) -> String {
        format!("{}/{}/{}", self.workload, self.strategy, self.workers)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Cells with a p-value: the size of the family Holm corrects over.
    pub compared: usize,
    pub regressions: usize,
    pub improvements: usize,
    pub unchanged: usize,
    pub not_comparable: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub metric: Metric,
    pub threshold_pct: f64,
    pub alpha: f64,
    pub correction: &'static str,
    pub test: &'static str,
    pub interval: String,
    pub baseline: RunInfo,
    pub current: RunInfo,
    /// Things a reader must know to trust the verdicts (different scale, low power, ...).
    pub notes: Vec<String>,
    pub summary: Summary,
    pub cells: Vec<CellComparison>,
}

impl Comparison {
    pub fn regressed(&self) -> bool {
        self.summary.regressions > 0
    }
}

type Key = (String, String, usize, Option<String>);

fn key(c: &Cell) -> Key {
    (
        c.workload.clone(),
        c.strategy.clone(),
        c.workers,
        c.chunk.clone(),
    )
}

fn key_text(k: &Key) -> String {
    format!("{}/{}/{}/{}", k.0, k.1, k.2, k.3.as_deref().unwrap_or("-"))
}

/// The cells of a file by key; a key seen twice makes the file unusable, since either cell
/// could be the one meant.
fn index<'a>(file: &str, r: &'a Results) -> Result<HashMap<Key, &'a Cell>, Error> {
    let mut out = HashMap::new();
    for c in &r.cells {
        if out.insert(key(c), c).is_some() {
            return Err(Error::usage(format!(
                "{file}: cell {} appears twice",
                key_text(&key(c))
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
            if c.strategy == "serial" {
                return Err(
                    "serial is the reference of every speedup (compare it with --metric time)"
                        .into(),
                );
            }
            let serial = run
                .cells
                .iter()
                .find(|s| s.workload == c.workload && s.strategy == "serial")
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
    opts: &Options,
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
    let mut keys: Vec<Key> = base.cells.iter().map(key).collect();
    keys.extend(
        cur.cells
            .iter()
            .map(key)
            .filter(|k| !base_cells.contains_key(k)),
    );

    let threshold = opts.threshold_pct / 100.0;
    let mut cells = Vec::with_capacity(keys.len());
    for k in &keys {
        let mut out = CellComparison {
            workload: k.0.clone(),
            strategy: k.1.clone(),
            workers: k.2,
            chunk: k.3.clone(),
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
                let mut rng = stats::cell_rng(&key_text(k));
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
        cell.verdict = stats::verdict(cell.ci95.expect("compared"), adj, threshold, opts.alpha);
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

impl Unit {
    /// The smallest p-value the cell's test can give with `n` values on each side (`n`
    /// pairs for paired rounds): what decides whether Holm's correction leaves it any chance.
    fn smallest_p(self, n_base: usize, n_cur: usize) -> f64 {
        match self {
            Unit::Pair => stats::smallest_signed_p(n_base),
            Unit::Round | Unit::Sample => stats::smallest_p(n_base, n_cur),
        }
    }
}

/// Warns when some compared cells have too few samples to ever pass Holm's first step: a
/// regression there could not be detected however large it was.
fn power_note(cells: &[CellComparison], m: usize, alpha: f64) -> Option<String> {
    if m == 0 {
        return None;
    }
    let needed = alpha / m as f64;
    let blind: Vec<(Unit, usize, usize)> = cells
        .iter()
        .filter(|c| c.p_value.is_some())
        .filter_map(|c| {
            let (b, k, unit) = (c.baseline.as_ref()?, c.current.as_ref()?, c.unit?);
            Some(match unit {
                Unit::Pair | Unit::Round => (unit, b.rounds, k.rounds),
                Unit::Sample => (unit, b.samples, k.samples),
            })
        })
        .filter(|&(unit, a, b)| unit.smallest_p(a, b) > needed)
        .collect();
    let &(unit, a, b) = blind.first()?;
    let enough = (1..)
        .find(|&n| unit.smallest_p(n, n) <= needed)
        .expect("p falls to 0 as n grows");
    let example = match unit {
        Unit::Pair => format!("{a} pairs of rounds"),
        Unit::Round | Unit::Sample => format!("{a} vs {b}"),
    };
    Some(format!(
        "{} of {m} compared cells have too few rounds or samples to be flagged at all (e.g. \
         {example}: the smallest p-value possible is {:.2e}, Holm's correction over {m} cells \
         needs {:.2e}); record at least {enough} per cell on both sides (--rounds, or \
         --samples for runs of one round), more to leave room for noise",
        blind.len(),
        unit.smallest_p(a, b),
        needed
    ))
}

/// `parbench compare`: reads both files, writes the requested outputs, prints the table.
/// Exit 1 when a cell regressed.
pub fn command(args: &CompareArgs) -> Result<ExitCode, Error> {
    let chart_files = args
        .chart
        .as_ref()
        .map(|p| (p.with_extension("svg"), p.with_extension("png")));
    let mut outputs = vec![
        ("--markdown", args.markdown.clone()),
        ("--json", args.json.clone()),
    ];
    if let Some((svg, png)) = &chart_files {
        outputs.push(("--chart", Some(svg.clone())));
        outputs.push(("--chart", Some(png.clone())));
    }
    for (flag, path) in &outputs {
        if let Some(p) = path {
            results::check_writable(p, flag)?;
        }
    }
    let base = Results::read(&args.baseline)?;
    let cur = Results::read(&args.current)?;
    let opts = Options {
        metric: args.metric,
        threshold_pct: args.threshold,
        alpha: args.alpha,
        allow_machine_mismatch: args.allow_machine_mismatch,
    };
    let cmp = compare(
        &args.baseline.display().to_string(),
        &base,
        &args.current.display().to_string(),
        &cur,
        &opts,
    )?;
    // A failed write exits 2, not 1: exit 1 must mean a regression and nothing else.
    let unwritable = |flag: &str, e: Error| Error::usage(format!("{flag}: {e}"));
    if let Some(p) = &args.json {
        results::write_atomic(p, &output::json(&cmp)?).map_err(|e| unwritable("--json", e))?;
    }
    if let Some(p) = &args.markdown {
        results::write_atomic(p, output::markdown(&cmp).as_bytes())
            .map_err(|e| unwritable("--markdown", e))?;
    }
    if let Some((svg, png)) = &chart_files {
        let stem = svg
            .file_stem()
            .map_or("compare".into(), |s| s.to_string_lossy());
        let chart = chart::draw(&cmp, &stem)?;
        results::write_atomic(svg, chart.svg.as_bytes()).map_err(|e| unwritable("--chart", e))?;
        results::write_atomic(png, &chart.png).map_err(|e| unwritable("--chart", e))?;
    }
    print!("{}", output::terminal(&cmp));
    Ok(if cmp.regressed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
