//! Document 000's `C = dot(A, B)` on 2000×2000 matrices, with HPL's residual check.

use super::common::{Blocks, all_vectors, close, fill_blocks, sub_seed};
use super::{Check, Instance, Kind, Output, Params, TaskResult, Workload};
use ndarray::{Array1, Array2};
use rand::RngExt;

pub struct Matmul;

/// HPL accepts a solve when its scaled residual is below 16.
const HPL_THRESHOLD: f64 = 16.0;

struct Prepared {
    tasks: usize,
    a: Array2<f64>,
    b: Array2<f64>,
    x: Array1<f64>,
}

fn random_matrix(n: usize, seed: u64) -> Array2<f64> {
    let blocks = Blocks::new(n * n, n, 1);
    let mut v = vec![0.0; n * n];
    fill_blocks(&mut v, &blocks, seed, |r| r.random::<f64>() - 0.5);
    Array2::from_shape_vec((n, n), v).expect("n*n elements")
}

impl Workload for Matmul {
    fn name(&self) -> &'static str {
        "matmul"
    }
    fn description(&self) -> &'static str {
        "C = A·B, 2000x2000 doubles through BLAS dgemm, HPL-style residual check"
    }
    fn kind(&self) -> Kind {
        Kind::Blas
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        // Work grows as n³, so --scale moves n by its cube root.
        let base = p.size.pick(300.0, 2000.0, 2000.0);
        let n = (base * p.scale.cbrt()).round().max(2.0) as usize;
        let x = {
            let blocks = Blocks::new(n, 1, 1);
            let mut v = vec![0.0; n];
            fill_blocks(&mut v, &blocks, sub_seed(p.seed, 3), |r| {
                r.random::<f64>() - 0.5
            });
            Array1::from(v)
        };
        Box::new(Prepared {
            tasks: p.size.pick(1, 1, 4),
            a: random_matrix(n, sub_seed(p.seed, 1)),
            b: random_matrix(n, sub_seed(p.seed, 2)),
            x,
        })
    }
}

/// y = M·v with a fixed summation order, independent of BLAS and of its thread count, so the
/// residual (part of the checksum) is the same under every strategy.
fn matvec(m: &Array2<f64>, v: &Array1<f64>) -> Array1<f64> {
    m.rows()
        .into_iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn inf_norm(m: &Array2<f64>) -> f64 {
    m.rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    /// Output: [Σ C, Σ |C|, scaled residual ‖C·x − A·(B·x)‖∞ / (n ε ‖A‖∞ ‖B‖∞ ‖x‖∞)].
    fn run(&self, _index: usize) -> Result<Output, String> {
        let c = self.a.dot(&self.b);
        let n = c.nrows() as f64;
        let lhs = matvec(&c, &self.x);
        let rhs = matvec(&self.a, &matvec(&self.b, &self.x));
        let err = lhs
            .iter()
            .zip(&rhs)
            .map(|(l, r)| (l - r).abs())
            .fold(0.0, f64::max);
        let xnorm = self.x.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let scaled = err / (n * f64::EPSILON * inf_norm(&self.a) * inf_norm(&self.b) * xnorm);
        let total: f64 = c.rows().into_iter().map(|r| r.sum()).sum();
        let total_abs: f64 = c
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
            .sum();
        Ok(Output::Floats(vec![total, total_abs, scaled]))
    }

    /// A threaded dgemm splits C among threads with other kernel edges, so C agrees with the
    /// single-threaded product to rounding, not bit for bit: Σ C must agree to 1e-12 of Σ |C|,
    /// and both residuals (themselves rounding noise) must pass HPL's test.
    fn agrees(&self, a: &Output, b: &Output) -> bool {
        match (a.floats(), b.floats()) {
            (Some(x), Some(y)) if x.len() == 3 && y.len() == 3 => {
                (x[0] - y[0]).abs() <= 1e-12 * x[1].max(y[1])
                    && close(x[1], y[1], 1e-12)
                    && x[2] < HPL_THRESHOLD
                    && y[2] < HPL_THRESHOLD
            }
            _ => a == b,
        }
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_vectors(results, 3) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        // NaN compares false both ways: it must fail, not slip past a max().
        let worst = outs
            .iter()
            .map(|o| o[2])
            .fold(0.0, |a: f64, b| if b.is_nan() { b } else { a.max(b) });
        if worst.is_nan() || worst >= HPL_THRESHOLD {
            return Check::fail(format!("scaled residual {worst} >= {HPL_THRESHOLD}"));
        }
        Check::pass(format!(
            "scaled residual {worst:.3} < {HPL_THRESHOLD} (HPL)"
        ))
        .with("scaled_residual", worst)
        .with("sum_c", outs[0][0])
        .with("n", self.a.nrows() as f64)
    }
}
