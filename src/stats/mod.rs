//! The statistics every stage shares: descriptive statistics of samples, the inference behind
//! `compare` (bootstrap intervals, rank tests, Holm's correction, the moderated t-test), and
//! scaling-law fits. Pure functions over numbers; nothing here knows about cells or files.

pub mod changepoint;
pub mod descriptive;
pub mod inference;
pub mod moderated;
pub mod scaling;

pub use descriptive::{
    mean_std, median, median_interval, neumaier_sum, pairwise_sum, percentile, sample_sd,
    t_quantile,
};
pub use scaling::{amdahl_fit, amdahl_speedup, break_even, karp_flatt};
