//! The name of a cell, as every table, message and comparison writes it.

use super::Cell;
use std::fmt;

/// A cell's identity: (workload, strategy, workers, chunk). Written `workload/strategy/workers`,
/// with `/chunk N` when the strategy applied a chunk setting other than the default `auto`, so
/// that the usual names stay short and the cells of `--chunk 1,auto` stay apart.
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
        match self.chunk.as_deref() {
            Some(chunk) if chunk != "auto" => write!(f, "/chunk {chunk}"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_show_a_chunk_only_when_it_is_not_the_default() {
        let mut c = Cell::new("add", "pool", 2);
        assert_eq!(CellId::of(&c).to_string(), "add/pool/2");
        c.chunk = Some("auto".into());
        assert_eq!(CellId::of(&c).to_string(), "add/pool/2");
        c.chunk = Some("8".into());
        assert_eq!(CellId::of(&c).to_string(), "add/pool/2/chunk 8");
    }
}
