//! The up-front estimate: before the first cell, each cell's peak memory and time, from the
//! workloads' declared [`Demand`] and a short calibration, so that a run that cannot fit in
//! memory or would not end this week is refused (exit 2, naming the flag) instead of aborting or
//! running for ever, and `--dry-run` can list the cells with what they will cost.
//!
//! The calibration times a few tasks of each workload on a small instance (the plan's own when
//! it is no larger than `--size quick`'s, else `--size quick` itself: never one that could be
//! huge) and scales the time by the ratio of the two demands' `work`. Estimates are broad —
//! a small instance stays in cache where a large one does not, and speedups are assumed ideal
//! up to the cores — but they tell a minute from a week. See docs/ARCHITECTURE.md ("measure").

use super::plan::Plan;
use crate::error::Error;
use crate::results::CellId;
use crate::strategy::{self, Family};
use crate::workload::demand::RESULT_BYTES;
use crate::workload::{Demand, Kind, Params, Size, Workload};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Resident bytes of one `parbench worker` process before its inputs: the parent measures
/// about 7 MB; the rest is room for OpenBLAS's buffers.
const PROCESS_BYTES: u64 = 16 << 20;
/// Seconds to start one worker process and have it report ready (re-exec and set-up).
const PROCESS_START_S: f64 = 0.03;
/// Time the calibration may spend on one workload's tasks, after its untimed first one.
const CALIBRATION_BUDGET: Duration = Duration::from_millis(20);
/// The most tasks the calibration times per workload, spread over the instance.
const CALIBRATION_TASKS: usize = 8;
/// The longest run the estimate lets start.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// One cell's cost.
#[derive(Clone, Debug, PartialEq)]
pub struct CellEstimate {
    pub id: CellId,
    /// Why the cell will not run; it then costs nothing.
    pub skipped: Option<String>,
    /// Seconds of all its rounds (starting, warm-up, timed samples); `None` when the workload
    /// declares no demand or cannot be calibrated.
    pub seconds: Option<f64>,
    /// Peak bytes while it runs, inputs included; `None` when the workload declares no demand.
    pub peak_bytes: Option<u64>,
    /// Peak bytes of the same cell with one worker: what the worker count multiplies.
    pub one_worker_bytes: Option<u64>,
}

/// The whole plan's cost.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// In the runner's order: workload by workload, then [`Plan::settings`].
    pub cells: Vec<CellEstimate>,
    /// Every cell's time plus preparing the inputs once per workload and round.
    pub total_s: f64,
    /// Seconds spent preparing inputs, included in `total_s`.
    pub prepare_s: f64,
    /// The largest cell's peak memory.
    pub peak_bytes: u64,
    /// How long the calibration itself took.
    pub calibration_s: f64,
    params: Params,
    samples: usize,
    rounds: usize,
    sample_time: Duration,
}

/// What the machine can give a run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub available_bytes: u64,
    pub max_duration: Duration,
}

impl Limits {
    /// The memory available now (sysinfo's estimate, page cache that can be dropped
    /// included) and [`MAX_DURATION`]. Unknown memory is no limit.
    pub fn here() -> Limits {
        use sysinfo::{MemoryRefreshKind, RefreshKind, System};
        let ram = RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram());
        let available = System::new_with_specifics(ram)
            .ok()
            .map(|s| s.available_memory())
            .filter(|&b| b > 0)
            .unwrap_or(u64::MAX);
        Limits {
            available_bytes: available,
            max_duration: MAX_DURATION,
        }
    }
}

/// A workload's calibrated cost at the plan's parameters.
#[derive(Clone, Copy, Debug)]
struct Calibration {
    /// One serial run of all tasks.
    run_s: f64,
    /// Building the inputs once.
    prepare_s: f64,
}

/// Estimates every cell of `plan`. Calibrates each workload for a few milliseconds; call it
/// after [`super::machine::detect`], since it runs tasks with OpenBLAS on one thread.
pub fn estimate(plan: &Plan) -> Estimate {
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let settings = plan.settings();
    let rounds = plan.rounds.max(1) as f64;
    let mut cells = Vec::new();
    let mut prepare_s = 0.0;
    for w in &plan.workloads {
        let workload = w.as_ref();
        let demand = workload.demand(&plan.params);
        let calibration = demand.and_then(|d| calibrate(workload, &plan.params, &d));
        prepare_s += calibration.map_or(0.0, |c| c.prepare_s) * rounds;
        for &(s, workers, chunk) in &settings {
            let id = CellId {
                workload: workload.name().into(),
                strategy: s.name().into(),
                workers,
                chunk: s.chunked().then(|| chunk.to_string()),
            };
            let skipped = strategy::skip_reason(s, workload);
            let family = s.family();
            let cost = |d: &Demand, c: Option<Calibration>| {
                let run_s =
                    c?.run_s / parallelism(family, workload.kind(), workers, d.tasks, cores);
                Some(cell_seconds(
                    plan,
                    family,
                    workers.min(d.tasks),
                    run_s,
                    c?.prepare_s,
                ))
            };
            let (seconds, peak, one) = match (&skipped, demand) {
                (Some(_), _) => (Some(0.0), Some(0), Some(0)),
                (None, None) => (None, None, None),
                (None, Some(d)) => (
                    cost(&d, calibration),
                    Some(peak_bytes(&d, family, workers)),
                    Some(peak_bytes(&d, family, 1)),
                ),
            };
            cells.push(CellEstimate {
                id,
                skipped,
                seconds,
                peak_bytes: peak,
                one_worker_bytes: one,
            });
        }
    }
    let cell_s: f64 = cells.iter().filter_map(|c| c.seconds).sum();
    Estimate {
        total_s: cell_s + prepare_s,
        prepare_s,
        peak_bytes: cells.iter().filter_map(|c| c.peak_bytes).max().unwrap_or(0),
        cells,
        calibration_s: started.elapsed().as_secs_f64(),
        params: plan.params,
        samples: plan.samples,
        rounds: plan.rounds.max(1),
        sample_time: plan.min_sample_time,
    }
}

/// Times a few tasks of a small instance of `workload` and scales them to `target`. `None`
/// for a workload whose tasks kill or hang their process: they cannot run here.
fn calibrate(workload: &dyn Workload, target: &Params, demand: &Demand) -> Option<Calibration> {
    if workload.needs_isolation() {
        return None;
    }
    let quick = Params {
        size: Size::Quick,
        scale: 1.0,
        ..*target
    };
    let quick_demand = workload.demand(&quick)?;
    let small_enough = demand.work <= quick_demand.work
        && demand.input_bytes <= quick_demand.input_bytes
        && demand.task_bytes <= quick_demand.task_bytes;
    let (small, small_demand) = if small_enough {
        (*target, *demand)
    } else {
        (quick, quick_demand)
    };
    // As serial runs them: BLAS on one thread, and a planned panic (`panic`) kept quiet.
    crate::sys::openblas::set_threads(1);
    strategy::quiet_task_panics();
    let start = Instant::now();
    let instance = workload.prepare(&small);
    let prepared_s = start.elapsed().as_secs_f64();
    let n = instance.tasks();
    let picks = CALIBRATION_TASKS.min(n);
    if picks == 0 {
        return Some(Calibration {
            run_s: 0.0,
            prepare_s: prepared_s,
        });
    }
    // The first task pays for first touches (pages, lazy tables); it is not timed.
    // A task that fails (`risky`) costs its time all the same.
    let _ = strategy::run_caught(instance.as_ref(), 0);
    let start = Instant::now();
    let mut timed = 0;
    while timed < picks && (timed == 0 || start.elapsed() < CALIBRATION_BUDGET) {
        let _ = strategy::run_caught(instance.as_ref(), timed * n / picks);
        timed += 1;
    }
    let small_run_s = start.elapsed().as_secs_f64() / timed as f64 * n as f64;
    let ratio = |big: f64, small: f64| if small > 0.0 { big / small } else { 1.0 };
    Some(Calibration {
        run_s: small_run_s * ratio(demand.work, small_demand.work),
        prepare_s: prepared_s
            * ratio(demand.input_bytes as f64, small_demand.input_bytes as f64).max(1.0),
    })
}

/// How many times faster than serial a run may be: the running tasks, up to the cores, where
/// the strategy's kind of parallelism applies to the workload's kind of work.
fn parallelism(family: Family, kind: Kind, workers: usize, tasks: usize, cores: usize) -> f64 {
    let running = workers.min(tasks).max(1);
    let p = match family {
        Family::Serial => 1,
        Family::Library if kind == Kind::Blas => workers.min(cores),
        Family::Library => 1,
        // The lock serialises interpreter work.
        Family::InterpreterThreads if matches!(kind, Kind::Interpreted | Kind::Overhead) => 1,
        // Waiting needs no core.
        _ if kind == Kind::Io => running,
        _ => running.min(cores),
    };
    p.max(1) as f64
}

/// Seconds of all of a cell's rounds, given one run of its tasks (`run_s`) and, for a process
/// pool, `running` workers that start (and prepare what they do not map) in every round.
fn cell_seconds(plan: &Plan, family: Family, running: usize, run_s: f64, prepare_s: f64) -> f64 {
    let target = plan.min_sample_time.as_secs_f64();
    // As the runner calibrates its loops: enough runs per sample to last `target`, at most 10^4.
    let (sample_s, loops_probe) = if target > 0.0 && run_s > 0.0 {
        let loops = (target / run_s).ceil().clamp(1.0, 1e4);
        (loops * run_s, if plan.warmup == 0 { run_s } else { 0.0 })
    } else {
        (run_s, 0.0)
    };
    let start_s = if family == Family::Processes {
        running.max(1) as f64 * PROCESS_START_S + prepare_s
    } else {
        0.0
    };
    let samples = plan.samples_for(Duration::try_from_secs_f64(run_s).unwrap_or(Duration::MAX));
    let round_s = start_s + plan.warmup as f64 * run_s + loops_probe + samples as f64 * sample_s;
    round_s * plan.rounds.max(1) as f64
}

/// Peak bytes of one cell: the inputs and every task's kept result in the measuring process,
/// plus what runs at once — one task per running worker, and for a process pool the
/// shared-memory copy of the inputs and each worker's own process and unshared inputs.
fn peak_bytes(d: &Demand, family: Family, workers: usize) -> u64 {
    // The runner keeps the serial reference's results and the current run's.
    let kept = d
        .input_bytes
        .saturating_add((d.tasks as u64).saturating_mul(2 * RESULT_BYTES));
    let running = workers.min(d.tasks).max(1) as u64;
    let per_running = match family {
        Family::Serial | Family::Library => return kept.saturating_add(d.task_bytes),
        Family::Processes => PROCESS_BYTES
            .saturating_add(d.input_bytes.saturating_sub(d.shared_bytes))
            .saturating_add(d.task_bytes),
        _ => d.task_bytes,
    };
    let shm = if family == Family::Processes {
        d.shared_bytes
    } else {
        0
    };
    kept.saturating_add(shm)
        .saturating_add(running.saturating_mul(per_running))
}

/// Refuses a plan that cannot fit in memory or would run past `limits.max_duration`: exit 2,
/// naming the flags that set the size and the estimate.
pub fn refuse(estimate: &Estimate, limits: &Limits) -> Result<(), Error> {
    let biggest = estimate
        .cells
        .iter()
        .filter(|c| c.peak_bytes.is_some())
        .max_by_key(|c| c.peak_bytes);
    if let Some(cell) = biggest.filter(|c| c.peak_bytes > Some(limits.available_bytes)) {
        let need = cell.peak_bytes.unwrap_or(0);
        let mut flags = estimate.size_flags();
        if cell
            .one_worker_bytes
            .is_some_and(|b| b <= limits.available_bytes)
        {
            // One worker would fit: the worker count is what to lower first.
            flags.insert(0, format!("--workers (now up to {})", cell.id.workers));
        }
        if flags.is_empty() {
            flags.push("--workloads (leave it out)".into());
        }
        return Err(Error::usage(format!(
            "{}: cell {} needs about {} of memory, {} is available; lower {}",
            flag_name(&flags[0]),
            cell.id,
            bytes(need),
            bytes(limits.available_bytes),
            or_list(&flags)
        )));
    }
    if estimate.total_s > limits.max_duration.as_secs_f64() {
        let mut flags = estimate.size_flags();
        if estimate.samples > 1 {
            flags.push(format!("--samples (now {})", estimate.samples));
        }
        if estimate.rounds > 1 {
            flags.push(format!("--rounds (now {})", estimate.rounds));
        }
        if !estimate.sample_time.is_zero() {
            let ms = estimate.sample_time.as_secs_f64() * 1e3;
            flags.push(format!("--sample-time (now {ms} ms)"));
        }
        if flags.is_empty() {
            flags.push("--workloads".into());
        }
        // The flag that multiplies the most leads: samples and rounds once they are large.
        flags.sort_by_key(|f| std::cmp::Reverse(flag_weight(f, estimate)));
        return Err(Error::usage(format!(
            "{}: the run would take about {} (estimated), beyond the limit of {}; lower {}",
            flag_name(&flags[0]),
            duration(estimate.total_s),
            duration(limits.max_duration.as_secs_f64()),
            or_list(&flags)
        )));
    }
    Ok(())
}

/// How much a flag in a refusal multiplies the run, to name the worst first.
fn flag_weight(flag: &str, e: &Estimate) -> u64 {
    match flag_name(flag) {
        "--scale" => e.params.scale as u64,
        "--samples" => e.samples as u64,
        "--rounds" => e.rounds as u64,
        _ => 1,
    }
}

impl Estimate {
    /// The flags that size every task, with their values, when they are above the smallest.
    fn size_flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if self.params.scale > 1.0 {
            flags.push(format!("--scale (now {})", self.params.scale));
        }
        if self.params.size != Size::Quick {
            flags.push(format!("--size (now {})", self.params.size));
        }
        flags
    }

    /// The lines `--dry-run` prints: one per cell (id, time, peak memory), then the totals.
    pub fn render(&self) -> String {
        let width = self
            .cells
            .iter()
            .map(|c| c.id.to_string().chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for c in &self.cells {
            let (time, memory) = match (&c.skipped, c.seconds, c.peak_bytes) {
                (Some(_), _, _) => ("skipped".to_string(), String::new()),
                (None, s, b) => (
                    s.map_or("?".into(), |s| format!("~{}", duration(s))),
                    b.map_or("?".into(), |b| format!("peak ~{}", bytes(b))),
                ),
            };
            let id = c.id.to_string();
            let _ = writeln!(out, "{id:<width$}  {time:>12}  {memory}");
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// One line: the cells, the estimated duration and the largest memory need.
    pub fn summary(&self) -> String {
        let unknown = self
            .cells
            .iter()
            .filter(|c| c.skipped.is_none() && c.seconds.is_none())
            .count();
        let mut line = format!(
            "estimate: {} cells, about {} in all ({} round{}, preparing inputs ~{}), largest \
             memory need ~{}; calibrated in {}",
            self.cells.len(),
            duration(self.total_s),
            self.rounds,
            if self.rounds == 1 { "" } else { "s" },
            duration(self.prepare_s),
            bytes(self.peak_bytes),
            duration(self.calibration_s)
        );
        if unknown > 0 {
            let _ = write!(line, "; {unknown} cells not estimated");
        }
        line
    }
}

/// The flag of "--scale (now 1e6)".
fn flag_name(described: &str) -> &str {
    described.split_whitespace().next().unwrap_or(described)
}

/// "a", "a or b", "a, b or c".
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Bytes in binary units: "512 B", "1.5 GiB".
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut x = b as f64;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", UNITS[unit])
    }
}

/// Seconds in the unit a person plans with: "850 ms", "12.3 s", "4.2 min", "2.5 days".
pub fn duration(s: f64) -> String {
    const STEPS: [(f64, &str); 5] = [
        (365.25 * 86400.0, "years"),
        (86400.0, "days"),
        (3600.0, "h"),
        (60.0, "min"),
        (1.0, "s"),
    ];
    if !s.is_finite() {
        return "for ever".into();
    }
    for (unit, name) in STEPS {
        if s >= unit {
            let x = s / unit;
            return if x >= 1e6 {
                format!("{x:.1e} {name}")
            } else {
                format!("{x:.1} {name}")
            };
        }
    }
    format!("{:.0} ms", s * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::Chunk;
    use crate::workload::{self, find};

    fn plan(workloads: &[&str], strategies: &[&str], workers: &[usize], params: Params) -> Plan {
        let w = workloads.iter().map(|n| find(n).expect("known")).collect();
        let s = strategies
            .iter()
            .map(|n| strategy::find(n).expect("known"))
            .collect();
        Plan::new(w, s, workers.to_vec(), params)
    }

    fn at(size: Size, scale: f64) -> Params {
        Params {
            size,
            scale,
            ..Params::default()
        }
    }

    const ROOM: Limits = Limits {
        available_bytes: 64 << 30,
        max_duration: MAX_DURATION,
    };

    #[test]
    fn ones_at_scale_1e6_needs_its_arrays_and_is_refused_naming_scale() {
        let d = find("ones").unwrap().demand(&at(Size::Quick, 1e6)).unwrap();
        let array = 8e11;
        assert!((d.task_bytes as f64 - array).abs() < 1e-3 * array, "{d:?}");
        let e = estimate(&plan(&["ones"], &["serial"], &[1], at(Size::Doc, 1e6)));
        assert!(e.peak_bytes >= 8 * 10u64.pow(13), "{}", e.render());
        let msg = refuse(&e, &ROOM).unwrap_err().to_string();
        assert!(
            msg.starts_with("--scale: cell ones/serial/1 needs about"),
            "{msg}"
        );
        assert!(
            msg.contains("TiB") && msg.contains("64.0 GiB is available"),
            "{msg}"
        );
    }

    #[test]
    fn demands_match_what_prepare_builds() {
        let p = at(Size::Quick, 1.0);
        for w in workload::registry()
            .into_iter()
            .chain(workload::diagnostics())
        {
            let d = w
                .demand(&p)
                .unwrap_or_else(|| panic!("{} declares no demand", w.name()));
            let instance = w.prepare(&p);
            assert_eq!(d.tasks, instance.tasks(), "{}", w.name());
            let shared: usize = instance.inputs().iter().map(|a| a.len() * 8).sum();
            assert_eq!(d.shared_bytes, shared as u64, "{}", w.name());
            assert!(
                d.input_bytes >= d.shared_bytes && d.task_bytes > 0,
                "{}",
                w.name()
            );
            assert!(d.work > 0.0, "{}", w.name());
        }
    }

    #[test]
    fn work_and_memory_grow_with_scale() {
        let unscaled = ["noop", "risky"];
        for w in workload::registry() {
            let (one, four) = (at(Size::Doc, 1.0), at(Size::Doc, 4.0));
            let (a, b) = (w.demand(&one).unwrap(), w.demand(&four).unwrap());
            if unscaled.contains(&w.name()) {
                assert_eq!(a, b, "{}", w.name());
                continue;
            }
            assert!(b.work > 3.0 * a.work, "{}: {a:?} vs {b:?}", w.name());
            assert!(b.input_bytes + b.task_bytes >= a.input_bytes + a.task_bytes);
        }
        let bytes = |s| {
            find("add")
                .unwrap()
                .demand(&at(Size::Doc, s))
                .unwrap()
                .input_bytes
        };
        assert!(bytes(10.0) > 9 * bytes(1.0));
    }

    #[test]
    fn a_run_beyond_a_week_is_refused_naming_what_makes_it_long() {
        let e = estimate(&plan(
            &["sum-squares"],
            &["serial"],
            &[1],
            at(Size::Doc, 1e12),
        ));
        let msg = refuse(&e, &ROOM).unwrap_err().to_string();
        assert!(
            msg.starts_with("--scale: the run would take about"),
            "{msg}"
        );
        let mut p = plan(&["noop"], &["serial", "pool"], &[2], at(Size::Doc, 1.0));
        p.samples = 1_000_000;
        p.rounds = 4;
        p.min_sample_time = Duration::from_millis(100);
        let msg = refuse(&estimate(&p), &ROOM).unwrap_err().to_string();
        assert!(
            msg.starts_with("--samples: the run would take about"),
            "{msg}"
        );
        assert!(
            msg.contains("--sample-time") && msg.contains("days"),
            "{msg}"
        );
    }

    #[test]
    fn a_quick_run_passes_and_lists_every_cell() {
        let mut p = plan(
            &["sum-squares", "matmul"],
            &["serial", "pool", "blas"],
            &[1, 2],
            at(Size::Quick, 1.0),
        );
        p.chunks = vec![Chunk::Auto, Chunk::Size(4)];
        let e = estimate(&p);
        refuse(&e, &ROOM).unwrap();
        assert_eq!(e.cells.len(), 2 * p.settings().len());
        let text = e.render();
        assert_eq!(text.lines().count(), e.cells.len() + 1, "{text}");
        assert!(text.contains("sum-squares/pool/2/chunk 4"), "{text}");
        assert!(
            text.contains("sum-squares/blas/1") && text.contains("skipped"),
            "{text}"
        );
        assert!(e.total_s > 0.0 && e.total_s < 3600.0, "{text}");
    }

    #[test]
    fn many_workers_multiply_process_memory_and_the_refusal_names_workers() {
        let d = find("add").unwrap().demand(&at(Size::Doc, 1.0)).unwrap();
        let serial = peak_bytes(&d, Family::Serial, 1);
        let threads = peak_bytes(&d, Family::Threads, 2);
        let procs = peak_bytes(&d, Family::Processes, 2);
        assert_eq!(threads - serial, d.task_bytes);
        // The shared-memory copy of B and C, and two worker processes with what they do not
        // map (the expected sums: a worker that prepares for itself keeps its own inputs).
        let unshared = d.input_bytes - d.shared_bytes;
        assert_eq!(
            procs - threads,
            d.shared_bytes + 2 * (PROCESS_BYTES + unshared)
        );
        // Never more running tasks than tasks.
        assert_eq!(
            peak_bytes(&d, Family::Threads, 10_000),
            peak_bytes(&d, Family::Threads, d.tasks)
        );
        let e = estimate(&plan(&["add"], &["process"], &[100], at(Size::Doc, 1.0)));
        let small = Limits {
            available_bytes: 1 << 30,
            ..ROOM
        };
        let msg = refuse(&e, &small).unwrap_err().to_string();
        assert!(
            msg.starts_with("--workers: cell add/process/100 needs about"),
            "{msg}"
        );
    }

    #[test]
    fn parallelism_follows_the_kind_of_work() {
        assert_eq!(parallelism(Family::Threads, Kind::Array, 8, 4, 2), 2.0);
        assert_eq!(parallelism(Family::Threads, Kind::Io, 8, 4, 2), 4.0);
        assert_eq!(
            parallelism(Family::InterpreterThreads, Kind::Interpreted, 8, 8, 8),
            1.0
        );
        assert_eq!(parallelism(Family::Library, Kind::Array, 8, 8, 8), 1.0);
    }

    #[test]
    fn units_read_as_people_plan() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(3 << 30), "3.0 GiB");
        assert_eq!(duration(0.25), "250 ms");
        assert_eq!(duration(90.0), "1.5 min");
        assert_eq!(duration(3.0 * 86400.0), "3.0 days");
    }
}
