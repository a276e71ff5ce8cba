//! The scaling figures a report draws and tabulates, derived from the cells of a results file
//! alone: speedup with its interval, efficiency, Karp–Flatt, the Amdahl fit, dispatch overhead
//! and its break-even task duration, and the best strategy per workload.

use super::Input;
use crate::measure::stats;
use crate::results::Cell;

/// One measured (strategy, chunk, workers) cell, with the figures derived from it.
#[derive(Clone, Debug)]
pub struct Point {
    /// Index of the cell in the results file.
    pub cell: usize,
    pub workers: usize,
    pub tasks: usize,
    pub median_s: f64,
    pub ci_s: Option<[f64; 2]>,
    pub speedup: Option<f64>,
    /// `[low, high]`: the cell's interval set against the serial median.
    pub speedup_ci: Option<[f64; 2]>,
    pub efficiency: Option<f64>,
    pub karp_flatt: Option<f64>,
    pub verified: bool,
}

impl Point {
    /// The low end of the speedup interval, or the speedup itself when there is none.
    pub fn speedup_lo(&self) -> Option<f64> {
        self.speedup_ci.map(|c| c[0]).or(self.speedup)
    }

    pub fn speedup_hi(&self) -> Option<f64> {
        self.speedup_ci.map(|c| c[1]).or(self.speedup)
    }
}

/// One line of a chart: a strategy (and chunk, where a workload has several) across workers.
#[derive(Clone, Debug)]
pub struct Series {
    pub strategy: String,
    pub chunk: Option<String>,
    pub label: String,
    /// Sorted by workers.
    pub points: Vec<Point>,
    /// Amdahl serial fraction fitted to the verified points with more than one worker.
    pub amdahl: Option<f64>,
}

impl Series {
    /// Verified points with a speedup: the only ones charts, fits and findings trust.
    pub fn trusted(&self) -> impl Iterator<Item = &Point> {
        self.points
            .iter()
            .filter(|p| p.verified && p.speedup.is_some())
    }

    /// The trusted point with the most workers.
    pub fn at_most_workers(&self) -> Option<&Point> {
        self.trusted().max_by_key(|p| p.workers)
    }
}

/// A cell that has no timing: skipped by the run, or with no samples.
#[derive(Clone, Debug)]
pub struct Unmeasured {
    pub strategy: String,
    pub workers: usize,
    pub reason: String,
}

/// Everything measured for one workload.
#[derive(Clone, Debug)]
pub struct WorkloadScaling {
    pub workload: String,
    /// The serial median every speedup is taken against, when the file has one.
    pub serial_s: Option<f64>,
    pub series: Vec<Series>,
    pub unmeasured: Vec<Unmeasured>,
}

impl WorkloadScaling {
    /// The series of `strategy` (several when the workload has several chunk settings).
    pub fn strategy(&self, strategy: &str) -> impl Iterator<Item = &Series> {
        self.series.iter().filter(move |s| s.strategy == strategy)
    }

    pub fn has_unverified(&self) -> bool {
        self.series
            .iter()
            .any(|s| s.points.iter().any(|p| !p.verified))
    }
}

/// Groups the cells by workload (in file order) and by (strategy, chunk) within a workload,
/// and derives each point's figures.
pub fn analyse(input: &Input) -> Vec<WorkloadScaling> {
    let cells = &input.results.cells;
    let mut names: Vec<&str> = Vec::new();
    for c in cells {
        if !names.contains(&c.workload.as_str()) {
            names.push(&c.workload);
        }
    }
    names
        .into_iter()
        .map(|name| workload(name, cells))
        .collect()
}

fn workload(name: &str, cells: &[Cell]) -> WorkloadScaling {
    let mine: Vec<(usize, &Cell)> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.workload == name)
        .collect();
    let serial_s = mine
        .iter()
        .find(|(_, c)| c.strategy == "serial" && c.skipped.is_none())
        .and_then(|(_, c)| c.median_s)
        .filter(|m| *m > 0.0);

    let mut series: Vec<Series> = Vec::new();
    let mut unmeasured = Vec::new();
    for &(index, c) in &mine {
        let median = c.median_s.filter(|m| *m > 0.0 && c.skipped.is_none());
        let Some(median) = median else {
            unmeasured.push(Unmeasured {
                strategy: c.strategy.clone(),
                workers: c.workers,
                reason: c
                    .skipped
                    .clone()
                    .unwrap_or_else(|| "no timed samples".into()),
            });
            continue;
        };
        let point = point(index, c, median, serial_s);
        match series
            .iter_mut()
            .find(|s| s.strategy == c.strategy && s.chunk == c.chunk)
        {
            Some(s) => s.points.push(point),
            None => series.push(Series {
                strategy: c.strategy.clone(),
                chunk: c.chunk.clone(),
                label: String::new(),
                points: vec![point],
                amdahl: None,
            }),
        }
    }
    let labels: Vec<String> = series
        .iter()
        .map(|s| {
            let chunks = series.iter().filter(|t| t.strategy == s.strategy).count();
            match (&s.chunk, chunks > 1) {
                (Some(chunk), true) => format!("{}, chunk {chunk}", s.strategy),
                _ => s.strategy.clone(),
            }
        })
        .collect();
    for (s, label) in series.iter_mut().zip(labels) {
        s.label = label;
        s.points.sort_by_key(|p| p.workers);
        let fit: Vec<(f64, f64)> = s
            .trusted()
            .filter(|p| p.workers > 1)
            .filter_map(|p| Some((p.workers as f64, p.speedup?)))
            .collect();
        s.amdahl = amdahl_fit(&fit);
    }
    WorkloadScaling {
        workload: name.to_string(),
        serial_s,
        series,
        unmeasured,
    }
}

fn point(index: usize, c: &Cell, median: f64, serial_s: Option<f64>) -> Point {
    // Without a serial cell, the speedup the run stored still implies its baseline.
    let base = serial_s.or_else(|| c.speedup.map(|s| s * median));
    let speedup = base.map(|b| b / median);
    let speedup_ci = match (base, c.ci95_s) {
        (Some(b), Some([lo, hi])) if lo > 0.0 && hi > 0.0 => Some([b / hi, b / lo]),
        _ => None,
    };
    let karp_flatt = c
        .karp_flatt
        .or_else(|| speedup.and_then(|s| stats::karp_flatt(s, c.workers)));
    Point {
        cell: index,
        workers: c.workers,
        tasks: c.tasks,
        median_s: median,
        ci_s: c.ci95_s,
        speedup,
        speedup_ci,
        efficiency: speedup.map(|s| s / c.workers.max(1) as f64),
        karp_flatt,
        verified: c.verified,
    }
}

/// Amdahl's law: the speedup on `p` workers of a job whose serial fraction is `f`.
pub fn amdahl_speedup(f: f64, p: f64) -> f64 {
    1.0 / (f + (1.0 - f) / p)
}

/// The serial fraction `f` in [0, 1] that minimises Σ (S_i − 1/(f + (1 − f)/p_i))² over the
/// given (p, S) points; `None` without a point. Bounded to [0, 1] because Amdahl's law has no
/// room for superlinear speedup (f < 0) or for a slowdown (which would need f > 1).
pub fn amdahl_fit(points: &[(f64, f64)]) -> Option<f64> {
    let points: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(p, s)| *p > 1.0 && s.is_finite() && *s > 0.0)
        .collect();
    if points.is_empty() {
        return None;
    }
    let sse = |f: f64| -> f64 {
        points
            .iter()
            .map(|&(p, s)| (s - amdahl_speedup(f, p)).powi(2))
            .sum()
    };
    // The sum need not be unimodal over [0, 1] with several noisy points, so a grid finds the
    // basin and a golden-section search refines inside it.
    const STEPS: usize = 1000;
    let best = (0..=STEPS)
        .map(|i| i as f64 / STEPS as f64)
        .min_by(|a, b| sse(*a).total_cmp(&sse(*b)))
        .expect("non-empty grid");
    let step = 1.0 / STEPS as f64;
    let (mut lo, mut hi) = ((best - step).max(0.0), (best + step).min(1.0));
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    while hi - lo > 1e-10 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if sse(a) <= sse(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    let f = (lo + hi) / 2.0;
    Some(if sse(best) < sse(f) { best } else { f })
}

/// The name of the workload whose empty tasks measure dispatch cost.
pub const OVERHEAD_WORKLOAD: &str = "noop";

/// Dispatch overhead of one strategy at one worker count.
#[derive(Clone, Debug)]
pub struct OverheadPoint {
    pub workers: usize,
    /// Wall-clock time per task, µs.
    pub us_per_task: f64,
    /// Whether the cell carried `overhead_us_per_task` (else median / tasks).
    pub recorded: bool,
    /// The task duration above which this strategy beats serial, µs; `None` for one worker.
    pub break_even_us: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct OverheadSeries {
    pub strategy: String,
    pub chunk: Option<String>,
    pub label: String,
    pub points: Vec<OverheadPoint>,
}

/// With per-task overhead `o` and `p` workers, a job of `n` tasks of duration `t` takes about
/// `n·t/p + n·o` in parallel against `n·t` serially, so it wins when `t > o·p/(p − 1)`.
pub fn break_even(o: f64, workers: usize) -> Option<f64> {
    (workers > 1).then(|| o * workers as f64 / (workers as f64 - 1.0))
}

/// Per-task overhead of every strategy from the noop workload's verified cells.
pub fn overhead(input: &Input, workloads: &[WorkloadScaling]) -> Vec<OverheadSeries> {
    let Some(noop) = workloads.iter().find(|w| w.workload == OVERHEAD_WORKLOAD) else {
        return Vec::new();
    };
    noop.series
        .iter()
        .filter_map(|s| {
            let points: Vec<OverheadPoint> = s
                .points
                .iter()
                .filter(|p| p.verified)
                .filter_map(|p| {
                    let recorded = input
                        .results
                        .cells
                        .get(p.cell)
                        .and_then(|c| c.overhead_us_per_task);
                    let us = recorded
                        .or_else(|| (p.tasks > 0).then(|| p.median_s / p.tasks as f64 * 1e6))?;
                    Some(OverheadPoint {
                        workers: p.workers,
                        us_per_task: us,
                        recorded: recorded.is_some(),
                        break_even_us: break_even(us, p.workers),
                    })
                })
                .filter(|p| p.us_per_task.is_finite() && p.us_per_task > 0.0)
                .collect();
            (!points.is_empty()).then(|| OverheadSeries {
                strategy: s.strategy.clone(),
                chunk: s.chunk.clone(),
                label: s.label.clone(),
                points,
            })
        })
        .collect()
}

/// The fastest parallel strategy of a workload at its largest worker count.
#[derive(Clone, Debug)]
pub struct Best {
    pub workload: String,
    pub label: String,
    pub point: Point,
}

/// For each workload with a trusted parallel point: the series with the highest speedup at
/// the workload's largest measured worker count (serial is the baseline, not a contender).
pub fn best_per_workload(workloads: &[WorkloadScaling]) -> Vec<Best> {
    workloads
        .iter()
        .filter_map(|w| {
            let parallel = || w.series.iter().filter(|s| s.strategy != "serial");
            let most = parallel()
                .flat_map(|s| s.trusted())
                .map(|p| p.workers)
                .max()?;
            let (label, point) = parallel()
                .filter_map(|s| {
                    let p = s.trusted().find(|p| p.workers == most)?;
                    Some((s.label.clone(), p.clone()))
                })
                .max_by(|a, b| {
                    a.1.speedup
                        .unwrap_or(0.0)
                        .total_cmp(&b.1.speedup.unwrap_or(0.0))
                })?;
            Some(Best {
                workload: w.workload.clone(),
                label,
                point,
            })
        })
        .collect()
}

/// Per-task work of a workload: its serial median divided by its task count, in seconds.
pub fn task_duration_s(w: &WorkloadScaling) -> Option<f64> {
    let serial = w.strategy("serial").next()?.trusted().next()?;
    (serial.tasks > 0).then(|| serial.median_s / serial.tasks as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_fit_recovers_the_fraction_that_generated_the_points() {
        for f in [0.0, 0.05, 0.3, 1.0] {
            let pts: Vec<(f64, f64)> = [2.0, 4.0, 8.0, 64.0]
                .iter()
                .map(|&p| (p, amdahl_speedup(f, p)))
                .collect();
            let got = amdahl_fit(&pts).unwrap();
            assert!((got - f).abs() < 1e-6, "f = {f}: fitted {got}");
        }
    }

    #[test]
    fn amdahl_fit_stays_in_bounds_for_slowdown_and_superlinear_points() {
        assert_eq!(amdahl_fit(&[(2.0, 0.1), (4.0, 0.05)]), Some(1.0));
        assert_eq!(amdahl_fit(&[(2.0, 3.0), (4.0, 6.0)]), Some(0.0));
        assert_eq!(amdahl_fit(&[(1.0, 1.0)]), None);
    }

    #[test]
    fn break_even_follows_the_overhead_model() {
        // o = 1 µs, p = 2: t > 2 µs; p = 4: t > 4/3 µs; never with one worker.
        assert_eq!(break_even(1.0, 2), Some(2.0));
        assert!((break_even(1.0, 4).unwrap() - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(break_even(1.0, 1), None);
        // At t = t*, the modelled parallel time equals the serial time.
        let (o, p, n) = (0.7, 8usize, 1000.0);
        let t = break_even(o, p).unwrap();
        assert!((n * t / p as f64 + n * o - n * t).abs() < 1e-9);
    }
}
