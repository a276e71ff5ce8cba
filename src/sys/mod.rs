//! What parbench asks of the operating system and of OpenBLAS: CPU affinity, OpenBLAS's thread
//! count, the allocator's thresholds, huge pages for large fresh arrays, where an output path
//! leads, files written atomically, and the signals that stop a run.

pub mod affinity;
pub mod allocator;
pub mod destination;
pub mod files;
pub mod hugepages;
pub mod openblas;
pub mod signals;
