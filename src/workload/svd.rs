//! Document 001's `numpy_heavy_computation`: singular values of a random 200×200 matrix,
//! summed, one task per matrix.

use super::checks::{all_vectors, close};
use super::demand::doubles;
use super::random::task_rng;
use super::scale::{repeats, total_repeats};
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use ndarray::Array2;
use ndarray_linalg::SVD;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

pub struct Svd;

struct Prepared {
    tasks: usize,
    n: usize,
    seed: u64,
    scale: f64,
}

impl Workload for Svd {
    fn name(&self) -> &'static str {
        "svd"
    }
    fn description(&self) -> &'static str {
        "numpy_heavy_computation: sum of singular values of a random 200x200 (20 tasks)"
    }
    fn kind(&self) -> Kind {
        Kind::Blas
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, n) = shape(p);
        Box::new(Prepared {
            tasks,
            n,
            seed: p.seed,
            scale: p.scale,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, n) = shape(p);
        let work = total_repeats(tasks, p.scale) * (n as f64).powi(3);
        // The matrix, LAPACK's copy of it, and gesvd's few vectors of workspace.
        Some(Demand::compute(tasks, work).with_task_bytes(doubles(2 * n * n + 6 * n)))
    }
}

/// Tasks, and the order of each task's matrix.
fn shape(p: &Params) -> (usize, usize) {
    (p.size.pick(8, 20, 800), p.size.pick(100, 200, 200))
}

impl Prepared {
    /// `np.random.randn(n, n)` from task `index`'s stream.
    fn matrix(&self, index: usize) -> Array2<f64> {
        let mut rng = task_rng(self.seed, index);
        Array2::from_shape_simple_fn((self.n, self.n), || StandardNormal.sample(&mut rng))
    }
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    /// Output: [Σσ, Σσ², ‖A‖²_F]; the last two must agree (Σσ² = trace AᵀA).
    fn run(&self, index: usize) -> Result<Output, String> {
        let a = self.matrix(index);
        let mut sigma = None;
        for _ in 0..repeats(index, self.scale) {
            // LAPACK runs with the GIL released, as numpy.linalg calls it.
            let (_, s, _) = crate::gil_model::released(|| black_box(&a).svd(false, false))
                .map_err(|e| format!("LAPACK: {e}"))?;
            sigma = Some(s);
        }
        let s = sigma.expect("at least one repeat");
        let fro2: f64 = a.iter().map(|v| v * v).sum();
        Ok(Output::Floats(vec![
            s.sum(),
            s.iter().map(|v| v * v).sum(),
            fro2,
        ]))
    }

    /// LAPACK's σ under a threaded BLAS agree with the single-threaded ones to rounding.
    fn agrees(&self, a: &Output, b: &Output) -> bool {
        match (a.floats(), b.floats()) {
            (Some(x), Some(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(u, v)| close(*u, *v, 1e-12))
            }
            _ => a == b,
        }
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_vectors(results, 3) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        if let Some(i) = outs.iter().position(|o| !close(o[1], o[2], 1e-10)) {
            return Check::fail(format!(
                "task {i}: Σσ² = {} but ‖A‖²_F = {}",
                outs[i][1], outs[i][2]
            ));
        }
        // One full decomposition: A = U Σ Vᵀ must hold, with the same σ as the task found.
        let a = self.matrix(0);
        let (u, s, vt) = match a.svd(true, true) {
            Ok((Some(u), s, Some(vt))) => (u, s, vt),
            _ => return Check::fail("full SVD of task 0's matrix failed"),
        };
        let us = &u * &s.view().insert_axis(ndarray::Axis(0));
        let recon = us.dot(&vt);
        let err = (&a - &recon).iter().map(|v| v * v).sum::<f64>().sqrt();
        let norm = outs[0][2].sqrt();
        if err > 1e-12 * norm * self.n as f64 {
            return Check::fail(format!("‖A − UΣVᵀ‖ = {err:e} for ‖A‖ = {norm}"));
        }
        if !close(s.sum(), outs[0][0], 1e-10) {
            return Check::fail(format!(
                "task 0: Σσ = {} vs {} from the full SVD",
                outs[0][0],
                s.sum()
            ));
        }
        let total: f64 = outs.iter().map(|o| o[0]).sum();
        Check::pass(format!(
            "Σσ² = ‖A‖²_F for every task; ‖A − UΣVᵀ‖/‖A‖ = {:.1e}",
            err / norm
        ))
        .with("sigma_sum", outs[0][0])
        .with("sigma_sum_mean", total / outs.len() as f64)
        .with("reconstruction_rel_err", err / norm)
    }
}
