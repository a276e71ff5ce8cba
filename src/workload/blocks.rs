//! How the element-wise workloads cut one large array into tasks.

use super::Params;
use super::random::task_rng;
use super::scale::scaled;
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

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

/// The length of the one large array of the elementwise workloads (`add`, `sin`, `norm-isf`):
/// 10^7 doubles in the documents.
pub fn array_len(p: &Params) -> usize {
    scaled(p.size.pick(200_000, 10_000_000, 10_000_000), p.scale)
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
    fn blocks_cover_the_array_once_per_pass() {
        let b = Blocks::new(1003, 10, 3);
        assert_eq!(b.chunks(), 10);
        assert_eq!(b.tasks(), 30);
        let covered: usize = (0..b.chunks()).map(|c| b.chunk_range(c).len()).sum();
        assert_eq!(covered, 1003);
        assert_eq!(b.range(13), b.chunk_range(3));
    }
}
