//! Command-line definitions (DESIGN.md's contract) and the parsing of their values.

use crate::error::Error;
use crate::strategy::Chunk;
use crate::workload::Size;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "parbench",
    version,
    about = "Benchmarks the workloads of the numpy/scipy parallel-programming documents under \
             serial, thread, pool and BLAS strategies, and verifies every result."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Workloads and strategies, one per line, with a description.
    List,
    /// What a run would record about this machine.
    Machine {
        /// Print the record as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure workloads × strategies × worker counts and write a results file.
    Run(RunArgs),
    /// Serve tasks to a parent parbench over stdin/stdout (started by the process strategy).
    #[command(hide = true)]
    Worker,
    /// Run the matrix as a baseline and a current run (and optionally a second baseline) that
    /// take turns sample by sample on this machine, writing a results file for each: what
    /// `parbench compare` tells apart best on a noisy machine.
    Pair(PairArgs),
    /// Compare two results files cell by cell; exit 1 when a cell regressed.
    Compare(CompareArgs),
    /// Charts, report.md and report.html from a results file (never runs workloads).
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The results file to report on, as written by `parbench run` (or give --criterion).
    #[arg(value_name = "RESULTS.json", conflicts_with = "criterion")]
    pub results: Option<PathBuf>,
    /// Report on criterion's estimates instead (the directory `cargo bench --bench scaling`
    /// writes, target/criterion).
    #[arg(long, value_name = "DIR")]
    pub criterion: Option<PathBuf>,
    /// Output directory [default: <results stem>-report beside the file, or
    /// DIR/parbench-report for --criterion].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Size class: quick (CI), doc (the documents' sizes) or large (strong scaling).
    #[arg(long, value_enum, default_value_t = Size::Doc)]
    pub size: Size,
    /// Same as --size quick.
    #[arg(long, conflicts_with = "size")]
    pub quick: bool,
    /// Comma-separated workload names, or "all".
    #[arg(long, default_value = "all", value_name = "LIST")]
    pub workloads: String,
    /// Comma-separated strategy names, or "all".
    #[arg(long, default_value = "all", value_name = "LIST")]
    pub strategies: String,
    /// Comma-separated worker counts, or "auto" (1, 2, 4, ... up to the logical cores).
    #[arg(long, default_value = "auto", value_name = "LIST", value_parser = parse_workers)]
    pub workers: Workers,
    /// Tasks per hand-out for the chunking strategies (pool, process, gil): comma-separated
    /// counts or "auto"; each one is a cell of its own, e.g. 1,auto.
    #[arg(long, default_value = "auto", value_name = "LIST", value_parser = parse_chunks)]
    pub chunk: Chunks,
    /// Timed samples per cell. Ten leave a rank test room for significance after
    /// `parbench compare` corrects for comparing a hundred cells at once.
    #[arg(long, default_value_t = 10, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: u32,
    /// Shortest a timed sample may last, in milliseconds: a cell whose tasks all run in less
    /// repeats them within each sample (the count fixed in its first warm-up) and records the
    /// mean, so that scheduler ticks and brief interruptions average out (pyperf's calibrated
    /// loops). 0 runs the tasks once per sample.
    #[arg(long, default_value_t = 0.0, value_name = "MS", value_parser = parse_non_negative,
          allow_negative_numbers = true)]
    pub sample_time: f64,
    /// Untimed warm-up runs per cell.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub warmup: u32,
    /// Multiplies the work of each task (to check that a known slowdown is detected).
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = parse_positive,
          allow_negative_numbers = true)]
    pub scale: f64,
    /// Run the whole matrix this many times, rotating the cell order each round, and pool the
    /// samples: slow drift of the machine then spreads over all cells.
    #[arg(long, default_value_t = 1, value_name = "R",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,
    /// Seconds one task may run in a worker process before the worker is killed and replaced.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS", value_parser = parse_positive,
          allow_negative_numbers = true)]
    pub task_timeout: f64,
    /// Switch interval of the GIL model, in milliseconds (CPython's default is 5).
    #[arg(long, default_value_t = 5.0, value_name = "MS", value_parser = parse_positive,
          allow_negative_numbers = true)]
    pub switch_interval: f64,
    /// Pin worker w of every pool (threads and processes), and the serial baseline as worker
    /// 0, to the (w + r)-th core in round r, so that repeated runs place their workers alike
    /// and no cell spends every round on the same core; BLAS's own threads stay free.
    #[arg(long)]
    pub pin: bool,
    /// Base seed of the per-task random streams.
    #[arg(long, default_value_t = 42, value_name = "N")]
    pub seed: u64,
    /// Where to write the results file.
    #[arg(long, default_value = "parbench-results.json", value_name = "FILE")]
    pub out: PathBuf,
    /// Run as one side of `parbench pair`: wait for a turn on stdin before each timed sample,
    /// report it done on stdout, and record the id so that `compare` pairs the samples.
    #[arg(long, value_name = "ID", hide = true)]
    pub pair_id: Option<String>,
}

/// `parbench pair`: the sides, their files, and the `parbench run` flags they share.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// Results file of the current side.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Results file of the baseline side.
    #[arg(long, value_name = "FILE")]
    pub baseline_out: PathBuf,
    /// Also run the baseline a second time, taking turns with the others, into FILE: compared
    /// with --baseline-out it is an A/A check of the gate on this machine.
    #[arg(long, value_name = "FILE")]
    pub aa_out: Option<PathBuf>,
    /// The parbench binary of the baseline side, e.g. the main branch's build [default: this
    /// one]. It must know `run --pair-id`.
    #[arg(long, value_name = "PATH")]
    pub baseline_exe: Option<PathBuf>,
    /// The parbench binary of the current side [default: this one].
    #[arg(long, value_name = "PATH")]
    pub current_exe: Option<PathBuf>,
    /// A `parbench run` flag for the baseline side(s) only; repeat for more, e.g.
    /// --baseline-arg=--scale=8.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub baseline_arg: Vec<String>,
    /// A `parbench run` flag for the current side only; repeat for more.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub current_arg: Vec<String>,
    /// `parbench run` flags for every side, after `--`: the matrix, --rounds (16 recommended:
    /// over n rounds the paired test's smallest p-value is 2/2ⁿ, and with 16 a cell can pass
    /// Holm's first step over 35 cells with a few wrong-way rounds among its smallest; 12 only
    /// with the smallest one), --samples, ...
    #[arg(last = true, value_name = "RUN FLAGS")]
    pub run: Vec<String>,
}

impl RunArgs {
    pub fn size(&self) -> Size {
        if self.quick { Size::Quick } else { self.size }
    }

    pub fn samples(&self) -> usize {
        self.samples as usize
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Results file of the reference run (e.g. the main branch).
    pub baseline: PathBuf,
    /// Results file of the run under test (e.g. a pull request).
    pub current: PathBuf,
    /// Smallest change that counts, in percent: a regression's whole 95% interval must lie
    /// beyond it.
    #[arg(long, default_value_t = 5.0, value_name = "PCT", value_parser = parse_threshold)]
    pub threshold: f64,
    /// What to compare: wall time (same machine), or speedup over serial within each run
    /// (comparable across machines).
    #[arg(long, value_enum, default_value_t = crate::compare::Metric::Time)]
    pub metric: crate::compare::Metric,
    /// Family-wise false-alarm rate of the whole comparison (Holm-corrected).
    #[arg(long, default_value_t = 0.05, value_name = "P", value_parser = parse_alpha)]
    pub alpha: f64,
    /// Compare times even when the files come from different CPU models or core counts.
    #[arg(long)]
    pub allow_machine_mismatch: bool,
    /// Write a Markdown summary (for a pull-request comment) to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write every cell's ratio, interval, p-values and verdict as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Draw every compared cell's ratio and interval over the threshold band to PATH.svg and
    /// PATH.png.
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,
}

/// `--workers`: explicit counts, or one per power of two up to the machine's cores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Workers {
    Auto,
    List(Vec<usize>),
}

impl Workers {
    pub fn resolve(&self, logical_cores: usize) -> Vec<usize> {
        match self {
            Workers::List(v) => v.clone(),
            Workers::Auto => {
                let mut v: Vec<usize> = std::iter::successors(Some(1usize), |p| Some(p * 2))
                    .take_while(|&p| p <= logical_cores.max(1))
                    .collect();
                if v.last() != Some(&logical_cores) && logical_cores > 1 {
                    v.push(logical_cores);
                }
                v
            }
        }
    }
}

fn parse_workers(s: &str) -> Result<Workers, String> {
    if s == "auto" {
        return Ok(Workers::Auto);
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let n: usize = part
            .trim()
            .parse()
            .map_err(|_| format!("'{part}' is not a worker count (use e.g. 1,2,4 or auto)"))?;
        if n == 0 {
            return Err("worker counts start at 1".into());
        }
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(Workers::List(out))
}

/// `--chunk`: one or more chunk settings, each a cell of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunks(pub Vec<Chunk>);

fn parse_chunks(s: &str) -> Result<Chunks, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        let c = if part == "auto" {
            Chunk::Auto
        } else {
            match part.parse::<usize>() {
                Ok(n) if n > 0 => Chunk::Size(n),
                _ => return Err(format!("'{part}' is not a positive chunk size or auto")),
            }
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(Chunks(out))
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a positive number")),
    }
}

fn parse_non_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a number of zero or more")),
    }
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("'{s}' is not a percentage (e.g. 5 or 2.5)")),
    }
}

fn parse_alpha(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f > 0.0 && f < 1.0 => Ok(f),
        _ => Err(format!("'{s}' is not a probability between 0 and 1")),
    }
}

/// Parses the process arguments. Help and version are printed and the process exits 0; any
/// other problem becomes a one-line usage error that names the flag.
pub fn parse() -> Result<Cli, Error> {
    Cli::try_parse().map_err(|e| {
        use clap::error::ErrorKind;
        match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            _ => {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or("invalid arguments");
                Error::usage(first.trim_start_matches("error: ").to_string())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_parse_and_reject() {
        assert_eq!(parse_workers("1,2,4"), Ok(Workers::List(vec![1, 2, 4])));
        assert_eq!(parse_workers("2,2"), Ok(Workers::List(vec![2])));
        assert!(parse_workers("0").is_err());
        assert!(parse_workers("abc").is_err());
        assert!(parse_workers("1,,2").is_err());
    }

    #[test]
    fn auto_workers_are_powers_of_two_then_the_core_count() {
        assert_eq!(Workers::Auto.resolve(1), vec![1]);
        assert_eq!(Workers::Auto.resolve(2), vec![1, 2]);
        assert_eq!(Workers::Auto.resolve(6), vec![1, 2, 4, 6]);
        assert_eq!(Workers::Auto.resolve(16), vec![1, 2, 4, 8, 16]);
    }
}
