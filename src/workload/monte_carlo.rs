//! Document 001's fin model under uncertainty: h ~ N(50, 5), tip temperature
//! T(L) = T∞ + (T0 − T∞) / cosh(mL), m = √(hP / kA); one task per sample, as the document maps
//! `fin_tip_temperature` over the samples.

use super::checks::all_floats;
use super::random::task_rng;
use super::scale::{repeats, total_repeats};
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::{mean_std, percentile};
use rand_distr::{Distribution, Normal};
use std::hint::black_box;

pub struct MonteCarlo;

const H_MEAN: f64 = 50.0;
const H_SD: f64 = 5.0;

/// `fin_tip_temperature(h)` with the document's defaults.
pub fn fin_tip_temperature(h: f64) -> f64 {
    let (t0, t_inf, l, k, p, a) = (100.0, 25.0, 0.1, 200.0, 0.04, 1e-4);
    let m = (h * p / (k * a)).sqrt();
    t_inf + (t0 - t_inf) / (m * l).cosh()
}

/// E[T(h)] and SD[T(h)] for h ~ N(50, 5), by composite Simpson's rule over ±10 σ: the exact
/// values the sample statistics must approach.
fn exact_moments() -> (f64, f64) {
    let n = 4000;
    let (lo, hi) = (H_MEAN - 10.0 * H_SD, H_MEAN + 10.0 * H_SD);
    let dx = (hi - lo) / n as f64;
    let (mut m1, mut m2) = (0.0, 0.0);
    for i in 0..=n {
        let h = lo + i as f64 * dx;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let z = (h - H_MEAN) / H_SD;
        let pdf = (-0.5 * z * z).exp() / (H_SD * (2.0 * std::f64::consts::PI).sqrt());
        // Negative h is rejected by the sampler; its mass at 10 σ is below 1e-23.
        let t = if h > 0.0 { fin_tip_temperature(h) } else { 0.0 };
        m1 += w * pdf * t;
        m2 += w * pdf * t * t;
    }
    let (m1, m2) = (m1 * dx / 3.0, m2 * dx / 3.0);
    (m1, (m2 - m1 * m1).sqrt())
}

struct Prepared {
    tasks: usize,
    seed: u64,
    scale: f64,
    normal: Normal<f64>,
}

impl Workload for MonteCarlo {
    fn name(&self) -> &'static str {
        "monte-carlo"
    }
    fn description(&self) -> &'static str {
        "fin tip temperature with h ~ N(50, 5), one tiny task per sample (10,000 samples)"
    }
    fn kind(&self) -> Kind {
        Kind::Interpreted
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared {
            tasks: tasks(p),
            seed: p.seed,
            scale: p.scale,
            normal: Normal::new(H_MEAN, H_SD).expect("valid normal"),
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let tasks = tasks(p);
        Some(Demand::compute(tasks, total_repeats(tasks, p.scale)))
    }
}

/// One task per sample of h.
fn tasks(p: &Params) -> usize {
    p.size.pick(2_000, 10_000, 4_000_000)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        let mut t = f64::NAN;
        for _ in 0..repeats(index, self.scale) {
            let mut rng = task_rng(self.seed, index);
            // `h_samples[h_samples > 0]`: a non-positive h is drawn again.
            let h = loop {
                let h = self.normal.sample(&mut rng);
                if h > 0.0 {
                    break h;
                }
            };
            crate::gil_model::tick();
            t = fin_tip_temperature(black_box(h));
        }
        Ok(Output::Float(t))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let mut temps = match all_floats(results) {
            Ok(t) => t,
            Err(e) => return Check::fail(e),
        };
        let (mean, sd) = mean_std(&temps);
        temps.sort_by(f64::total_cmp);
        let (p2_5, p97_5) = (percentile(&temps, 2.5), percentile(&temps, 97.5));
        let (mu, sigma) = exact_moments();
        let n = temps.len() as f64;
        // Six standard errors: a false alarm about once in 10^9 runs.
        let mean_tol = 6.0 * sigma / n.sqrt();
        let sd_tol = 6.0 * sigma / (2.0 * n).sqrt() + 0.02 * sigma;
        let ok = (mean - mu).abs() <= mean_tol && (sd - sigma).abs() <= sd_tol;
        Check::expect(
            ok,
            format!(
                "mean {mean:.4} (exact {mu:.4} ± {mean_tol:.4}), sd {sd:.4} (exact {sigma:.4} ± {sd_tol:.4})"
            ),
        )
        .with("mean", mean)
        .with("std", sd)
        .with("p2_5", p2_5)
        .with("p97_5", p97_5)
        .with("exact_mean", mu)
        .with("exact_std", sigma)
    }
}
