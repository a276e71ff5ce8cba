//! From rounds to cells: pools each cell's rounds (from whichever processes measured them) into
//! the results file's cell, with its noise and an interval that the rounds, not the samples,
//! decide; and gathers the machine-speed reference.

use super::record::RoundRecord;
use super::reference::KERNEL;
use crate::results::{Cell, CellId, MachineReference, Noise, derive_scaling};
use crate::stats::{mean_std, median, median_interval, sample_sd, t_quantile};
use std::collections::{BTreeSet, HashMap};

/// The cells of a run, in the plan's order, and its machine reference.
pub struct Assembled {
    pub cells: Vec<Cell>,
    pub reference: Option<MachineReference>,
    /// Cell rounds found, of those planned.
    pub rounds_done: usize,
}

/// Builds the cells of `ids` (the plan's order) from whatever rounds `records` hold. A cell
/// with no round yet is left out: a partial file holds what was measured, nothing invented.
pub fn assemble(ids: &[CellId], records: &[RoundRecord]) -> Assembled {
    let mut by_cell: HashMap<CellId, Vec<&RoundRecord>> = HashMap::new();
    for r in records {
        by_cell.entry(r.id()).or_default().push(r);
    }
    let mut cells = Vec::new();
    let mut rounds_done = 0;
    for id in ids {
        let Some(mut rounds) = by_cell.remove(id) else {
            continue;
        };
        rounds.sort_by_key(|r| r.round);
        // A round recorded twice (a resumed run racing a kill) counts once: the first.
        rounds.dedup_by_key(|r| r.round);
        rounds_done += rounds.len();
        cells.push(cell(id, &rounds));
    }
    agree_across_processes(&mut cells);
    for group in cells.chunk_by_mut(|a, b| a.workload == b.workload) {
        derive_scaling(group);
    }
    Assembled {
        cells,
        reference: reference(records),
        rounds_done,
    }
}

fn cell(id: &CellId, rounds: &[&RoundRecord]) -> Cell {
    let mut cell = Cell::new(&id.workload, &id.strategy, id.workers);
    cell.chunk = id.chunk.clone();
    let first = rounds[0];
    cell.tasks = first.tasks;
    if let Some(why) = rounds.iter().find_map(|r| r.skipped.clone()) {
        cell.skipped = Some(why);
        return cell;
    }
    let mut details: Vec<String> = Vec::new();
    let mut ok = true;
    let mut startups = Vec::new();
    let mut ipc = Vec::new();
    for r in rounds {
        ok &= r.ok;
        for d in &r.details {
            if !details.contains(d) {
                details.push(d.clone());
            }
        }
        cell.samples_s.extend(&r.samples_s);
        cell.round_samples.push(r.samples_s.len());
        cell.disturbed_s.extend(&r.disturbed_s);
        cell.worker_restarts += r.restarts;
        for &t in &r.retried {
            if !cell.retried_tasks.contains(&t) {
                cell.retried_tasks.push(t);
            }
        }
        startups.extend(r.startup_s);
        ipc.extend(r.ipc_bytes);
        if let Some(e) = r.exact_match {
            cell.exact_match = Some(cell.exact_match.unwrap_or(true) && e);
        }
    }
    // The first round that verified its outputs describes them; every other must agree.
    let described = rounds
        .iter()
        .find(|r| r.checksum.is_some())
        .unwrap_or(&first);
    cell.checksum = described.checksum.clone();
    cell.summary = described.summary.clone();
    cell.check = described.check.clone();
    cell.failed_tasks = described.failed_tasks.clone();
    cell.loops = described.loops;
    for r in rounds {
        if let (Some(a), Some(b)) = (&cell.checksum, &r.checksum)
            && a != b
        {
            ok = false;
            let why = format!("outputs changed between rounds ({a} then {b})");
            if !details.contains(&why) {
                details.push(why);
            }
        }
    }
    cell.retried_tasks.sort_unstable();
    // The outputs decide verification; a cell whose every sample was left out (a worker
    // replaced in each) was still checked, it only has no clean time.
    cell.verified = ok && !(cell.samples_s.is_empty() && cell.disturbed_s.is_empty());
    if !details.is_empty() {
        cell.check = details.join("; ");
    }
    cell.median_s = median(&cell.samples_s);
    cell.noise = noise(&cell, rounds);
    if let Some((ci, coverage)) = interval(&cell) {
        cell.ci95_s = Some(ci);
        cell.ci_coverage = Some(coverage);
    }
    cell.startup_s = median(&startups);
    if ipc.iter().any(|&b| b > 0) {
        cell.ipc_bytes = Some(ipc.iter().sum::<u64>() / ipc.len() as u64);
    }
    if cell.workload == "noop" && cell.tasks > 0 {
        cell.overhead_us_per_task = cell.median_s.map(|m| m * 1e6 / cell.tasks as f64);
    }
    cell
}

/// Between rounds: the standard deviation of the logs of the rounds' medians; within: the
/// pooled standard deviation of each sample's log around its round's mean log. Both × 100, so
/// roughly percent of the median.
fn noise(cell: &Cell, rounds: &[&RoundRecord]) -> Option<Noise> {
    let groups = cell.rounds(0);
    if cell.samples_s.is_empty() {
        return None;
    }
    let logs: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| g.iter().map(|x| x.ln()).collect())
        .collect();
    let medians: Vec<f64> = groups
        .iter()
        .filter_map(|g| median(g))
        .map(f64::ln)
        .collect();
    let between = (medians.len() >= 2).then(|| sample_sd(&medians) * 100.0);
    let (mut squares, mut df) = (0.0, 0usize);
    for g in logs.iter().filter(|g| g.len() >= 2) {
        let (m, _) = mean_std(g);
        squares += g.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        df += g.len() - 1;
    }
    let within = (df > 0).then(|| (squares / df as f64).sqrt() * 100.0);
    let processes: BTreeSet<u32> = rounds
        .iter()
        .filter(|r| !r.samples_s.is_empty())
        .map(|r| r.process)
        .collect();
    Some(Noise {
        rounds: medians.len(),
        processes: processes.len(),
        between_rounds_pct: between,
        within_rounds_pct: within,
    })
}

/// The 95 % interval of the cell's median. With two rounds or more the rounds are the
/// independent evidence: a t-interval from the spread of their medians (on the log scale,
/// centred on the median), widened to the order-statistic interval of the pooled samples
/// where that is wider. With one round only the samples can speak, and they speak too
/// confidently (see docs/ARCHITECTURE.md, "Rounds and processes").
fn interval(cell: &Cell) -> Option<([f64; 2], f64)> {
    let m = cell.median_s?;
    let pooled = median_interval(&cell.samples_s);
    let noise = cell.noise.as_ref()?;
    let Some(sd) = noise.between_rounds_pct.map(|p| p / 100.0) else {
        return pooled;
    };
    let r = noise.rounds as f64;
    let half = t_quantile(0.975, r - 1.0) * sd / r.sqrt();
    let mut ci = [m * (-half).exp(), m * half.exp()];
    if let Some((p, _)) = pooled {
        ci = [ci[0].min(p[0]), ci[1].max(p[1])];
    }
    Some((ci, 0.95))
}

/// Cells of a workload measured in different processes must still produce the serial cell's
/// outputs: each process checks against its own reference, this checks the references agree.
fn agree_across_processes(cells: &mut [Cell]) {
    for group in cells.chunk_by_mut(|a, b| a.workload == b.workload) {
        let Some(serial) = group
            .iter()
            .find(|c| c.strategy == crate::results::BASELINE && c.verified)
            .and_then(|c| c.checksum.clone())
        else {
            continue;
        };
        for c in group.iter_mut().filter(|c| c.verified) {
            if c.checksum.as_ref().is_some_and(|s| *s != serial) {
                c.verified = false;
                c.check = format!(
                    "outputs differ from serial's ({} vs {serial})",
                    c.checksum.as_deref().unwrap_or("-")
                );
            }
        }
    }
}

/// The reference timings in the order they were taken: round by round, by place in the round.
fn reference(records: &[RoundRecord]) -> Option<MachineReference> {
    let mut timed: Vec<(usize, usize, f64)> = records
        .iter()
        .filter_map(|r| r.reference_s.map(|t| (r.round, r.seq, t)))
        .collect();
    if timed.is_empty() {
        return None;
    }
    timed.sort_by_key(|&(round, seq, _)| (round, seq));
    timed.dedup_by_key(|&mut (round, seq, _)| (round, seq));
    let mut round_samples: Vec<usize> = Vec::new();
    let mut last = None;
    for &(round, _, _) in &timed {
        if last != Some(round) {
            round_samples.push(0);
            last = Some(round);
        }
        *round_samples.last_mut().expect("pushed") += 1;
    }
    Some(MachineReference {
        kernel: KERNEL.into(),
        samples_s: timed.iter().map(|t| t.2).collect(),
        round_samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(strategy: &str) -> CellId {
        CellId {
            workload: "w".into(),
            strategy: strategy.into(),
            workers: 1,
            chunk: None,
        }
    }

    fn round(strategy: &str, r: usize, samples: &[f64], process: u32) -> RoundRecord {
        RoundRecord {
            samples_s: samples.to_vec(),
            checksum: Some("abc".into()),
            process,
            reference_s: Some(0.01 + r as f64 * 1e-4),
            ..RoundRecord::new(&id(strategy), r, 0)
        }
    }

    #[test]
    fn rounds_pool_in_round_order_with_their_noise() {
        let recs = vec![
            round("serial", 1, &[2.0, 2.0], 11),
            round("serial", 0, &[1.0, 1.0], 10),
        ];
        let a = assemble(&[id("serial")], &recs);
        let c = &a.cells[0];
        assert_eq!(c.samples_s, [1.0, 1.0, 2.0, 2.0]);
        assert_eq!(c.round_samples, [2, 2]);
        assert!(c.verified);
        let n = c.noise.as_ref().unwrap();
        assert_eq!((n.rounds, n.processes), (2, 2));
        assert!((n.between_rounds_pct.unwrap() - 2f64.ln() / 2f64.sqrt() * 100.0).abs() < 1e-9);
        assert_eq!(n.within_rounds_pct, Some(0.0));
        // Rounds a factor 2 apart: the interval is wide, though every round was exact.
        let ci = c.ci95_s.unwrap();
        assert!(ci[0] < 0.5 && ci[1] > 6.0, "{ci:?}");
        assert_eq!(a.reference.unwrap().round_samples, [1, 1]);
    }

    #[test]
    fn a_round_with_other_outputs_fails_the_cell() {
        let mut other = round("serial", 1, &[1.0], 11);
        other.checksum = Some("def".into());
        let a = assemble(&[id("serial")], &[round("serial", 0, &[1.0], 10), other]);
        assert!(!a.cells[0].verified);
        assert!(a.cells[0].check.contains("changed between rounds"));
    }

    #[test]
    fn unmeasured_cells_are_left_out() {
        let a = assemble(
            &[id("serial"), id("pool")],
            &[round("serial", 0, &[1.0], 1)],
        );
        assert_eq!(a.cells.len(), 1);
        assert_eq!(a.rounds_done, 1);
    }
}
