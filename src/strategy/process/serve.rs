//! The worker side of the `process` strategy: `parbench worker`, started by the parent with
//! pipes on stdin and stdout.

use super::shm;
use super::wire::{self, FromWorker, ToWorker};
use crate::error::Error;
use crate::strategy::run_caught;
use crate::workload::{self, Instance};
use std::io::{BufReader, BufWriter};
use std::time::Duration;

/// Serves the parent until it closes our stdin.
///
/// Requests are read on the main thread, which runs them. A watchdog thread waits for the pipe
/// to hang up and exits the process at once, even while a task is running or hung: the parent
/// closes the pipe when it finishes, and the kernel closes it when the parent dies, so no
/// worker outlives its run.
pub fn serve() -> Result<(), Error> {
    crate::sys::allocator::configure();
    crate::sys::openblas::set_threads(1);
    crate::strategy::quiet_task_panics();
    if let Some(slot) = std::env::var(crate::sys::affinity::WORKER_CORE_ENV)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        crate::sys::affinity::pin_current(slot);
    }
    std::thread::spawn(|| {
        let mut pfd = libc::pollfd {
            fd: 0,
            // No events asked for: poll still reports the hang-up, and does not wake for data.
            events: 0,
            revents: 0,
        };
        loop {
            // SAFETY: one valid pollfd for stdin, which stays open for the process's life.
            let ready = unsafe { libc::poll(&mut pfd, 1, -1) };
            if ready > 0 && pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                std::process::exit(0);
            }
        }
    });
    let mut input = BufReader::new(std::io::stdin().lock());
    let spin = if std::env::var_os(wire::SPIN_ENV).is_some() {
        wire::SPIN
    } else {
        Duration::ZERO
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let send = |out: &mut BufWriter<_>, msg: &FromWorker| {
        wire::send(out, msg)
            .map_err(|e| Error::Internal(format!("worker: cannot write to the parent: {e}")))
    };
    let mut instance: Option<Box<dyn Instance>> = None;
    // End of stream or a broken frame: the parent is gone or confused; either way, stop.
    loop {
        if input.buffer().is_empty() {
            // Spin briefly before sleeping, for the next request of a busy parent.
            let _ = wire::wait_readable(0, Duration::from_secs(3600), spin);
        }
        let Ok(Some((msg, _))) = wire::recv::<ToWorker>(&mut input) else {
            break;
        };
        match msg {
            ToWorker::Init {
                workload,
                params,
                inputs,
            } => match start(&workload, &params, inputs) {
                Ok(i) => {
                    instance = Some(i);
                    send(&mut out, &FromWorker::Ready)?;
                }
                Err(e) => {
                    send(&mut out, &FromWorker::Failed(e))?;
                }
            },
            ToWorker::Run { start, end } => {
                let Some(inst) = instance.as_deref() else {
                    send(&mut out, &FromWorker::Failed("Run before Init".into()))?;
                    continue;
                };
                let results = (start..end).map(|i| run_caught(inst, i)).collect();
                send(&mut out, &FromWorker::Done { start, results })?;
            }
        }
    }
    Ok(())
}

fn start(
    name: &str,
    params: &workload::Params,
    inputs: Option<(std::path::PathBuf, Vec<usize>)>,
) -> Result<Box<dyn Instance>, String> {
    let w = workload::find(name).ok_or_else(|| format!("unknown workload {name}"))?;
    Ok(match inputs {
        Some((path, lens)) => {
            let arrays = shm::attach(&path, &lens)
                .map_err(|e| format!("cannot map {}: {e}", path.display()))?;
            w.attach(params, arrays)
        }
        None => w.prepare(params),
    })
}
