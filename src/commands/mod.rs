//! The subcommands. Each file holds one subcommand's arguments (the only clap types besides
//! `crate::cli`), turns them into the plain options of the layers below, and returns its
//! [`Outcome`]; every error is an [`Error`], which exits 2 (see docs/ARCHITECTURE.md).

mod compare;
mod history;
mod list;
mod machine;
mod pair;
mod report;
mod run;
mod values;
mod worker;

pub use compare::{CompareArgs, MetricArg};
pub use history::HistoryArgs;
pub use list::ListArgs;
pub use machine::MachineArgs;
pub use pair::PairArgs;
pub use report::ReportArgs;
pub use run::RunArgs;
pub use values::{Chunks, SizeArg, Workers};

use crate::error::Error;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Workloads and strategies, one per line, with a description.
    List(ListArgs),
    /// What a run would record about this machine.
    Machine(MachineArgs),
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
    /// A store of results across commits: add runs, list them, chart each cell's trend with
    /// its change points (`compare --history` judges a new run against it).
    History(HistoryArgs),
}

/// What a command that ran to its end found, as ripgrep separates "no match" from an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: done, and nothing was found wrong.
    Success,
    /// Exit 1: done, and the answer is no: a cell failed verification, a cell regressed, a
    /// side of a pair failed.
    Negative,
    /// Exit 128 + the signal: stopped by SIGINT or SIGTERM, what was finished kept (as a shell
    /// reports a process the signal killed).
    Interrupted(i32),
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Negative => 1,
            Outcome::Interrupted(signal) => (128 + signal).clamp(129, 255) as u8,
        }
    }
}

/// Runs the parsed command.
pub fn dispatch(command: Command) -> Result<Outcome, Error> {
    match command {
        Command::List(args) => list::run(&args),
        Command::Machine(args) => machine::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Worker => worker::run(),
        Command::Pair(args) => pair::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Report(args) => report::run(&args),
        Command::History(args) => history::run(&args),
    }
}

/// clap's message for a bad command line, on one line: the problem with what it names (the
/// missing arguments, the valid values, a similar name), and for missing arguments the usage;
/// without clap's "For more information" and generic tips.
pub fn one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let mut paragraphs = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
    let first = paragraphs.next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let mut lines = first.lines().map(str::trim);
    let mut out = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    if !rest.is_empty() {
        // "...were not provided:" then one argument a line; "invalid value ..." then
        // "[possible values: ...]".
        let sep = if out.ends_with(':') { ", " } else { " " };
        out = format!("{out} {}", rest.join(sep));
    }
    for p in paragraphs {
        if p.starts_with("tip: a similar") || p.starts_with("tip: some similar") {
            out = format!("{out}; {p}");
        } else if let Some(usage) = p.strip_prefix("Usage: ")
            && e.kind() == clap::error::ErrorKind::MissingRequiredArgument
        {
            out = format!(
                "{out} (usage: {})",
                usage.lines().next().unwrap_or_default()
            );
        }
    }
    out
}
