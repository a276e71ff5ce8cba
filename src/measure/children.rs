//! Rounds in fresh processes. `parbench run` measures nothing itself: it starts child processes
//! of its own binary, one after the other, each measuring its share of the rounds and appending
//! every finished cell round to the journal. Address layout, allocator state and the order of
//! first touches then differ between rounds, as they do between runs, so their effect shows in
//! the spread between rounds instead of biasing a whole run (pyperf's worker processes).
//!
//! A child speaks to the parent on its standard output, one line per event (see [`Line`]). A
//! child that dies mid-cell (a crash, a kill the run survives) costs that cell its round, which
//! is recorded as failed; its share is then given to a fresh child, which skips what the
//! journal holds. A caught SIGINT/SIGTERM stops the child's whole process group and the run.

use super::journal::{self, Journal};
use super::record::RoundRecord;
use super::runner::{CellLabel, Progress};
use crate::error::Error;
use crate::results::CellId;
use crate::sys::signals;
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The hidden flags that make `parbench run` a child.
pub const ROUNDS_FLAG: &str = "--child-rounds";
pub const JOURNAL_FLAG: &str = "--journal";

/// How the parent starts its children.
pub struct Children {
    pub exe: PathBuf,
    /// The run's own arguments: a child builds the same plan from them.
    pub args: Vec<OsString>,
    pub journal: PathBuf,
    pub rounds: usize,
    pub processes: usize,
}

/// How the measuring ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    Complete,
    /// Stopped by this signal; the journal holds what finished.
    Interrupted(i32),
}

impl Children {
    /// The rounds child `k` of `processes` measures: every `processes`-th, so each child's
    /// rounds spread over the run.
    pub fn share(&self, k: usize) -> Vec<usize> {
        (k..self.rounds.max(1))
            .step_by(self.processes.max(1))
            .collect()
    }

    /// Measures every cell round of `ids` the journal does not hold yet.
    pub fn measure(&self, ids: &[CellId], progress: &mut dyn Progress) -> Result<Ended, Error> {
        signals::catch_termination()
            .map_err(|e| Error::Internal(format!("cannot catch SIGINT/SIGTERM: {e}")))?;
        for k in 0..self.processes.max(1) {
            let share = self.share(k);
            // A child that dies is replaced; one that dies without finishing anything is not
            // replaced again (something is wrong beyond one cell).
            loop {
                let missing = self.missing(ids, &share)?;
                if missing == 0 {
                    break;
                }
                let outcome = self.one_child(&share, progress)?;
                if let Some(signal) = signals::caught() {
                    return Ok(Ended::Interrupted(signal));
                }
                match outcome {
                    ChildEnd::Finished => break,
                    ChildEnd::Died { progressed: true } => continue,
                    ChildEnd::Died { progressed: false } => {
                        eprintln!(
                            "parbench: rounds {share:?} could not be measured: their process \
                             died before finishing any cell; the run goes on without them"
                        );
                        break;
                    }
                }
            }
        }
        Ok(Ended::Complete)
    }

    /// Cell rounds of `share` not in the journal yet.
    fn missing(&self, ids: &[CellId], share: &[usize]) -> Result<usize, Error> {
        let done = done_set(&self.journal)?;
        Ok(ids
            .iter()
            .flat_map(|id| share.iter().map(move |&r| (id.clone(), r)))
            .filter(|k| !done.contains(k))
            .count())
    }

    fn one_child(&self, share: &[usize], progress: &mut dyn Progress) -> Result<ChildEnd, Error> {
        let rounds = share
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let parent = std::process::id() as i32;
        let mut cmd = Command::new(&self.exe);
        cmd.args(&self.args)
            .arg(ROUNDS_FLAG)
            .arg(&rounds)
            .arg(JOURNAL_FLAG)
            .arg(&self.journal)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Its own group: a signal reaches the child and its workers through the parent,
            // which stays to write what finished.
            .process_group(0);
        // SAFETY: prctl and getppid are async-signal-safe and touch no memory of the parent;
        // the child dies with the parent instead of measuring on, unseen.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0
                    || libc::getppid() != parent
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            Error::Internal(format!(
                "cannot start a measuring process ({}): {e}",
                self.exe.display()
            ))
        })?;
        let pid = child.id();
        signals::forward_to(Some(pid));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut in_flight: Option<(CellId, usize)> = None;
        let mut finished = 0usize;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            match Line::parse(&line) {
                Some(Line::Cell { id, round }) => {
                    progress.cell(&CellLabel {
                        workload: &id.workload,
                        strategy: &id.strategy,
                        workers: id.workers,
                        chunk: id.chunk.as_deref(),
                        round,
                    });
                    in_flight = Some((id, round));
                }
                Some(Line::Run) => progress.run_done(),
                Some(Line::Done(record)) => {
                    progress.round_done(&record);
                    in_flight = None;
                    finished += 1;
                }
                None => {}
            }
        }
        let status = child.wait();
        signals::forward_to(None);
        signals::sweep_group(pid);
        crate::strategy::process::remove_owned_by(pid);
        let status =
            status.map_err(|e| Error::Internal(format!("lost a measuring process: {e}")))?;
        if status.success() {
            return Ok(ChildEnd::Finished);
        }
        if signals::caught().is_some() {
            return Ok(ChildEnd::Died { progressed: false });
        }
        let how = describe(status);
        if let Some((id, round)) = in_flight {
            eprintln!(
                "parbench: the process measuring {id} (round {round}) {how}; the run goes on"
            );
            let lost = RoundRecord::lost(
                &id,
                round,
                0,
                pid,
                format!("the process measuring this round {how}"),
            );
            Journal::append_to(&self.journal)?.append(&lost)?;
            return Ok(ChildEnd::Died { progressed: true });
        }
        eprintln!("parbench: a measuring process {how}");
        Ok(ChildEnd::Died {
            progressed: finished > 0,
        })
    }
}

enum ChildEnd {
    Finished,
    Died { progressed: bool },
}

/// "exited with status 3", "was killed by signal 9".
fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "ended abnormally".into(),
    }
}

/// The (cell, round) pairs a journal holds.
pub fn done_set(path: &std::path::Path) -> Result<HashSet<(CellId, usize)>, Error> {
    let (_, records) = journal::read(path)?;
    Ok(records.iter().map(|r| (r.id(), r.round)).collect())
}

/// What a child tells its parent, one line each.
#[derive(Debug, PartialEq)]
pub enum Line {
    /// A cell's round starts.
    Cell { id: CellId, round: usize },
    /// One run (warm-up or timed) of it finished.
    Run,
    /// The round is in the journal.
    Done(Box<RoundRecord>),
}

impl Line {
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            Line::Cell { id, round } => writeln!(
                out,
                "cell\t{round}\t{}\t{}\t{}\t{}",
                id.workload,
                id.strategy,
                id.workers,
                id.chunk.as_deref().unwrap_or("-")
            )?,
            Line::Run => writeln!(out, "run")?,
            Line::Done(r) => writeln!(
                out,
                "done\t{}",
                serde_json::to_string(r).map_err(std::io::Error::other)?
            )?,
        }
        out.flush()
    }

    pub fn parse(line: &str) -> Option<Line> {
        let mut parts = line.split('\t');
        match parts.next()? {
            "run" => Some(Line::Run),
            "done" => serde_json::from_str(parts.next()?)
                .ok()
                .map(|r| Line::Done(Box::new(r))),
            "cell" => {
                let round = parts.next()?.parse().ok()?;
                let workload = parts.next()?.to_string();
                let strategy = parts.next()?.to_string();
                let workers = parts.next()?.parse().ok()?;
                let chunk = match parts.next()? {
                    "-" => None,
                    c => Some(c.to_string()),
                };
                Some(Line::Cell {
                    id: CellId {
                        workload,
                        strategy,
                        workers,
                        chunk,
                    },
                    round,
                })
            }
            _ => None,
        }
    }
}

/// A child's progress: lines to the parent.
pub struct Report;

impl Progress for Report {
    fn cell(&mut self, label: &CellLabel<'_>) {
        let line = Line::Cell {
            id: label.id(),
            round: label.round,
        };
        // A parent that stopped reading is gone or stopping us; the journal is what counts.
        let _ = line.write(&mut std::io::stdout().lock());
    }
    fn run_done(&mut self) {
        let _ = Line::Run.write(&mut std::io::stdout().lock());
    }
    fn round_done(&mut self, _: &RoundRecord) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_written() {
        let id = CellId {
            workload: "svd".into(),
            strategy: "pool".into(),
            workers: 2,
            chunk: Some("auto".into()),
        };
        let lines = [
            Line::Cell {
                id: id.clone(),
                round: 3,
            },
            Line::Run,
            Line::Done(Box::new(RoundRecord::new(&id, 3, 7))),
        ];
        for l in lines {
            let mut buf = Vec::new();
            l.write(&mut buf).unwrap();
            let text = String::from_utf8(buf).unwrap();
            assert_eq!(Line::parse(text.trim_end()), Some(l));
        }
    }

    #[test]
    fn shares_spread_the_rounds_over_the_processes() {
        let c = Children {
            exe: PathBuf::new(),
            args: Vec::new(),
            journal: PathBuf::new(),
            rounds: 5,
            processes: 2,
        };
        assert_eq!(c.share(0), [0, 2, 4]);
        assert_eq!(c.share(1), [1, 3]);
    }
}
