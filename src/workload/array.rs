//! The large read-only inputs of the array workloads: built in this process, or mapped from
//! the file through which the `process` strategy shares them with its workers
//! (`strategy/process/shm.rs`), so that no worker receives them down a pipe or builds them again.

use memmap2::Mmap;
use std::ops::Deref;
use std::sync::Arc;

/// An array of doubles, owned by this process or mapped from a shared file.
pub enum Array {
    Owned(Vec<f64>),
    Mapped {
        map: Arc<Mmap>,
        /// Offset and length in doubles.
        start: usize,
        len: usize,
    },
}

impl Deref for Array {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            Array::Owned(v) => v,
            Array::Mapped { map, start, len } => {
                let all: &[f64] = bytemuck::cast_slice(&map[..]);
                &all[*start..*start + *len]
            }
        }
    }
}

impl From<Vec<f64>> for Array {
    fn from(v: Vec<f64>) -> Self {
        Array::Owned(v)
    }
}
