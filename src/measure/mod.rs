//! Measurement: the plan, the timing loop, the rounds in fresh processes and their journal,
//! the up-front estimate, the machine-speed reference, and the machine it ran on.

pub mod assemble;
pub mod children;
pub mod estimate;
pub mod journal;
pub mod machine;
pub mod plan;
pub mod record;
pub mod reference;
pub mod runner;
