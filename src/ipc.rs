//! The parent–worker protocol of the `process` strategy: length-prefixed postcard frames over
//! the worker's stdin and stdout.

use crate::workload::{Params, TaskResult};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::io::{self, Read, Write};
use std::path::PathBuf;

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
