//! The parent–worker protocol of the `process` strategy: length-prefixed postcard frames over
//! the worker's stdin and stdout.

use crate::workload::{Params, TaskResult};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::io::{self, Read, Write};
use std::os::fd::RawFd;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A frame larger than this is a corrupt stream, not a message.
const MAX_FRAME: usize = 1 << 30;

#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// Prepare `workload`; its large inputs, if any, are in a shared file of arrays of `lens`.
    Init {
        workload: String,
        params: Params,
        inputs: Option<(PathBuf, Vec<usize>)>,
    },
    /// Run tasks `start..end` and reply with their results.
    Run { start: usize, end: usize },
}

#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker {
    Ready,
    Done {
        start: usize,
        results: Vec<TaskResult>,
    },
    /// The worker cannot go on (unknown workload, unreadable shared file).
    Failed(String),
}

/// Encodes a message as one frame: 4-byte little-endian length, then the postcard bytes.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let body = postcard::to_allocvec(msg).expect("protocol messages serialise");
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// Writes one frame and flushes; returns the bytes written.
pub fn send<T: Serialize>(w: &mut impl Write, msg: &T) -> io::Result<usize> {
    let frame = encode(msg);
    w.write_all(&frame)?;
    w.flush()?;
    Ok(frame.len())
}

/// Reads one frame: `Ok(None)` at a clean end of stream, with the bytes read otherwise.
pub fn recv<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<Option<(T, usize)>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::other(format!("frame of {len} bytes")));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    let msg = postcard::from_bytes(&body).map_err(io::Error::other)?;
    Ok(Some((msg, 4 + len)))
}

/// How long a reader may spin before it sleeps. Waking a sleeping thread on another core costs
/// 20-50 µs on the 2-core VMs this runs on (a virtual CPU that halts must be woken by the
/// host), which would dominate the round trip of a one-task batch; a reply that comes within
/// this window is picked up without sleeping, and a longer wait costs at most this much CPU.
/// Spinning pays only while every spinner has a core of its own: see [`spin_for`].
pub const SPIN: Duration = Duration::from_micros(60);

/// Set in a worker's environment when it may spin.
pub const SPIN_ENV: &str = "PARBENCH_SPIN";

/// The spin allowance of a pool of `workers` processes: each has a dispatcher thread in the
/// parent, and one of each pair waits at any time, so spinning only helps when both fit.
pub fn spin_for(workers: usize) -> Duration {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if 2 * workers <= cores {
        SPIN
    } else {
        Duration::ZERO
    }
}

/// Waits until `fd` has data to read (or has hung up), spinning for up to `spin` first and
/// then sleeping in `poll` for the rest of `timeout`. `Ok(false)` means the time ran out.
pub fn wait_readable(fd: RawFd, timeout: Duration, spin: Duration) -> io::Result<bool> {
    let start = Instant::now();
    let deadline = start + timeout;
    loop {
        let now = Instant::now();
        let spinning = now.duration_since(start) < spin;
        let ms = if spinning {
            0
        } else {
            let left = deadline.saturating_duration_since(now);
            left.as_millis().min(i32::MAX as u128) as i32
        };
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for a descriptor the caller keeps open during the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready > 0 {
            return Ok(true);
        }
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        } else if !spinning {
            return Ok(false);
        } else {
            std::hint::spin_loop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{Output, TaskFailure};

    #[test]
    fn frames_round_trip() {
        let msg = FromWorker::Done {
            start: 7,
            results: vec![
                Ok(Output::Floats(vec![1.0, 2.5])),
                Err(TaskFailure {
                    message: "boom".into(),
                }),
            ],
        };
        let mut buf = Vec::new();
        let n = send(&mut buf, &msg).unwrap();
        assert_eq!(n, buf.len());
        let mut r = &buf[..];
        let (back, m): (FromWorker, usize) = recv(&mut r).unwrap().unwrap();
        assert_eq!(m, n);
        match back {
            FromWorker::Done { start, results } => {
                assert_eq!(start, 7);
                assert_eq!(results.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert!(recv::<FromWorker>(&mut r).unwrap().is_none());
    }
}
