//! Measurement: the timing loop, its statistics, and the machine it ran on.

pub mod allocator;
pub mod machine;
pub mod runner;
pub mod stats;
