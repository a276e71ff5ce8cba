//! `parbench pair`: a baseline and a current run that take turns on one machine.
//!
//! Two runs made one after the other on a shared machine differ by more than the code: the
//! host gives the guest's cores more or less time for seconds at a stretch, and a whole run can
//! come out a few percent faster or slower than the next. Within one run nothing can tell such
//! a shift from a slower build. Here every side is a `parbench run --pair-id ID` child that
//! stops before each timed sample until told to go, so sample i of round r of a cell is taken
//! by every side within milliseconds, on the same cores (`--pin` places them by round), while
//! the machine is in the same state; `parbench compare` then compares the samples as pairs
//! (see `crate::compare`). The sides go first in turn, so none is always measured right after
//! another.
//!
//! The protocol is a line per message: a side writes
//! `parbench-turn ready STEP STEPS ROUND SAMPLE WORKLOAD/STRATEGY/WORKERS` and waits for `go` on
//! its stdin (or `stop`, when the coordinator gives up and says why itself); after the sample it
//! writes `parbench-turn done`. Every live side must ask for the same turn at each step — the
//! same matrix, rounds and samples — or the coordinator stops them all (exit 2): samples that
//! were not taken side by side must not be judged as pairs. The first turn of a cell's round
//! also covers its inputs, executor start and warm-up, the last its executor's shutdown, so no
//! side's bookkeeping overlaps another's sample. Everything else a side prints on stdout (its
//! summary table) is ignored; its stderr is the terminal's. A side whose stdin closes stops
//! without writing a file, so no side outlives the coordinator by more than the sample it is
//! taking; a side that ends before its first turn (an older parbench refusing `--pair-id`)
//! stops the others at once. A side that hangs inside a task hangs the pair, as it would hang a
//! plain run (the process strategy's `--task-timeout` guards against that).

use crate::error::Error;
use crate::measure::runner::{CellLabel, Step, Turns};
use indicatif::ProgressBar;
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, ExitStatus, Stdio};

const READY: &str = "parbench-turn ready";
const DONE: &str = "parbench-turn done";
const GO: &str = "go";
const STOP: &str = "stop";

/// A side's request for the turn of `step`, as [`Ask::parse`] reads it back. The label keeps
/// the `workload/strategy/workers` spelling of every earlier version, so that a pair of two
/// versions stays in step.
fn ready_line(step: Step, label: &CellLabel<'_>) -> String {
    format!(
        "{READY} {} {} {} {} {}/{}/{}",
        step.index, step.of, step.round, step.sample, label.workload, label.strategy, label.workers
    )
}

/// The side's end of the protocol: what `parbench run --pair-id` takes its turns from.
pub struct Relay {
    input: io::StdinLock<'static>,
    line: String,
    stopped: bool,
}

impl Relay {
    pub fn new() -> Self {
        Relay {
            input: io::stdin().lock(),
            line: String::new(),
            stopped: false,
        }
    }

    /// Whether the coordinator said `stop` (it reports why itself), rather than vanishing.
    pub fn told_to_stop(&self) -> bool {
        self.stopped
    }
}

impl Default for Relay {
    fn default() -> Self {
        Self::new()
    }
}

impl Turns for Relay {
    fn wait(&mut self, step: Step, label: &CellLabel<'_>) -> bool {
        let mut out = io::stdout().lock();
        let asked = writeln!(out, "{}", ready_line(step, label)).and_then(|()| out.flush());
        if asked.is_err() {
            return false;
        }
        self.line.clear();
        let read = matches!(self.input.read_line(&mut self.line), Ok(n) if n > 0);
        self.stopped = read && self.line.trim() == STOP;
        read && self.line.trim() == GO
    }

    fn done(&mut self) {
        let mut out = io::stdout().lock();
        // A coordinator that is gone is noticed at the next turn.
        let _ = writeln!(out, "{DONE}").and_then(|()| out.flush());
    }
}

/// One side to run: `EXE run ARGS --out OUT --pair-id ID`. The caller has checked the
/// arguments, that the files are distinct and writable, and that no argument sets what the
/// coordinator sets (`--out`, `--pair-id`).
#[derive(Clone, Debug)]
pub struct SidePlan {
    /// "baseline", "baseline again" or "current", as messages name the side.
    pub name: &'static str,
    /// The flag that chose its binary, for the message when it cannot be started.
    pub exe_flag: &'static str,
    pub exe: PathBuf,
    pub args: Vec<String>,
    pub out: PathBuf,
}

/// How a pair ended when nothing stopped it early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    /// Every side wrote its results file.
    AllWritten,
    /// A side failed after its first turn (a failed verification, a crash); it was reported
    /// on stderr and the others finished.
    SideFailed,
}

/// A side while it runs.
struct Side {
    name: &'static str,
    exe: PathBuf,
    out: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    live: bool,
    /// Whether it has had a turn yet.
    started: bool,
}

/// A side's request for a turn, as it announced it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ask {
    step: usize,
    steps: usize,
    round: usize,
    sample: usize,
    label: String,
}

impl Ask {
    fn parse(words: &str) -> Option<Ask> {
        let mut w = words.split_whitespace();
        let mut number = || w.next().and_then(|x| x.parse().ok());
        let (step, steps, round, sample) = (number()?, number()?, number()?, number()?);
        Some(Ask {
            step,
            steps,
            round,
            sample,
            label: w.next()?.to_string(),
        })
    }
}

impl std::fmt::Display for Ask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "turn {} of {}, {} round {} sample {}",
            self.step + 1,
            self.steps,
            self.label,
            self.round,
            self.sample
        )
    }
}

/// What a side asked for next.
enum Next {
    Turn(Ask),
    /// A request this coordinator does not understand: another version's protocol.
    Garbled(String),
    Finished,
}

impl Side {
    /// The side's next line on stdout, without its line end; `None` once it has ended.
    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end().to_string()),
        }
    }

    /// Reads the side's output up to its next request, or to its end.
    fn next(&mut self) -> Next {
        while let Some(line) = self.line() {
            if let Some(rest) = line.strip_prefix(READY) {
                return Ask::parse(rest).map_or(Next::Garbled(line.clone()), Next::Turn);
            }
        }
        Next::Finished
    }

    /// Gives the side its turn and waits for the sample to be done; false when the side ended
    /// instead (it crashed, or stopped).
    fn take(&mut self) -> bool {
        let sent = self
            .stdin
            .as_mut()
            .is_some_and(|s| writeln!(s, "{GO}").and_then(|()| s.flush()).is_ok());
        if !sent {
            return false;
        }
        while let Some(line) = self.line() {
            if line == DONE {
                return true;
            }
        }
        false
    }

    /// Lets the side finish (write its file) before anyone else measures.
    fn drain(&mut self) {
        self.stdin = None;
        let mut sink = Vec::new();
        let _ = io::copy(&mut self.stdout, &mut sink);
        self.live = false;
    }
}

/// Starts every side; on a failure, stops the ones already started.
fn start(plans: &[SidePlan], id: &str) -> Result<Vec<Side>, Error> {
    let mut sides: Vec<Side> = Vec::with_capacity(plans.len());
    for p in plans {
        let spawned = std::process::Command::new(&p.exe)
            .arg("run")
            .args(&p.args)
            .arg("--out")
            .arg(&p.out)
            .arg("--pair-id")
            .arg(id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                for mut s in sides {
                    let _ = s.child.kill();
                    let _ = s.child.wait();
                }
                return Err(Error::Input {
                    flag: Some(p.exe_flag),
                    path: p.exe.clone(),
                    reason: format!("cannot start: {e}"),
                });
            }
        };
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        sides.push(Side {
            name: p.name,
            exe: p.exe.clone(),
            out: p.out.clone(),
            child,
            stdin,
            stdout,
            live: true,
            started: false,
        });
    }
    Ok(sides)
}

/// Why the coordinator stopped handing out turns before the sides were done.
enum Abort {
    /// The sides asked for different turns: their matrices differ, or one speaks another
    /// version of the protocol. Samples could no longer be paired.
    OutOfStep(String),
    /// This side ended before its first turn (it refused its flags, or could not start).
    NeverStarted(usize),
}

/// Hands out turns until every side has finished. At each step every live side must ask for
/// the same turn; then each takes it in an order that moves on with the round and the sample,
/// so that with two sides a cell's samples go A B, B A, … within a round and the first of a
/// round alternates too, whatever the number of cells and samples. A side that ends after its
/// first turn (it crashed) is reported later; the others go on.
fn coordinate(sides: &mut [Side], bar: &ProgressBar) -> Result<(), Abort> {
    loop {
        let mut asks: Vec<(usize, Ask)> = Vec::new();
        for (i, side) in sides.iter_mut().enumerate().filter(|(_, s)| s.live) {
            match side.next() {
                Next::Turn(ask) => asks.push((i, ask)),
                Next::Garbled(line) => {
                    return Err(Abort::OutOfStep(format!(
                        "the {} side asked for a turn as no parbench pair of this version does: \
                         '{line}'",
                        side.name,
                    )));
                }
                Next::Finished if !side.started => return Err(Abort::NeverStarted(i)),
                Next::Finished => side.live = false,
            }
        }
        let Some((_, first)) = asks.first().cloned() else {
            return Ok(());
        };
        if let Some((i, other)) = asks.iter().find(|(_, a)| *a != first) {
            return Err(Abort::OutOfStep(format!(
                "the sides are out of step: the {} side asks for {first}, the {} side for \
                 {other}; they must measure the same matrix (--workloads, --strategies, \
                 --workers, --chunk, --rounds, --samples)",
                sides[asks[0].0].name, sides[*i].name
            )));
        }
        bar.set_length((first.steps * sides.len()) as u64);
        bar.set_message(first.label.clone());
        let lead = (first.round + first.sample) % asks.len();
        for j in 0..asks.len() {
            let side = &mut sides[asks[(lead + j) % asks.len()].0];
            side.started = true;
            if !side.take() {
                side.live = false;
            } else if first.step + 1 == first.steps {
                side.drain();
            }
            bar.inc(1);
        }
    }
}

/// `parbench pair`: starts the sides (in the order they take turns), hands out their turns on `bar`, and reports how each
/// ended. An error (exit 2) when the sides could not be paired (out of step, or a side ended
/// before its first turn) or a side ended with an error of its own; otherwise whether every
/// side wrote its file.
pub fn run(sides: &[SidePlan], bar: &ProgressBar) -> Result<Finished, Error> {
    let id = format!("{}-{}", crate::results::now_utc(), std::process::id());
    let mut sides = start(sides, &id)?;
    let aborted = coordinate(&mut sides, bar);
    bar.finish_and_clear();
    // A side still waiting for a turn (the coordinator gave up) is told to stop, quietly and
    // without a file; the others have finished.
    for s in &mut sides {
        if let Some(mut input) = s.stdin.take()
            && aborted.is_err()
        {
            let _ = writeln!(input, "{STOP}");
        }
    }
    let statuses: Vec<io::Result<ExitStatus>> = sides.iter_mut().map(|s| s.child.wait()).collect();
    match aborted {
        Err(Abort::OutOfStep(why)) => return Err(Error::usage(format!("pair: {why}"))),
        Err(Abort::NeverStarted(i)) => {
            // Its own message, if it printed one, is above; say what is known for certain.
            let how = match &statuses[i] {
                Ok(st) => match st.code() {
                    Some(code) => format!("exited with status {code}"),
                    None => format!("ended with {st}"),
                },
                Err(e) => format!("cannot be waited for: {e}"),
            };
            return Err(Error::usage(format!(
                "pair: the {} side ended before its first turn ({} {how}); stopped the others",
                sides[i].name,
                sides[i].exe.display()
            )));
        }
        Ok(()) => {}
    }
    let mut finished = Finished::AllWritten;
    let mut error = None;
    for (s, status) in sides.iter().zip(statuses) {
        let what = match status {
            Ok(st) if st.success() => continue,
            Ok(st) => {
                if st.code() == Some(2) && error.is_none() {
                    // The side stopped on an error of its own, reported above: an error of the
                    // pair too, not a failed measurement.
                    error = Some(Error::usage(format!(
                        "pair: the {} side ({}) ended with {st}",
                        s.name,
                        s.out.display()
                    )));
                    continue;
                }
                format!("ended with {st}")
            }
            Err(e) => format!("cannot be waited for: {e}"),
        };
        finished = Finished::SideFailed;
        eprintln!(
            "parbench pair: the {} side ({}) {what}",
            s.name,
            s.out.display()
        );
    }
    match error {
        Some(e) => Err(e),
        None => Ok(finished),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    #[test]
    fn a_request_reads_back_as_it_was_written() {
        let step = Step {
            index: 7,
            of: 40,
            round: 1,
            sample: 3,
        };
        let label = CellLabel {
            workload: "svd",
            strategy: "pool",
            workers: 2,
            chunk: Some("auto"),
            round: 1,
        };
        let line = ready_line(step, &label);
        let ask = Ask::parse(line.strip_prefix(READY).unwrap()).unwrap();
        assert_eq!(
            ask,
            Ask {
                step: 7,
                steps: 40,
                round: 1,
                sample: 3,
                label: "svd/pool/2".into()
            }
        );
        assert_eq!(ask.to_string(), "turn 8 of 40, svd/pool/2 round 1 sample 3");
        assert_eq!(Ask::parse(" 1 2 three 4 x"), None);
        assert_eq!(Ask::parse(" 1 2 3 4"), None);
    }

    /// A stand-in side: asks for `steps` turns of one cell (two samples a round), logs each
    /// turn it is given as "NAME STEP", and says done; with `skew`, its third request names
    /// another cell.
    fn side(dir: &Path, name: &'static str, steps: usize, skew: bool) -> SidePlan {
        let log = dir.join("turns.log");
        let script = dir.join(format!("{name}.sh"));
        let third = if skew { "w/other/1" } else { "w/s/1" };
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nk=0\nwhile [ $k -lt {steps} ]; do\n  \
                 label=w/s/1; [ $k -eq 2 ] && label={third}\n  \
                 echo \"{READY} $k {steps} $((k / 2)) $((k % 2)) $label\"\n  \
                 read answer; [ \"$answer\" = {GO} ] || exit 3\n  \
                 echo \"{name} $k\" >> {log}\n  echo '{DONE}'\n  k=$((k + 1))\ndone\n",
                log = log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        SidePlan {
            name,
            exe_flag: "--current-exe",
            exe: script,
            args: Vec::new(),
            out: dir.join(format!("{name}.json")),
        }
    }

    fn turns(dir: &Path, plans: &[SidePlan]) -> (Result<(), Abort>, String) {
        let mut sides = start(plans, "test").unwrap();
        let outcome = coordinate(&mut sides, &ProgressBar::hidden());
        for s in &mut sides {
            drop(s.stdin.take());
            let _ = s.child.wait();
        }
        let log = std::fs::read_to_string(dir.join("turns.log")).unwrap_or_default();
        (outcome, log)
    }

    #[test]
    fn who_goes_first_moves_with_the_round_and_the_sample() {
        let dir = tempfile::tempdir().unwrap();
        let plans = [
            side(dir.path(), "a", 4, false),
            side(dir.path(), "b", 4, false),
        ];
        let (outcome, log) = turns(dir.path(), &plans);
        assert!(outcome.is_ok());
        // Steps 0..4 are (round, sample) (0,0) (0,1) (1,0) (1,1): leads a, b, b, a.
        assert_eq!(log, "a 0\nb 0\nb 1\na 1\nb 2\na 2\na 3\nb 3\n");
    }

    #[test]
    fn sides_asking_for_different_turns_are_stopped_before_either_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        let plans = [
            side(dir.path(), "a", 4, false),
            side(dir.path(), "b", 4, true),
        ];
        let (outcome, log) = turns(dir.path(), &plans);
        match outcome {
            Err(Abort::OutOfStep(why)) => {
                assert!(why.contains("w/s/1") && why.contains("w/other/1"), "{why}")
            }
            _ => panic!("not out of step"),
        }
        assert_eq!(
            log, "a 0\nb 0\nb 1\na 1\n",
            "nothing taken after the mismatch"
        );
    }

    #[test]
    fn a_side_that_never_asks_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let silent = dir.path().join("silent.sh");
        std::fs::write(&silent, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&silent, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut quiet = side(dir.path(), "a", 2, false);
        quiet.exe = silent;
        let plans = [quiet, side(dir.path(), "b", 2, false)];
        let (outcome, log) = turns(dir.path(), &plans);
        assert!(matches!(outcome, Err(Abort::NeverStarted(0))));
        assert_eq!(log, "", "the other side measured nothing alone");
    }
}
