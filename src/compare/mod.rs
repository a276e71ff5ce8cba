//! `parbench compare`: the regression gate (statistics first; the command follows).

pub mod stats;
