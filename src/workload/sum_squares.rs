//! `cpu_intensive_task` of document 001: `total = 0; for i in range(n): total += i ** 2`.

use super::checks::all_ok;
use super::interp::{Value, range};
use super::scale::scaled;
use super::{Check, Demand, Instance, Kind, Output, Params, TaskResult, Workload};
use crate::gil_model::Ticker;

pub struct SumSquares;

struct Prepared {
    tasks: usize,
    n: usize,
}

impl Workload for SumSquares {
    fn name(&self) -> &'static str {
        "sum-squares"
    }
    fn description(&self) -> &'static str {
        "cpu_intensive_task: integer sum of i^2 in an interpreter-style loop (4 tasks x 500,000)"
    }
    fn kind(&self) -> Kind {
        Kind::Interpreted
    }
    fn prepare(&self, p: &Params) -> Box<dyn Instance> {
        let (tasks, n) = shape(p);
        Box::new(Prepared { tasks, n })
    }
    fn demand(&self, p: &Params) -> Option<Demand> {
        let (tasks, n) = shape(p);
        // The loop's values live in registers: nothing but the result.
        Some(Demand::compute(tasks, tasks as f64 * n as f64))
    }
}

/// Tasks, and the loop length of each.
fn shape(p: &Params) -> (usize, usize) {
    let n = scaled(p.size.pick(100_000, 500_000, 500_000), p.scale);
    (p.size.pick(4, 4, 200), n)
}

/// Σ_{i<n} i² in closed form, the reference for every task.
fn closed_form(n: usize) -> i128 {
    let n = n as i128;
    (n - 1) * n * (2 * n - 1) / 6
}

impl Instance for Prepared {
    fn tasks(&self) -> usize {
        self.tasks
    }

    fn run(&self, _index: usize) -> Result<Output, String> {
        let two = Value::Int(2);
        let mut total = Value::Int(0);
        let mut ticker = Ticker::default();
        for i in range(self.n) {
            ticker.step();
            let sq = i.pow(two).ok_or("integer overflow")?;
            total = total.plus(sq).ok_or("integer overflow")?;
        }
        match total {
            Value::Int(v) => Ok(Output::Int(v as i128)),
            Value::Big(v) => Ok(Output::Int(v)),
            Value::Float(_) => Err("sum of integers became a float".into()),
        }
    }

    fn verify(&self, results: &[TaskResult]) -> Check {
        let outs = match all_ok(results) {
            Ok(o) => o,
            Err(e) => return Check::fail(e),
        };
        let want = closed_form(self.n);
        let bad = outs.iter().position(|o| **o != Output::Int(want));
        let total: i128 = outs
            .iter()
            .map(|o| match o {
                Output::Int(v) => *v,
                _ => 0,
            })
            .sum();
        match bad {
            Some(i) => Check::fail(format!("task {i}: {}, expected {want}", outs[i])),
            None => Check::pass(format!("every task = (n-1)n(2n-1)/6 = {want}"))
                .with("sum_per_task", want as f64)
                .with("sum_all_tasks", total as f64),
        }
    }
}
