//! The documents' claims, each tested against the measurements of one results file.
//!
//! Every verdict is computed from the cells: a claim holds, does not hold (with the measured
//! reason), or is not measured (with what the file lacks). Only verified cells count.

use super::scaling::{OverheadPoint, OverheadSeries, Point, Series, WorkloadScaling};
use crate::results::Cell;
use crate::strategy::Chunk;
use crate::units;

/// A speedup counts as one when its median is at least this factor and its 95 % interval
/// lies above 1; a slowdown likewise below 1/GAIN and 1. Smaller differences are within what
/// scheduling noise produces on a shared machine.
pub const GAIN: f64 = 1.1;

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Holds,
    /// With the measured reason.
    DoesNotHold(String),
    /// With what the file lacks.
    NotMeasured(String),
}

impl Verdict {
    pub fn text(&self) -> String {
        match self {
            Verdict::Holds => "holds here".into(),
            Verdict::DoesNotHold(why) => format!("does not hold here: {why}"),
            Verdict::NotMeasured(what) => format!("not measured in this file: {what}"),
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
    pub verdict: Verdict,
}

/// What the findings read.
pub struct Facts<'a> {
    pub cells: &'a [Cell],
    pub workloads: &'a [WorkloadScaling],
    pub overhead: &'a [OverheadSeries],
    pub logical_cores: usize,
}

/// The threads of the documents are CPython threads; `gil` models them. Plain threads stand
/// in when a file has no `gil` cells, and the evidence says so.
const THREAD_STRATEGIES: [&str; 3] = ["gil", "scoped", "pool"];
/// The documents' pools are process pools (multiprocessing, loky); a thread pool stands in.
const POOL_STRATEGIES: [&str; 2] = ["process", "pool"];

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

/// "pool 1.91× [1.85×, 1.93×] at 2 workers"
fn describe(s: &Series, p: &Point) -> String {
    let mut out = format!(
        "{} {}",
        s.label,
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

impl<'a> Facts<'a> {
    fn workload(&self, name: &str) -> Option<&'a WorkloadScaling> {
        self.workloads.iter().find(|w| w.workload == name)
    }

    /// Every trusted point with more than one worker of `strategy` on `workload`.
    fn parallel(&self, workload: &str, strategy: &str) -> Vec<(&'a Series, &'a Point)> {
        let Some(w) = self.workload(workload) else {
            return Vec::new();
        };
        w.strategy(strategy)
            .flat_map(|s| s.trusted().filter(|p| p.workers > 1).map(move |p| (s, p)))
            .collect()
    }

    /// The point with the highest speedup among [`Facts::parallel`].
    fn best(&self, workload: &str, strategy: &str) -> Option<(&'a Series, &'a Point)> {
        self.parallel(workload, strategy)
            .into_iter()
            .max_by(|a, b| {
                a.1.speedup
                    .unwrap_or(0.0)
                    .total_cmp(&b.1.speedup.unwrap_or(0.0))
            })
    }

    /// The point with the most workers (then the lowest speedup) among [`Facts::parallel`].
    fn at_most_workers(&self, workload: &str, strategy: &str) -> Option<(&'a Series, &'a Point)> {
        self.parallel(workload, strategy)
            .into_iter()
            .max_by(|a, b| {
                a.1.workers.cmp(&b.1.workers).then(
                    b.1.speedup
                        .unwrap_or(0.0)
                        .total_cmp(&a.1.speedup.unwrap_or(0.0)),
                )
            })
    }

    /// The first of `preferred` with parallel points on any of `workloads`, and whether it was
    /// the first choice.
    fn pick(&self, preferred: &[&'static str], workloads: &[&str]) -> Option<(&'static str, bool)> {
        preferred
            .iter()
            .position(|s| workloads.iter().any(|w| !self.parallel(w, s).is_empty()))
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
        let t = self
            .workload(workload)
            .and_then(super::scaling::task_duration_s)?;
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
}

/// Evaluates every claim.
pub fn evaluate(f: &Facts<'_>) -> Vec<Finding> {
    vec![
        threads_cpu(f),
        threads_slower_on_f(f),
        threads_io(f),
        threads_numpy(f),
        processes_cpu(f),
        tiny_tasks(f),
        chunking(f),
        blas_matmul(f),
        svd_processes(f),
        elementwise_parallel(f),
        elementwise_bandwidth(f),
        cores_bound(f),
    ]
}

const CPU_WORKLOADS: [&str; 2] = ["sum-squares", "exp-loop"];

fn threads_cpu(f: &Facts<'_>) -> Finding {
    let claim = "Threads do not speed up CPU-bound pure-Python code: the GIL lets one thread \
                 run at a time (`gil` on sum-squares, exp-loop).";
    let source = "001 (4 × cpu_intensive_task: 1.01×); 000 (f(): threads no faster)";
    let mut measured = Vec::new();
    let mut gains = Vec::new();
    for w in CPU_WORKLOADS {
        if let Some((s, p)) = f.best(w, "gil") {
            measured.push(format!("{w}: best {}", describe(s, p)));
            if clear_gain(p) {
                gains.push(format!("{w} reaches {}", describe(s, p)));
            }
        }
    }
    let verdict = if measured.is_empty() {
        Verdict::NotMeasured(
            "no verified `gil` cells with more than one worker on sum-squares or exp-loop".into(),
        )
    } else if gains.is_empty() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold(format!(
            "{}, so the modelled lock did not serialise the interpreter-style work",
            gains.join("; ")
        ))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

fn threads_slower_on_f(f: &Facts<'_>) -> Finding {
    let claim = "For f() (exp over a list, exp-loop), threads are slower than serial code.";
    let source = "000 (f(): \"threading actually performs worse than serial code\")";
    let points = f.parallel("exp-loop", "gil");
    let measured: Vec<String> = points
        .iter()
        .map(|(s, p)| format!("exp-loop: {}", describe(s, p)))
        .collect();
    let verdict = if points.is_empty() {
        Verdict::NotMeasured("no verified `gil` cells with more than one worker on exp-loop".into())
    } else if points.iter().all(|(_, p)| clear_loss(p)) {
        Verdict::Holds
    } else {
        let (s, p) = points
            .iter()
            .find(|(_, p)| !clear_loss(p))
            .expect("some point is not a clear loss");
        Verdict::DoesNotHold(if clear_gain(p) {
            format!("{} is faster than serial", describe(s, p))
        } else {
            format!(
                "{} is within {GAIN}× of serial: handing the lock over costs nothing measurable here",
                describe(s, p)
            )
        })
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

/// A "strategy X speeds up workload W" claim: holds when the best point of the preferred
/// strategy present shows a clear gain.
fn speeds_up(
    f: &Facts<'_>,
    workload: &str,
    preferred: &[&'static str],
    stand_in: &str,
) -> (Vec<String>, Verdict) {
    let Some((strategy, first_choice)) = f.pick(preferred, &[workload]) else {
        return (
            Vec::new(),
            Verdict::NotMeasured(format!(
                "no verified {} cells with more than one worker on {workload}",
                preferred
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        );
    };
    let mut measured: Vec<String> = preferred
        .iter()
        .filter_map(|s| f.best(workload, s))
        .map(|(s, p)| format!("{workload}: best {}", describe(s, p)))
        .collect();
    if !first_choice {
        measured.push(format!("no `{}` cells: {stand_in}", preferred[0]));
    }
    let (s, p) = f
        .best(workload, strategy)
        .expect("picked strategy has points");
    let verdict = if clear_gain(p) {
        Verdict::Holds
    } else {
        let mut why = format!("{} is no clear speedup", describe(s, p));
        if let Some(ctx) = f.overhead_context(workload, s, p) {
            why += &format!(" ({ctx})");
        }
        Verdict::DoesNotHold(why)
    };
    (measured, verdict)
}

fn threads_io(f: &Facts<'_>) -> Finding {
    let (mut measured, verdict) = speeds_up(
        f,
        "io-sleep",
        &THREAD_STRATEGIES,
        "plain threads stand in for GIL threads",
    );
    // With n equal waits on p threads the best possible is n / ⌈n/p⌉ (5 waits on 2 threads
    // take 3 rounds: 1.67×), which is the yardstick for the measured speedup.
    if let Some((s, p)) = f.best(
        "io-sleep",
        f.pick(&THREAD_STRATEGIES, &["io-sleep"])
            .map_or("", |x| x.0),
    ) && p.tasks > 0
    {
        let rounds = p.tasks.div_ceil(p.workers);
        measured.push(format!(
            "ideal for {} waits on {} {} threads: {} rounds, {}",
            p.tasks,
            p.workers,
            s.label,
            rounds,
            units::speedup(p.tasks as f64 / rounds as f64)
        ));
    }
    Finding {
        claim: "Threads speed up I/O-bound work: while one thread waits, another runs (io-sleep).",
        source: "001 (5 simulated file reads: 2.50 s → 0.50 s, 5.0×)",
        measured,
        verdict,
    }
}

fn threads_numpy(f: &Facts<'_>) -> Finding {
    let (mut measured, verdict) = speeds_up(
        f,
        "ones",
        &THREAD_STRATEGIES,
        "plain threads stand in for GIL threads",
    );
    if let Some((s, p)) = f.best("ones", "process") {
        measured.push(format!("ones: best {}", describe(s, p)));
    }
    Finding {
        claim: "Threads speed up numpy code that releases the GIL (g(): np.ones, ones).",
        source: "000 (g(): threads and processes both give a significant speedup)",
        measured,
        verdict,
    }
}

fn processes_cpu(f: &Facts<'_>) -> Finding {
    let claim = "Processes speed up CPU-bound pure-Python code: each has its own interpreter \
                 and GIL (`process` on sum-squares, exp-loop).";
    let source =
        "000 (f() on 2 processes: significant speedup); 001 (multiprocessing for CPU-bound)";
    let mut measured = Vec::new();
    let mut misses = Vec::new();
    for w in CPU_WORKLOADS {
        if let Some((s, p)) = f.best(w, "process") {
            measured.push(format!("{w}: best {}", describe(s, p)));
            if !clear_gain(p) {
                let mut why = format!("{w}: {} is no clear speedup", describe(s, p));
                if let Some(ctx) = f.overhead_context(w, s, p) {
                    why += &format!(" ({ctx})");
                }
                misses.push(why);
            }
        }
    }
    let verdict = if measured.is_empty() {
        Verdict::NotMeasured(
            "no verified `process` cells with more than one worker on sum-squares or exp-loop"
                .into(),
        )
    } else if misses.is_empty() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold(misses.join("; "))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

fn tiny_tasks(f: &Facts<'_>) -> Finding {
    let claim = "For tiny tasks a parallel pool is slower than serial: dispatch overhead \
                 exceeds the work (monte-carlo, noop).";
    let source = "001 (10,000 fin temperatures: 0.008 s serial, 1.947 s in a process pool)";
    let workloads = ["monte-carlo", "noop"];
    let Some((strategy, first_choice)) = f.pick(&POOL_STRATEGIES, &workloads) else {
        return Finding {
            claim,
            source,
            measured: Vec::new(),
            verdict: Verdict::NotMeasured(
                "no verified `process` or `pool` cells with more than one worker on \
                 monte-carlo or noop"
                    .into(),
            ),
        };
    };
    let mut measured = Vec::new();
    let mut misses = Vec::new();
    for w in workloads {
        for s in POOL_STRATEGIES {
            if let Some((series, p)) = f.at_most_workers(w, s) {
                let chunk = series
                    .chunk
                    .as_ref()
                    .map(|c| format!(" (chunk {c})"))
                    .unwrap_or_default();
                measured.push(format!("{w}: {}{chunk}", describe(series, p)));
                if s == strategy && !clear_loss(p) {
                    let mut why = format!("{w}: {}{chunk} is not slower", describe(series, p));
                    if let Some(ctx) = f.overhead_context(w, series, p) {
                        why += &format!(" ({ctx})");
                    }
                    misses.push(why);
                }
            }
        }
    }
    if !first_choice {
        measured.push("no `process` cells: the thread pool stands in".into());
    }
    let verdict = if misses.is_empty() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold(misses.join("; "))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

/// Whether `strategy` at chunk setting `chunk` hands out more than one task at a time: `auto`
/// does so only where the strategy batches (rayon's and the GIL model's auto is chunk 1, and
/// comparing a setting with itself would only measure noise).
fn groups_tasks(strategy: &str, chunk: &str) -> bool {
    match chunk {
        "auto" => crate::strategy::find(strategy)
            .is_some_and(|s| Chunk::Auto.resolve(s.as_ref()).is_none_or(|n| n > 1)),
        n => n.parse::<usize>().is_ok_and(|n| n > 1),
    }
}

fn chunking(f: &Facts<'_>) -> Finding {
    let claim = "Chunking recovers the loss: grouping tiny tasks into larger chunks makes the \
                 pool pay off (chunk > 1 or auto against chunk 1).";
    let source = "001 (\"Chunk your work appropriately\": 400 ODEs in chunks of 50)";
    let mut measured = Vec::new();
    let mut losses = 0;
    let mut misses = Vec::new();
    for w in f.workloads {
        for one in w.series.iter().filter(|s| s.chunk.as_deref() == Some("1")) {
            for p1 in one.trusted().filter(|p| p.workers > 1) {
                // The fastest chunked cell of the same strategy and worker count.
                let Some((cs, cp)) = w
                    .strategy(&one.strategy)
                    .filter(|s| {
                        s.chunk
                            .as_deref()
                            .is_some_and(|c| groups_tasks(&s.strategy, c))
                    })
                    .filter_map(|s| Some((s, s.trusted().find(|p| p.workers == p1.workers)?)))
                    .min_by(|a, b| a.1.median_s.total_cmp(&b.1.median_s))
                else {
                    continue;
                };
                measured.push(format!(
                    "{}: {} → {}",
                    w.workload,
                    describe(one, p1),
                    describe(cs, cp)
                ));
                if clear_loss(p1) {
                    losses += 1;
                    if !clearly_faster(cp, p1) {
                        misses.push(format!(
                            "{}: {} is not faster than {}",
                            w.workload,
                            describe(cs, cp),
                            describe(one, p1)
                        ));
                    }
                }
            }
        }
    }
    let verdict = if measured.is_empty() {
        Verdict::NotMeasured(
            "needs cells of one workload, strategy and worker count with chunk 1 and with a \
             larger chunk (or auto)"
                .into(),
        )
    } else if losses == 0 {
        Verdict::NotMeasured(
            "chunk 1 never lost to serial here, so there was no loss to recover".into(),
        )
    } else if misses.is_empty() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold(misses.join("; "))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

/// OpenBLAS's threshold: GEMMs with M·N·K at or below it always run on one thread.
const OPENBLAS_GEMM_SINGLE_THREAD: f64 = 262_144.0;

fn blas_matmul(f: &Facts<'_>) -> Finding {
    let claim = "A multithreaded BLAS speeds up large matrix products without code changes \
                 (`blas` on matmul).";
    let source = "000 (dot() \"will be computed in parallel\" with a multicore BLAS)";
    let (mut measured, verdict) = speeds_up(f, "matmul", &["blas"], "");
    // matmul's summary records its order n (DESIGN.md); OpenBLAS's threshold explains a flat curve.
    let n = f
        .workload("matmul")
        .and_then(|w| w.strategy("serial").next())
        .and_then(|s| s.trusted().next())
        .map(|p| p.cell);
    let n = n.and_then(|i| f.cells.get(i)?.summary.get("n").copied());
    let verdict = match (verdict, n) {
        (Verdict::DoesNotHold(why), Some(n)) if n.powi(3) <= OPENBLAS_GEMM_SINGLE_THREAD => {
            Verdict::DoesNotHold(format!(
                "{why}; the matrices are {n}×{n} and OpenBLAS never threads a GEMM with \
                 M·N·K = {} ≤ 262,144",
                n.powi(3)
            ))
        }
        (v, n) => {
            if let Some(n) = n {
                measured.push(format!("matrix order n = {n}"));
            }
            v
        }
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

fn svd_processes(f: &Facts<'_>) -> Finding {
    let claim = "Process pools beat threads on the SVD example (20 SVDs of 200×200).";
    let source = "001 (loky processes 0.044 s, threading 0.145 s)";
    let Some((threads, first_choice)) = f.pick(&THREAD_STRATEGIES, &["svd"]) else {
        return not_compared(claim, source, "thread");
    };
    let procs = f.parallel("svd", "process");
    if procs.is_empty() {
        return not_compared(claim, source, "`process`");
    }
    let thr = f.parallel("svd", threads);
    // Compare at the largest worker count both have.
    let common = procs
        .iter()
        .map(|(_, p)| p.workers)
        .filter(|w| thr.iter().any(|(_, t)| t.workers == *w))
        .max();
    let Some(workers) = common else {
        return not_compared(
            claim,
            source,
            "a common worker count of `process` and thread",
        );
    };
    let (ps, pp) = fastest_at(&procs, workers);
    let (ts, tp) = fastest_at(&thr, workers);
    let mut measured = vec![
        format!(
            "svd: {} ({})",
            describe(ps, pp),
            units::seconds(pp.median_s)
        ),
        format!(
            "svd: {} ({})",
            describe(ts, tp),
            units::seconds(tp.median_s)
        ),
    ];
    if !first_choice {
        measured.push("no `gil` cells: plain threads stand in for GIL threads".into());
    }
    let verdict = if clearly_faster(pp, tp) {
        Verdict::Holds
    } else {
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
        Verdict::DoesNotHold(why)
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
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

fn not_compared(claim: &'static str, source: &'static str, what: &str) -> Finding {
    Finding {
        claim,
        source,
        measured: Vec::new(),
        verdict: Verdict::NotMeasured(format!(
            "no verified {what} cells with more than one worker on svd"
        )),
    }
}

const ELEMENTWISE: [&str; 3] = ["add", "sin", "norm-isf"];

/// The best trusted parallel point of any strategy but serial on `workload`.
fn best_any<'a>(f: &Facts<'a>, workload: &str) -> Option<(&'a Series, &'a Point)> {
    let w = f.workload(workload)?;
    w.series
        .iter()
        .filter(|s| s.strategy != "serial")
        .flat_map(|s| s.trusted().filter(|p| p.workers > 1).map(move |p| (s, p)))
        .max_by(|a, b| {
            a.1.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.1.speedup.unwrap_or(0.0))
        })
}

fn elementwise_parallel(f: &Facts<'_>) -> Finding {
    let claim = "numpy runs A = B + C, sin(B) and norm.isf(B) sequentially; splitting them \
                 across cores would speed them up (add, sin, norm-isf).";
    let source = "000 (\"These operations run sequentially … all three … would automatically \
                  be run in parallel\")";
    let mut measured = Vec::new();
    let mut misses = Vec::new();
    for w in ELEMENTWISE {
        if let Some((s, p)) = best_any(f, w) {
            measured.push(format!("{w}: best {}", describe(s, p)));
            if !clear_gain(p) {
                let mut why = format!("{w}: best is {}", describe(s, p));
                if let Some(ctx) = f.overhead_context(w, s, p) {
                    why += &format!(" ({ctx})");
                }
                misses.push(why);
            }
        }
    }
    let verdict = if measured.is_empty() {
        Verdict::NotMeasured(
            "no verified parallel cells with more than one worker on add, sin or norm-isf".into(),
        )
    } else if misses.is_empty() {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold(misses.join("; "))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

fn elementwise_bandwidth(f: &Facts<'_>) -> Finding {
    let claim = "Parallel elementwise work helps until memory bandwidth is the limit: the \
                 memory-bound add stops scaling before the compute-bound sin and norm-isf.";
    let source = "000 (A = B + C against sin, norm.isf), read with the roofline model";
    // Efficiency of the best strategy at the largest worker count each workload has.
    let eff = |w: &str| -> Option<(String, f64, usize)> {
        let ws = f.workload(w)?;
        let most = ws
            .series
            .iter()
            .filter(|s| s.strategy != "serial")
            .flat_map(|s| s.trusted())
            .map(|p| p.workers)
            .filter(|p| *p > 1)
            .max()?;
        ws.series
            .iter()
            .filter(|s| s.strategy != "serial")
            .filter_map(|s| {
                let p = s.trusted().find(|p| p.workers == most)?;
                Some((describe(s, p), p.efficiency?, most))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    let add = eff("add");
    let sin = eff("sin");
    let isf = eff("norm-isf");
    let mut measured = Vec::new();
    for (name, e) in [("add", &add), ("sin", &sin), ("norm-isf", &isf)] {
        if let Some((d, e, _)) = e {
            measured.push(format!("{name}: {d}, efficiency {}", units::percent(*e)));
        }
    }
    let compute: Vec<&(String, f64, usize)> = [&sin, &isf].into_iter().flatten().collect();
    let verdict = match (&add, compute.is_empty()) {
        (None, _) | (_, true) => Verdict::NotMeasured(
            "needs parallel cells with more than one worker on add and on sin or norm-isf".into(),
        ),
        (Some((_, e_add, p)), false) => {
            let e_compute = compute.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
            if e_add * GAIN <= e_compute {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold(format!(
                    "add keeps {} efficiency at {p} workers against {} for the compute-bound \
                     operations, so memory bandwidth is not what limits it here",
                    units::percent(*e_add),
                    units::percent(e_compute)
                ))
            }
        }
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

fn cores_bound(f: &Facts<'_>) -> Finding {
    let claim = "A multicore machine gives at best a speedup equal to its number of cores.";
    let source = "000 (\"at best a speedup by a factor of the number of cores available\")";
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
    all.sort_by(|a, b| {
        b.2.speedup
            .unwrap_or(0.0)
            .total_cmp(&a.2.speedup.unwrap_or(0.0))
    });
    let Some((w, s, p)) = all.first() else {
        return Finding {
            claim,
            source,
            measured: Vec::new(),
            verdict: Verdict::NotMeasured("no verified cells with a speedup".into()),
        };
    };
    let mut measured = vec![
        format!("{} logical cores", f.logical_cores),
        format!("highest: {w}: {}", describe(s, p)),
    ];
    let over: Vec<&(&str, &Series, &Point)> = all
        .iter()
        .filter(|(_, _, p)| {
            p.speedup.unwrap_or(0.0) >= cores * GAIN && p.speedup_lo().unwrap_or(0.0) > cores
        })
        .collect();
    let verdict = if over.is_empty() {
        Verdict::Holds
    } else {
        let names: Vec<&str> = {
            let mut v: Vec<&str> = over.iter().map(|(w, _, _)| *w).collect();
            v.dedup();
            v
        };
        measured.push(format!(
            "above {} cores: {}",
            f.logical_cores,
            names.join(", ")
        ));
        let waits = names.iter().all(|w| *w == "io-sleep");
        Verdict::DoesNotHold(format!(
            "{w} reaches {} on {} cores{}",
            units::speedup(p.speedup.unwrap_or(0.0)),
            f.logical_cores,
            if waits {
                ": its tasks wait rather than compute, and a waiting task needs no core"
            } else {
                ": superlinear scaling, e.g. from the larger total cache of more cores"
            }
        ))
    };
    Finding {
        claim,
        source,
        measured,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::machine;
    use crate::report::{Input, Source, scaling};
    use crate::results::{Config, Results, SCHEMA};

    /// A verified cell whose median follows Amdahl's law with serial fraction `f` (f > 1 gives
    /// a slowdown) on a 1-second serial job.
    fn cell(workload: &str, strategy: &str, workers: usize, f: f64) -> Cell {
        let mut c = Cell::new(workload, strategy, workers);
        let m = f + (1.0 - f) / workers as f64;
        c.median_s = Some(m);
        c.ci95_s = Some([m * 0.98, m * 1.02]);
        c.verified = true;
        c.tasks = 100;
        c
    }

    /// Serial plus `strategy` at 2 and 4 workers, for each workload.
    fn sweep(workloads: &[&str], strategy: &str, f: f64) -> Vec<Cell> {
        let mut v = Vec::new();
        for w in workloads {
            v.push(cell(w, "serial", 1, 0.0));
            v.push(cell(w, strategy, 2, f));
            v.push(cell(w, strategy, 4, f));
        }
        v
    }

    fn findings(cells: Vec<Cell>, cores: usize) -> Vec<Finding> {
        let mut m = machine::detect();
        m.logical_cores = cores;
        let input = Input {
            results: Results {
                schema: SCHEMA.into(),
                parbench_version: "test".into(),
                created: "now".into(),
                machine: m,
                config: Config::of_matrix("quick", vec![], vec![], vec![1, 2, 4], 1),
                cells,
            },
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

    fn verdict(cells: Vec<Cell>, claim_starts: &str) -> Verdict {
        findings(cells, 4)
            .into_iter()
            .find(|f| f.claim.starts_with(claim_starts))
            .unwrap_or_else(|| panic!("no claim starting {claim_starts:?}"))
            .verdict
    }

    fn holds(v: &Verdict) -> bool {
        *v == Verdict::Holds
    }
    fn fails(v: &Verdict) -> bool {
        matches!(v, Verdict::DoesNotHold(_))
    }
    fn unmeasured(v: &Verdict) -> bool {
        matches!(v, Verdict::NotMeasured(_))
    }

    #[test]
    fn every_claim_is_not_measured_in_an_empty_file() {
        for f in findings(Vec::new(), 4) {
            assert!(unmeasured(&f.verdict), "{}: {:?}", f.claim, f.verdict);
        }
    }

    #[test]
    fn gil_threads_on_cpu_work_flip_with_the_data() {
        let cpu = ["sum-squares", "exp-loop"];
        let claim = "Threads do not speed up CPU-bound";
        assert!(holds(&verdict(sweep(&cpu, "gil", 1.0), claim)));
        assert!(fails(&verdict(sweep(&cpu, "gil", 0.05), claim)));
        // Plain threads say nothing about the GIL.
        assert!(unmeasured(&verdict(sweep(&cpu, "scoped", 1.0), claim)));

        let claim = "For f()";
        assert!(holds(&verdict(sweep(&["exp-loop"], "gil", 2.0), claim)));
        assert!(fails(&verdict(sweep(&["exp-loop"], "gil", 1.0), claim)));
    }

    #[test]
    fn processes_on_cpu_work_flip_with_the_data() {
        let cpu = ["sum-squares", "exp-loop"];
        let claim = "Processes speed up CPU-bound";
        assert!(holds(&verdict(sweep(&cpu, "process", 0.05), claim)));
        assert!(fails(&verdict(sweep(&cpu, "process", 1.0), claim)));
        // One of the two failing is enough.
        let mut mixed = sweep(&["sum-squares"], "process", 0.05);
        mixed.extend(sweep(&["exp-loop"], "process", 1.0));
        assert!(fails(&verdict(mixed, claim)));
    }

    #[test]
    fn threads_on_io_and_numpy_prefer_gil_and_fall_back_to_plain_threads() {
        let claim = "Threads speed up I/O-bound";
        assert!(holds(&verdict(sweep(&["io-sleep"], "gil", 0.0), claim)));
        assert!(fails(&verdict(sweep(&["io-sleep"], "gil", 1.0), claim)));
        assert!(holds(&verdict(sweep(&["io-sleep"], "pool", 0.0), claim)));
        // With gil present, a fast plain pool does not rescue a flat gil.
        let mut both = sweep(&["io-sleep"], "gil", 1.0);
        both.push(cell("io-sleep", "pool", 4, 0.0));
        assert!(fails(&verdict(both, claim)));
        let claim = "Threads speed up numpy code";
        assert!(holds(&verdict(sweep(&["ones"], "gil", 0.1), claim)));
        assert!(fails(&verdict(sweep(&["ones"], "gil", 1.0), claim)));
    }

    #[test]
    fn tiny_tasks_and_chunking_flip_with_the_data() {
        let claim = "For tiny tasks";
        let tiny = ["monte-carlo", "noop"];
        assert!(holds(&verdict(sweep(&tiny, "pool", 20.0), claim)));
        assert!(fails(&verdict(sweep(&tiny, "pool", 0.1), claim)));

        let claim = "Chunking recovers";
        let chunked = |f_one: f64, f_big: f64| {
            let mut v = vec![cell("noop", "serial", 1, 0.0)];
            for (chunk, f) in [("1", f_one), ("64", f_big)] {
                for p in [2, 4] {
                    let mut c = cell("noop", "pool", p, f);
                    c.chunk = Some(chunk.into());
                    v.push(c);
                }
            }
            v
        };
        assert!(holds(&verdict(chunked(20.0, 0.2), claim)));
        assert!(fails(&verdict(chunked(20.0, 20.0), claim)));
        // No loss at chunk 1: nothing to recover.
        assert!(unmeasured(&verdict(chunked(0.2, 0.2), claim)));
        // No chunk-1 cells at all.
        assert!(unmeasured(&verdict(sweep(&["noop"], "pool", 20.0), claim)));

        // `auto` batches under `process` only; for `pool` it is chunk 1 under another name.
        let auto = |strategy: &str| {
            let mut v = vec![cell("noop", "serial", 1, 0.0)];
            for (chunk, f) in [("1", 20.0), ("auto", 0.2)] {
                let mut c = cell("noop", strategy, 2, f);
                c.chunk = Some(chunk.into());
                v.push(c);
            }
            v
        };
        assert!(holds(&verdict(auto("process"), claim)));
        assert!(unmeasured(&verdict(auto("pool"), claim)));
        assert!(unmeasured(&verdict(auto("gil"), claim)));
    }

    #[test]
    fn blas_matmul_flips_and_names_openblas_threshold_for_small_matrices() {
        let claim = "A multithreaded BLAS";
        assert!(holds(&verdict(sweep(&["matmul"], "blas", 0.1), claim)));
        let mut small = sweep(&["matmul"], "blas", 1.0);
        small[0].summary.insert("n".into(), 50.0);
        match verdict(small, claim) {
            Verdict::DoesNotHold(why) => assert!(why.contains("262,144"), "{why}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn svd_processes_against_threads_flip_with_the_data() {
        let claim = "Process pools beat threads";
        let mut v = sweep(&["svd"], "gil", 0.5);
        v.extend(sweep(&["svd"], "process", 0.05).into_iter().skip(1));
        assert!(holds(&verdict(v, claim)));
        let mut v = sweep(&["svd"], "gil", 0.05);
        v.extend(sweep(&["svd"], "process", 0.5).into_iter().skip(1));
        assert!(fails(&verdict(v, claim)));
        assert!(unmeasured(&verdict(sweep(&["svd"], "gil", 0.05), claim)));
    }

    #[test]
    fn elementwise_claims_flip_with_the_data() {
        let claim = "numpy runs A = B + C";
        assert!(holds(&verdict(sweep(&ELEMENTWISE, "pool", 0.05), claim)));
        let mut v = sweep(&["sin", "norm-isf"], "pool", 0.05);
        v.extend(sweep(&["add"], "pool", 1.0));
        assert!(fails(&verdict(v.clone(), claim)));

        let claim = "Parallel elementwise work helps until memory bandwidth";
        assert!(holds(&verdict(v, claim)));
        assert!(fails(&verdict(sweep(&ELEMENTWISE, "pool", 0.05), claim)));
    }

    #[test]
    fn speedup_beyond_the_cores_breaks_the_bound_and_says_why() {
        let claim = "A multicore machine";
        let mut v = vec![cell("io-sleep", "serial", 1, 0.0)];
        let mut fast = cell("io-sleep", "pool", 8, 0.0);
        fast.median_s = Some(0.125);
        fast.ci95_s = Some([0.12, 0.13]);
        v.push(fast);
        match findings(v.clone(), 2)
            .into_iter()
            .find(|f| f.claim.starts_with(claim))
            .unwrap()
            .verdict
        {
            Verdict::DoesNotHold(why) => assert!(why.contains("wait"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(holds(
            &findings(v, 8)
                .into_iter()
                .find(|f| f.claim.starts_with(claim))
                .unwrap()
                .verdict
        ));
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
        assert!(unmeasured(&verdict(v, claim)));
    }
}
