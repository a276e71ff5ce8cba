//! Document 001's `monte_carlo_with_seed`: the mean of 1000 N(0, 1) draws, one seed per task.

use super::checks::all_floats;
use super::demand::doubles;
use super::random::task_rng;
use super::scale::scaled;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::stats::mean_std;
use rand_distr::{Distribution, StandardNormal};

pub struct McSeeds;

struct Prepared {
    tasks: usize,
    draws: usize,
    seed: u64,
}

impl Workload for McSeeds {
    fn name(&self) -> &'static str {
        "mc-seeds"
    }
    fn description(&self) -> &'static str {
        "monte_carlo_with_seed: mean of 1000 N(0,1) draws for each of 100 seeds"
    }
    fn kind(&self) -> Kind {
        Kind::Array
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, draws) = shape(p);
        Box::new(Prepared {
            tasks,
            draws,
            seed: p.seed,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, draws) = shape(p);
        let demand = Demand::compute(tasks, tasks as f64 * draws as f64);
        Some(demand.with_task_bytes(doubles(draws)))
    }
}

/// Seeds, and the draws per seed.
fn shape(p: &Params) -> (usize, usize) {
    (p.size.pick(40, 100, 300_000), scaled(1000, p.scale))
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, index: usize) -> Result<Output, String> {
        // rng.normal and np.mean are numpy calls that run without the GIL.
        crate::gil_model::released(|| {
            let mut rng = task_rng(self.seed, index);
            let samples: Vec<f64> = (0..self.draws)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            Ok(Output::Float(
                samples.iter().sum::<f64>() / self.draws as f64,
            ))
        })
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let means = match all_floats(results) {
            Ok(m) => m,
            Err(e) => return Check::fail(e),
        };
        let (mean, sd) = mean_std(&means);
        let n = means.len() as f64;
        let se = 1.0 / (self.draws as f64).sqrt();
        // The mean of means is N(0, se²/n); the sd of n means estimates se with relative
        // error about 1/√(2n). Both bounds are six of their standard errors wide.
        let mean_tol = 6.0 * se / n.sqrt();
        let sd_tol = se * (6.0 / (2.0 * n).sqrt());
        let ok = mean.abs() <= mean_tol && (sd - se).abs() <= sd_tol;
        Check::expect(
            ok,
            format!("mean {mean:.4} (0 ± {mean_tol:.4}), std {sd:.4} ({se:.4} ± {sd_tol:.4})"),
        )
        .with("mean", mean)
        .with("std", sd)
    }
}
