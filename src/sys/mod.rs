//! What parbench asks of the operating system and of OpenBLAS: CPU affinity, OpenBLAS's thread
//! count, the allocator's thresholds, where an output path leads, and files written atomically.

pub mod affinity;
pub mod allocator;
pub mod destination;
pub mod files;
pub mod openblas;
