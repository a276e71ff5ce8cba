//! Helpers shared by the integration tests.
#![allow(dead_code)]

use parbench::measure::runner::{self, Plan, Silent};
use parbench::results::Cell;
use parbench::strategy::{self, Chunk};
use parbench::workload::{self, Params, Size};

/// Runs `workloads` × every strategy × `workers` once each (no warm-up) through the real runner.
pub fn run_matrix(workloads: &[&str], size: Size, workers: &[usize], chunk: Chunk) -> Vec<Cell> {
    let plan = Plan {
        workloads: workloads
            .iter()
            .map(|w| workload::find(w).expect("known workload"))
            .collect(),
        strategies: strategy::registry(),
        workers: workers.to_vec(),
        chunk,
        warmup: 0,
        samples: 1,
        params: Params {
            size,
            ..Params::default()
        },
    };
    runner::run(&plan, &mut Silent)
}

/// The serial cell of `workload` at `size`, measured once.
pub fn serial_cell(workload: &str, size: Size) -> Cell {
    let plan = Plan {
        workloads: vec![workload::find(workload).expect("known workload")],
        strategies: vec![strategy::find("serial").unwrap()],
        workers: vec![1],
        chunk: Chunk::Auto,
        warmup: 0,
        samples: 1,
        params: Params {
            size,
            ..Params::default()
        },
    };
    runner::run(&plan, &mut Silent).remove(0)
}
