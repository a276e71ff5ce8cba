//! The machine-speed reference: a fixed kernel, timed after every cell of every round. It does
//! the same work whatever the flags (`--scale`, `--size`, the strategies), so when two runs'
//! cells all move together `compare` can tell a machine that changed speed (the reference moved
//! too) from code that did (it did not).

use std::hint::black_box;
use std::time::Instant;

/// Names the kernel in the results file: files that timed another kernel are not compared.
pub const KERNEL: &str =
    "ref-v1: 2^21-step dependent multiply then add chain, then 8 sums of 32768 doubles";

/// Seconds the kernel took, once (a few milliseconds). One thread: it measures how fast this
/// machine runs one core's arithmetic and cache-resident loads right now.
pub fn time_reference() -> f64 {
    let data: Vec<f64> = (0..32_768).map(|i| (i % 97) as f64 * 0.5).collect();
    let start = Instant::now();
    // A dependent chain: its speed is the core's clock, not how much can overlap.
    let mut x = black_box(1.0f64);
    for _ in 0..(1 << 21) {
        x = x * 0.999_999_9 + 1e-7;
    }
    let mut total = 0.0;
    for _ in 0..8 {
        total += black_box(&data).iter().sum::<f64>();
    }
    black_box((x, total));
    start.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kernel_takes_a_positive_time() {
        assert!(super::time_reference() > 0.0);
    }
}
