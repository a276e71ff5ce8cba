//! Synthetic results files for the claims' tests, and shorthands for their judgements.

use super::{Facts, Finding, Judgement, evaluate};
use crate::report::{Input, Source, scaling};
use crate::results::{Cell, Config, Machine, Results};

/// A verified cell whose median follows Amdahl's law with serial fraction `f` (f > 1 gives
/// a slowdown) on a 1-second serial job.
pub fn cell(workload: &str, strategy: &str, workers: usize, f: f64) -> Cell {
    let mut c = Cell::new(workload, strategy, workers);
    let m = f + (1.0 - f) / workers as f64;
    c.median_s = Some(m);
    c.ci95_s = Some([m * 0.98, m * 1.02]);
    c.verified = true;
    c.tasks = 100;
    c
}

/// Serial plus `strategy` at 2 and 4 workers, for each workload.
pub fn sweep(workloads: &[&str], strategy: &str, f: f64) -> Vec<Cell> {
    let mut v = Vec::new();
    for w in workloads {
        v.push(cell(w, "serial", 1, 0.0));
        v.push(cell(w, strategy, 2, f));
        v.push(cell(w, strategy, 4, f));
    }
    v
}

/// Every finding of a file of `cells` from a machine with `cores` logical cores.
pub fn findings(cells: Vec<Cell>, cores: usize) -> Vec<Finding> {
    let m = Machine {
        logical_cores: cores,
        ..Machine::default()
    };
    let input = Input {
        results: Results::new(
            m,
            Config::of_matrix("quick", vec![], vec![], vec![1, 2, 4], 1),
            cells,
        ),
        source: Source::File("synthetic.json".into()),
    };
    let workloads = scaling::analyse(&input);
    let overhead = scaling::overhead(&input, &workloads);
    evaluate(&Facts {
        cells: &input.results.cells,
        workloads: &workloads,
        overhead: &overhead,
        logical_cores: cores,
    })
}

/// The judgement of the claim starting `claim_starts`, on `cores` logical cores.
pub fn judgement_on(cells: Vec<Cell>, cores: usize, claim_starts: &str) -> Judgement {
    findings(cells, cores)
        .into_iter()
        .find(|f| f.claim.starts_with(claim_starts))
        .unwrap_or_else(|| panic!("no claim starting {claim_starts:?}"))
        .judgement
}

/// [`judgement_on`] 4 logical cores.
pub fn judgement(cells: Vec<Cell>, claim_starts: &str) -> Judgement {
    judgement_on(cells, 4, claim_starts)
}

pub fn holds(v: &Judgement) -> bool {
    *v == Judgement::Holds
}

pub fn fails(v: &Judgement) -> bool {
    matches!(v, Judgement::DoesNotHold(_))
}

pub fn unmeasured(v: &Judgement) -> bool {
    matches!(v, Judgement::NotMeasured(_))
}
