//! The results file: a versioned JSON schema, written atomically, read back strictly.

mod cell_id;
mod derived;
mod machine;
mod read;

pub use cell_id::CellId;
pub use derived::{BASELINE, baseline_median, derive_scaling};
pub use machine::{BlasInfo, Machine};

use crate::error::Error;
use crate::sys::files::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The schema tag every reader checks before trusting a file.
pub const SCHEMA: &str = "parbench/results/v1";

/// The base seed of a run that does not choose one (`--seed`).
pub const DEFAULT_SEED: u64 = 42;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Results {
    pub schema: String,
    pub parbench_version: String,
    /// UTC, RFC 3339.
    pub created: String,
    pub machine: Machine,
    pub config: Config,
    pub cells: Vec<Cell>,
    /// The machine-speed reference: a fixed kernel, independent of every flag, timed after
    /// each cell of each round, so that `compare` can tell a whole-machine shift from a change
    /// of the code. Absent in files from before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<MachineReference>,
    /// Set when the run was stopped before its last cell (a signal): the file holds the cells
    /// and rounds that finished, and `parbench run --resume` completes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<Interruption>,
}

/// Timings of the machine-speed reference kernel, round by round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MachineReference {
    /// What the kernel does, so that files timing different kernels are not compared.
    pub kernel: String,
    /// One timing per cell and round, in seconds, round by round.
    pub samples_s: Vec<f64>,
    /// How many of `samples_s` each round took, in order.
    pub round_samples: Vec<usize>,
}

/// Why a run stopped early and how much of it is missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interruption {
    /// E.g. "SIGINT".
    pub reason: String,
    /// Rounds of cells finished and planned (a cell's round is the unit a resume re-runs).
    pub finished_rounds: usize,
    pub planned_rounds: usize,
}

/// The arguments of the run, resolved (lists expanded, defaults filled in).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    pub size: String,
    pub workloads: Vec<String>,
    pub strategies: Vec<String>,
    pub workers: Vec<usize>,
    pub chunk: String,
    pub warmup: usize,
    pub samples: usize,
    pub scale: f64,
    pub seed: u64,
    #[serde(default = "one")]
    pub rounds: usize,
    /// Fresh processes the rounds were measured in (each round in its own by default), so that
    /// address layout and allocator state vary between rounds instead of biasing the run.
    #[serde(default = "one")]
    pub processes: usize,
    #[serde(default)]
    pub task_timeout_s: Option<f64>,
    #[serde(default)]
    pub switch_interval_s: Option<f64>,
    /// Whether workers were pinned to cores (`--pin`).
    #[serde(default)]
    pub pin: bool,
    /// Shortest a timed sample may last (`--sample-time`); 0 (also for files from before the
    /// flag) runs the tasks once per sample.
    #[serde(default)]
    pub sample_time_s: f64,
    /// Set when the run took turns, sample by sample, with the other runs of the same
    /// `parbench pair` invocation, which share the id: their samples were taken side by side
    /// and `parbench compare` pairs them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair_id: Option<String>,
}

impl Config {
    /// The settings of results that no `parbench run` made (criterion's estimates, synthetic
    /// files in tests): the matrix and sample count given, one round, no warm-up, chunk `auto`,
    /// scale 1, the default seed, none of the optional settings.
    pub fn of_matrix(
        size: impl Into<String>,
        workloads: Vec<String>,
        strategies: Vec<String>,
        workers: Vec<usize>,
        samples: usize,
    ) -> Config {
        Config {
            size: size.into(),
            workloads,
            strategies,
            workers,
            chunk: "auto".into(),
            warmup: 0,
            samples,
            scale: 1.0,
            seed: DEFAULT_SEED,
            rounds: 1,
            processes: 1,
            task_timeout_s: None,
            switch_interval_s: None,
            pin: false,
            sample_time_s: 0.0,
            pair_id: None,
        }
    }
}

fn one() -> usize {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedTask {
    pub task: usize,
    pub error: String,
}

/// One (workload, strategy, workers, chunk) combination and what was measured for it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    pub workload: String,
    pub strategy: String,
    pub workers: usize,
    /// `--chunk` as the strategy applied it; `null` for strategies that do not chunk.
    pub chunk: Option<String>,
    pub tasks: usize,
    /// Every timed sample kept, in seconds, in the order taken, round by round (see
    /// `round_samples`). A sample is the mean time of `loops` runs of all tasks.
    pub samples_s: Vec<f64>,
    /// How many of `samples_s` each round kept, in order; empty in files from before rounds
    /// were recorded per cell (their rounds are `config.samples` each, see [`Cell::rounds`]).
    #[serde(default)]
    pub round_samples: Vec<usize>,
    /// Samples left out of `samples_s` and of every statistic because a worker process was
    /// replaced while they were taken (the restart's cost is not the strategy's speed).
    #[serde(default)]
    pub disturbed_s: Vec<f64>,
    /// The noise this cell measured, between and within rounds.
    #[serde(default)]
    pub noise: Option<Noise>,
    /// Runs of all tasks per sample, chosen in the first round from `--sample-time`.
    #[serde(default = "one")]
    pub loops: usize,
    pub median_s: Option<f64>,
    /// Order-statistic interval of the median; see `ci_coverage` for its exact coverage.
    pub ci95_s: Option<[f64; 2]>,
    pub ci_coverage: Option<f64>,
    pub speedup: Option<f64>,
    pub efficiency: Option<f64>,
    pub karp_flatt: Option<f64>,
    pub verified: bool,
    /// What the verification checked, or why it failed.
    pub check: String,
    pub checksum: Option<String>,
    /// Whether the outputs were bit-identical to the serial ones; `false` where they agreed
    /// only to the rounding a multithreaded BLAS introduces (see `Instance::agrees`).
    pub exact_match: Option<bool>,
    pub failed_tasks: Vec<FailedTask>,
    /// Tasks run a second time because their worker process died or hung.
    #[serde(default)]
    pub retried_tasks: Vec<usize>,
    /// Worker processes replaced during the cell.
    #[serde(default)]
    pub worker_restarts: usize,
    /// Median time to start the strategy's workers (pool threads, processes), not part of
    /// `samples_s`: the documents time both together, users need them apart.
    #[serde(default)]
    pub startup_s: Option<f64>,
    /// Bytes between parent and worker processes in one run of all tasks (mean over samples).
    #[serde(default)]
    pub ipc_bytes: Option<u64>,
    /// For `noop`: the strategy's dispatch cost per task, median time / tasks, in µs.
    #[serde(default)]
    pub overhead_us_per_task: Option<f64>,
    pub summary: BTreeMap<String, f64>,
    pub skipped: Option<String>,
}

impl Cell {
    pub fn new(workload: &str, strategy: &str, workers: usize) -> Self {
        Cell {
            workload: workload.into(),
            strategy: strategy.into(),
            workers,
            chunk: None,
            tasks: 0,
            samples_s: Vec::new(),
            round_samples: Vec::new(),
            disturbed_s: Vec::new(),
            noise: None,
            loops: 1,
            median_s: None,
            ci95_s: None,
            ci_coverage: None,
            speedup: None,
            efficiency: None,
            karp_flatt: None,
            verified: false,
            check: String::new(),
            checksum: None,
            exact_match: None,
            failed_tasks: Vec::new(),
            retried_tasks: Vec::new(),
            worker_restarts: 0,
            startup_s: None,
            ipc_bytes: None,
            overhead_us_per_task: None,
            summary: BTreeMap::new(),
            skipped: None,
        }
    }
}

/// How much a cell's timings varied, as percentages of its median (robust: from medians and
/// median absolute deviations, so one disturbed sample does not set them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Noise {
    /// Rounds with at least one kept sample.
    pub rounds: usize,
    /// Distinct processes those rounds were measured in.
    pub processes: usize,
    /// Spread between the rounds' medians: 1.4826 × MAD of their logs, × 100 (≈ the standard
    /// deviation in percent for normal noise); `None` with fewer than two rounds.
    pub between_rounds_pct: Option<f64>,
    /// Spread of samples around their own round's median, pooled over rounds, same scale;
    /// `None` when no round has two samples.
    pub within_rounds_pct: Option<f64>,
}

impl Cell {
    /// The kept samples grouped by round: from `round_samples` when they account for every
    /// sample, else (older files) consecutive groups of `per_round`, else one group.
    pub fn rounds(&self, per_round: usize) -> Vec<&[f64]> {
        let n = self.samples_s.len();
        let sizes: Vec<usize> =
            if !self.round_samples.is_empty() && self.round_samples.iter().sum::<usize>() == n {
                self.round_samples.clone()
            } else if per_round > 0 && n > per_round && n.is_multiple_of(per_round) {
                vec![per_round; n / per_round]
            } else {
                vec![n]
            };
        let mut out = Vec::with_capacity(sizes.len());
        let mut start = 0;
        for k in sizes {
            if k > 0 {
                out.push(&self.samples_s[start..start + k]);
            }
            start += k;
        }
        out
    }
}

/// The current time as RFC 3339 UTC.
pub fn now_utc() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

impl Results {
    /// A results file of this schema and this parbench, created now.
    pub fn new(machine: Machine, config: Config, cells: Vec<Cell>) -> Results {
        Results {
            schema: SCHEMA.into(),
            parbench_version: env!("CARGO_PKG_VERSION").into(),
            created: now_utc(),
            machine,
            config,
            cells,
            reference: None,
            interrupted: None,
        }
    }

    /// Writes the file (atomically) to `--out`'s path; `-` is standard output.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Internal(format!("cannot encode results: {e}")))?;
        json.push(b'\n');
        write_atomic(path, &json, Some("--out"))
    }
}
