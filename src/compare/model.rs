//! What a comparison produces: the verdict and figures of each cell, the two runs it read,
//! and the settings it judged by. Serialised as the `--json` output.

use super::verdict::Verdict;
use crate::results::{CellId, Results};
use crate::stats::inference::Method;
use serde::Serialize;

/// The schema tag of `--json` output.
pub const SCHEMA: &str = "parbench/compare/v1";

/// What is compared between the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Wall time of each cell: meaningful only on the same machine.
    Time,
    /// Each cell's speedup over serial within its own run: comparable across machines.
    Speedup,
}

/// What a comparison judges by.
#[derive(Clone, Debug)]
pub struct Criteria {
    pub metric: Metric,
    /// Smallest change that matters, in percent.
    pub threshold_pct: f64,
    /// Family-wise error rate of the whole comparison.
    pub alpha: f64,
    pub allow_machine_mismatch: bool,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
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
    pub(super) fn new(file: &str, r: &Results) -> Self {
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
    /// Timed samples kept.
    pub samples: usize,
    /// Rounds with a value: the independent observations of the test.
    pub rounds: usize,
    /// Median of every kept sample.
    pub median_s: f64,
    /// Median of the rounds' speedups, serial round median / round median (`--metric
    /// speedup` only).
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
    /// The independent observations behind the test: rounds, or pairs of rounds.
    pub unit: Option<Unit>,
    /// Degrees of freedom of the moderated t-test (its own rounds' and the prior's).
    pub df: Option<f64>,
    /// Minimum detectable change in percent: the smallest change the test would flag with
    /// 80 % power at the cell's noise, rounds and α / m, and never below the threshold (a
    /// smaller change is not flagged whatever the test says). `None` for a compared cell whose
    /// test cannot reach α / m at all.
    pub mdc_pct: Option<f64>,
    /// Whether the ratio was divided by the machine's (the reference moved significantly).
    pub machine_adjusted: bool,
}

/// The independent observations behind a cell's test and interval (see the module notes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Sample i of round r of each side, taken side by side (`parbench pair`); rounds are the
    /// test's observations.
    Pair,
    /// Each round's median (rounds come from separate processes and moments).
    Round,
    /// Each run's value, the mean log median of its rounds: `compare --history` judges the
    /// current run against the run-to-run spread of the stored ones.
    Run,
}

impl CellComparison {
    /// Cell `id`, not (yet) compared.
    pub(super) fn blank(id: &CellId) -> CellComparison {
        CellComparison {
            workload: id.workload.clone(),
            strategy: id.strategy.clone(),
            workers: id.workers,
            chunk: id.chunk.clone(),
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
            df: None,
            mdc_pct: None,
            machine_adjusted: false,
        }
    }

    pub fn id(&self) -> CellId {
        CellId {
            workload: self.workload.clone(),
            strategy: self.strategy.clone(),
            workers: self.workers,
            chunk: self.chunk.clone(),
        }
    }

    pub fn label(&self) -> String {
        self.id().to_string()
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
    /// Cells whose evidence cannot support a verdict: a side of one round, or a shift shared
    /// by nearly every cell with no machine reference to tell it from the machine's.
    pub inconclusive: usize,
    /// The machine reference's time ratio, current / baseline, and its 95 % interval, when
    /// both files timed the same reference kernel in two or more rounds.
    pub machine_ratio: Option<f64>,
    pub machine_ci95: Option<[f64; 2]>,
    pub machine_p_value: Option<f64>,
    /// Whether cells were judged relative to the machine (its shift was significant).
    pub machine_adjusted: bool,
    /// Median of the compared cells' `mdc_pct`, and how many of them can detect a change of
    /// the threshold's size (their noise is not what limits them).
    pub mdc_median_pct: Option<f64>,
    pub mdc_at_threshold: usize,
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
    /// The variance prior the rounds' t-tests were moderated with: d0 degrees of freedom of a
    /// spread of `s0_pct` % per round; absent when no cell was tested on rounds.
    pub prior: Option<PriorInfo>,
    /// `compare --history`: the prior of each workload's cells (`prior` is then absent).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priors: Vec<GroupPrior>,
    pub summary: Summary,
    pub cells: Vec<CellComparison>,
}

impl Comparison {
    pub fn regressed(&self) -> bool {
        self.summary.regressions > 0
    }
}

/// The moderation prior as the JSON shows it.
/// The prior of one group of cells.
#[derive(Clone, Debug, Serialize)]
pub struct GroupPrior {
    pub group: String,
    pub d0: f64,
    pub s0_pct: f64,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct PriorInfo {
    pub d0: f64,
    /// √s0² × 100: the typical spread of one round's log median, in percent.
    pub s0_pct: f64,
}
