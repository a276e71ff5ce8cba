//! Document 000's `A = B + C` on arrays of 10^7 doubles, split into blocks, one task per block.

use super::array::Array;
use super::blocks::{Blocks, array_len, fill_blocks};
use super::checks::{all_floats, close};
use super::demand::doubles;
use super::random::sub_seed;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::pairwise_sum;
use rand::RngExt;
use std::sync::OnceLock;

pub struct Add;

struct Prepared {
    blocks: Blocks,
    b: Array,
    c: Array,
    /// Σ B + Σ C per block, computed from the inputs when first needed: the identity every
    /// run must meet (worker processes never verify, so they never pay for it).
    expected: OnceLock<Vec<f64>>,
}

impl Workload for Add {
    fn name(&self) -> &'static str {
        "add"
    }
    fn description(&self) -> &'static str {
        "A = B + C on 10^7 doubles, split in blocks (numpy elementwise, sequential in numpy)"
    }
    fn kind(&self) -> Kind {
        Kind::Array
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let len = array_len(p);
        let blocks = blocks(p, len);
        let mut b = vec![0.0; len];
        let mut c = vec![0.0; len];
        fill_blocks(&mut b, &blocks, sub_seed(p.seed, 1), |r| r.random::<f64>());
        fill_blocks(&mut c, &blocks, sub_seed(p.seed, 2), |r| r.random::<f64>());
        self.attach(p, vec![b.into(), c.into()])
    }
    fn attach(&self, p: &Params, inputs: Vec<Array>) -> Box<dyn Instance> {
        let [b, c]: [Array; 2] = inputs.try_into().ok().expect("add takes B and C");
        Box::new(Prepared {
            blocks: blocks(p, b.len()),
            b,
            c,
            expected: OnceLock::new(),
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let len = array_len(p);
        let b = blocks(p, len);
        // B and C (shared), the expected sums per block, and each task's fresh A.
        let demand = Demand::compute(b.tasks(), (b.tasks() * b.chunk) as f64)
            .with_inputs(2 * doubles(len), true)
            .with_inputs(doubles(b.chunks()), false)
            .with_task_bytes(doubles(b.chunk));
        Some(demand)
    }
}

fn blocks(p: &Params, len: usize) -> Blocks {
    Blocks::new(len, p.size.pick(10, 100, 100), p.size.pick(1, 1, 150))
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.blocks.tasks()
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        let r = self.blocks.range(index);
        crate::gil_model::released(|| {
            // A fresh result array, as `A = B + C` allocates one.
            let a: Vec<f64> = self.b[r.clone()]
                .iter()
                .zip(&self.c[r])
                .map(|(x, y)| x + y)
                .collect();
            Ok(Output::Float(pairwise_sum(&a)))
        })
    }

    fn inputs(&self) -> Vec<&[f64]> {
        vec![&self.b, &self.c]
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let sums = match all_floats(results) {
            Ok(s) => s,
            Err(e) => return Check::fail(e),
        };
        let chunks = self.blocks.chunks();
        let expected = self.expected.get_or_init(|| {
            (0..chunks)
                .map(|k| {
                    let r = self.blocks.chunk_range(k);
                    pairwise_sum(&self.b[r.clone()]) + pairwise_sum(&self.c[r])
                })
                .collect()
        });
        for (i, s) in sums.iter().enumerate() {
            let want = expected[i % chunks];
            if !close(*s, want, 1e-12) {
                return Check::fail(format!("task {i}: Σ A = {s} but Σ B + Σ C = {want}"));
            }
        }
        let total = pairwise_sum(&sums[..chunks.min(sums.len())]);
        Check::pass("Σ A = Σ B + Σ C in every block, within 1e-12").with("sum_a", total)
    }
}
