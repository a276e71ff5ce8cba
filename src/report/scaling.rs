//! The scaling figures a report draws and tabulates, derived from the cells of a results file
//! alone: speedup with its interval, efficiency, Karp–Flatt, the Amdahl fit, dispatch overhead
//! and its break-even task duration, and the best strategy per workload.

use super::Input;
use crate::results::{BASELINE, Cell, baseline_median};
use crate::stats::{self, amdahl_fit, break_even};

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
    let serial_s = baseline_median(mine.iter().map(|(_, c)| *c), name).filter(|m| *m > 0.0);

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
            let parallel = || w.series.iter().filter(|s| s.strategy != BASELINE);
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
    let serial = w.strategy(BASELINE).next()?.trusted().next()?;
    (serial.tasks > 0).then(|| serial.median_s / serial.tasks as f64)
}
