//! The documents' claims, each tested against the measurements of one results file.
//!
//! Every judgement is computed from the cells: a claim holds, does not hold (with the measured
//! reason), or is not measured (with what the file lacks). Only verified cells count.
//!
//! Each claim family has its file and states only its evidence and its rule; `Judge` turns
//! them into a [`Finding`]. Claims pick strategies by [`Family`], never by a list of names, so a
//! new strategy joins the claims about its kind by saying what it is, and series of a strategy
//! this build does not know (a file from another version) do not count in claims about a kind.
//!
//! - `threads`: the GIL and threads on CPU work, on I/O, on numpy
//! - `processes`: processes on CPU work, tiny tasks, chunking
//! - `libraries`: a multithreaded BLAS on matmul, processes against threads on SVD
//! - `arrays`: element-wise operations, memory bandwidth, the bound set by the cores

mod arrays;
mod libraries;
mod processes;
#[cfg(test)]
mod testing;
mod threads;

use super::scaling::{self, OverheadPoint, OverheadSeries, Point, Series, WorkloadScaling};
use crate::results::Cell;
use crate::strategy::Family;
use crate::units;

/// A speedup counts as one when its median is at least this factor and its 95 % interval
/// lies above 1; a slowdown likewise below 1/GAIN and 1. Smaller differences are within what
/// scheduling noise produces on a shared machine.
pub const GAIN: f64 = 1.1;

/// What the file says about a claim. (A regression gate's verdict is
/// [`crate::compare`]'s business; this is the report's.)
#[derive(Clone, Debug, PartialEq)]
pub enum Judgement {
    Holds,
    /// With the measured reason.
    DoesNotHold(String),
    /// With what the file lacks.
    NotMeasured(String),
}

impl Judgement {
    pub fn text(&self) -> String {
        match self {
            Judgement::Holds => "holds here".into(),
            Judgement::DoesNotHold(why) => format!("does not hold here: {why}"),
            Judgement::NotMeasured(what) => format!("not measured in this file: {what}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub claim: &'static str,
    /// Where the documents make it, with their own figures.
    pub source: &'static str,
    /// The figures from the file that test it.
    pub measured: Vec<String>,
    pub judgement: Judgement,
}

/// What the findings read.
pub struct Facts<'a> {
    pub cells: &'a [Cell],
    pub workloads: &'a [WorkloadScaling],
    pub overhead: &'a [OverheadSeries],
    pub logical_cores: usize,
}

/// Evaluates every claim.
pub fn evaluate(f: &Facts<'_>) -> Vec<Finding> {
    vec![
        threads::cpu(f),
        threads::slower_on_f(f),
        threads::io(f),
        threads::numpy(f),
        processes::cpu(f),
        processes::tiny_tasks(f),
        processes::chunking(f),
        libraries::blas_matmul(f),
        libraries::svd_processes(f),
        arrays::elementwise_parallel(f),
        arrays::elementwise_bandwidth(f),
        arrays::cores_bound(f),
    ]
}

/// One claim under test. A claim shows figures, marks which of them put it to the test, and
/// records each measured case against it; [`Judge::judge`] then decides the same way for every
/// claim: not measured when nothing tested it, holds when nothing went against it, and
/// otherwise does not hold, giving every case against it.
struct Judge {
    claim: &'static str,
    source: &'static str,
    measured: Vec<String>,
    tested: bool,
    misses: Vec<String>,
}

impl Judge {
    fn new(claim: &'static str, source: &'static str) -> Judge {
        Judge {
            claim,
            source,
            measured: Vec::new(),
            tested: false,
            misses: Vec::new(),
        }
    }

    /// A figure shown with the claim that does not test it by itself (context, a stand-in).
    fn show(&mut self, line: String) {
        self.measured.push(line);
    }

    /// A figure that tests the claim.
    fn evidence(&mut self, line: String) {
        self.show(line);
        self.tested();
    }

    /// The figures already shown put the claim to the test.
    fn tested(&mut self) {
        self.tested = true;
    }

    /// A measured case against the claim, with the figure that shows it.
    fn miss(&mut self, why: String) {
        self.tested();
        self.misses.push(why);
    }

    /// The finding; `lacking` says what the file would need when nothing tested the claim.
    fn judge(self, lacking: impl Into<String>) -> Finding {
        let judgement = if !self.tested {
            Judgement::NotMeasured(lacking.into())
        } else if self.misses.is_empty() {
            Judgement::Holds
        } else {
            Judgement::DoesNotHold(self.misses.join("; "))
        };
        Finding {
            claim: self.claim,
            source: self.source,
            measured: self.measured,
            judgement,
        }
    }
}

/// The registered strategies of `families`, family by family in the order given and in
/// registry order within a family: the order in which claims prefer them.
fn strategies(families: &[Family]) -> Vec<&'static str> {
    strategies_where(families, |_| true)
}

/// [`strategies`] narrowed to those for which `keep` holds.
fn strategies_where(
    families: &[Family],
    keep: impl Fn(&dyn crate::strategy::Strategy) -> bool,
) -> Vec<&'static str> {
    let registry = crate::strategy::registry();
    families
        .iter()
        .flat_map(|family| {
            registry
                .iter()
                .filter(|s| s.family() == *family && keep(s.as_ref()))
                .map(|s| s.name())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every family that runs tasks in parallel.
const PARALLEL: [Family; 4] = [
    Family::Threads,
    Family::InterpreterThreads,
    Family::Processes,
    Family::Library,
];

/// The workloads of pure-Python CPU work in the documents (f() and cpu_intensive_task).
const CPU_WORKLOADS: [&str; 2] = ["sum-squares", "exp-loop"];

/// "`gil` or `scoped`"
fn named(strategies: &[&str]) -> String {
    strategies
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What a claim lacks when it found no parallel point: "no verified `process` cells with more
/// than one worker on add, sin or norm-isf".
fn no_cells(what: &str, workloads: &[&str]) -> String {
    let on = match workloads {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    format!("no verified {what} cells with more than one worker on {on}")
}

fn clear_gain(p: &Point) -> bool {
    match (p.speedup, p.speedup_lo()) {
        (Some(s), Some(lo)) => s >= GAIN && lo > 1.0,
        _ => false,
    }
}

fn clear_loss(p: &Point) -> bool {
    match (p.speedup, p.speedup_hi()) {
        (Some(s), Some(hi)) => s <= 1.0 / GAIN && hi < 1.0,
        _ => false,
    }
}

/// `a` is clearly faster than `b`: by GAIN in median, with disjoint intervals where known.
fn clearly_faster(a: &Point, b: &Point) -> bool {
    let disjoint = match (a.ci_s, b.ci_s) {
        (Some([_, a_hi]), Some([b_lo, _])) => a_hi < b_lo,
        _ => true,
    };
    b.median_s / a.median_s >= GAIN && disjoint
}

/// "pool 1.91× [1.85×, 1.93×] at 2 workers", for the series labelled `label`.
fn describe(label: &str, p: &Point) -> String {
    let mut out = format!(
        "{label} {}",
        p.speedup.map(units::speedup).unwrap_or_else(|| "-".into())
    );
    if let Some(ci) = p.speedup_ci {
        out += &format!(" {}", units::speedup_interval(ci));
    }
    out + &format!(
        " at {} worker{}",
        p.workers,
        if p.workers == 1 { "" } else { "s" }
    )
}

fn higher_speedup(a: &Point, b: &Point) -> std::cmp::Ordering {
    a.speedup
        .unwrap_or(0.0)
        .total_cmp(&b.speedup.unwrap_or(0.0))
}

impl<'a> Facts<'a> {
    fn workload(&self, name: &str) -> Option<&'a WorkloadScaling> {
        self.workloads.iter().find(|w| w.workload == name)
    }

    /// Every trusted point with more than one worker of any of `strategies` on `workload`, in
    /// the order of the series.
    fn parallel(&self, workload: &str, strategies: &[&str]) -> Vec<(&'a Series, &'a Point)> {
        let Some(w) = self.workload(workload) else {
            return Vec::new();
        };
        w.series
            .iter()
            .filter(|s| strategies.contains(&s.strategy.as_str()))
            .flat_map(|s| s.trusted().filter(|p| p.workers > 1).map(move |p| (s, p)))
            .collect()
    }

    /// The point with the highest speedup among [`Facts::parallel`].
    fn best(&self, workload: &str, strategies: &[&str]) -> Option<(&'a Series, &'a Point)> {
        self.parallel(workload, strategies)
            .into_iter()
            .max_by(|a, b| higher_speedup(a.1, b.1))
    }

    /// The point with the most workers (then the lowest speedup) among [`Facts::parallel`].
    fn at_most_workers(
        &self,
        workload: &str,
        strategies: &[&str],
    ) -> Option<(&'a Series, &'a Point)> {
        self.parallel(workload, strategies)
            .into_iter()
            .max_by(|a, b| a.1.workers.cmp(&b.1.workers).then(higher_speedup(b.1, a.1)))
    }

    /// The first of `preferred` with parallel points on any of `workloads`, and whether it was
    /// the first choice.
    fn pick(&self, preferred: &[&'static str], workloads: &[&str]) -> Option<(&'static str, bool)> {
        preferred
            .iter()
            .position(|s| workloads.iter().any(|w| !self.parallel(w, &[s]).is_empty()))
            .map(|i| (preferred[i], i == 0))
    }

    /// The noop overhead of the series `s` stands for, at `workers`.
    fn overhead(&self, s: &Series, workers: usize) -> Option<&'a OverheadPoint> {
        let series = self
            .overhead
            .iter()
            .find(|o| o.strategy == s.strategy && o.chunk == s.chunk)
            .or_else(|| self.overhead.iter().find(|o| o.strategy == s.strategy))?;
        series.points.iter().find(|p| p.workers == workers)
    }

    /// "a monte-carlo task takes 12 ns serially; pool's dispatch overhead is 1.2 µs per task at
    /// 2 workers (break-even 2.4 µs)": the overhead model applied to one point.
    fn overhead_context(&self, workload: &str, s: &Series, p: &Point) -> Option<String> {
        let t = self.workload(workload).and_then(scaling::task_duration_s)?;
        let mut out = format!("one {workload} task takes {} serially", units::seconds(t));
        if let Some(o) = self.overhead(s, p.workers) {
            out += &format!(
                "; {}'s dispatch overhead is {} per task at {} workers",
                s.strategy,
                units::micros(o.us_per_task),
                p.workers
            );
            if let Some(b) = o.break_even_us {
                out += &format!(" (break-even task {})", units::micros(b));
            }
        }
        Some(out)
    }

    /// "{what} (one add task takes …)": `what`, followed by the overhead model's account of
    /// the point where there is one.
    fn with_overhead(&self, what: String, workload: &str, s: &Series, p: &Point) -> String {
        match self.overhead_context(workload, s, p) {
            Some(ctx) => format!("{what} ({ctx})"),
            None => what,
        }
    }

    /// The rule of a "these workloads speed up" claim: the best point of `strategies` on each
    /// of `workloads` is evidence, and each that is no clear gain is a miss, worded by `why`
    /// from the workload and the point's description.
    fn each_speeds_up(
        &self,
        j: &mut Judge,
        workloads: &[&str],
        strategies: &[&str],
        why: impl Fn(&str, &str) -> String,
    ) {
        for w in workloads {
            let Some((s, p)) = self.best(w, strategies) else {
                continue;
            };
            let point = describe(&s.label, p);
            j.evidence(format!("{w}: best {point}"));
            if !clear_gain(p) {
                j.miss(self.with_overhead(why(w, &point), w, s, p));
            }
        }
    }

    /// The rule of a "strategy X speeds up workload W" claim: the best point of the first of
    /// `preferred` present on `workload` must be a clear gain. Shows the best point of each of
    /// `preferred`, and `stand_in` when the first is absent. Returns why the point is no clear
    /// speedup, for the caller to record with whatever else it knows; nothing is recorded as
    /// tested when no strategy of `preferred` has points.
    fn speeds_up(
        &self,
        j: &mut Judge,
        workload: &str,
        preferred: &[&'static str],
        stand_in: &str,
    ) -> Option<String> {
        let (strategy, first_choice) = self.pick(preferred, &[workload])?;
        for (s, p) in preferred.iter().filter_map(|s| self.best(workload, &[s])) {
            j.evidence(format!("{workload}: best {}", describe(&s.label, p)));
        }
        if !first_choice {
            j.show(format!("no `{}` cells: {stand_in}", preferred[0]));
        }
        let (s, p) = self
            .best(workload, &[strategy])
            .expect("picked strategy has points");
        (!clear_gain(p)).then(|| {
            let why = format!("{} is no clear speedup", describe(&s.label, p));
            self.with_overhead(why, workload, s, p)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn every_claim_is_not_measured_in_an_empty_file() {
        for f in findings(Vec::new(), 4) {
            assert!(unmeasured(&f.judgement), "{}: {:?}", f.claim, f.judgement);
        }
    }

    #[test]
    fn unverified_cells_do_not_count() {
        let claim = "Processes speed up CPU-bound";
        let mut v = sweep(&["sum-squares"], "process", 0.05);
        for c in &mut v {
            if c.strategy == "process" {
                c.verified = false;
            }
        }
        assert!(unmeasured(&judgement(v, claim)));
    }

    #[test]
    fn strategies_of_an_unregistered_name_are_not_counted() {
        let claim = "Processes speed up CPU-bound";
        assert!(holds(&judgement(
            sweep(&CPU_WORKLOADS, "process", 0.05),
            claim
        )));
        assert!(unmeasured(&judgement(
            sweep(&CPU_WORKLOADS, "mpi", 0.05),
            claim
        )));
    }

    #[test]
    fn families_name_the_strategies_in_order_of_preference() {
        let threads = strategies(&[Family::InterpreterThreads, Family::Threads]);
        assert_eq!(threads, ["gil", "scoped", "pool"]);
        assert_eq!(strategies(&[Family::Processes]), ["process"]);
        assert_eq!(strategies(&[Family::Library]), ["blas"]);
        assert_eq!(named(&threads), "`gil` or `scoped` or `pool`");
        assert_eq!(
            no_cells("parallel", &["add", "sin", "norm-isf"]),
            "no verified parallel cells with more than one worker on add, sin or norm-isf"
        );
    }

    #[test]
    fn a_judge_that_saw_no_test_says_what_is_lacking() {
        let mut j = Judge::new("c", "s");
        j.show("context".into());
        let f = j.judge("cells");
        assert_eq!(f.judgement, Judgement::NotMeasured("cells".into()));
        assert_eq!(f.measured, ["context"]);

        let mut j = Judge::new("c", "s");
        j.evidence("a".into());
        assert_eq!(j.judge("cells").judgement, Judgement::Holds);

        let mut j = Judge::new("c", "s");
        j.evidence("a".into());
        j.miss("x".into());
        j.miss("y".into());
        assert_eq!(
            j.judge("cells").judgement,
            Judgement::DoesNotHold("x; y".into())
        );
    }
}
