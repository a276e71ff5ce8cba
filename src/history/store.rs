//! The results store: a directory holding an index and a copy of every results file added,
//! append-only. `index.json` is the store: a run is stored once the index names it, and both
//! the copy and the index are written atomically (copy first), under an exclusive lock, so a
//! reader or a second writer sees the store before or after an addition, never half of one.
//!
//! ```text
//! STORE/index.json                    {"schema": "parbench/history/v1", "runs": [...]}
//! STORE/runs/0001-<sha256 prefix>.json  the results file, as parbench reads it
//! STORE/.lock                         held while adding
//! ```

use super::key::{ConfigKey, MachineKey, hex, series_id};
use crate::error::Error;
use crate::results::{Results, now_utc};
use crate::sys::files::write_atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

/// The schema tag of the index.
pub const SCHEMA: &str = "parbench/history/v1";
/// Where the store lives when `--store` is not given, relative to the working directory (a
/// CI job caches this directory between runs).
pub const DEFAULT_DIR: &str = ".parbench/history";
const INDEX: &str = "index.json";
const RUNS: &str = "runs";

/// One stored run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1, 2, 3 … in the order added: the order of every series.
    pub run: usize,
    /// The copy, relative to the store.
    pub file: String,
    /// SHA-256 of the file as it was added: the same file is stored once.
    pub sha256: String,
    /// When it was added, and when the run was made (UTC, RFC 3339).
    pub added: String,
    pub created: String,
    /// The commit the binary was built from (`--commit`, else the results file's own).
    pub commit: Option<String>,
    /// A free note (`--label`): a branch, a build flag, the scale of a synthetic history.
    pub label: Option<String>,
    /// The series: runs with the same id share machine and configuration.
    pub series: String,
    pub machine: MachineKey,
    pub config: ConfigKey,
    pub cells: usize,
    pub parbench_version: String,
}

impl Entry {
    /// The commit as people write it: its first 10 characters, or `?`.
    pub fn short_commit(&self) -> String {
        self.commit
            .as_deref()
            .map_or("?".into(), |c| c.chars().take(10).collect())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Index {
    schema: String,
    runs: Vec<Entry>,
}

/// A store, read.
pub struct Store {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
}

/// The runs of one machine and configuration, in the order added.
pub struct Series<'a> {
    pub id: String,
    pub machine: &'a MachineKey,
    pub config: &'a ConfigKey,
    pub runs: Vec<&'a Entry>,
}

/// What `add` did.
pub enum Added {
    New(Entry),
    /// The same file (by content) was stored before, as this run; nothing changed.
    Already(Entry),
}

/// What `add` records besides the file.
#[derive(Default)]
pub struct AddOptions {
    pub commit: Option<String>,
    pub label: Option<String>,
}

impl Store {
    /// Reads the store at `dir`, named by `flag` in errors (`--store`, `--history`). A directory
    /// that does not exist, or is empty, is an empty store; one holding other files is refused
    /// (it is not a store, and adding would litter it).
    pub fn open(dir: &Path, flag: &'static str) -> Result<Store, Error> {
        let index = dir.join(INDEX);
        let bad = |path: &Path, reason: String| Error::Input {
            flag: Some(flag),
            path: path.into(),
            reason,
        };
        let empty = || Store {
            dir: dir.into(),
            entries: Vec::new(),
        };
        if !dir.exists() {
            return Ok(empty());
        }
        if !dir.is_dir() {
            return Err(bad(dir, "is not a directory".into()));
        }
        if !index.exists() {
            // The lock, a killed writer's temporary file (hidden) and copies whose addition
            // never reached the index are a store's own.
            let mut names = fs::read_dir(dir)
                .map_err(|e| bad(dir, format!("cannot read: {e}")))?
                .filter_map(Result::ok)
                .filter(|e| {
                    let name = e.file_name();
                    !name.to_string_lossy().starts_with('.') && name != RUNS
                });
            return match names.next() {
                None => Ok(empty()),
                Some(_) => Err(bad(
                    dir,
                    format!("not a parbench history store (no {INDEX}, and not empty)"),
                )),
            };
        }
        let text =
            fs::read_to_string(&index).map_err(|e| bad(&index, format!("cannot read: {e}")))?;
        let parsed: Index = serde_json::from_str(&text)
            .map_err(|e| bad(&index, format!("not a history index ({e})")))?;
        if parsed.schema != SCHEMA {
            return Err(bad(
                &index,
                format!(
                    "schema '{}' is not supported (expected '{SCHEMA}')",
                    parsed.schema
                ),
            ));
        }
        for (i, e) in parsed.runs.iter().enumerate() {
            if e.run != i + 1 {
                return Err(bad(
                    &index,
                    format!("run {} is listed as number {}", i + 1, e.run),
                ));
            }
        }
        Ok(Store {
            dir: dir.into(),
            entries: parsed.runs,
        })
    }

    /// Adds the results file at `path`. The file is read and checked like any input first; a
    /// file that is not a complete parbench run changes nothing.
    pub fn add(dir: &Path, path: &Path, opts: &AddOptions) -> Result<Added, Error> {
        // Checked and stored from the same bytes, so the copy is the file that was checked.
        let bytes = fs::read(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        let results = Results::from_bytes(path, &bytes)?;
        if let Some(i) = &results.interrupted {
            return Err(Error::input(
                path,
                format!(
                    "an interrupted run ({}, {} of {} rounds): finish it with `parbench run \
                     --resume` before storing it",
                    i.reason, i.finished_rounds, i.planned_rounds
                ),
            ));
        }
        if results.cells.is_empty() {
            return Err(Error::input(path, "holds no cell"));
        }
        if results.config.pair_id.is_some() {
            return Err(Error::input(
                path,
                "a side of `parbench pair` (timed turn by turn with another build): store \
                 separate runs, which a later run can be judged against",
            ));
        }
        let commit = match &opts.commit {
            Some(c) => Some(check_commit(c)?),
            None => results.machine.git_commit.clone().filter(|c| !c.is_empty()),
        };
        if let Some(label) = &opts.label
            && (label.is_empty()
                || label.chars().any(char::is_control)
                || label.chars().count() > 200)
        {
            return Err(Error::usage(
                "--label: give one line of at most 200 characters, without control characters",
            ));
        }

        // A directory that is not a store is refused before anything is written into it.
        Store::open(dir, "--store")?;
        let lock = take_lock(dir)?;
        // Read under the lock, so two jobs adding at once number their runs apart.
        let store = Store::open(dir, "--store")?;
        let sha = hex(&Sha256::digest(&bytes));
        if let Some(e) = store.entries.iter().find(|e| e.sha256 == sha) {
            return Ok(Added::Already(e.clone()));
        }
        let run = store.entries.len() + 1;
        let machine = MachineKey::of(&results);
        let config = ConfigKey::of(&results);
        let file = format!("{RUNS}/{run:04}-{}.json", &sha[..12]);
        let entry = Entry {
            run,
            file: file.clone(),
            sha256: sha,
            added: now_utc(),
            created: results.created.clone(),
            commit,
            label: opts.label.clone(),
            series: series_id(&machine, &config),
            machine,
            config,
            cells: results.cells.len(),
            parbench_version: results.parbench_version.clone(),
        };
        let runs_dir = dir.join(RUNS);
        fs::create_dir_all(&runs_dir).map_err(|e| {
            Error::output(Some("--store"), &runs_dir, format!("cannot create: {e}"))
        })?;
        write_atomic(&dir.join(&file), &bytes, Some("--store"))?;
        let mut entries = store.entries;
        entries.push(entry.clone());
        let index = Index {
            schema: SCHEMA.into(),
            runs: entries,
        };
        let mut json = serde_json::to_vec_pretty(&index)
            .map_err(|e| Error::Internal(format!("cannot encode the history index: {e}")))?;
        json.push(b'\n');
        write_atomic(&dir.join(INDEX), &json, Some("--store"))?;
        drop(lock);
        Ok(Added::New(entry))
    }

    /// The runs a current run (`cur`, read from `bytes`) is judged against: the last `last`
    /// stored runs of its machine and configuration, a stored copy of the same file left out
    /// (a job may add its run before comparing). `--scale` alone may differ, since it stands in
    /// for a change of the code; runs at the current scale are preferred, and runs at another
    /// scale are used only when the store holds the configuration at that one scale alone.
    pub fn history_for(
        &self,
        cur: &Results,
        bytes: &[u8],
        last: usize,
    ) -> Result<Vec<&Entry>, Error> {
        let own = hex(&Sha256::digest(bytes));
        let (machine, config) = (MachineKey::of(cur), ConfigKey::of(cur));
        let candidates: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.sha256 != own && e.machine == machine && e.config.same_but_scale(&config))
            .collect();
        let refuse = |why: String| Error::input(&self.dir, format!("--history: {why}"));
        if candidates.is_empty() {
            return Err(refuse(format!(
                "no stored run of this machine ('{}', {} logical cores) and configuration \
                 (`{}`) among its {} runs; store baseline runs with `parbench history add`",
                machine.cpu_model,
                machine.logical_cores,
                config.describe(),
                self.entries.len()
            )));
        }
        let exact: Vec<&Entry> = candidates
            .iter()
            .copied()
            .filter(|e| e.config == config)
            .collect();
        let chosen = if exact.is_empty() {
            let mut scales: Vec<f64> = candidates.iter().map(|e| e.config.scale).collect();
            scales.sort_by(f64::total_cmp);
            scales.dedup();
            if scales.len() > 1 {
                let listed: Vec<String> = scales.iter().map(f64::to_string).collect();
                return Err(refuse(format!(
                    "the store holds this configuration at --scale {} but not at the current \
                     run's {}: no single history to judge it against",
                    listed.join(", "),
                    config.scale
                )));
            }
            candidates
        } else {
            exact
        };
        Ok(chosen[chosen.len().saturating_sub(last)..].to_vec())
    }

    /// Reads a store that must exist: what `list`, `report` and `compare --history` read (a
    /// mistyped directory is an error, not an empty history).
    pub fn open_existing(dir: &Path, flag: &'static str) -> Result<Store, Error> {
        if !dir.exists() {
            return Err(Error::Input {
                flag: Some(flag),
                path: dir.into(),
                reason: "no history store here (`parbench history add` creates one)".into(),
            });
        }
        Store::open(dir, flag)
    }

    /// The results of a stored run, checked as any input is.
    pub fn load(&self, e: &Entry) -> Result<Results, Error> {
        Results::read(&self.dir.join(&e.file))
    }

    /// The store's series, in the order of their first run.
    pub fn series(&self) -> Vec<Series<'_>> {
        let mut out: Vec<Series<'_>> = Vec::new();
        for e in &self.entries {
            match out.iter_mut().find(|s| s.id == e.series) {
                Some(s) => s.runs.push(e),
                None => out.push(Series {
                    id: e.series.clone(),
                    machine: &e.machine,
                    config: &e.config,
                    runs: vec![e],
                }),
            }
        }
        out
    }
}

/// A commit as given to `--commit`: one word of at most 64 characters, so that it can stand
/// in a table and a file name.
fn check_commit(c: &str) -> Result<String, Error> {
    let ok = !c.is_empty()
        && c.len() <= 64
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_./".contains(ch));
    if ok {
        Ok(c.to_string())
    } else {
        Err(Error::usage(format!(
            "--commit '{c}': give a commit id or ref (letters, digits, - _ . /; at most 64)"
        )))
    }
}

/// Creates the store's directory if needed and holds its lock until dropped.
fn take_lock(dir: &Path) -> Result<File, Error> {
    let fail =
        |what: &str, e: std::io::Error| Error::output(Some("--store"), dir, format!("{what}: {e}"));
    if dir.exists() && !dir.is_dir() {
        return Err(Error::output(
            Some("--store"),
            dir,
            "exists and is not a directory",
        ));
    }
    fs::create_dir_all(dir).map_err(|e| fail("cannot create", e))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))
        .map_err(|e| fail("cannot open its lock", e))?;
    file.lock().map_err(|e| fail("cannot lock", e))?;
    Ok(file)
}
