//! Document 001's batch fitting: 100 synthetic experiments C(t) = C0·exp(−k t) + noise at 20
//! times in [0, 10], each fitted with bounds (0, [10, 10]) from p0 = [0.5, 1.0].
//!
//! scipy's `curve_fit` with bounds runs a trust-region reflective method; here Levenberg–
//! Marquardt works on unbounded parameters u mapped into the box by
//! p = lo + (hi − lo)(sin u + 1)/2, which keeps every iterate feasible.

use super::checks::all_vectors;
use super::demand::doubles;
use super::random::task_rng;
use super::scale::{repeats, total_repeats};
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::mean_std;
use levenberg_marquardt::{LeastSquaresProblem, LevenbergMarquardt};
use nalgebra::{DVector, Dyn, OMatrix, Owned, U2, Vector2};
use rand::RngExt;
use rand_distr::{Distribution, Normal};
use std::hint::black_box;

pub struct CurveFit;

const POINTS: usize = 20;
const LO: f64 = 0.0;
const HI: f64 = 10.0;
const NOISE: f64 = 0.05;

struct Prepared {
    tasks: usize,
    seed: u64,
    scale: f64,
}

impl Workload for CurveFit {
    fn name(&self) -> &'static str {
        "curve-fit"
    }
    fn description(&self) -> &'static str {
        "fit C0*exp(-kt) to 20 noisy points with bounds, for 100 synthetic experiments"
    }
    fn kind(&self) -> Kind {
        Kind::Interpreted
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared {
            tasks: tasks(p),
            seed: p.seed,
            scale: p.scale,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let tasks = tasks(p);
        // Residuals, the POINTS × 2 Jacobian and the solver's working copies of them.
        let demand = Demand::compute(tasks, total_repeats(tasks, p.scale));
        Some(demand.with_task_bytes(doubles(8 * POINTS)))
    }
}

/// One task per experiment.
fn tasks(p: &Params) -> usize {
    p.size.pick(40, 100, 200_000)
}

fn to_box(u: f64) -> f64 {
    LO + (HI - LO) * (u.sin() + 1.0) / 2.0
}

fn from_box(p: f64) -> f64 {
    (2.0 * (p - LO) / (HI - LO) - 1.0).clamp(-1.0, 1.0).asin()
}

/// Least squares in the unbounded parameters u = (u_k, u_C0).
struct Fit<'a> {
    t: &'a [f64],
    y: &'a [f64],
    u: Vector2<f64>,
}

impl LeastSquaresProblem<f64, Dyn, U2> for Fit<'_> {
    type ResidualStorage = Owned<f64, Dyn>;
    type JacobianStorage = Owned<f64, Dyn, U2>;
    type ParameterStorage = Owned<f64, U2>;

    fn set_params(&mut self, u: &Vector2<f64>) {
        self.u = *u;
    }

    fn params(&self) -> Vector2<f64> {
        self.u
    }

    fn residuals(&self) -> Option<DVector<f64>> {
        // curve_fit calls the Python model function for every evaluation.
        crate::gil_model::tick();
        let (k, c0) = (to_box(self.u[0]), to_box(self.u[1]));
        Some(DVector::from_iterator(
            self.t.len(),
            self.t
                .iter()
                .zip(self.y)
                .map(|(t, y)| c0 * (-k * t).exp() - y),
        ))
    }

    fn jacobian(&self) -> Option<OMatrix<f64, Dyn, U2>> {
        let (k, c0) = (to_box(self.u[0]), to_box(self.u[1]));
        let dk = (HI - LO) / 2.0 * self.u[0].cos();
        let dc = (HI - LO) / 2.0 * self.u[1].cos();
        let mut j = OMatrix::<f64, Dyn, U2>::zeros(self.t.len());
        for (row, t) in self.t.iter().enumerate() {
            let e = (-k * t).exp();
            j[(row, 0)] = -t * c0 * e * dk;
            j[(row, 1)] = e * dc;
        }
        Some(j)
    }
}

/// One experiment: true (k, C0) and its noisy measurements, from task `index`'s stream.
fn experiment(seed: u64, index: usize) -> (f64, f64, [f64; POINTS], [f64; POINTS]) {
    let mut rng = task_rng(seed, index);
    let true_k = rng.random_range(0.1..2.0);
    let true_c0 = rng.random_range(0.5..2.0);
    let noise = Normal::new(0.0, NOISE * true_c0).expect("positive sd");
    let mut t = [0.0; POINTS];
    let mut y = [0.0; POINTS];
    for i in 0..POINTS {
        t[i] = 10.0 * i as f64 / (POINTS - 1) as f64;
        // Concentrations cannot be negative: `np.maximum(C_noisy, 0)`.
        y[i] = (true_c0 * (-true_k * t[i]).exp() + noise.sample(&mut rng)).max(0.0);
    }
    (true_k, true_c0, t, y)
}

/// Fits C0·exp(−k t) to (t, y) from p0 = [0.5, 1.0]; returns (k, C0).
pub fn fit(t: &[f64], y: &[f64]) -> Result<(f64, f64), String> {
    let problem = Fit {
        t,
        y,
        u: Vector2::new(from_box(0.5), from_box(1.0)),
    };
    let (done, report) = LevenbergMarquardt::new().minimize(problem);
    if !report.termination.was_successful() {
        return Err(format!("fit did not converge: {:?}", report.termination));
    }
    Ok((to_box(done.u[0]), to_box(done.u[1])))
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    /// Output: [true k, fitted k, true C0, fitted C0].
    fn run(&self, index: usize) -> Result<Output, String> {
        let (true_k, true_c0, t, y) = experiment(self.seed, index);
        let mut fitted = (f64::NAN, f64::NAN);
        for _ in 0..repeats(index, self.scale) {
            fitted = fit(black_box(&t), black_box(&y))?;
        }
        Ok(Output::Floats(vec![true_k, fitted.0, true_c0, fitted.1]))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_vectors(results, 4) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let rel: Vec<f64> = outs.iter().map(|o| (o[1] - o[0]) / o[0] * 100.0).collect();
        let abs_err = outs.iter().map(|o| (o[1] - o[0]).abs()).sum::<f64>() / outs.len() as f64;
        let (mean_rel, sd_rel) = mean_std(&rel);
        if let Some(i) = outs
            .iter()
            .position(|o| !(o[1] > LO && o[1] < HI && o[3] > LO && o[3] < HI))
        {
            return Check::fail(format!("task {i}: fitted parameters outside the bounds"));
        }
        // With 5 % noise on 20 points the fitted k scatters by roughly 5-15 %. Nonlinear least
        // squares is slightly biased (about −0.5 % here over 10^5 fits; the document saw
        // −0.47 %), so the mean may sit 1.5 points off 0 plus six standard errors.
        let n = rel.len() as f64;
        let mean_tol = 1.5 + 6.0 * sd_rel / n.sqrt();
        let ok = mean_rel.abs() <= mean_tol && sd_rel > 2.0 && sd_rel < 30.0;
        Check::expect(
            ok,
            format!(
                "mean relative error of k {mean_rel:.2} % (0 ± {mean_tol:.2}), sd {sd_rel:.2} %"
            ),
        )
        .with("mean_abs_err_k", abs_err)
        .with("mean_rel_err_k_pct", mean_rel)
        .with("sd_rel_err_k_pct", sd_rel)
    }
}
