//! `parbench run`: measures the matrix, writes the results file, prints the table.

use super::Outcome;
use super::values::{
    Chunks, SizeArg, Workers, parse_chunks, parse_count, parse_non_negative, parse_positive,
    parse_positive_count, parse_seed, parse_workers,
};
mod progress;
mod sides;

pub use progress::progress_bar;

use crate::error::Error;
use crate::measure::assemble::assemble;
use crate::measure::children::{self, Children, Ended};
use crate::measure::estimate;
use crate::measure::journal::{self, Header, Journal};
use crate::measure::machine;
use crate::measure::runner::Plan;
use crate::results::{self, Interruption, Results};
use crate::strategy::{self, Options, Strategy};
use crate::sys::signals;
use crate::workload::{self, Params, Size, Workload};
use clap::Args;
use progress::Shown;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A run this many times `--sample-time` long takes one sample per round by default.
const LONG_RUN_SAMPLES: u32 = 10;

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
    /// Timed samples per cell and round [default: 2; 1 for a cell whose one run lasts ten
    /// --sample-time or more]. The rounds, not the samples, are the independent evidence
    /// `parbench compare` counts: samples of one round share the machine's state of that
    /// moment. Given explicitly, every cell takes this many.
    #[arg(long, value_name = "N", value_parser = parse_positive_count,
          allow_negative_numbers = true)]
    pub samples: Option<u32>,
    /// Shortest a timed sample may last, in milliseconds [default: 100; 20 at --size quick]: a
    /// cell whose tasks all run in less repeats them within each sample (the count fixed from
    /// its warm-up in each round) and records the mean, so that thread wake-ups, scheduler
    /// ticks and brief interruptions average out (pyperf's calibrated loops). 0 runs the tasks
    /// once per sample.
    #[arg(long, value_name = "MS", value_parser = parse_non_negative,
          allow_negative_numbers = true)]
    pub sample_time: Option<f64>,
    /// Untimed warm-up runs per cell.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = parse_count,
          allow_negative_numbers = true)]
    pub warmup: u32,
    /// Multiplies the work of each task (to check that a known slowdown is detected).
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = parse_positive,
          allow_negative_numbers = true)]
    pub scale: f64,
    /// Run the whole matrix this many times [default: 4; 3 at --size quick], rotating the cell
    /// order each round, each round in a fresh process (see --processes), and pool the
    /// samples: slow drift of the machine and the layout of one process then spread over all
    /// cells and show in each cell's interval instead of biasing the run.
    #[arg(long, value_name = "R", value_parser = parse_positive_count,
          allow_negative_numbers = true)]
    pub rounds: Option<u32>,
    /// Fresh processes the rounds are spread over [default: one per round]; 1 measures every
    /// round in one child process.
    #[arg(long, value_name = "N", value_parser = parse_positive_count,
          allow_negative_numbers = true)]
    pub processes: Option<u32>,
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
    /// Where to write the results file; - for standard output (the table then goes to stderr).
    /// Every finished cell round is also kept in FILE.journal until the run completes.
    #[arg(long, default_value = DEFAULT_OUT, value_name = "FILE")]
    pub out: PathBuf,
    /// Complete the interrupted run whose results file is FILE (written there again): the
    /// cell rounds its journal holds are not measured again. The flags must be the
    /// interrupted run's.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Print the cells with each one's estimated time and memory, and the total, then stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Measure these rounds as a child of `parbench run`, appending to --journal.
    #[arg(
        long = "child-rounds",
        value_name = "LIST",
        hide = true,
        requires = "journal"
    )]
    pub child_rounds: Option<String>,
    #[arg(long, value_name = "FILE", hide = true)]
    pub journal: Option<PathBuf>,
    /// Run as one side of `parbench pair`: wait for a turn on stdin before each timed sample,
    /// report it done on stdout, and record the id so that `compare` pairs the samples.
    #[arg(long, value_name = "ID", hide = true)]
    pub pair_id: Option<String>,
}

const DEFAULT_OUT: &str = "parbench-results.json";

impl RunArgs {
    pub fn size(&self) -> Size {
        if self.quick {
            Size::Quick
        } else {
            self.size.into()
        }
    }

    fn rounds(&self) -> usize {
        let default = if self.size() == Size::Quick { 3 } else { 4 };
        self.rounds.map_or(default, |r| r as usize)
    }

    fn samples(&self) -> usize {
        self.samples.map_or(2, |s| s as usize)
    }

    /// How long one run of a cell must last for the default to take one sample per round:
    /// ten shortest samples. Not when `--samples` is given (the user's count is kept) nor for
    /// a side of `parbench pair`, whose sides must take the same samples to pair them up.
    fn long_run(&self) -> Option<Duration> {
        let floor = self.sample_time();
        (self.samples.is_none() && self.pair_id.is_none() && !floor.is_zero())
            .then(|| floor * LONG_RUN_SAMPLES)
    }

    fn sample_time(&self) -> Duration {
        let default = if self.size() == Size::Quick {
            20.0
        } else {
            100.0
        };
        Duration::from_secs_f64(self.sample_time.unwrap_or(default) / 1e3)
    }

    /// Where the results go: the interrupted run's file when resuming.
    fn out(&self) -> Result<PathBuf, Error> {
        match &self.resume {
            Some(file) if self.out != Path::new(DEFAULT_OUT) && self.out != *file => {
                Err(Error::usage(format!(
                    "--resume {} writes the results there again; --out {} cannot differ",
                    file.display(),
                    self.out.display()
                )))
            }
            Some(file) => Ok(file.clone()),
            None => Ok(self.out.clone()),
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

/// The plan the flags describe (the same in the parent and in every child).
fn plan(args: &RunArgs, workers: Vec<usize>, say: bool) -> Result<Plan, Error> {
    let Selection {
        workloads,
        mut strategies,
    } = selection(args)?;
    if !strategies.iter().any(|s| s.name() == results::BASELINE) {
        if say {
            eprintln!("parbench: adding strategy serial: it is the baseline of every speedup");
        }
        strategies.insert(
            0,
            strategy::find(results::BASELINE).expect("the baseline is registered"),
        );
    }
    let rounds = args.rounds();
    let processes = args.processes.map_or(rounds, |p| p as usize);
    if processes > rounds {
        return Err(Error::usage(format!(
            "--processes {processes}: more processes than rounds ({rounds}); each process \
             measures whole rounds"
        )));
    }
    Ok(Plan {
        workloads,
        strategies,
        workers,
        chunks: args.chunk.0.clone(),
        warmup: args.warmup as usize,
        samples: args.samples(),
        rounds,
        processes: if args.pair_id.is_some() { 1 } else { processes },
        params: Params {
            size: args.size(),
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
        min_sample_time: args.sample_time(),
        long_run: args.long_run(),
    })
}

pub fn run(args: &RunArgs) -> Result<Outcome, Error> {
    if let Some(rounds) = &args.child_rounds {
        return sides::child(args, rounds);
    }
    if args.pair_id.is_some() {
        return sides::pair_side(args);
    }
    let out = args.out()?;
    let to_stdout = out.as_os_str() == "-";
    let journal_path = journal::path_for(&out);
    if let Some(file) = &args.resume
        && !journal_path.exists()
    {
        return Err(Error::input(
            file,
            format!(
                "nothing to resume: no journal at {} (the run completed, or never started)",
                journal_path.display()
            ),
        ));
    }
    if !to_stdout {
        crate::sys::files::check_writable(&out, "--out")?;
    }
    // Before any strategy touches the BLAS thread count, so the default is recorded.
    let machine = machine::detect();
    let plan = plan(args, args.workers.resolve(machine.logical_cores), true)?;
    let ids = plan.cell_ids();

    let now = Header::new(machine, plan.config(None))?;
    let resumed = match &args.resume {
        Some(file) => {
            let (was, _) = journal::read(&journal_path)?;
            if let Some(why) = was.mismatch(&now) {
                return Err(Error::Input {
                    flag: Some("--resume"),
                    path: file.clone(),
                    reason: format!("cannot be completed by this run: {why}"),
                });
            }
            Some(was)
        }
        None => None,
    };
    // Before the first cell: a run that cannot fit in memory or would run for weeks is
    // refused, naming the flag; --dry-run shows the cells and stops. Neither touches a journal.
    let estimate = estimate::estimate(&plan);
    if args.dry_run {
        print!("{}", estimate.render());
        return Ok(Outcome::Success);
    }
    estimate::refuse(&estimate, &estimate::Limits::here())?;
    eprintln!("parbench: {}", estimate.summary());
    let header = match resumed {
        Some(was) => was,
        None => {
            if journal_path.exists() && !to_stdout {
                eprintln!(
                    "parbench: replacing the journal of an earlier, unfinished run at {} (use \
                     --resume {} to complete it instead)",
                    journal_path.display(),
                    out.display()
                );
            }
            Journal::create(&journal_path, &now)?;
            now
        }
    };
    let done = children::done_set(&journal_path)?;
    let per_round = plan.warmup + plan.samples;
    let planned = ids.len() * plan.rounds;
    let remaining = planned - done.len().min(planned);
    let mut progress = Shown {
        bar: progress_bar(Some((remaining * per_round) as u64), false),
        lines: !std::io::stderr().is_terminal(),
        rounds: plan.rounds,
        finished: done.len(),
        planned,
    };
    let exe = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find the parbench executable: {e}")))?;
    let spawner = Children {
        exe,
        args: sides::child_args(),
        journal: journal_path.clone(),
        rounds: plan.rounds,
        processes: plan.processes,
    };
    let ended = spawner.measure(&ids, &mut progress)?;
    progress.bar.finish_and_clear();

    let (_, records) = journal::read(&journal_path)?;
    let built = assemble(&ids, &records);
    let mut results = Results::new(header.machine, header.config, built.cells);
    results.reference = built.reference;
    if let Ended::Interrupted(signal) = ended {
        results.interrupted = Some(Interruption {
            reason: signals::name(signal),
            finished_rounds: built.rounds_done,
            planned_rounds: planned,
        });
    }
    finish(&results, &out, &journal_path, ended)
}

/// Prints the table, then writes the file: a failed write (a full disk) still leaves the
/// table on the screen, and the journal to resume from.
fn finish(
    results: &Results,
    out: &Path,
    journal_path: &Path,
    ended: Ended,
) -> Result<Outcome, Error> {
    let table = crate::report::table::render(&results.cells);
    if out.as_os_str() == "-" {
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    let _ = std::io::stdout().flush();
    results.write(out)?;
    if let Ended::Interrupted(signal) = ended {
        let i = results.interrupted.as_ref().expect("set when interrupted");
        eprintln!(
            "parbench: stopped by {}: {} of {} cell rounds finished and are in {}; complete \
             the run with the same flags and --resume {}",
            signals::name(signal),
            i.finished_rounds,
            i.planned_rounds,
            out.display(),
            out.display()
        );
        return Ok(Outcome::Interrupted(signal));
    }
    let _ = std::fs::remove_file(journal_path);
    if out.as_os_str() != "-" {
        eprintln!("parbench: wrote {}", out.display());
    }
    verdict(results)
}

/// Exit 1 when a cell failed verification.
fn verdict(results: &Results) -> Result<Outcome, Error> {
    let bad: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.skipped.is_none() && !c.verified)
        .map(|c| results::CellId::of(c).to_string())
        .collect();
    if bad.is_empty() {
        Ok(Outcome::Success)
    } else {
        eprintln!("parbench: verification failed in {}", bad.join(", "));
        Ok(Outcome::Negative)
    }
}
