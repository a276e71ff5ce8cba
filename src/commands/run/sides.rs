//! `parbench run`'s other roles: a child measuring its rounds for the parent, and a side of
//! `parbench pair` measuring in its own process, taking turns.

use super::{RunArgs, plan, progress_bar, verdict};
use crate::commands::Outcome;
use crate::error::Error;
use crate::measure::children;
use crate::measure::journal::Journal;
use crate::measure::machine;
use crate::measure::runner::{self, Alone, CellLabel, Progress, Scope};
use crate::results::{self, Results};
use indicatif::ProgressBar;
use std::ffi::OsString;

/// The arguments a child is given: the run's own, without those only the parent acts on.
pub(super) fn child_args() -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--resume" || a == "--out" {
            args.next();
            continue;
        }
        let text = a.to_string_lossy();
        if text.starts_with("--resume=") || text.starts_with("--out=") {
            continue;
        }
        out.push(a);
    }
    out
}

/// A child: measures its rounds, appending each finished cell round to the journal and
/// telling the parent on stdout.
pub(super) fn child(args: &RunArgs, rounds: &str) -> Result<Outcome, Error> {
    let journal_path = args.journal.clone().expect("clap requires --journal");
    let cores = machine::logical_cores();
    let plan = plan(args, args.workers.resolve(cores), false)?;
    let rounds: Vec<usize> = rounds
        .split(',')
        .map(|r| r.parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| Error::usage(format!("--child-rounds {rounds}: not a list of rounds")))?;
    let done = children::done_set(&journal_path)?;
    let is_done = |id: &results::CellId, round: usize| done.contains(&(id.clone(), round));
    let scope = Scope {
        rounds,
        done: &is_done,
    };
    let mut journal = Journal::append_to(&journal_path)?;
    let mut failed = None;
    runner::run_rounds(
        &plan,
        &scope,
        &mut children::Report,
        &mut Alone,
        &mut |record| {
            if failed.is_some() {
                return;
            }
            match journal.append(&record) {
                Ok(()) => {
                    let _ =
                        children::Line::Done(Box::new(record)).write(&mut std::io::stdout().lock());
                }
                Err(e) => failed = Some(e),
            }
        },
    )
    .expect("a run alone is never stopped");
    match failed {
        Some(e) => Err(e),
        None => Ok(Outcome::Success),
    }
}

/// A side of `parbench pair`: measures in this process, taking turns.
pub(super) fn pair_side(args: &RunArgs) -> Result<Outcome, Error> {
    crate::sys::files::check_writable(&args.out, "--out")?;
    let machine = machine::detect();
    let plan = plan(args, args.workers.resolve(machine.logical_cores), false)?;
    let mut bar = progress_bar(Some(plan.total_runs() as u64), true);
    let mut progress = Hidden(&mut bar);
    let mut relay = crate::pair::Relay::new();
    let built = match runner::run_in_turns(&plan, &mut progress, &mut relay) {
        Ok(built) => built,
        // The coordinator reports why; one message for the whole pair.
        Err(_) if relay.told_to_stop() => return Ok(Outcome::Negative),
        Err(_) => {
            return Err(Error::usage(
                "--pair-id: the coordinator stopped handing out turns; nothing written",
            ));
        }
    };
    let mut results = Results::new(machine, plan.config(args.pair_id.clone()), built.cells);
    results.reference = built.reference;
    print!("{}", crate::report::table::render(&results.cells));
    results.write(&args.out)?;
    eprintln!("parbench: wrote {}", args.out.display());
    verdict(&results)
}

struct Hidden<'a>(&'a mut ProgressBar);

impl Progress for Hidden<'_> {
    fn cell(&mut self, _: &CellLabel<'_>) {}
    fn run_done(&mut self) {
        self.0.inc(1);
    }
}
