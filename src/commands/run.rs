//! `parbench run`: measures the matrix, writes the results file, prints the table.

use super::Outcome;
use super::values::{
    Chunks, SizeArg, Workers, parse_chunks, parse_count, parse_non_negative, parse_positive,
    parse_positive_count, parse_seed, parse_workers,
};
use crate::error::Error;
use crate::measure::machine;
use crate::measure::runner::{self, CellLabel, Plan, Progress};
use crate::results::{self, Results};
use crate::strategy::{self, Options, Strategy};
use crate::workload::{self, Params, Size, Workload};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Size class: quick (CI), doc (the documents' sizes) or large (strong scaling).
    #[arg(long, value_enum, default_value_t = SizeArg::Doc)]
    pub size: SizeArg,
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
    #[arg(long, default_value = "auto", value_name = "LIST", value_parser = parse_workers,
          allow_negative_numbers = true)]
    pub workers: Workers,
    /// Tasks per hand-out for the chunking strategies (pool, process, gil): comma-separated
    /// counts or "auto"; each one is a cell of its own, e.g. 1,auto.
    #[arg(long, default_value = "auto", value_name = "LIST", value_parser = parse_chunks,
          allow_negative_numbers = true)]
    pub chunk: Chunks,
    /// Timed samples per cell. Ten leave a rank test room for significance after
    /// `parbench compare` corrects for comparing a hundred cells at once.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = parse_positive_count,
          allow_negative_numbers = true)]
    pub samples: u32,
    /// Shortest a timed sample may last, in milliseconds: a cell whose tasks all run in less
    /// repeats them within each sample (the count fixed in its first warm-up) and records the
    /// mean, so that scheduler ticks and brief interruptions average out (pyperf's calibrated
    /// loops). 0 runs the tasks once per sample.
    #[arg(long, default_value_t = 0.0, value_name = "MS", value_parser = parse_non_negative,
          allow_negative_numbers = true)]
    pub sample_time: f64,
    /// Untimed warm-up runs per cell.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = parse_count,
          allow_negative_numbers = true)]
    pub warmup: u32,
    /// Multiplies the work of each task (to check that a known slowdown is detected).
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = parse_positive,
          allow_negative_numbers = true)]
    pub scale: f64,
    /// Run the whole matrix this many times, rotating the cell order each round, and pool the
    /// samples: slow drift of the machine then spreads over all cells.
    #[arg(long, default_value_t = 1, value_name = "R", value_parser = parse_positive_count,
          allow_negative_numbers = true)]
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
    #[arg(long, default_value_t = crate::results::DEFAULT_SEED, value_name = "N", value_parser = parse_seed,
          allow_negative_numbers = true)]
    pub seed: u64,
    /// Where to write the results file.
    #[arg(long, default_value = "parbench-results.json", value_name = "FILE")]
    pub out: PathBuf,
    /// Run as one side of `parbench pair`: wait for a turn on stdin before each timed sample,
    /// report it done on stdout, and record the id so that `compare` pairs the samples.
    #[arg(long, value_name = "ID", hide = true)]
    pub pair_id: Option<String>,
}

impl RunArgs {
    pub fn size(&self) -> Size {
        if self.quick {
            Size::Quick
        } else {
            self.size.into()
        }
    }
}

/// The workloads and strategies the flags name.
pub struct Selection {
    pub workloads: Vec<Box<dyn Workload>>,
    pub strategies: Vec<Box<dyn Strategy>>,
}

/// Resolves `--workloads` and `--strategies`: what `parbench pair` also checks before it
/// starts any side, so that a bad name is reported once.
pub fn selection(args: &RunArgs) -> Result<Selection, Error> {
    let workloads: Vec<Box<dyn Workload>> = if args.workloads.trim() == "all" {
        workload::registry()
    } else {
        // Diagnostics run only when named, so `all` never crashes or hangs on purpose.
        let known = workload::registry()
            .into_iter()
            .chain(workload::diagnostics())
            .collect();
        select("--workloads", &args.workloads, known, |w| w.name())?
    };
    let strategies = select(
        "--strategies",
        &args.strategies,
        strategy::registry(),
        |s| s.name(),
    )?;
    Ok(Selection {
        workloads,
        strategies,
    })
}

/// Resolves a comma-separated list of names (or "all") against a registry, naming the flag
/// and the known names when one is unknown.
fn select<T>(
    flag: &str,
    spec: &str,
    registry: Vec<T>,
    name: impl Fn(&T) -> &'static str,
) -> Result<Vec<T>, Error> {
    if spec.trim() == "all" {
        return Ok(registry);
    }
    let known: Vec<&str> = registry.iter().map(&name).collect();
    let mut wanted: Vec<&str> = Vec::new();
    for part in spec.split(',').map(str::trim) {
        if !known.contains(&part) {
            return Err(Error::usage(format!(
                "{flag}: unknown name '{part}' (known: {}, or all)",
                known.join(", ")
            )));
        }
        if !wanted.contains(&part) {
            wanted.push(part);
        }
    }
    // Keep the registry's order, so tables and files read the same whatever the flag's order.
    Ok(registry
        .into_iter()
        .filter(|t| wanted.contains(&name(t)))
        .collect())
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn cell(&mut self, label: &CellLabel<'_>) {
        self.0.set_message(format!(
            "{} / {} / {}",
            label.workload, label.strategy, label.workers
        ));
    }
    fn run_done(&mut self) {
        self.0.inc(1);
    }
}

/// The progress bar on stderr; hidden for a side of `parbench pair`, which leaves the terminal
/// to the coordinator's bar.
pub fn progress_bar(len: Option<u64>, hidden: bool) -> ProgressBar {
    let target = if hidden {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(len, target);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

pub fn run(args: &RunArgs) -> Result<Outcome, Error> {
    let Selection {
        workloads,
        mut strategies,
    } = selection(args)?;
    if !strategies.iter().any(|s| s.name() == results::BASELINE) {
        eprintln!("parbench: adding strategy serial: it is the baseline of every speedup");
        strategies.insert(
            0,
            strategy::find(results::BASELINE).expect("the baseline is registered"),
        );
    }
    crate::sys::files::check_writable(&args.out, "--out")?;

    // Before any strategy touches the BLAS thread count, so the default is recorded.
    let machine = machine::detect();
    let workers = args.workers.resolve(machine.logical_cores);
    let size = args.size();
    let plan = Plan {
        workloads,
        strategies,
        workers,
        chunks: args.chunk.0.clone(),
        warmup: args.warmup as usize,
        samples: args.samples as usize,
        rounds: args.rounds as usize,
        processes: 1,
        params: Params {
            size,
            scale: args.scale,
            seed: args.seed,
        },
        options: Options {
            worker_exe: None,
            task_timeout: Duration::from_secs_f64(args.task_timeout),
            switch_interval: Duration::from_secs_f64(args.switch_interval / 1e3),
            pin: args.pin,
            first_core: 0,
        },
        min_sample_time: Duration::from_secs_f64(args.sample_time / 1e3),
    };
    let mut progress = Bar(progress_bar(
        Some(plan.total_runs() as u64),
        args.pair_id.is_some(),
    ));
    let cells = match &args.pair_id {
        None => runner::run(&plan, &mut progress),
        Some(_) => {
            let mut relay = crate::pair::Relay::new();
            match runner::run_in_turns(&plan, &mut progress, &mut relay) {
                Ok(cells) => cells,
                // The coordinator reports why; one message for the whole pair.
                Err(_) if relay.told_to_stop() => return Ok(Outcome::Negative),
                Err(_) => {
                    return Err(Error::usage(
                        "--pair-id: the coordinator stopped handing out turns; nothing written",
                    ));
                }
            }
        }
    };
    progress.0.finish_and_clear();

    let results = Results::new(machine, plan.config(args.pair_id.clone()), cells);
    results.write(&args.out)?;
    print!("{}", crate::report::table::render(&results.cells));
    let bad: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.skipped.is_none() && !c.verified)
        .map(|c| results::CellId::of(c).to_string())
        .collect();
    eprintln!("parbench: wrote {}", args.out.display());
    if bad.is_empty() {
        Ok(Outcome::Success)
    } else {
        eprintln!("parbench: verification failed in {}", bad.join(", "));
        Ok(Outcome::Negative)
    }
}
