//! Per-task random streams: task `i` draws from stream `i` of the run's seed, so its inputs are
//! the same whichever executor, worker count or chunking runs it.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

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
