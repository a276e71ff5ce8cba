//! The worker side of the `process` strategy: `parbench worker`, started by the parent with
//! pipes on stdin and stdout.

use crate::error::Error;
use crate::ipc::{self, FromWorker, ToWorker};
use crate::strategy::run_caught;
use crate::workload::{self, Instance, shared};
use std::io::{BufReader, BufWriter};
use std::sync::mpsc;

/// Serves the parent until it closes our stdin.
///
/// A separate thread reads stdin and exits the process as soon as the stream ends, even while
/// a task is running or hung: the parent closes the pipe when it finishes, and the kernel
/// closes it when the parent dies, so no worker outlives its run.
pub fn serve() -> Result<(), Error> {
    crate::measure::allocator::configure();
    crate::blas::set_threads(1);
    crate::strategy::quiet_task_panics();
    let (tx, rx) = mpsc::channel::<ToWorker>();
    std::thread::spawn(move || {
        let mut input = BufReader::new(std::io::stdin().lock());
        loop {
            let delivered = match ipc::recv::<ToWorker>(&mut input) {
                Ok(Some((msg, _))) => tx.send(msg).is_ok(),
                _ => false,
            };
            if !delivered {
                std::process::exit(0);
            }
        }
    });
    let mut out = BufWriter::new(std::io::stdout().lock());
    let send = |out: &mut BufWriter<_>, msg: &FromWorker| {
        ipc::send(out, msg).map_err(|e| Error::Runtime(format!("worker: cannot write: {e}")))
    };
    let mut instance: Option<Box<dyn Instance>> = None;
    for msg in rx {
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
            let arrays = shared::attach(&path, &lens)
                .map_err(|e| format!("cannot map {}: {e}", path.display()))?;
            w.attach(params, arrays)
        }
        None => w.prepare(params),
    })
}
