//! Starting, talking to and stopping the worker processes of the `process` strategy.

use super::START_TIMEOUT;
use super::wire::{self, FromWorker, ToWorker};
use crate::workload::TaskResult;
use std::io::{BufReader, BufWriter, Write};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// What went wrong with a worker.
pub(super) enum Fault {
    /// The pipe closed or broke: the process died (its exit status says how).
    Died(String),
    TimedOut(Duration),
}

impl Fault {
    pub(super) fn describe(&self, spawner: &Spawner) -> String {
        match self {
            Fault::Died(why) => format!("worker process {why}"),
            Fault::TimedOut(d) => format!(
                "worker exceeded --task-timeout ({:.3} s per task, {:.3} s for its batch) and was killed",
                spawner.task_timeout.as_secs_f64(),
                d.as_secs_f64()
            ),
        }
    }
}

pub(super) enum Event {
    Frame(FromWorker, usize),
    Closed(String),
    TimedOut,
}

/// How to start one more worker.
pub(super) struct Spawner {
    pub(super) exe: PathBuf,
    /// The encoded Init frame every worker gets first.
    pub(super) init: Vec<u8>,
    pub(super) task_timeout: Duration,
    /// When pinned, the core of slot 0: each worker pins itself to the core of its slot.
    pub(super) pin: Option<usize>,
    /// How long parent and workers spin for a reply before sleeping.
    pub(super) spin: Duration,
}

/// A running worker process. Dropping it ends the process: its stdin closes so it exits by
/// itself within `grace`, or it is killed; either way it is reaped.
pub(super) struct Worker {
    /// Which worker of the pool this is (a replacement takes over the slot).
    pub(super) slot: usize,
    pub(super) child: Child,
    pub(super) stdin: Option<BufWriter<ChildStdin>>,
    /// Read on the dispatching thread itself, after `poll` says a frame is there: a reader
    /// thread and a channel would add two thread wake-ups to every round trip.
    pub(super) stdout: BufReader<ChildStdout>,
    pub(super) spin: Duration,
    pub(super) grace: Duration,
}

impl Spawner {
    /// Starts worker `slot` and sends it the Init frame.
    pub(super) fn launch(&self, slot: usize) -> std::io::Result<Worker> {
        let mut cmd = Command::new(&self.exe);
        if let Some(first) = self.pin {
            cmd.env(
                crate::sys::affinity::WORKER_CORE_ENV,
                (first + slot).to_string(),
            );
        }
        if !self.spin.is_zero() {
            cmd.env(wire::SPIN_ENV, "1");
        }
        let mut child = cmd
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // Each worker runs its tasks with one BLAS thread; this also stops OpenBLAS from
            // starting a thread pool per worker that would never be used.
            .env("OPENBLAS_NUM_THREADS", "1")
            .spawn()
            .map_err(|e| {
                std::io::Error::other(format!("cannot start {}: {e}", self.exe.display()))
            })?;
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let stdin = BufWriter::new(child.stdin.take().expect("piped stdin"));
        let mut worker = Worker {
            slot,
            child,
            stdin: Some(stdin),
            stdout,
            spin: self.spin,
            grace: Duration::from_secs(2),
        };
        let stdin = worker.stdin.as_mut().expect("just opened");
        stdin.write_all(&self.init)?;
        stdin.flush()?;
        Ok(worker)
    }

    /// Starts worker `slot` and waits until it is ready.
    pub(super) fn start(&self, slot: usize) -> Result<Worker, Fault> {
        self.launch(slot)
            .map_err(|e| Fault::Died(e.to_string()))?
            .ready()
    }
}

impl Worker {
    /// The next frame from the worker, waiting at most `timeout` for it to begin.
    pub(super) fn recv(&mut self, timeout: Duration) -> Event {
        if self.stdout.buffer().is_empty() {
            match wire::wait_readable(self.stdout.get_ref().as_raw_fd(), timeout, self.spin) {
                Ok(true) => {}
                Ok(false) => return Event::TimedOut,
                Err(e) => return Event::Closed(format!("could not be polled ({e})")),
            }
        }
        match wire::recv::<FromWorker>(&mut self.stdout) {
            Ok(Some((msg, n))) => Event::Frame(msg, n),
            Ok(None) => Event::Closed("closed its output".into()),
            Err(e) => Event::Closed(format!("sent a broken frame ({e})")),
        }
    }

    pub(super) fn ready(mut self) -> Result<Worker, Fault> {
        match self.recv(START_TIMEOUT) {
            Event::Frame(FromWorker::Ready, _) => Ok(self),
            Event::Frame(FromWorker::Failed(e), _) => {
                Err(Fault::Died(format!("could not start: {e}")))
            }
            Event::Frame(other, _) => Err(Fault::Died(format!("said {other:?} at start"))),
            Event::Closed(why) => Err(Fault::Died(format!("{why} at start ({})", self.reap()))),
            Event::TimedOut => Err(Fault::TimedOut(START_TIMEOUT)),
        }
    }

    /// Runs tasks `start..end`; returns their results and the bytes exchanged.
    pub(super) fn run(
        &mut self,
        start: usize,
        end: usize,
        timeout: Duration,
    ) -> (Result<Vec<TaskResult>, Fault>, u64) {
        let stdin = self.stdin.as_mut().expect("open until dropped");
        let sent = match wire::send(stdin, &ToWorker::Run { start, end }) {
            Ok(n) => n as u64,
            Err(e) => {
                return (
                    Err(Fault::Died(format!(
                        "stopped reading ({e}; {})",
                        self.reap()
                    ))),
                    0,
                );
            }
        };
        match self.recv(timeout) {
            Event::Frame(FromWorker::Done { start: s, results }, n)
                if s == start && results.len() == end - start =>
            {
                (Ok(results), sent + n as u64)
            }
            Event::Frame(other, n) => (
                Err(Fault::Died(format!("answered out of turn: {other:?}"))),
                sent + n as u64,
            ),
            Event::Closed(_) => (Err(Fault::Died(self.reap())), sent),
            Event::TimedOut => (Err(Fault::TimedOut(timeout)), sent),
        }
    }

    /// Waits for a process whose output has closed and says how it ended.
    pub(super) fn reap(&mut self) -> String {
        // The output closing means the process is exiting; give it a moment, then make sure.
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return format!("died ({status})"),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => {
                    let _ = self.child.kill();
                    return match self.child.wait() {
                        Ok(status) => format!("stopped answering and was killed ({status})"),
                        Err(e) => format!("could not be reaped: {e}"),
                    };
                }
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
