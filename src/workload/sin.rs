//! Document 000's `A = numpy.sin(B)` on 10^7 doubles, split into blocks.
//!
//! B is the arithmetic progression `B_j = j·h`, so the sum of sin(B) has a closed form
//! (Lagrange's identity) to check every run against.

use super::array::Array;
use super::blocks::{Blocks, array_len};
use super::checks::all_floats;
use super::demand::doubles;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::pairwise_sum;

pub struct Sin;

const STEP: f64 = 1e-6;

struct Prepared {
    blocks: Blocks,
    b: Array,
}

fn blocks(p: &Params, len: usize) -> Blocks {
    Blocks::new(len, p.size.pick(10, 100, 100), p.size.pick(1, 1, 12))
}

impl Workload for Sin {
    fn name(&self) -> &'static str {
        "sin"
    }
    fn description(&self) -> &'static str {
        "A = sin(B) on 10^7 doubles, split in blocks (numpy elementwise, sequential in numpy)"
    }
    fn kind(&self) -> Kind {
        Kind::Array
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let len = array_len(p);
        let b: Vec<f64> = (0..len).map(|j| j as f64 * STEP).collect();
        self.attach(p, vec![b.into()])
    }
    fn attach(&self, p: &Params, inputs: Vec<Array>) -> Box<dyn Instance> {
        let [b]: [Array; 1] = inputs.try_into().ok().expect("sin takes B");
        Box::new(Prepared {
            blocks: blocks(p, b.len()),
            b,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let len = array_len(p);
        let b = blocks(p, len);
        let demand = Demand::compute(b.tasks(), (b.tasks() * b.chunk) as f64)
            .with_inputs(doubles(len), true)
            .with_task_bytes(doubles(b.chunk));
        Some(demand)
    }
}

/// Σ_{j<n} sin(j·h) = sin(n h / 2) · sin((n − 1) h / 2) / sin(h / 2).
fn closed_form(n: usize, h: f64) -> f64 {
    let n = n as f64;
    (n * h / 2.0).sin() * ((n - 1.0) * h / 2.0).sin() / (h / 2.0).sin()
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.blocks.tasks()
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        crate::gil_model::released(|| {
            let a: Vec<f64> = self.b[self.blocks.range(index)]
                .iter()
                .map(|x| x.sin())
                .collect();
            Ok(Output::Float(pairwise_sum(&a)))
        })
    }

    fn inputs(&self) -> Vec<&[f64]> {
        vec![&self.b]
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let sums = match all_floats(results) {
            Ok(s) => s,
            Err(e) => return Check::fail(e),
        };
        let chunks = self.blocks.chunks();
        let want = closed_form(self.blocks.len, STEP);
        // B_j = j·h carries a rounding error of at most half an ulp of 10, so the total can
        // drift by n·ulp(10)/2 ~ 1e-8 from the exact identity; 1e-6 leaves margin and still
        // catches one missing, doubled or misplaced element (|sin| ~ 0.5 on average).
        let tol = 1e-13 * self.blocks.len as f64 + 1e-9;
        for pass in 0..self.blocks.passes {
            let part = &sums[pass * chunks..(pass + 1) * chunks];
            let got = pairwise_sum(part);
            if (got - want).abs() > tol {
                return Check::fail(format!(
                    "pass {pass}: Σ sin(B) = {got}, closed form {want} (tolerance {tol:e})"
                ));
            }
        }
        Check::pass(format!("Σ sin(B) matches the closed form within {tol:e}"))
            .with("sum_sin", pairwise_sum(&sums[..chunks]))
            .with("reference", want)
    }
}
