//! Document 000's `A = scipy.stats.norm.isf(B)` on 10^7 probabilities, split into blocks.
//!
//! The first elements of B are probabilities whose isf scipy 1.17.1 gives (below); the task
//! that covers them returns its values, and the check compares them at 1e-12 relative.

use super::array::Array;
use super::blocks::{Blocks, array_len, fill_blocks};
use super::checks::{all_vectors, close};
use super::demand::doubles;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::pairwise_sum;
use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Normal};

pub struct NormIsf;

/// `(p, scipy.stats.norm.isf(p))` from scipy 1.17.1; each agrees with a 40-digit mpmath root
/// of erfc(x/√2)/2 = p to 2.2e-16 relative.
pub const SCIPY_ISF: [(f64, f64); 11] = [
    (0.975, -1.959963984540054),
    (0.025, 1.9599639845400545),
    (0.1, 1.2815515655446004),
    (0.9, -1.2815515655446004),
    (1e-3, 3.090232306167813),
    (0.3, 0.5244005127080409),
    (0.999, -3.090232306167813),
    (1e-6, 4.753424308822899),
    (1e-12, 7.034483825301131),
    (0.7, -0.5244005127080407),
    (0.123456789, 1.1578786091502087),
];

/// norm.isf(p) = −Φ⁻¹(p): exact to ~1e-16 in both tails, unlike Φ⁻¹(1 − p), which loses the
/// digits of a small p to the subtraction.
pub fn isf(normal: &Normal, p: f64) -> f64 {
    -normal.inverse_cdf(p)
}

struct Prepared {
    blocks: Blocks,
    b: Array,
    normal: Normal,
}

fn blocks(p: &Params, len: usize) -> Blocks {
    Blocks::new(len, p.size.pick(10, 100, 100), p.size.pick(1, 1, 8))
}

impl Workload for NormIsf {
    fn name(&self) -> &'static str {
        "norm-isf"
    }
    fn description(&self) -> &'static str {
        "A = norm.isf(B) on 10^7 probabilities, split in blocks, checked against scipy values"
    }
    fn kind(&self) -> Kind {
        Kind::Array
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let len = len(p);
        let blocks = blocks(p, len);
        let mut b = vec![0.0; len];
        // Open interval (0, 1): isf(0) is infinite.
        fill_blocks(&mut b, &blocks, p.seed, |r| 1.0 - r.random::<f64>());
        for (slot, (prob, _)) in b.iter_mut().zip(SCIPY_ISF) {
            *slot = prob;
        }
        self.attach(p, vec![b.into()])
    }
    fn attach(&self, p: &Params, inputs: Vec<Array>) -> Box<dyn Instance> {
        let [b]: [Array; 1] = inputs.try_into().ok().expect("norm-isf takes B");
        Box::new(Prepared {
            blocks: blocks(p, b.len()),
            b,
            normal: Normal::standard(),
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let len = len(p);
        let b = blocks(p, len);
        let demand = Demand::compute(b.tasks(), (b.tasks() * b.chunk) as f64)
            .with_inputs(doubles(len), true)
            .with_task_bytes(doubles(b.chunk));
        Some(demand)
    }
}

/// B's length: room for the spot values at least.
fn len(p: &Params) -> usize {
    array_len(p).max(100)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.blocks.tasks()
    }

    /// Output: [Σ A over the block, A at the block's first SCIPY_ISF.len() elements].
    fn run(&self, index: usize) -> Result<Output, String> {
        let r = self.blocks.range(index);
        crate::gil_model::released(|| {
            let a: Vec<f64> = self.b[r].iter().map(|&p| isf(&self.normal, p)).collect();
            let mut out = Vec::with_capacity(1 + SCIPY_ISF.len());
            out.push(pairwise_sum(&a));
            let spots = a.iter().chain(std::iter::repeat(&f64::NAN));
            out.extend(spots.take(SCIPY_ISF.len()));
            Ok(Output::Floats(out))
        })
    }

    fn inputs(&self) -> Vec<&[f64]> {
        vec![&self.b]
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_vectors(results, 1 + SCIPY_ISF.len()) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let mut worst: f64 = 0.0;
        for (i, (p, want)) in SCIPY_ISF.iter().enumerate() {
            let got = outs[0][1 + i];
            if !close(got, *want, 1e-12) {
                return Check::fail(format!("isf({p}) = {got}, scipy gives {want}"));
            }
            worst = worst.max(((got - want) / want).abs());
        }
        // isf of uniform probabilities is standard normal: its mean over n values is within a
        // few 1/√n of 0. The spot values bias it by at most 10/n.
        let chunks = self.blocks.chunks();
        let mean = pairwise_sum(&outs[..chunks].iter().map(|o| o[0]).collect::<Vec<_>>())
            / self.blocks.len as f64;
        let bound = 6.0 / (self.blocks.len as f64).sqrt();
        if mean.abs() > bound {
            return Check::fail(format!("mean of isf(B) = {mean}, beyond ±{bound:e}"));
        }
        Check::pass(format!(
            "{} spot values match scipy (worst {worst:.1e} relative); mean {mean:.2e}",
            SCIPY_ISF.len()
        ))
        .with("max_rel_err_vs_scipy", worst)
        .with("mean_isf", mean)
    }
}
