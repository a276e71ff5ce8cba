//! Work inside numerical libraries: a multithreaded BLAS on matrix products, and process pools
//! against threads on the SVD example, whose LAPACK calls release the GIL.

use super::{
    Facts, Finding, Judge, Point, Series, clearly_faster, describe, named, no_cells, strategies,
    units,
};
use crate::strategy::Family;

/// OpenBLAS's threshold: GEMMs with M·N·K at or below it always run on one thread.
const OPENBLAS_GEMM_SINGLE_THREAD: f64 = 262_144.0;

pub(super) fn blas_matmul(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "A multithreaded BLAS speeds up large matrix products without code changes \
         (`blas` on matmul).",
        "000 (dot() \"will be computed in parallel\" with a multicore BLAS)",
    );
    let library = strategies(&[Family::Library]);
    let why = f.speeds_up(&mut j, "matmul", &library, "");
    // Every matmul cell's summary records the matrix order n (docs/ARCHITECTURE.md);
    // OpenBLAS's threshold explains a flat curve.
    let n = f
        .workload("matmul")
        .and_then(|w| w.series.iter().find_map(|s| s.trusted().next()))
        .and_then(|p| f.cells.get(p.cell)?.summary.get("n").copied());
    match (why, n) {
        (Some(why), Some(n)) if n.powi(3) <= OPENBLAS_GEMM_SINGLE_THREAD => j.miss(format!(
            "{why}; the matrices are {n}×{n} and OpenBLAS never threads a GEMM with \
             M·N·K = {} ≤ 262,144",
            n.powi(3)
        )),
        (why, n) => {
            if let Some(n) = n {
                j.show(format!("matrix order n = {n}"));
            }
            if let Some(why) = why {
                j.miss(why);
            }
        }
    }
    j.judge(no_cells(&named(&library), &["matmul"]))
}

pub(super) fn svd_processes(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Process pools beat threads on the SVD example (20 SVDs of 200×200).",
        "001 (loky processes 0.044 s, threading 0.145 s)",
    );
    let threads = strategies(&[Family::InterpreterThreads, Family::Threads]);
    let Some((picked, first_choice)) = f.pick(&threads, &["svd"]) else {
        return j.judge(no_cells("thread", &["svd"]));
    };
    let processes = strategies(&[Family::Processes]);
    let procs = f.parallel("svd", &processes);
    if procs.is_empty() {
        return j.judge(no_cells(&named(&processes), &["svd"]));
    }
    let thr = f.parallel("svd", &[picked]);
    // Compare at the largest worker count both have.
    let common = procs
        .iter()
        .map(|(_, p)| p.workers)
        .filter(|w| thr.iter().any(|(_, t)| t.workers == *w))
        .max();
    let Some(workers) = common else {
        let what = format!("a common worker count of {} and thread", named(&processes));
        return j.judge(no_cells(&what, &["svd"]));
    };
    let (ps, pp) = fastest_at(&procs, workers);
    let (ts, tp) = fastest_at(&thr, workers);
    for (s, p) in [(ps, pp), (ts, tp)] {
        j.evidence(format!(
            "svd: {} ({})",
            describe(&s.label, p),
            units::seconds(p.median_s)
        ));
    }
    if !first_choice {
        j.show(format!(
            "no `{}` cells: plain threads stand in for GIL threads",
            threads[0]
        ));
    }
    if !clearly_faster(pp, tp) {
        let mut why = format!(
            "{} takes {} against {} for {}",
            ps.label,
            units::seconds(pp.median_s),
            units::seconds(tp.median_s),
            ts.label
        );
        if let (Some(po), Some(to)) = (f.overhead(ps, workers), f.overhead(ts, workers)) {
            why += &format!(
                "; dispatch costs {} per task against {}",
                units::micros(po.us_per_task),
                units::micros(to.us_per_task)
            );
        }
        why += ": LAPACK runs with the lock released, so threads lose nothing to the GIL";
        j.miss(why);
    }
    // Both points above are evidence: nothing is lacking by now.
    j.judge("")
}

/// The lowest median among `points` at `workers`; the caller knows there is one.
fn fastest_at<'a>(points: &[(&'a Series, &'a Point)], workers: usize) -> (&'a Series, &'a Point) {
    points
        .iter()
        .filter(|(_, p)| p.workers == workers)
        .min_by(|a, b| a.1.median_s.total_cmp(&b.1.median_s))
        .copied()
        .expect("a point at the common worker count")
}

#[cfg(test)]
mod tests {
    use super::super::Judgement;
    use super::super::testing::*;

    #[test]
    fn blas_matmul_flips_and_names_openblas_threshold_for_small_matrices() {
        let claim = "A multithreaded BLAS";
        assert!(holds(&judgement(sweep(&["matmul"], "blas", 0.1), claim)));
        let mut small = sweep(&["matmul"], "blas", 1.0);
        small[0].summary.insert("n".into(), 50.0);
        match judgement(small, claim) {
            Judgement::DoesNotHold(why) => assert!(why.contains("262,144"), "{why}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn svd_processes_against_threads_flip_with_the_data() {
        let claim = "Process pools beat threads";
        let mut v = sweep(&["svd"], "gil", 0.5);
        v.extend(sweep(&["svd"], "process", 0.05).into_iter().skip(1));
        assert!(holds(&judgement(v, claim)));
        let mut v = sweep(&["svd"], "gil", 0.05);
        v.extend(sweep(&["svd"], "process", 0.5).into_iter().skip(1));
        assert!(fails(&judgement(v, claim)));
        assert!(unmeasured(&judgement(sweep(&["svd"], "gil", 0.05), claim)));
    }
}
