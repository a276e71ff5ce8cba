//! What one side of a cell contributes: its rounds as independent observations (the log of
//! each round's median time, or of each round's speedup), and for paired runs its samples in
//! rounds of one size.

use super::model::{Metric, Side};
use crate::results::{BASELINE, Cell, Results};
use crate::stats::median;

/// A cell's timings if they can be compared, or why not.
fn usable<'a>(c: &'a Cell, side: &str) -> Result<&'a [f64], String> {
    if let Some(why) = &c.skipped {
        return Err(format!("skipped in {side}: {why}"));
    }
    if !c.verified {
        return Err(format!("failed verification in {side}: {}", c.check));
    }
    if c.samples_s.is_empty() {
        return Err(format!("no samples in {side}"));
    }
    if c.samples_s.iter().any(|s| !s.is_finite() || *s <= 0.0) {
        return Err(format!("non-positive or non-finite sample in {side}"));
    }
    Ok(&c.samples_s)
}

/// The median of each round of `c`, by round index: `None` for a round that kept no sample
/// (all of it disturbed), so that round r of a cell stays round r of its serial cell.
fn round_medians(c: &Cell, per_round: usize) -> Vec<Option<f64>> {
    let n = c.samples_s.len();
    if !c.round_samples.is_empty() && c.round_samples.iter().sum::<usize>() == n {
        let mut start = 0;
        c.round_samples
            .iter()
            .map(|&k| {
                start += k;
                median(&c.samples_s[start - k..start])
            })
            .collect()
    } else {
        c.rounds(per_round).into_iter().map(median).collect()
    }
}

/// Samples per round when every round kept the same number, for pairing sample by sample.
fn uniform_rounds(c: &Cell, per_round: usize) -> Option<usize> {
    let rounds = c.rounds(per_round);
    let k = rounds.first()?.len();
    (rounds.len() >= 2 && rounds.iter().all(|r| r.len() == k)).then_some(k)
}

/// One side's values for a cell.
pub(super) struct SideValues {
    pub side: Side,
    /// One log value per round: ln(round median time), or ln(serial round median / round
    /// median) for speedups. The independent observations of the test.
    pub round_logs: Vec<f64>,
    /// For pairing with the other side sample by sample (`parbench pair`): every value (times,
    /// or per-sample speedups) and the samples per round, when the rounds are all one size.
    pub samples: Vec<f64>,
    pub per_round: Option<usize>,
}

/// The values one side contributes for `metric`, or why it cannot.
pub(super) fn side_values(
    c: &Cell,
    run: &Results,
    metric: Metric,
    side: &str,
) -> Result<SideValues, String> {
    let times = usable(c, side)?;
    let per = run.config.samples;
    let median_s = median(times).expect("non-empty");
    let own = round_medians(c, per);
    match metric {
        Metric::Time => {
            let round_logs: Vec<f64> = own.iter().flatten().map(|m| m.ln()).collect();
            Ok(SideValues {
                side: Side {
                    samples: times.len(),
                    rounds: round_logs.len(),
                    median_s,
                    speedup: None,
                },
                round_logs,
                samples: times.to_vec(),
                per_round: uniform_rounds(c, per),
            })
        }
        Metric::Speedup => {
            if c.strategy == BASELINE {
                return Err(
                    "serial is the reference of every speedup (compare it with --metric time)"
                        .into(),
                );
            }
            let serial = run
                .cells
                .iter()
                .find(|s| s.workload == c.workload && s.strategy == BASELINE)
                .ok_or_else(|| format!("no serial cell of {} in {side}", c.workload))?;
            let serial_times = usable(serial, side).map_err(|why| format!("serial cell {why}"))?;
            let theirs = round_medians(serial, per);
            if theirs.len() != own.len() {
                return Err(format!(
                    "the serial cell has {} rounds in {side}, this one {}: a round's speedup \
                     needs both",
                    theirs.len(),
                    own.len()
                ));
            }
            // Round r of the serial cell ran in the same process and minutes as round r of
            // this one, so their ratio cancels what that process or moment did to both.
            let round_logs: Vec<f64> = theirs
                .iter()
                .zip(&own)
                .filter_map(|(s, t)| Some((s.as_ref()? / t.as_ref()?).ln()))
                .collect();
            let paired_layout = serial.round_samples == c.round_samples
                && serial_times.len() == times.len()
                && uniform_rounds(serial, per) == uniform_rounds(c, per);
            let samples: Vec<f64> = if paired_layout {
                serial_times.iter().zip(times).map(|(s, t)| s / t).collect()
            } else {
                Vec::new()
            };
            let speedups: Vec<f64> = round_logs.iter().map(|l| l.exp()).collect();
            Ok(SideValues {
                side: Side {
                    samples: times.len(),
                    rounds: round_logs.len(),
                    median_s,
                    speedup: median(&speedups),
                },
                round_logs,
                per_round: uniform_rounds(c, per).filter(|_| paired_layout),
                samples,
            })
        }
    }
}

/// The log medians of a cell's rounds, as `compare --metric time` sees them; `None` when the
/// cell failed, was skipped or has no sample (the run says nothing of its speed).
pub fn run_logs(c: &Cell, run: &Results) -> Option<Vec<f64>> {
    side_values(c, run, Metric::Time, "run")
        .ok()
        .map(|v| v.round_logs)
        .filter(|l| !l.is_empty())
}
