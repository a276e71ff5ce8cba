//! The name of a cell, as every table, message and comparison writes it.

use super::Cell;
use std::fmt;

/// A cell's identity: (workload, strategy, workers, chunk). Written `workload/strategy/workers`,
/// with `/chunk N` when the strategy applied a chunk setting.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellId {
    pub workload: String,
    pub strategy: String,
    pub workers: usize,
    pub chunk: Option<String>,
}

impl CellId {
    pub fn of(c: &Cell) -> CellId {
        CellId {
            workload: c.workload.clone(),
            strategy: c.strategy.clone(),
            workers: c.workers,
            chunk: c.chunk.clone(),
        }
    }
}

impl fmt::Display for CellId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.workload, self.strategy, self.workers)?;
        match &self.chunk {
            Some(chunk) => write!(f, "/chunk {chunk}"),
            None => Ok(()),
        }
    }
}
