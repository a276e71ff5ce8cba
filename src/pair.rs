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
//! The protocol is a line per message: a side writes `parbench-turn ready STEP STEPS LABEL`
//! and waits for `go` on its stdin; after the sample it writes `parbench-turn done`. The first
//! turn of a cell's round also covers its inputs, executor start and warm-up, the last its
//! executor's shutdown, so no side's bookkeeping overlaps another's sample. Everything else a
//! side prints on stdout (its summary table) is ignored; its stderr is the terminal's. A side
//! whose stdin closes stops without writing a file, so no side outlives the coordinator by
//! more than the sample it is taking. A side that hangs inside a task hangs the pair, as it
//! would hang a plain run (the process strategy's `--task-timeout` guards against that).

use crate::cli::{Cli, Command, PairArgs};
use crate::error::Error;
use crate::measure::runner::{CellLabel, Turns};
use crate::results;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, ExitCode, Stdio};

const READY: &str = "parbench-turn ready";
const DONE: &str = "parbench-turn done";
const GO: &str = "go";

/// The side's end of the protocol: what `parbench run --pair-id` takes its turns from.
pub struct Relay {
    input: io::StdinLock<'static>,
    line: String,
}

impl Relay {
    pub fn new() -> Self {
        Relay {
            input: io::stdin().lock(),
            line: String::new(),
        }
    }
}

impl Default for Relay {
    fn default() -> Self {
        Self::new()
    }
}

impl Turns for Relay {
    fn wait(&mut self, step: usize, steps: usize, label: &CellLabel<'_>) -> bool {
        let mut out = io::stdout().lock();
        let asked = writeln!(
            out,
            "{READY} {step} {steps} {}/{}/{}",
            label.workload, label.strategy, label.workers
        )
        .and_then(|()| out.flush());
        if asked.is_err() {
            return false;
        }
        self.line.clear();
        matches!(self.input.read_line(&mut self.line), Ok(n) if n > 0) && self.line.trim() == GO
    }

    fn done(&mut self) {
        let mut out = io::stdout().lock();
        // A coordinator that is gone is noticed at the next turn.
        let _ = writeln!(out, "{DONE}").and_then(|()| out.flush());
    }
}

/// One side as the command line describes it.
struct Plan {
    name: &'static str,
    /// The flags that named its results file and its binary, for error messages.
    flag: &'static str,
    exe_flag: &'static str,
    exe: PathBuf,
    args: Vec<String>,
    out: PathBuf,
}

/// A side while it runs.
struct Side {
    name: &'static str,
    out: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    live: bool,
}

/// What a side asked for next.
enum Next {
    Turn { step: usize, steps: usize },
    Finished,
}

impl Side {
    /// Reads the side's output up to its next request, or to its end.
    fn next(&mut self) -> Next {
        let mut line = String::new();
        loop {
            line.clear();
            match self.stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return Next::Finished,
                Ok(_) => {}
            }
            if let Some(rest) = line.trim_end().strip_prefix(READY) {
                let mut words = rest.split_whitespace();
                let step = words.next().and_then(|w| w.parse().ok());
                let steps = words.next().and_then(|w| w.parse().ok());
                if let (Some(step), Some(steps)) = (step, steps) {
                    return Next::Turn { step, steps };
                }
            }
        }
    }

    /// Gives the side its turn and waits for the cell to be done; false when the side ended
    /// instead (it crashed, or stopped).
    fn take(&mut self) -> bool {
        let sent = self
            .stdin
            .as_mut()
            .is_some_and(|s| writeln!(s, "{GO}").and_then(|()| s.flush()).is_ok());
        if !sent {
            return false;
        }
        let mut line = String::new();
        loop {
            line.clear();
            match self.stdout.read_line(&mut line) {
                Ok(0) | Err(_) => return false,
                Ok(_) if line.trim_end() == DONE => return true,
                Ok(_) => {}
            }
        }
    }

    /// Lets the side finish (write its file) before anyone else measures.
    fn drain(&mut self) {
        self.stdin = None;
        let mut sink = Vec::new();
        let _ = io::copy(&mut self.stdout, &mut sink);
        self.live = false;
    }
}

/// The sides to run, checked before any starts: the run flags parse as this parbench's `run`
/// flags for each side (a baseline binary of another version has the last word on its own),
/// no side sets what the coordinator sets, the files are distinct and writable.
fn plans(args: &PairArgs) -> Result<Vec<Plan>, Error> {
    let this = std::env::current_exe()
        .map_err(|e| Error::Runtime(format!("cannot find this parbench binary: {e}")))?;
    let side_args =
        |own: &[String]| -> Vec<String> { args.run.iter().chain(own).cloned().collect::<Vec<_>>() };
    let baseline_exe = args.baseline_exe.clone().unwrap_or_else(|| this.clone());
    let mut plans = vec![Plan {
        name: "baseline",
        flag: "--baseline-out",
        exe_flag: "--baseline-exe",
        exe: baseline_exe.clone(),
        args: side_args(&args.baseline_arg),
        out: args.baseline_out.clone(),
    }];
    if let Some(out) = &args.aa_out {
        plans.push(Plan {
            name: "baseline again",
            flag: "--aa-out",
            exe_flag: "--baseline-exe",
            exe: baseline_exe,
            args: side_args(&args.baseline_arg),
            out: out.clone(),
        });
    }
    plans.push(Plan {
        name: "current",
        flag: "--out",
        exe_flag: "--current-exe",
        exe: args.current_exe.clone().unwrap_or(this),
        args: side_args(&args.current_arg),
        out: args.out.clone(),
    });

    for p in &plans {
        if let Some(a) = p.args.iter().find(|a| {
            ["--out", "--pair-id"]
                .iter()
                .any(|f| *a == f || a.starts_with(&format!("{f}=")))
        }) {
            return Err(Error::usage(format!(
                "pair: {a} is set by parbench pair itself (use --out, --baseline-out, --aa-out)"
            )));
        }
        let argv = ["parbench", "run"]
            .into_iter()
            .map(String::from)
            .chain(p.args.iter().cloned())
            .chain(["--out".into(), p.out.display().to_string()]);
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Command::Run(_),
            }) => {}
            Ok(_) => unreachable!("parsed as `run`"),
            Err(e) => {
                let text = e.to_string();
                let first = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ");
                return Err(Error::usage(format!(
                    "pair: the {} side's run flags: {first}",
                    p.name
                )));
            }
        }
    }
    for (i, p) in plans.iter().enumerate() {
        if let Some(q) = plans[..i].iter().find(|q| same_file(&q.out, &p.out)) {
            return Err(Error::usage(format!(
                "{}: {} is also {}'s file",
                p.flag,
                p.out.display(),
                q.flag
            )));
        }
        results::check_writable(&p.out, p.flag)?;
    }
    Ok(plans)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Starts every side; on a failure, stops the ones already started.
fn start(plans: &[Plan], id: &str) -> Result<Vec<Side>, Error> {
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
                return Err(Error::usage(format!(
                    "{}: cannot start {}: {e}",
                    p.exe_flag,
                    p.exe.display()
                )));
            }
        };
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        sides.push(Side {
            name: p.name,
            out: p.out.clone(),
            child,
            stdin,
            stdout,
            live: true,
        });
    }
    Ok(sides)
}

/// Hands out turns until every side has finished: in each step every live side takes one
/// sample, and the side that goes first moves on by one from step to step, so that with two
/// sides the order runs A B, B A, A B, … and a drift within a step favours neither.
fn coordinate(sides: &mut [Side], bar: &ProgressBar) {
    let sides_n = sides.len();
    let mut step = 0;
    loop {
        let live: Vec<usize> = (0..sides.len()).filter(|&i| sides[i].live).collect();
        if live.is_empty() {
            return;
        }
        for j in 0..live.len() {
            let side = &mut sides[live[(j + step) % live.len()]];
            match side.next() {
                Next::Finished => side.live = false,
                Next::Turn { step: s, steps } => {
                    bar.set_length((steps * sides_n) as u64);
                    bar.set_message(format!("{} {}/{steps}", side.name, s + 1));
                    if !side.take() {
                        side.live = false;
                    } else if s + 1 == steps {
                        side.drain();
                    }
                    bar.inc(1);
                }
            }
        }
        step += 1;
    }
}

/// `parbench pair`: starts the sides, hands out their turns, and reports how each ended.
/// Exit 0 when every side wrote its file, 2 when a side refused its flags, 1 otherwise.
pub fn command(args: &PairArgs) -> Result<ExitCode, Error> {
    let plans = plans(args)?;
    let id = format!("{}-{}", results::now_utc(), std::process::id());
    let mut sides = start(&plans, &id)?;
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    coordinate(&mut sides, &bar);
    bar.finish_and_clear();

    let mut code = 0u8;
    for s in &mut sides {
        s.stdin = None;
        match s.child.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!(
                    "parbench pair: the {} side ({}) ended with {status}",
                    s.name,
                    s.out.display()
                );
                code = code.max(if status.code() == Some(2) { 2 } else { 1 });
            }
            Err(e) => {
                eprintln!("parbench pair: cannot wait for the {} side: {e}", s.name);
                code = code.max(1);
            }
        }
    }
    if code == 0 {
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
    }
    Ok(ExitCode::from(code))
}
