//! One round of one cell as it finished: the unit that is made durable (a line of the journal,
//! see [`super::journal`]), that a resumed run skips, and from which [`super::assemble`]
//! builds the results file's cells.

use crate::results::{CellId, FailedTask};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    pub workload: String,
    pub strategy: String,
    pub workers: usize,
    /// `--chunk` as the strategy applied it; `None` for strategies that do not chunk.
    pub chunk: Option<String>,
    pub round: usize,
    /// The cell's place in its round's order: with `round`, when it was measured.
    pub seq: usize,
    /// The process that measured it (rounds from different processes are independent).
    pub process: u32,
    pub tasks: usize,
    pub skipped: Option<String>,
    /// Whether every run passed the workload's check and matched the reference.
    pub ok: bool,
    /// Why not, once per distinct problem.
    pub details: Vec<String>,
    pub samples_s: Vec<f64>,
    /// Samples taken while a worker process was replaced: kept apart, out of the statistics.
    pub disturbed_s: Vec<f64>,
    pub loops: usize,
    pub startup_s: Option<f64>,
    pub ipc_bytes: Option<u64>,
    pub restarts: usize,
    pub retried: Vec<usize>,
    pub checksum: Option<String>,
    pub exact_match: Option<bool>,
    pub summary: BTreeMap<String, f64>,
    pub check: String,
    pub failed_tasks: Vec<FailedTask>,
    /// The machine-speed reference kernel, timed right after this cell's round.
    pub reference_s: Option<f64>,
}

impl RoundRecord {
    pub fn new(id: &CellId, round: usize, seq: usize) -> RoundRecord {
        RoundRecord {
            workload: id.workload.clone(),
            strategy: id.strategy.clone(),
            workers: id.workers,
            chunk: id.chunk.clone(),
            round,
            seq,
            process: std::process::id(),
            tasks: 0,
            skipped: None,
            ok: true,
            details: Vec::new(),
            samples_s: Vec::new(),
            disturbed_s: Vec::new(),
            loops: 1,
            startup_s: None,
            ipc_bytes: None,
            restarts: 0,
            retried: Vec::new(),
            checksum: None,
            exact_match: None,
            summary: BTreeMap::new(),
            check: String::new(),
            failed_tasks: Vec::new(),
            reference_s: None,
        }
    }

    /// A round that could not be measured because the process measuring it died (a crash or a
    /// kill the run survived): the cell fails verification with the reason.
    pub fn lost(id: &CellId, round: usize, seq: usize, process: u32, why: String) -> RoundRecord {
        RoundRecord {
            process,
            ok: false,
            details: vec![why],
            ..RoundRecord::new(id, round, seq)
        }
    }

    pub fn id(&self) -> CellId {
        CellId {
            workload: self.workload.clone(),
            strategy: self.strategy.clone(),
            workers: self.workers,
            chunk: self.chunk.clone(),
        }
    }

    /// Adds a problem unless it was already said.
    pub fn problem(&mut self, why: String) {
        self.ok = false;
        if !self.details.contains(&why) {
            self.details.push(why);
        }
    }
}
