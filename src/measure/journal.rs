//! The journal beside `--out`: every finished cell round, made durable as it finishes, so that
//! an interrupted run keeps what it measured and `parbench run --resume` completes it.
//!
//! One JSON document per line: a header (what ran: binary, machine, configuration), then one
//! [`RoundRecord`] per cell round. A record is appended with a single write and synced before
//! the next cell starts; a line cut short by a crash is the last one and is ignored on reading.

use super::record::RoundRecord;
use crate::error::Error;
use crate::results::{Config, Machine};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The tag of a journal's header.
pub const SCHEMA: &str = "parbench/journal/v1";

/// What a journal's rounds were measured with; a resume must match it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    pub journal: String,
    /// Digest of the parbench executable: another build measures other code.
    pub binary: String,
    pub machine: Machine,
    pub config: Config,
}

impl Header {
    pub fn new(machine: Machine, config: Config) -> Result<Header, Error> {
        Ok(Header {
            journal: SCHEMA.into(),
            binary: binary_digest()?,
            machine,
            config,
        })
    }

    /// Why rounds measured under `self` cannot be completed by a run under `now`, naming the
    /// first difference; `None` when they can.
    pub fn mismatch(&self, now: &Header) -> Option<String> {
        if self.binary != now.binary {
            return Some("it was measured by another parbench build".into());
        }
        let (a, b) = (&self.machine, &now.machine);
        if (&a.cpu_model, a.logical_cores, &a.hostname)
            != (&b.cpu_model, b.logical_cores, &b.hostname)
        {
            return Some(format!(
                "it was measured on another machine ({}, {} cores, {})",
                a.cpu_model, a.logical_cores, a.hostname
            ));
        }
        let (was, is) = (to_map(&self.config), to_map(&now.config));
        was.iter()
            .chain(is.iter())
            .find(|(k, _)| was.get(*k) != is.get(*k))
            .map(|(k, _)| {
                let show = |m: &serde_json::Map<String, serde_json::Value>| {
                    m.get(k).map_or("nothing".into(), |v| v.to_string())
                };
                format!(
                    "its configuration differs: {k} was {}, is {} now; rerun with the \
                     interrupted run's flags",
                    show(&was),
                    show(&is)
                )
            })
    }
}

fn to_map(c: &Config) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// The journal of the results file `out`: beside it, or in the temporary directory for
/// standard output (which cannot be resumed).
pub fn path_for(out: &Path) -> PathBuf {
    if out.as_os_str() == "-" {
        return std::env::temp_dir().join(format!("parbench-{}.journal", std::process::id()));
    }
    let mut name = out.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// A journal open for appending.
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Starts a journal with its header, replacing any earlier one.
    pub fn create(path: &Path, header: &Header) -> Result<Journal, Error> {
        let mut line = serde_json::to_vec(header)
            .map_err(|e| Error::Internal(format!("cannot encode the journal header: {e}")))?;
        line.push(b'\n');
        crate::sys::files::write_atomic(path, &line, Some("--out"))?;
        Journal::append_to(path)
    }

    /// Opens an existing journal to add records.
    pub fn append_to(path: &Path) -> Result<Journal, Error> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::output(Some("--out"), path, format!("cannot open journal: {e}")))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Appends one record in one write and syncs it: a crash leaves it whole or cut short at
    /// the end, never interleaved with another.
    pub fn append(&mut self, record: &RoundRecord) -> Result<(), Error> {
        let mut line = serde_json::to_vec(record)
            .map_err(|e| Error::Internal(format!("cannot encode a journal record: {e}")))?;
        line.push(b'\n');
        let fail =
            |e: std::io::Error| Error::output(Some("--out"), &self.path, format!("journal: {e}"));
        self.file.write_all(&line).map_err(fail)?;
        self.file.sync_data().map_err(fail)
    }
}

/// Reads a journal: its header and every whole record. A last line without its newline (the
/// write a crash cut short) is dropped; anything else unreadable is an error.
pub fn read(path: &Path) -> Result<(Header, Vec<RoundRecord>), Error> {
    let bad = |why: String| Error::Input {
        flag: Some("--resume"),
        path: path.to_path_buf(),
        reason: why,
    };
    let file = File::open(path).map_err(|e| bad(format!("cannot read the journal: {e}")))?;
    let mut lines: Vec<String> = Vec::new();
    let mut reader = BufReader::new(file);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) if line.ends_with('\n') => lines.push(line),
            Ok(_) => break,
            Err(e) => return Err(bad(format!("cannot read the journal: {e}"))),
        }
    }
    let Some(first) = lines.first() else {
        return Err(bad("the journal is empty".into()));
    };
    let header: Header =
        serde_json::from_str(first).map_err(|e| bad(format!("not a parbench journal ({e})")))?;
    if header.journal != SCHEMA {
        return Err(bad(format!(
            "journal schema {} (this parbench reads {SCHEMA})",
            header.journal
        )));
    }
    let records = lines[1..]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| bad(format!("line {} is damaged ({e})", i + 2)))
        })
        .collect::<Result<Vec<RoundRecord>, Error>>()?;
    Ok((header, records))
}

/// A short digest of the running executable.
fn binary_digest() -> Result<String, Error> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find the parbench executable: {e}")))?;
    let mut file = File::open(&exe)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", exe.display())))?;
    let mut h = Sha256::new();
    std::io::copy(&mut file, &mut h)
        .map_err(|e| Error::Internal(format!("cannot read {}: {e}", exe.display())))?;
    Ok(h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CellId;

    fn header() -> Header {
        let config = Config::of_matrix(
            "quick",
            vec!["noop".into()],
            vec!["serial".into()],
            vec![1],
            2,
        );
        Header::new(crate::measure::machine::detect(), config).unwrap()
    }

    #[test]
    fn records_survive_and_a_cut_last_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json.journal");
        let id = CellId {
            workload: "noop".into(),
            strategy: "serial".into(),
            workers: 1,
            chunk: None,
        };
        let mut j = Journal::create(&path, &header()).unwrap();
        for round in 0..2 {
            j.append(&RoundRecord::new(&id, round, 0)).unwrap();
        }
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"workload\":\"noo").unwrap();
        let (h, records) = read(&path).unwrap();
        assert_eq!(h.journal, SCHEMA);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].round, 1);
    }

    #[test]
    fn a_different_configuration_is_named() {
        let a = header();
        let mut b = a.clone();
        b.config.samples = 5;
        let why = a.mismatch(&b).unwrap();
        assert!(why.contains("samples was 2, is 5"), "{why}");
        assert!(a.mismatch(&a.clone()).is_none());
    }

    #[test]
    fn standard_output_keeps_its_journal_in_the_temporary_directory() {
        assert_eq!(
            path_for(Path::new("x/r.json")),
            Path::new("x/r.json.journal")
        );
        assert!(path_for(Path::new("-")).starts_with(std::env::temp_dir()));
    }
}
