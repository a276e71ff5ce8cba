//! `parbench report`: reads a results file (or criterion's estimates) and writes the charts
//! and documents; never runs a workload.

use super::Outcome;
use crate::error::Error;
use crate::report;
use clap::Args;
use std::path::PathBuf;

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

pub fn run(args: &ReportArgs) -> Result<Outcome, Error> {
    // `-` is standard output for `run --out`; a report is a directory of files, and a
    // directory named `-` would only be mistaken for that.
    if args.out.as_deref() == Some(std::path::Path::new("-")) {
        return Err(Error::usage(
            "--out -: a report is a directory of files and cannot go to standard output; name \
             a directory",
        ));
    }
    let input = match (&args.results, &args.criterion) {
        (Some(path), _) => report::Input::read(path)?,
        (None, Some(dir)) => report::criterion::load(dir, crate::measure::machine::detect())?,
        (None, None) => {
            return Err(Error::usage(
                "report: give a RESULTS.json file or --criterion DIR",
            ));
        }
    };
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| input.source.default_dir());
    let written = report::write(&input, &dir)?;
    eprintln!(
        "parbench: wrote {} files to {}",
        written.len(),
        dir.display()
    );
    println!("{}", dir.join("report.html").display());
    Ok(Outcome::Success)
}
