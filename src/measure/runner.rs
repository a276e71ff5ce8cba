//! The timing loop: for each cell, warm-up runs, then timed samples, each verified.

use super::stats::{karp_flatt, median, median_interval};
use crate::results::{Cell, FailedTask};
use crate::strategy::{Chunk, Strategy};
use crate::workload::{Instance, Params, TaskResult, Workload};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// What to measure.
pub struct Plan {
    pub workloads: Vec<Box<dyn Workload>>,
    pub strategies: Vec<Box<dyn Strategy>>,
    pub workers: Vec<usize>,
    pub chunk: Chunk,
    pub warmup: usize,
    pub samples: usize,
    pub params: Params,
}

/// A cell about to run, for progress display.
pub struct CellLabel<'a> {
    pub workload: &'a str,
    pub strategy: &'a str,
    pub workers: usize,
}

/// Receives the runner's progress: one call per run of a cell (warm-up and timed alike).
pub trait Progress {
    fn cell(&mut self, label: &CellLabel<'_>);
    fn run_done(&mut self);
}

/// Ignores progress.
pub struct Silent;

impl Progress for Silent {
    fn cell(&mut self, _: &CellLabel<'_>) {}
    fn run_done(&mut self) {}
}

impl Plan {
    /// The (strategy, workers) pairs measured for each workload. `serial` runs once, with one
    /// worker, whatever `--workers` says: it is the baseline of every speedup.
    pub fn pairs(&self) -> Vec<(&dyn Strategy, usize)> {
        let mut out = Vec::new();
        for s in &self.strategies {
            if s.parallel() {
                out.extend(self.workers.iter().map(|&w| (s.as_ref(), w)));
            } else {
                out.push((s.as_ref(), 1));
            }
        }
        out
    }

    /// How many runs (warm-up and timed) the whole plan makes, skipped cells included.
    pub fn total_runs(&self) -> usize {
        self.workloads.len() * self.pairs().len() * (self.warmup + self.samples)
    }
}

/// A digest of every task's result in index order: equal outputs, equal digest, whatever
/// strategy or worker count produced them.
pub fn checksum(results: &[TaskResult]) -> String {
    let mut h = Sha256::new();
    for r in results {
        // postcard's encoding is canonical for these types: the same value, the same bytes.
        let bytes = postcard::to_allocvec(r).expect("outputs serialise");
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let d = h.finalize();
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Measures every cell of the plan, workload by workload (each workload's inputs are built once
/// and dropped before the next).
pub fn run(plan: &Plan, progress: &mut dyn Progress) -> Vec<Cell> {
    super::allocator::configure();
    let mut cells = Vec::new();
    for workload in &plan.workloads {
        let instance = workload.prepare(&plan.params);
        let mut reference = None;
        let mut group: Vec<Cell> = plan
            .pairs()
            .into_iter()
            .map(|(s, w)| {
                progress.cell(&CellLabel {
                    workload: workload.name(),
                    strategy: s.name(),
                    workers: w,
                });
                let target = Target {
                    workload: workload.as_ref(),
                    instance: instance.as_ref(),
                    strategy: s,
                    workers: w,
                };
                measure_cell(plan, &target, &mut reference, progress)
            })
            .collect();
        derive_scaling(&mut group);
        cells.extend(group);
    }
    cells
}

/// The first verified results of a workload (from `serial`, which runs first) and their
/// digest: every later cell must reproduce them.
type Reference = Option<(String, Vec<TaskResult>)>;

struct Target<'a> {
    workload: &'a dyn Workload,
    instance: &'a dyn Instance,
    strategy: &'a dyn Strategy,
    workers: usize,
}

/// Compares a sample's results with the reference. Bit-identical results share its digest;
/// results that the workload accepts as the same (BLAS rounding) are given its digest and
/// reported as inexact; anything else is a mismatch naming the first differing task.
fn against_reference(
    instance: &dyn Instance,
    reference: &Reference,
    digest: String,
    results: &[TaskResult],
) -> Result<(String, bool), String> {
    let Some((ref_digest, ref_results)) = reference else {
        return Ok((digest, true));
    };
    if *ref_digest == digest {
        return Ok((digest, true));
    }
    if ref_results.len() != results.len() {
        return Err(format!(
            "{} results, the reference has {}",
            results.len(),
            ref_results.len()
        ));
    }
    for (i, (a, b)) in ref_results.iter().zip(results).enumerate() {
        let same = match (a, b) {
            (Ok(x), Ok(y)) => instance.agrees(x, y),
            (Err(x), Err(y)) => x == y,
            _ => false,
        };
        if !same {
            return Err(format!(
                "task {i} differs from the serial result: {b:?} vs {a:?}"
            ));
        }
    }
    Ok((ref_digest.clone(), false))
}

fn measure_cell(
    plan: &Plan,
    target: &Target<'_>,
    reference: &mut Reference,
    progress: &mut dyn Progress,
) -> Cell {
    let Target {
        workload,
        instance,
        strategy,
        workers,
    } = *target;
    let mut cell = Cell::new(workload.name(), strategy.name(), workers);
    cell.tasks = instance.tasks();
    cell.chunk = strategy.chunked().then(|| plan.chunk.to_string());
    let skip = |cell: &mut Cell, reason: String, progress: &mut dyn Progress| {
        cell.skipped = Some(reason);
        for _ in 0..plan.warmup + plan.samples {
            progress.run_done();
        }
    };
    if let Some(reason) = strategy.skip_reason(workload) {
        skip(&mut cell, reason, progress);
        return cell;
    }
    let mut exec = match strategy.executor(workers, plan.chunk) {
        Ok(e) => e,
        Err(e) => {
            skip(&mut cell, e, progress);
            return cell;
        }
    };
    for _ in 0..plan.warmup {
        exec.execute(instance);
        progress.run_done();
    }
    let mut verified = true;
    let mut details = Vec::new();
    for _ in 0..plan.samples {
        let start = Instant::now();
        let results = exec.execute(instance);
        let elapsed = start.elapsed().as_secs_f64();
        progress.run_done();
        cell.samples_s.push(elapsed);

        let check = instance.verify(&results);
        let sum = match against_reference(instance, reference, checksum(&results), &results) {
            Ok((sum, exact)) => {
                cell.exact_match = Some(cell.exact_match.unwrap_or(true) && exact);
                sum
            }
            Err(why) => {
                verified = false;
                details.push(why);
                checksum(&results)
            }
        };
        if results.len() != instance.tasks() {
            verified = false;
            details.push(format!(
                "{} results for {} tasks",
                results.len(),
                instance.tasks()
            ));
        }
        if !check.passed {
            verified = false;
            details.push(check.detail.clone());
        }
        match &cell.checksum {
            None => {
                if reference.is_none() && check.passed {
                    *reference = Some((sum.clone(), results.clone()));
                }
                cell.checksum = Some(sum);
                cell.summary = check.summary;
                cell.check = check.detail;
                cell.failed_tasks = failures(&results);
            }
            Some(first) if *first != sum => {
                verified = false;
                details.push(format!(
                    "outputs changed between samples ({first} then {sum})"
                ));
            }
            Some(_) => {}
        }
    }
    cell.verified = verified && !cell.samples_s.is_empty();
    if !details.is_empty() {
        details.dedup();
        cell.check = details.join("; ");
    }
    cell.median_s = median(&cell.samples_s);
    if let Some((ci, coverage)) = median_interval(&cell.samples_s) {
        cell.ci95_s = Some(ci);
        cell.ci_coverage = Some(coverage);
    }
    cell
}

fn failures(results: &[TaskResult]) -> Vec<FailedTask> {
    results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.as_ref().err().map(|f| FailedTask {
                task: i,
                error: f.message.clone(),
            })
        })
        .collect()
}

/// Speedup, efficiency and Karp–Flatt of each cell against the `serial` cell of its group.
pub fn derive_scaling(group: &mut [Cell]) {
    let base = group
        .iter()
        .find(|c| c.strategy == "serial" && c.skipped.is_none())
        .and_then(|c| c.median_s);
    let Some(base) = base else { return };
    for c in group.iter_mut() {
        if let Some(m) = c.median_s.filter(|m| *m > 0.0) {
            let s = base / m;
            c.speedup = Some(s);
            c.efficiency = Some(s / c.workers as f64);
            c.karp_flatt = karp_flatt(s, c.workers);
        }
    }
}
