//! What parbench asks of the operating system and of OpenBLAS: CPU affinity, OpenBLAS's thread
//! count, the allocator's thresholds, and files written atomically.

pub mod affinity;
pub mod allocator;
pub mod files;
pub mod openblas;
