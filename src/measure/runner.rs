//! The timing loop: for each cell, warm-up runs, then timed samples, each verified.

pub use super::assemble::Assembled;
use super::assemble::assemble;
pub use super::plan::Plan;
use super::record::RoundRecord;
use super::reference::time_reference;
use crate::results::{BASELINE, Cell, CellId, FailedTask};
use crate::strategy::{self, Chunk, Options, Setup, Strategy};
use crate::workload::{Instance, TaskResult, Workload};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// A cell about to run, for progress display.
pub struct CellLabel<'a> {
    pub workload: &'a str,
    pub strategy: &'a str,
    pub workers: usize,
    /// `None` for strategies that do not chunk.
    pub chunk: Option<&'a str>,
    pub round: usize,
}

impl CellLabel<'_> {
    pub fn id(&self) -> CellId {
        CellId {
            workload: self.workload.into(),
            strategy: self.strategy.into(),
            workers: self.workers,
            chunk: self.chunk.map(Into::into),
        }
    }
}

/// Receives the runner's progress: one call per run of a cell (warm-up and timed alike).
pub trait Progress {
    fn cell(&mut self, label: &CellLabel<'_>);
    fn run_done(&mut self);
    /// A cell's round finished and is about to be recorded.
    fn round_done(&mut self, _record: &RoundRecord) {}
}

/// Takes turns with other runs on the same machine (`parbench pair`): a run waits for its turn
/// before each timed sample and hands the machine back after it, so that the samples of the
/// runs it is compared with are taken next to its own, milliseconds apart. The first turn of a
/// cell's round also covers building its inputs, starting its executor and the warm-up; the
/// last ends once the executor is gone.
pub trait Turns {
    /// Blocks until this run may take the sample `step` (every cell takes one turn per sample,
    /// skipped or not, so that runs of the same matrix stay in step); `false` when it must
    /// stop instead (whoever handed out the turns is gone).
    fn wait(&mut self, step: Step, label: &CellLabel<'_>) -> bool;
    /// The machine is free again.
    fn done(&mut self);
}

/// Which sample a turn is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Counted from 0 over the whole run.
    pub index: usize,
    /// Turns in the whole run: rounds × cells × samples.
    pub of: usize,
    pub round: usize,
    /// The sample within the cell's round.
    pub sample: usize,
}

/// A cell's round in the run's sequence of turns; the caller holds the turn of its first
/// sample.
struct TurnAt<'a, 'l> {
    turns: &'a mut dyn Turns,
    first: Step,
    label: &'a CellLabel<'l>,
}

impl TurnAt<'_, '_> {
    /// Hands the machine back and waits for the turn of the round's sample `sample`.
    fn next(&mut self, sample: usize) -> Result<(), Stopped> {
        self.turns.done();
        let step = Step {
            index: self.first.index + sample,
            sample,
            ..self.first
        };
        if self.turns.wait(step, self.label) {
            Ok(())
        } else {
            Err(Stopped)
        }
    }

    /// Takes the turns of the round's other samples without measuring: a cell that is
    /// skipped or cannot start.
    fn pass(&mut self, samples: usize) -> Result<(), Stopped> {
        (1..samples).try_for_each(|i| self.next(i))
    }
}

/// Runs alone: every turn is granted at once.
pub struct Alone;

impl Turns for Alone {
    fn wait(&mut self, _: Step, _: &CellLabel<'_>) -> bool {
        true
    }
    fn done(&mut self) {}
}

/// The run stopped before its last cell because its turns stopped coming.
#[derive(Debug)]
pub struct Stopped;

/// Ignores progress.
pub struct Silent;

impl Progress for Silent {
    fn cell(&mut self, _: &CellLabel<'_>) {}
    fn run_done(&mut self) {}
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

/// The serial results of a workload in this process and their digest: every cell must
/// reproduce them.
type Reference = Option<(String, Vec<TaskResult>)>;

/// Which cell rounds a call measures: a child process measures its share of the rounds, and a
/// resumed run skips the cell rounds its journal already holds.
pub struct Scope<'a> {
    pub rounds: Vec<usize>,
    pub done: &'a dyn Fn(&CellId, usize) -> bool,
}

impl Scope<'_> {
    /// Every round of the plan, nothing done yet.
    pub fn all(plan: &Plan) -> Scope<'static> {
        Scope {
            rounds: (0..plan.rounds.max(1)).collect(),
            done: &|_, _| false,
        }
    }
}

/// Measures every cell of the plan in this process and pools the rounds (see
/// [`super::assemble`]).
///
/// Cells run workload by workload, `serial` first. With several rounds, round `r` starts `r/R`
/// of the way through the list of cells and wraps around, so that no cell is always measured
/// first or last, and pinned workers start one core further on (see [`crate::sys::affinity`]).
/// A workload's inputs are built when its first cell in a stretch comes up and dropped when
/// another workload's does.
pub fn run(plan: &Plan, progress: &mut dyn Progress) -> Vec<Cell> {
    run_in_turns(plan, progress, &mut Alone)
        .expect("a run alone is never stopped")
        .cells
}

/// [`run`], taking a turn before each timed sample (see [`Turns`]); also gives the machine
/// reference.
pub fn run_in_turns(
    plan: &Plan,
    progress: &mut dyn Progress,
    turns: &mut dyn Turns,
) -> Result<Assembled, Stopped> {
    let mut records = Vec::new();
    run_rounds(plan, &Scope::all(plan), progress, turns, &mut |r| {
        records.push(r)
    })?;
    Ok(assemble(&plan.cell_ids(), &records))
}

/// Measures the cell rounds of `scope`, handing each to `sink` as it finishes.
pub fn run_rounds(
    plan: &Plan,
    scope: &Scope<'_>,
    progress: &mut dyn Progress,
    turns: &mut dyn Turns,
    sink: &mut dyn FnMut(RoundRecord),
) -> Result<(), Stopped> {
    crate::sys::allocator::configure();
    strategy::quiet_task_panics();
    let settings = plan.settings();
    let ids = plan.cell_ids();
    let order: Vec<(usize, usize)> = (0..plan.workloads.len())
        .flat_map(|w| (0..settings.len()).map(move |p| (w, p)))
        .collect();
    let mut references: Vec<Reference> = vec![None; plan.workloads.len()];
    let rounds = plan.rounds.max(1);
    for &round in &scope.rounds {
        let offset = round * order.len() / rounds;
        let options = Options {
            first_core: round,
            ..plan.options.clone()
        };
        let mut current: Option<(usize, Box<dyn Instance>)> = None;
        for k in 0..order.len() {
            let idx = (offset + k) % order.len();
            let (w, p) = order[idx];
            if (scope.done)(&ids[idx], round) {
                continue;
            }
            let workload = plan.workloads[w].as_ref();
            let (strategy, workers, chunk) = settings[p];
            let label = CellLabel {
                workload: workload.name(),
                strategy: strategy.name(),
                workers,
                chunk: ids[idx].chunk.as_deref(),
                round,
            };
            let per_cell = plan.samples.max(1);
            let first = Step {
                index: (round * order.len() + k) * per_cell,
                of: rounds * order.len() * per_cell,
                round,
                sample: 0,
            };
            if !turns.wait(first, &label) {
                return Err(Stopped);
            }
            if current.as_ref().map(|(cw, _)| *cw) != Some(w) {
                // Free the previous workload's inputs before building the next one's.
                drop(current.take());
                current = Some((w, workload.prepare(&plan.params)));
            }
            let instance = current.as_ref().expect("just prepared").1.as_ref();
            progress.cell(&label);
            if references[w].is_none() && strategy.name() != BASELINE {
                references[w] = serial_reference(plan, workload, instance, &options);
            }
            let target = Target {
                workload,
                instance,
                strategy,
                workers,
                chunk,
                options: &options,
            };
            let mut turn = TurnAt {
                turns: &mut *turns,
                first,
                label: &label,
            };
            let mut record = RoundRecord::new(&ids[idx], round, k);
            measure_round(
                plan,
                &target,
                &mut record,
                &mut references[w],
                progress,
                &mut turn,
            )?;
            if record.skipped.is_none() {
                record.reference_s = Some(time_reference());
            }
            if k + 1 == order.len() {
                // The round's inputs go within its last turn, not during another run's sample.
                drop(current.take());
            }
            turns.done();
            progress.round_done(&record);
            sink(record);
        }
    }
    Ok(())
}

/// The serial results of a workload, for a process whose first cell of it is not serial (a
/// round that starts part-way through the workload's cells): one untimed serial run.
fn serial_reference(
    plan: &Plan,
    workload: &dyn Workload,
    instance: &dyn Instance,
    options: &Options,
) -> Reference {
    let serial = strategy::find(BASELINE).expect("the baseline is registered");
    // A workload that only a process strategy survives (it kills or hangs whatever runs it)
    // has no serial reference; its first surviving cell sets one, as it always did.
    if strategy::skip_reason(serial.as_ref(), workload).is_some() {
        return None;
    }
    let setup = Setup {
        workers: 1,
        chunk: Chunk::Auto,
        workload: Some(workload),
        params: plan.params,
        instance,
        options,
    };
    let mut exec = strategy::start(serial.as_ref(), &setup).ok()?;
    let results = exec.execute(instance);
    instance
        .verify(&results)
        .passed
        .then(|| (checksum(&results), results))
}

struct Target<'a> {
    workload: &'a dyn Workload,
    instance: &'a dyn Instance,
    strategy: &'a dyn Strategy,
    workers: usize,
    chunk: Chunk,
    /// The plan's options as they stand this round.
    options: &'a Options,
}

/// Runs of all tasks per sample so that a sample lasts at least `target`, given that one run
/// took `once`. Capped so that a cell whose tasks finish in nanoseconds cannot loop for ever.
fn loops_for(target: Duration, once: Duration) -> usize {
    const MAX_LOOPS: usize = 10_000;
    if target.is_zero() || once >= target {
        return 1;
    }
    let per = once.as_secs_f64().max(1e-9);
    ((target.as_secs_f64() / per).ceil() as usize).clamp(1, MAX_LOOPS)
}

/// Sub-blocks a calibrated sample's runs are timed in.
const SUB_BLOCKS: usize = 32;

/// One sample from the times of its runs: the median over up to [`SUB_BLOCKS`] consecutive,
/// equal sub-blocks of the mean run time in each. On this project's VM the machine stalls
/// for a few milliseconds at a time (another guest, the host); a stall inflates the sub-block
/// it lands in, and the median leaves it out where the plain mean would spread it over the
/// sample: for 100 ms samples of a 0.27 ms cell the spread between samples fell from 5.3 % to
/// 3.0 % while the VM stalled, and stayed 3.3 % while it did not (docs/ARCHITECTURE.md,
/// "Samples").
fn sample_of(runs_s: &[f64]) -> f64 {
    let blocks = runs_s.len().clamp(1, SUB_BLOCKS);
    let per = runs_s.len() / blocks;
    // The runs left over after equal blocks go into the last one, so every run counts.
    let means: Vec<f64> = (0..blocks)
        .map(|b| {
            let end = if b + 1 == blocks {
                runs_s.len()
            } else {
                (b + 1) * per
            };
            let block = &runs_s[b * per..end];
            block.iter().sum::<f64>() / block.len() as f64
        })
        .collect();
    crate::stats::median(&means).expect("a sample has at least one run")
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
                "task {i} differs from the serial result: {} vs {}",
                crate::workload::describe(b),
                crate::workload::describe(a)
            ));
        }
    }
    Ok((ref_digest.clone(), false))
}

/// One round of one cell: start the strategy, warm up, take the timed samples, each but the
/// first in a turn of its own (the caller holds the first turn and ends the last). A cell that
/// is skipped or cannot start still takes all its turns.
fn measure_round(
    plan: &Plan,
    target: &Target<'_>,
    record: &mut RoundRecord,
    reference: &mut Reference,
    progress: &mut dyn Progress,
    turn: &mut TurnAt<'_, '_>,
) -> Result<(), Stopped> {
    let Target {
        workload,
        instance,
        strategy,
        workers,
        chunk,
        options,
    } = *target;
    record.tasks = instance.tasks();
    let runs = plan.warmup + plan.samples;
    if let Some(reason) = strategy::skip_reason(strategy, workload) {
        record.skipped = Some(reason);
        (0..runs).for_each(|_| progress.run_done());
        return turn.pass(plan.samples);
    }
    let started = Instant::now();
    let setup = Setup {
        workers,
        chunk,
        workload: Some(workload),
        params: plan.params,
        instance,
        options,
    };
    let mut exec = match strategy::start(strategy, &setup) {
        Ok(e) => e,
        Err(e) => {
            record.problem(format!("could not start: {e}"));
            (0..runs).for_each(|_| progress.run_done());
            return turn.pass(plan.samples);
        }
    };
    record.startup_s = Some(started.elapsed().as_secs_f64());
    let mut last = None;
    for _ in 0..plan.warmup {
        let start = Instant::now();
        exec.execute(instance);
        last = Some(start.elapsed());
        progress.run_done();
    }
    exec.take_stats();
    let calibrate = !plan.min_sample_time.is_zero();
    let once = match last {
        Some(once) => Some(once),
        // No warm-up to learn from: one untimed run, whose results are not kept.
        None if calibrate || plan.long_run.is_some() => {
            let start = Instant::now();
            exec.execute(instance);
            exec.take_stats();
            Some(start.elapsed())
        }
        None => None,
    };
    record.loops = match once {
        Some(once) if calibrate => loops_for(plan.min_sample_time, once),
        _ => 1,
    };
    let samples = once.map_or(plan.samples, |once| plan.samples_for(once));
    let mut ipc = Vec::new();
    for i in 0..plan.samples {
        if i > 0 {
            turn.next(i)?;
        }
        if i >= samples {
            // A long cell's sample not taken: its turn and its place in the progress pass.
            progress.run_done();
            continue;
        }
        let mut runs_s = Vec::with_capacity(record.loops);
        let mut disturbed = false;
        for _ in 0..record.loops {
            let start = Instant::now();
            let results = exec.execute(instance);
            runs_s.push(start.elapsed().as_secs_f64());
            let stats = exec.take_stats();
            disturbed |= stats.restarts > 0;
            ipc.push(stats.ipc_bytes);
            check_run(record, instance, reference, stats, &results);
        }
        progress.run_done();
        let sample = sample_of(&runs_s);
        // A worker's replacement (its start, the lost and retried tasks) is the fault's cost,
        // not the strategy's: the sample is kept apart and out of every statistic.
        if disturbed {
            record.disturbed_s.push(sample);
        } else {
            record.samples_s.push(sample);
        }
    }
    if ipc.iter().any(|&b| b > 0) {
        record.ipc_bytes = Some(ipc.iter().sum::<u64>() / ipc.len() as u64);
    }
    Ok(())
}

/// Files one run of all tasks: its executor's statistics, and whether its results pass the
/// workload's check and match the serial reference and the round's earlier runs.
fn check_run(
    record: &mut RoundRecord,
    instance: &dyn Instance,
    reference: &mut Reference,
    stats: strategy::ExecStats,
    results: &[TaskResult],
) {
    record.restarts += stats.restarts;
    for t in stats.retried {
        if !record.retried.contains(&t) {
            record.retried.push(t);
        }
    }
    let check = instance.verify(results);
    if results.len() != instance.tasks() {
        record.problem(format!(
            "{} results for {} tasks",
            results.len(),
            instance.tasks()
        ));
    }
    if !check.passed {
        record.problem(check.detail.clone());
    }
    let digest = checksum(results);
    let sum = match against_reference(instance, reference, digest.clone(), results) {
        Ok((sum, exact)) => {
            record.exact_match = Some(record.exact_match.unwrap_or(true) && exact);
            sum
        }
        Err(why) => {
            record.problem(why);
            digest
        }
    };
    match &record.checksum {
        None => {
            if reference.is_none() && check.passed {
                *reference = Some((sum.clone(), results.to_vec()));
            }
            record.checksum = Some(sum);
            record.summary = check.summary;
            record.check = check.detail;
            record.failed_tasks = failures(results);
        }
        Some(first) if *first != sum => {
            let why = format!("outputs changed between samples ({first} then {sum})");
            record.problem(why);
        }
        Some(_) => {}
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::find;
    use crate::workload::{Check, Kind, Output, Params};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Tasks that return their index; the check fails on purpose when `broken`.
    struct Counting {
        tasks: usize,
        broken: bool,
    }

    impl Workload for Counting {
        fn name(&self) -> &'static str {
            if self.broken { "broken" } else { "counting" }
        }
        fn description(&self) -> &'static str {
            "test tasks"
        }
        fn kind(&self) -> Kind {
            Kind::Overhead
        }
        fn prepare(&self, _: &Params) -> Box<dyn Instance> {
            Box::new(Counting {
                tasks: self.tasks,
                broken: self.broken,
            })
        }
    }

    impl Instance for Counting {
        fn tasks(&self) -> usize {
            self.tasks
        }
        fn run(&self, index: usize) -> Result<Output, String> {
            Ok(Output::Int(index as i128))
        }
        fn verify(&self, results: &[TaskResult]) -> Check {
            let all = results.len() == self.tasks
                && results
                    .iter()
                    .enumerate()
                    .all(|(i, r)| r == &Ok(Output::Int(i as i128)));
            Check::expect(all && !self.broken, "each task returns its index")
        }
    }

    fn plan(workloads: Vec<Box<dyn Workload>>, samples: usize, rounds: usize) -> Plan {
        let mut plan = Plan::new(
            workloads,
            vec![find("serial").unwrap(), find("scoped").unwrap()],
            vec![1, 2],
            Params::default(),
        );
        plan.samples = samples;
        plan.rounds = rounds;
        plan
    }

    /// Records every turn asked for; refuses the `stop_at`-th.
    struct Recorder {
        steps: Vec<(Step, String)>,
        stop_at: Option<usize>,
        done: usize,
    }

    impl Turns for Recorder {
        fn wait(&mut self, step: Step, label: &CellLabel<'_>) -> bool {
            if self.stop_at == Some(self.steps.len()) {
                return false;
            }
            let name = format!("{}/{}/{}", label.workload, label.strategy, label.workers);
            self.steps.push((step, name));
            true
        }
        fn done(&mut self) {
            self.done += 1;
        }
    }

    fn counting(tasks: usize) -> Box<dyn Workload> {
        Box::new(Counting {
            tasks,
            broken: false,
        })
    }

    #[test]
    fn every_sample_is_a_turn_and_rounds_start_further_on() {
        // Cells: serial/1, scoped/1, scoped/2; two samples each; two rounds.
        let plan = plan(vec![counting(8)], 2, 2);
        let mut turns = Recorder {
            steps: Vec::new(),
            stop_at: None,
            done: 0,
        };
        let cells = run_in_turns(&plan, &mut Silent, &mut turns)
            .expect("not stopped")
            .cells;
        assert_eq!(cells.len(), 3);
        let steps = &turns.steps;
        assert_eq!(steps.len(), 2 * 3 * 2);
        assert_eq!(turns.done, steps.len(), "every turn is handed back");
        for (k, (step, _)) in steps.iter().enumerate() {
            assert_eq!((step.index, step.of), (k, 12));
            assert_eq!((step.round, step.sample), (k / 6, k % 2));
        }
        let order: Vec<&str> = steps.iter().step_by(2).map(|(_, n)| n.as_str()).collect();
        // Round 1 starts a third of the way through (3 cells × 1 / 2 rounds = cell 1).
        assert_eq!(
            order,
            [
                "counting/serial/1",
                "counting/scoped/1",
                "counting/scoped/2",
                "counting/scoped/1",
                "counting/scoped/2",
                "counting/serial/1",
            ]
        );
        for c in &cells {
            assert_eq!(c.samples_s.len(), 4, "two rounds of two samples pooled");
            assert!(c.verified, "{}: {}", c.strategy, c.check);
        }
    }

    #[test]
    fn a_refused_turn_stops_the_run() {
        let plan = plan(vec![counting(4)], 2, 1);
        let mut turns = Recorder {
            steps: Vec::new(),
            stop_at: Some(3),
            done: 0,
        };
        assert!(run_in_turns(&plan, &mut Silent, &mut turns).is_err());
        assert_eq!(turns.steps.len(), 3);
    }

    #[test]
    fn cells_are_verified_and_scaled_against_serial() {
        let broken = Box::new(Counting {
            tasks: 4,
            broken: true,
        });
        let cells = run(&plan(vec![counting(64), broken], 3, 1), &mut Silent);
        let (good, bad) = cells.split_at(3);
        for c in good {
            assert!(c.verified && c.samples_s.len() == 3, "{}", c.check);
            assert_eq!(c.checksum, good[0].checksum, "same outputs, same digest");
            assert!(c.speedup.is_some_and(|s| s > 0.0));
        }
        assert_eq!(good[0].speedup, Some(1.0));
        for c in bad {
            assert!(!c.verified);
            assert!(
                c.check.contains("each task returns its index"),
                "{}",
                c.check
            );
        }
    }

    struct Count(AtomicUsize);

    impl Progress for Count {
        fn cell(&mut self, _: &CellLabel<'_>) {}
        fn run_done(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn progress_sees_every_run() {
        let plan = plan(vec![counting(4)], 2, 2);
        let mut count = Count(AtomicUsize::new(0));
        run(&plan, &mut count);
        assert_eq!(count.0.into_inner(), plan.total_runs());
    }

    #[test]
    fn loops_fill_the_sample_time_within_bounds() {
        let ms = Duration::from_millis;
        assert_eq!(loops_for(Duration::ZERO, ms(1)), 1);
        assert_eq!(loops_for(ms(20), ms(30)), 1);
        assert_eq!(loops_for(ms(20), ms(3)), 7);
        assert_eq!(loops_for(ms(20), Duration::ZERO), 10_000);
    }

    #[test]
    fn a_stall_in_one_sub_block_is_left_out_of_the_sample() {
        // 64 runs of 1 ms, one of which stalled for 30 ms: the mean would say 1.47 ms.
        let mut runs = vec![1e-3; 64];
        runs[10] = 31e-3;
        assert!((sample_of(&runs) - 1e-3).abs() < 1e-12);
        // Few runs: each is a block of its own, the median of them.
        assert_eq!(sample_of(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(sample_of(&[5.0]), 5.0);
        // Runs left over after equal blocks join the last block instead of being dropped.
        let mut runs = vec![1.0; SUB_BLOCKS * 2];
        runs.push(100.0);
        assert_eq!(sample_of(&runs), 1.0);
        let steady: Vec<f64> = (0..SUB_BLOCKS * 3 + 1).map(|_| 2.0).collect();
        assert_eq!(sample_of(&steady), 2.0);
    }

    #[test]
    fn a_long_cell_takes_one_sample_per_round_and_still_every_turn() {
        let mut plan = plan(vec![counting(8)], 3, 2);
        // Every run is at least this long: every cell is long.
        plan.long_run = Some(Duration::ZERO);
        let mut turns = Recorder {
            steps: Vec::new(),
            stop_at: None,
            done: 0,
        };
        let mut count = Count(AtomicUsize::new(0));
        let built = run_in_turns(&plan, &mut count, &mut turns).expect("not stopped");
        assert_eq!(
            turns.steps.len(),
            2 * 3 * 3,
            "samples not taken keep their turns"
        );
        assert_eq!(
            count.0.into_inner(),
            plan.total_runs(),
            "and their progress steps"
        );
        for c in &built.cells {
            assert_eq!(c.round_samples, [1, 1], "{}", c.strategy);
            assert_eq!(c.samples_s.len(), 2);
            assert!(c.verified, "{}", c.check);
        }
        // A threshold no run reaches keeps every sample.
        plan.long_run = Some(Duration::from_secs(3600));
        for c in run(&plan, &mut Silent) {
            assert_eq!(c.round_samples, [3, 3], "{}", c.strategy);
        }
    }
}
