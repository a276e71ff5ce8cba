//! `parbench history`: add a results file to the store, list what is stored, report the trends.

use super::Outcome;
use crate::error::Error;
use crate::history::{AddOptions, Added, DEFAULT_DIR, Store, report};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Action,
}

/// The store every subcommand works on.
#[derive(Debug, Args)]
pub struct StoreArg {
    /// The history store's directory (created by the first `add`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DIR)]
    pub store: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Store a results file (append-only; the same file twice is stored once).
    Add {
        #[arg(value_name = "RESULTS.json")]
        results: PathBuf,
        #[command(flatten)]
        store: StoreArg,
        /// The commit the run measured [default: the one the results file records].
        #[arg(long, value_name = "REV")]
        commit: Option<String>,
        /// A note stored with the run (a branch, a build, the scale of a synthetic history).
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
    },
    /// The stored runs, series by series (one per machine and configuration).
    List {
        #[command(flatten)]
        store: StoreArg,
    },
    /// Trend charts per cell with their change points, a table of the changes, report.md and
    /// a self-contained report.html.
    Report {
        #[command(flatten)]
        store: StoreArg,
        /// Output directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

pub fn run(args: &HistoryArgs) -> Result<Outcome, Error> {
    match &args.action {
        Action::Add {
            results,
            store,
            commit,
            label,
        } => {
            let opts = AddOptions {
                commit: commit.clone(),
                label: label.clone(),
            };
            match Store::add(&store.store, results, &opts)? {
                Added::New(e) => println!(
                    "stored {} as run {} (series {}, commit {}) in {}",
                    results.display(),
                    e.run,
                    e.series,
                    e.short_commit(),
                    store.store.display()
                ),
                Added::Already(e) => println!(
                    "{} is already stored as run {} in {}: nothing added",
                    results.display(),
                    e.run,
                    store.store.display()
                ),
            }
            Ok(Outcome::Success)
        }
        Action::List { store } => {
            let s = Store::open_existing(&store.store, "--store")?;
            print!("{}", list(&s));
            Ok(Outcome::Success)
        }
        Action::Report { store, out } => {
            if out.as_os_str() == "-" {
                return Err(Error::usage(
                    "--out -: a report is a directory of files and cannot go to standard \
                     output; name a directory",
                ));
            }
            let s = Store::open_existing(&store.store, "--store")?;
            let written = report::write(&s, out)?;
            eprintln!(
                "parbench: wrote {} files to {}",
                written.len(),
                out.display()
            );
            println!("{}", out.join("report.html").display());
            Ok(Outcome::Success)
        }
    }
}

/// The listing: a header per series, a line per run.
fn list(s: &Store) -> String {
    if s.entries.is_empty() {
        return format!("{}: no run stored\n", s.dir.display());
    }
    let mut out = String::new();
    for series in s.series() {
        out += &format!(
            "series {}: {} ({} logical cores, {}); {}\n",
            series.id,
            series.machine.cpu_model,
            series.machine.logical_cores,
            series.machine.blas,
            series.config.describe()
        );
        out += "  run  commit      made                  cells  label\n";
        for e in series.runs {
            out += &format!(
                "  {:>3}  {:<10}  {:<20}  {:>5}  {}\n",
                e.run,
                e.short_commit(),
                e.created,
                e.cells,
                e.label.as_deref().unwrap_or("")
            );
        }
    }
    out
}

/// `compare --history DIR CURRENT.json`: the current run against the stored runs
/// [`Store::history_for`] chooses.
pub fn compare(
    dir: &std::path::Path,
    current: &std::path::Path,
    last: usize,
    opts: &crate::compare::Criteria,
) -> Result<crate::compare::Comparison, Error> {
    use crate::compare::history::{HistoryRun, against_history};
    let store = Store::open_existing(dir, "--history")?;
    let bytes =
        std::fs::read(current).map_err(|e| Error::input(current, format!("cannot read: {e}")))?;
    let cur = crate::results::Results::from_bytes(current, &bytes)?;
    let chosen = store.history_for(&cur, &bytes, last)?;
    let loaded = chosen
        .iter()
        .map(|e| store.load(e))
        .collect::<Result<Vec<_>, _>>()?;
    let runs: Vec<HistoryRun<'_>> = chosen
        .iter()
        .zip(&loaded)
        .map(|(e, r)| HistoryRun {
            label: format!("run {} ({})", e.run, e.short_commit()),
            results: r,
        })
        .collect();
    against_history(
        &dir.display().to_string(),
        &runs,
        &current.display().to_string(),
        &cur,
        opts,
    )
}
