//! Array work and the machine's limits: element-wise operations split across cores, memory
//! bandwidth capping the memory-bound one, and the number of cores capping every speedup.

use super::{
    Facts, Finding, GAIN, Judge, PARALLEL, Point, Series, describe, higher_speedup, no_cells,
    scaling, strategies, units,
};

const ELEMENTWISE: [&str; 3] = ["add", "sin", "norm-isf"];

pub(super) fn elementwise_parallel(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "numpy runs A = B + C, sin(B) and norm.isf(B) sequentially; splitting them \
         across cores would speed them up (add, sin, norm-isf).",
        "000 (\"These operations run sequentially … all three … would automatically \
         be run in parallel\")",
    );
    let parallel = strategies(&PARALLEL);
    f.each_speeds_up(&mut j, &ELEMENTWISE, &parallel, |w, point| {
        format!("{w}: best is {point}")
    });
    j.judge(no_cells("parallel", &ELEMENTWISE))
}

pub(super) fn elementwise_bandwidth(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Parallel elementwise work helps until memory bandwidth is the limit: the \
         memory-bound add stops scaling before the compute-bound sin and norm-isf.",
        "000 (A = B + C against sin, norm.isf), read with the roofline model",
    );
    // The best strategy at the largest worker count each workload has, with its efficiency.
    let best = scaling::best_per_workload(f.workloads);
    let at_most = |w: &str| {
        let b = best
            .iter()
            .find(|b| b.workload == w && b.point.workers > 1)?;
        Some((b, b.point.efficiency?))
    };
    let [add, sin, isf] = ELEMENTWISE.map(at_most);
    for (w, measured) in ELEMENTWISE.iter().zip([&add, &sin, &isf]) {
        if let Some((b, e)) = measured {
            j.show(format!(
                "{w}: {}, efficiency {}",
                describe(&b.label, &b.point),
                units::percent(*e)
            ));
        }
    }
    let e_compute = [sin, isf]
        .into_iter()
        .flatten()
        .map(|(_, e)| e)
        .reduce(f64::min);
    if let (Some((b, e_add)), Some(e_compute)) = (add, e_compute) {
        let p = b.point.workers;
        if e_add * GAIN <= e_compute {
            j.tested();
        } else {
            j.miss(format!(
                "add keeps {} efficiency at {p} workers against {} for the compute-bound \
                 operations, so memory bandwidth is not what limits it here",
                units::percent(e_add),
                units::percent(e_compute)
            ));
        }
    }
    j.judge("needs parallel cells with more than one worker on add and on sin or norm-isf")
}

pub(super) fn cores_bound(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "A multicore machine gives at best a speedup equal to its number of cores.",
        "000 (\"at best a speedup by a factor of the number of cores available\")",
    );
    let cores = f.logical_cores.max(1) as f64;
    let mut all: Vec<(&str, &Series, &Point)> = f
        .workloads
        .iter()
        .flat_map(|w| {
            w.series
                .iter()
                .flat_map(move |s| s.trusted().map(move |p| (w.workload.as_str(), s, p)))
        })
        .collect();
    all.sort_by(|a, b| higher_speedup(b.2, a.2));
    let Some((w, s, p)) = all.first() else {
        return j.judge("no verified cells with a speedup");
    };
    j.show(format!("{} logical cores", f.logical_cores));
    j.evidence(format!("highest: {w}: {}", describe(&s.label, p)));
    let mut over: Vec<&str> = all
        .iter()
        .filter(|(_, _, p)| {
            p.speedup.unwrap_or(0.0) >= cores * GAIN && p.speedup_lo().unwrap_or(0.0) > cores
        })
        .map(|(w, _, _)| *w)
        .collect();
    over.dedup();
    if !over.is_empty() {
        j.show(format!(
            "above {} cores: {}",
            f.logical_cores,
            over.join(", ")
        ));
        let waits = over.iter().all(|w| *w == "io-sleep");
        j.miss(format!(
            "{w} reaches {} on {} cores{}",
            units::speedup(p.speedup.unwrap_or(0.0)),
            f.logical_cores,
            if waits {
                ": its tasks wait rather than compute, and a waiting task needs no core"
            } else {
                ": superlinear scaling, e.g. from the larger total cache of more cores"
            }
        ));
    }
    // The highest point above is evidence: nothing is lacking by now.
    j.judge("")
}

#[cfg(test)]
mod tests {
    use super::super::Judgement;
    use super::super::testing::*;
    use super::*;

    #[test]
    fn elementwise_claims_flip_with_the_data() {
        let claim = "numpy runs A = B + C";
        assert!(holds(&judgement(sweep(&ELEMENTWISE, "pool", 0.05), claim)));
        let mut v = sweep(&["sin", "norm-isf"], "pool", 0.05);
        v.extend(sweep(&["add"], "pool", 1.0));
        assert!(fails(&judgement(v.clone(), claim)));

        let claim = "Parallel elementwise work helps until memory bandwidth";
        assert!(holds(&judgement(v, claim)));
        assert!(fails(&judgement(sweep(&ELEMENTWISE, "pool", 0.05), claim)));
    }

    #[test]
    fn speedup_beyond_the_cores_breaks_the_bound_and_says_why() {
        let claim = "A multicore machine";
        let mut v = vec![cell("io-sleep", "serial", 1, 0.0)];
        let mut fast = cell("io-sleep", "pool", 8, 0.0);
        fast.median_s = Some(0.125);
        fast.ci95_s = Some([0.12, 0.13]);
        v.push(fast);
        match judgement_on(v.clone(), 2, claim) {
            Judgement::DoesNotHold(why) => assert!(why.contains("wait"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(holds(&judgement_on(v, 8, claim)));
    }
}
