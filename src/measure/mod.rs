//! Measurement: the timing loop, its statistics, and the machine it ran on.

pub mod estimate;
pub mod machine;
pub mod plan;
pub mod runner;
