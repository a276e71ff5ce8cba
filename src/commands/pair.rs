//! `parbench pair`: checks the sides' flags and files before any side starts, then lets the
//! coordinator (`crate::pair`) run them.

use super::run::{RunArgs, progress_bar, selection};
use super::{Outcome, one_line};
use crate::error::Error;
use crate::pair::{self, Finished, SidePlan};
use clap::{Args, Parser};
use std::path::{Path, PathBuf};

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

/// A side's command line as `parbench run` would parse it.
#[derive(Debug, Parser)]
#[command(name = "parbench run")]
struct RunLine {
    #[command(flatten)]
    run: RunArgs,
}

/// A side with the flag that named its results file, for messages.
struct Planned {
    side: SidePlan,
    flag: &'static str,
}

/// The sides to run, checked before any starts: the run flags are this parbench's `run` flags
/// for each side and name known workloads and strategies (a baseline binary of another version
/// has the last word on its own), no side sets what the coordinator sets, the files are
/// distinct and writable. A bad flag is thus reported once, by the coordinator, rather than by
/// every side at once.
fn plans(args: &PairArgs) -> Result<Vec<Planned>, Error> {
    let this = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find this parbench binary: {e}")))?;
    let side_args =
        |own: &[String]| -> Vec<String> { args.run.iter().chain(own).cloned().collect::<Vec<_>>() };
    let baseline_exe = args.baseline_exe.clone().unwrap_or_else(|| this.clone());
    let side = |name, exe_flag, exe: &PathBuf, own: &[String], out: &PathBuf| SidePlan {
        name,
        exe_flag,
        exe: exe.clone(),
        args: side_args(own),
        out: out.clone(),
    };
    let mut plans = vec![Planned {
        side: side(
            "baseline",
            "--baseline-exe",
            &baseline_exe,
            &args.baseline_arg,
            &args.baseline_out,
        ),
        flag: "--baseline-out",
    }];
    if let Some(out) = &args.aa_out {
        plans.push(Planned {
            side: side(
                "baseline again",
                "--baseline-exe",
                &baseline_exe,
                &args.baseline_arg,
                out,
            ),
            flag: "--aa-out",
        });
    }
    let current_exe = args.current_exe.clone().unwrap_or(this);
    plans.push(Planned {
        side: side(
            "current",
            "--current-exe",
            &current_exe,
            &args.current_arg,
            &args.out,
        ),
        flag: "--out",
    });

    for Planned { side: p, .. } in &plans {
        if let Some(a) = p.args.iter().find(|a| {
            ["--out", "--pair-id"]
                .iter()
                .any(|f| *a == f || a.starts_with(&format!("{f}=")))
        }) {
            return Err(Error::usage(format!(
                "pair: {a} is set by parbench pair itself (use --out, --baseline-out, --aa-out)"
            )));
        }
        let argv = std::iter::once("parbench run".to_string())
            .chain(p.args.iter().cloned())
            .chain(["--out".into(), p.out.display().to_string()]);
        let refused =
            |why: String| Error::usage(format!("pair: the {} side's run flags: {why}", p.name));
        let line = RunLine::try_parse_from(argv).map_err(|e| refused(one_line(&e)))?;
        selection(&line.run).map_err(|e| refused(e.to_string()))?;
    }
    for (i, p) in plans.iter().enumerate() {
        if let Some(q) = plans[..i]
            .iter()
            .find(|q| same_file(&q.side.out, &p.side.out))
        {
            return Err(Error::usage(format!(
                "{}: {} is also {}'s file",
                p.flag,
                p.side.out.display(),
                q.flag
            )));
        }
        crate::sys::files::check_writable(&p.side.out, p.flag)?;
    }
    Ok(plans)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Exit 0 when every side wrote its file, 1 when a side failed after its first turn; an error
/// (exit 2) when the flags are bad or the sides could not be paired.
pub fn run(args: &PairArgs) -> Result<Outcome, Error> {
    let sides: Vec<pair::SidePlan> = plans(args)?.into_iter().map(|p| p.side).collect();
    match pair::run(&sides, &progress_bar(None, false))? {
        Finished::SideFailed => Ok(Outcome::Negative),
        Finished::AllWritten => {
            let base = &args.baseline_out;
            eprintln!(
                "parbench pair: compare with `parbench compare {} {}`",
                base.display(),
                args.out.display()
            );
            if let Some(aa) = &args.aa_out {
                eprintln!(
                    "parbench pair: A/A check: `parbench compare {} {}`",
                    base.display(),
                    aa.display()
                );
            }
            Ok(Outcome::Success)
        }
    }
}
