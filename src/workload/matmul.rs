//! Document 000's `C = dot(A, B)` on 2000×2000 matrices, with HPL's residual check.

use super::array::Array;
use super::blocks::{Blocks, fill_blocks};
use super::checks::{all_vectors, close};
use super::demand::doubles;
use super::random::sub_seed;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use ndarray::ArrayView2;
use rand::RngExt;

pub struct Matmul;

/// HPL accepts a solve when its scaled residual is below 16.
const HPL_THRESHOLD: f64 = 16.0;

struct Prepared {
    tasks: usize,
    n: usize,
    /// A and B row-major, and the residual's test vector x.
    a: Array,
    b: Array,
    x: Array,
}

fn random_vec(len: usize, rows: usize, seed: u64) -> Vec<f64> {
    let blocks = Blocks::new(len, rows, 1);
    let mut v = vec![0.0; len];
    fill_blocks(&mut v, &blocks, seed, |r| r.random::<f64>() - 0.5);
    v
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
        let n = order(p);
        let inputs = vec![
            random_vec(n * n, n, sub_seed(p.seed, 1)).into(),
            random_vec(n * n, n, sub_seed(p.seed, 2)).into(),
            random_vec(n, 1, sub_seed(p.seed, 3)).into(),
        ];
        self.attach(p, inputs)
    }
    fn attach(&self, p: &Params, inputs: Vec<Array>) -> Box<dyn Instance> {
        let [a, b, x]: [Array; 3] = inputs.try_into().ok().expect("matmul takes A, B and x");
        Box::new(Prepared {
            tasks: tasks(p),
            n: x.len(),
            a,
            b,
            x,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (n, tasks) = (order(p), tasks(p));
        let square = n.saturating_mul(n);
        // A, B and x (shared); each task's C and the residual's three vectors.
        let demand = Demand::compute(tasks, tasks as f64 * (n as f64).powi(3))
            .with_inputs(doubles(2 * square + n), true)
            .with_task_bytes(doubles(square + 3 * n));
        Some(demand)
    }
}

/// The matrices' order. Work grows as n³, so --scale moves n by its cube root.
fn order(p: &Params) -> usize {
    let base = p.size.pick(300.0, 2000.0, 2000.0);
    (base * p.scale.cbrt()).round().max(2.0) as usize
}

fn tasks(p: &Params) -> usize {
    p.size.pick(1, 1, 4)
}

/// y = M·v with a fixed summation order, independent of BLAS and of its thread count.
fn matvec(m: &ArrayView2<f64>, v: &[f64]) -> Vec<f64> {
    m.rows()
        .into_iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn inf_norm(m: &ArrayView2<f64>) -> f64 {
    m.rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max)
}

impl Prepared {
    fn matrix<'a>(&self, data: &'a Array) -> ArrayView2<'a, f64> {
        ArrayView2::from_shape((self.n, self.n), &data[..]).expect("n*n elements")
    }

    /// Output: [Σ C, Σ |C|, scaled residual ‖C·x − A·(B·x)‖∞ / (n ε ‖A‖∞ ‖B‖∞ ‖x‖∞)].
    fn product(&self) -> Output {
        let (a, b) = (self.matrix(&self.a), self.matrix(&self.b));
        let c = a.dot(&b);
        let n = self.n as f64;
        let lhs = matvec(&c.view(), &self.x);
        let rhs = matvec(&a, &matvec(&b, &self.x));
        let err = lhs
            .iter()
            .zip(&rhs)
            .map(|(l, r)| (l - r).abs())
            .fold(0.0, f64::max);
        let xnorm = self.x.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let scaled = err / (n * f64::EPSILON * inf_norm(&a) * inf_norm(&b) * xnorm);
        let total: f64 = c.rows().into_iter().map(|r| r.sum()).sum();
        let total_abs: f64 = c
            .rows()
            .into_iter()
            .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
            .sum();
        Output::Floats(vec![total, total_abs, scaled])
    }
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        // numpy releases the GIL for the product and the residual's array operations.
        Ok(crate::gil_model::released(|| self.product()))
    }

    fn inputs(&self) -> Vec<&[f64]> {
        vec![&self.a, &self.b, &self.x]
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
        .with("n", self.n as f64)
    }
}
