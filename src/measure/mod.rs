//! Measurement: the timing loop, its statistics, and the machine it ran on.

pub mod assemble;
pub mod children;
pub mod journal;
pub mod machine;
pub mod plan;
pub mod record;
pub mod reference;
pub mod runner;
