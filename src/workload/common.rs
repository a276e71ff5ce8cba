//! Helpers shared by the workloads: per-task random streams, work scaling, careful sums and the
//! descriptive statistics the documents print.

use super::{Output, TaskResult};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

/// The random stream of task `index`: the same numbers whichever executor runs the task.
pub fn task_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    rng
}

/// A seed for a second, independent input of the same workload (`tag` tells them apart).
pub fn sub_seed(seed: u64, tag: u64) -> u64 {
    seed ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// `n` scaled by `--scale`, at least 1.
pub fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).max(1)
}

/// How many times task `index` repeats its unit of work under `--scale`, for workloads whose
/// task has no size knob (one ODE solve, one fit). The counts of consecutive tasks add up to
/// `scale` times the task count, so a fractional scale such as 1.1 is honoured on average.
pub fn repeats(index: usize, scale: f64) -> usize {
    let i = index as f64;
    let r = ((i + 1.0) * scale).floor() - (i * scale).floor();
    (r as usize).max(1)
}

/// Pairwise summation: error grows as log n rather than n, and the result depends only on the
/// slice, never on who calls it.
pub fn pairwise_sum(x: &[f64]) -> f64 {
    const LEAF: usize = 128;
    if x.len() <= LEAF {
        let mut s = 0.0;
        for v in x {
            s += v;
        }
        return s;
    }
    let mid = x.len() / 2;
    pairwise_sum(&x[..mid]) + pairwise_sum(&x[mid..])
}

/// Compensated (Kahan–Babuška–Neumaier) summation of a stream: nearly exact, no buffer.
pub fn neumaier_sum(x: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for v in x {
        let t = sum + v;
        comp += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// Mean and population standard deviation (numpy's default `ddof=0`).
pub fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = pairwise_sum(x) / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// numpy's default percentile (linear interpolation between closest ranks), `q` in 0..=100.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// The outputs of all tasks, or a message naming the first task that failed.
pub fn all_ok(results: &[TaskResult]) -> Result<Vec<&Output>, String> {
    let failed: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].is_err())
        .collect();
    if let Some(&first) = failed.first() {
        let msg = &results[first].as_ref().unwrap_err().message;
        return Err(format!(
            "{} of {} tasks failed (first: task {first}: {msg})",
            failed.len(),
            results.len()
        ));
    }
    Ok(results.iter().filter_map(|r| r.as_ref().ok()).collect())
}

/// Every output as one float, or a message naming the first task whose output is not one.
pub fn all_floats(results: &[TaskResult]) -> Result<Vec<f64>, String> {
    let outs = all_ok(results)?;
    outs.iter()
        .enumerate()
        .map(|(i, o)| {
            o.as_f64()
                .ok_or(format!("task {i}: output is not a number"))
        })
        .collect()
}

/// Every output as a vector of `len` floats.
pub fn all_vectors(results: &[TaskResult], len: usize) -> Result<Vec<&[f64]>, String> {
    let outs = all_ok(results)?;
    outs.iter()
        .enumerate()
        .map(|(i, o)| match o.floats() {
            Some(v) if v.len() == len => Ok(v),
            _ => Err(format!("task {i}: expected {len} numbers")),
        })
        .collect()
}

/// `|a - b| <= tol * max(|a|, |b|, tiny)`.
pub fn close(a: f64, b: f64, rel_tol: f64) -> bool {
    (a - b).abs() <= rel_tol * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

/// The elementwise workloads' view of one large array: `chunks` consecutive blocks of `chunk`
/// elements, one task per block. At `--size large` the tasks make several passes over the
/// same array, as a loop calling `A = B + C` repeatedly would, so the task count grows without
/// the array outgrowing memory.
#[derive(Clone, Copy, Debug)]
pub struct Blocks {
    pub len: usize,
    pub chunk: usize,
    pub passes: usize,
}

impl Blocks {
    pub fn new(len: usize, chunks: usize, passes: usize) -> Self {
        let chunk = len.div_ceil(chunks.max(1)).max(1);
        Blocks {
            len,
            chunk,
            passes: passes.max(1),
        }
    }

    pub fn chunks(&self) -> usize {
        self.len.div_ceil(self.chunk)
    }

    pub fn tasks(&self) -> usize {
        self.chunks() * self.passes
    }

    /// The element range that chunk `c` covers.
    pub fn chunk_range(&self, c: usize) -> Range<usize> {
        let start = c * self.chunk;
        start..(start + self.chunk).min(self.len)
    }

    /// The element range that task `index` covers.
    pub fn range(&self, index: usize) -> Range<usize> {
        self.chunk_range(index % self.chunks())
    }
}

/// Fills `out` block by block, each block from its own random stream, so the array is the same
/// however it is built.
pub fn fill_blocks(
    out: &mut [f64],
    blocks: &Blocks,
    seed: u64,
    mut draw: impl FnMut(&mut ChaCha8Rng) -> f64,
) {
    for c in 0..blocks.chunks() {
        let mut rng = task_rng(seed, c);
        for v in &mut out[blocks.chunk_range(c)] {
            *v = draw(&mut rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_add_up_to_scaled_task_count() {
        let total: usize = (0..200).map(|i| repeats(i, 1.1)).sum();
        assert_eq!(total, 220);
        assert!((0..50).all(|i| repeats(i, 1.0) == 1));
        let total3: usize = (0..10).map(|i| repeats(i, 3.0)).sum();
        assert_eq!(total3, 30);
    }

    #[test]
    fn blocks_cover_the_array_once_per_pass() {
        let b = Blocks::new(1003, 10, 3);
        assert_eq!(b.chunks(), 10);
        assert_eq!(b.tasks(), 30);
        let covered: usize = (0..b.chunks()).map(|c| b.chunk_range(c).len()).sum();
        assert_eq!(covered, 1003);
        assert_eq!(b.range(13), b.chunk_range(3));
    }

    #[test]
    fn percentile_matches_numpy_linear_rule() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&x, 50.0), 2.5);
        assert_eq!(percentile(&x, 0.0), 1.0);
        assert_eq!(percentile(&x, 100.0), 4.0);
        assert!((percentile(&x, 2.5) - 1.075).abs() < 1e-12);
    }

    #[test]
    fn neumaier_sum_recovers_cancelled_digits() {
        assert_eq!(neumaier_sum([1e100, 1.0, -1e100]), 1.0);
        assert_eq!(neumaier_sum(std::iter::repeat_n(0.1, 10)), 1.0);
    }

    #[test]
    fn pairwise_sum_is_exact_on_integers() {
        let x = vec![1.0; 1_000_001];
        assert_eq!(pairwise_sum(&x), 1_000_001.0);
    }
}
