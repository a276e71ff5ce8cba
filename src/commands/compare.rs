//! `parbench compare`: reads both files, writes the requested outputs, prints the table.

use super::Outcome;
use super::history;
use super::values::{parse_alpha, parse_threshold};
use crate::compare::{self, Criteria, Metric, output};
use crate::error::Error;
use crate::results::Results;
use crate::sys::files::{check_writable, write_atomic};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// BASELINE.json CURRENT.json: the results of the reference run (e.g. the main branch)
    /// and of the run under test (e.g. a pull request); with --history, CURRENT.json alone.
    #[arg(value_names = ["BASELINE", "CURRENT"], num_args = 1..=2, required = true)]
    pub files: Vec<PathBuf>,
    /// Judge CURRENT.json against the last runs of its machine and configuration in this
    /// history store (`parbench history add`) instead of a baseline file.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// With --history: how many of the latest stored runs give each cell's spread.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "history",
          value_parser = clap::value_parser!(u64).range(3..=1000))]
    pub last: u64,
    /// Smallest change that counts, in percent: a regression's whole 95% interval must lie
    /// beyond it.
    #[arg(long, default_value_t = 5.0, value_name = "PCT", value_parser = parse_threshold,
          allow_negative_numbers = true)]
    pub threshold: f64,
    /// What to compare: wall time (same machine), or speedup over serial within each run
    /// (comparable across machines).
    #[arg(long, value_enum, default_value_t = MetricArg::Time)]
    pub metric: MetricArg,
    /// Family-wise false-alarm rate of the whole comparison (Holm-corrected).
    #[arg(long, default_value_t = 0.05, value_name = "P", value_parser = parse_alpha,
          allow_negative_numbers = true)]
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

/// `--metric`, as the command line spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MetricArg {
    /// Wall time of each cell: meaningful only on the same machine.
    Time,
    /// Each cell's speedup over serial within its own run: comparable across machines.
    Speedup,
}

impl From<MetricArg> for Metric {
    fn from(m: MetricArg) -> Metric {
        match m {
            MetricArg::Time => Metric::Time,
            MetricArg::Speedup => Metric::Speedup,
        }
    }
}

/// Exit 1 when a cell regressed; a file that cannot be read or written exits 2, never 1, which
/// must mean a regression and nothing else.
pub fn run(args: &CompareArgs) -> Result<Outcome, Error> {
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
            check_writable(p, flag)?;
        }
    }
    let opts = Criteria {
        metric: args.metric.into(),
        threshold_pct: args.threshold,
        alpha: args.alpha,
        allow_machine_mismatch: args.allow_machine_mismatch,
    };
    let cmp = match (&args.history, args.files.as_slice()) {
        (None, [baseline, current]) => {
            let base = Results::read(baseline)?;
            let cur = Results::read(current)?;
            compare::compare(
                &baseline.display().to_string(),
                &base,
                &current.display().to_string(),
                &cur,
                &opts,
            )?
        }
        (None, _) => {
            return Err(Error::usage(
                "compare: missing <CURRENT>: give BASELINE.json CURRENT.json, or --history DIR \
                 CURRENT.json",
            ));
        }
        (Some(_), _) if args.allow_machine_mismatch => {
            return Err(Error::usage(
                "--allow-machine-mismatch: a history holds one machine's runs; judge a run \
                 from another machine against a history of its own",
            ));
        }
        (Some(dir), [current]) => history::compare(dir, current, args.last as usize, &opts)?,
        (Some(_), _) => {
            return Err(Error::usage(
                "--history: give CURRENT.json alone (the store is the baseline)",
            ));
        }
    };
    if let Some(p) = &args.json {
        write_atomic(p, &output::json(&cmp)?, Some("--json"))?;
    }
    if let Some(p) = &args.markdown {
        write_atomic(p, output::markdown(&cmp).as_bytes(), Some("--markdown"))?;
    }
    if let Some((svg, png)) = &chart_files {
        let stem = svg
            .file_stem()
            .map_or("compare".into(), |s| s.to_string_lossy());
        let chart = compare::chart::draw(&cmp, &stem)?;
        write_atomic(svg, chart.svg.as_bytes(), Some("--chart"))?;
        write_atomic(png, &chart.png, Some("--chart"))?;
    }
    print!("{}", output::terminal(&cmp));
    Ok(if cmp.regressed() {
        Outcome::Negative
    } else {
        Outcome::Success
    })
}
