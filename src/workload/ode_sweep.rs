//! Document 001's reaction-kinetics sweep: A → B, dC/dt = −k C, C(0) = 1, t ∈ [0, 10],
//! `solve_ivp` (RK45, rtol 1e-3, atol 1e-6) for each k in linspace(0.01, 2, 200).

use super::checks::all_vectors;
use super::rk45::{self, Problem};
use super::scale::{repeats, total_repeats};
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use std::hint::black_box;

pub struct OdeSweep;

const T_FINAL: f64 = 10.0;
const K_LO: f64 = 0.01;
const K_HI: f64 = 2.0;

struct Prepared {
    tasks: usize,
    scale: f64,
}

impl Workload for OdeSweep {
    fn name(&self) -> &'static str {
        "ode-sweep"
    }
    fn description(&self) -> &'static str {
        "first-order kinetics dC/dt = -kC solved by RK45 for 200 k in linspace(0.01, 2)"
    }
    fn kind(&self) -> Kind {
        Kind::Interpreted
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        Box::new(Prepared {
            tasks: tasks(p),
            scale: p.scale,
        })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        // The solver keeps its seven stages on the stack: nothing but the result.
        let tasks = tasks(p);
        Some(Demand::compute(tasks, total_repeats(tasks, p.scale)))
    }
}

/// One task per k.
fn tasks(p: &Params) -> usize {
    p.size.pick(200, 200, 1_500_000)
}

impl Prepared {
    /// `np.linspace(0.01, 2.0, tasks)[index]`.
    fn k(&self, index: usize) -> f64 {
        if self.tasks == 1 {
            return K_LO;
        }
        let step = (K_HI - K_LO) / (self.tasks - 1) as f64;
        if index == self.tasks - 1 {
            K_HI
        } else {
            K_LO + index as f64 * step
        }
    }
}

/// `solve_reaction(k)`: the final conversion X = (C_A0 − C_A) / C_A0.
pub fn conversion(k: f64) -> Result<f64, String> {
    let problem = Problem {
        t0: 0.0,
        t_end: T_FINAL,
        y0: 1.0,
        rtol: 1e-3,
        atol: 1e-6,
    };
    // scipy's solver and this right-hand side are Python: each evaluation is an eval-breaker
    // point of the GIL model.
    let sol = rk45::solve(
        |_t, c| {
            crate::gil_model::tick();
            -k * c
        },
        &problem,
    )?;
    Ok(1.0 - sol.y_end)
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    /// Output: [k, conversion].
    fn run(&self, index: usize) -> Result<Output, String> {
        let k = self.k(index);
        let mut x = f64::NAN;
        for _ in 0..repeats(index, self.scale) {
            x = conversion(black_box(k))?;
        }
        Ok(Output::Floats(vec![k, x]))
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_vectors(results, 2) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let mut worst: f64 = 0.0;
        for (i, o) in outs.iter().enumerate() {
            let exact = 1.0 - (-o[0] * T_FINAL).exp();
            let err = (o[1] - exact).abs();
            if err.is_nan() || err > 1e-3 {
                return Check::fail(format!(
                    "task {i}: k = {}: conversion {} vs exact {exact}",
                    o[0], o[1]
                ));
            }
            worst = worst.max(err);
        }
        // The document prints the conversion at k = 0.5, which linspace(0.01, 2, 200) hits.
        let near = outs
            .iter()
            .min_by(|a, b| (a[0] - 0.5).abs().total_cmp(&(b[0] - 0.5).abs()))
            .expect("at least one task");
        Check::pass(format!(
            "every conversion within {worst:.1e} of 1 − exp(−10k)"
        ))
        .with("conversion_k0_5", near[1])
        .with("k_nearest_0_5", near[0])
        .with("conversion_sum", outs.iter().map(|o| o[1]).sum())
        .with("max_abs_err", worst)
    }
}
