//! The verdict on one compared cell: a ratio's interval against the threshold, together with
//! a test after the family-wise correction.

use super::UNIFORM_SHARE;
use super::model::{CellComparison, Unit};
use crate::stats::median;

/// What a comparison concludes about one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Regression,
    Improvement,
    Unchanged,
    NotComparable,
    /// Compared, but on evidence that cannot support a verdict (see the cell's reason).
    Inconclusive,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Regression => "REGRESSION",
            Verdict::Improvement => "improvement",
            Verdict::Unchanged => "unchanged",
            Verdict::NotComparable => "not comparable",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The verdict on a cell whose ratio (> 1 is worse) has the interval `ci`. A regression needs
/// the whole interval above 1 + threshold *and* a significant test after the family-wise
/// correction: the interval alone is not corrected for the many cells (and for paired runs is
/// a lumpy bootstrap with few rounds), the test alone flags changes too small to matter. An
/// improvement mirrors it below 1 / (1 + threshold), so that the two are symmetric on a log
/// scale.
pub fn verdict(ci: [f64; 2], p_adjusted: f64, threshold: f64, alpha: f64) -> Verdict {
    let significant = p_adjusted <= alpha;
    if significant && ci[0] > 1.0 + threshold {
        Verdict::Regression
    } else if significant && ci[1] < 1.0 / (1.0 + threshold) {
        Verdict::Improvement
    } else {
        Verdict::Unchanged
    }
}

/// A shift that nearly every tested cell shares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UniformShift {
    /// Cells that moved the same way beyond the threshold, of `tested`.
    pub moved: usize,
    pub tested: usize,
    /// Median ratio of the cells that moved.
    pub ratio: f64,
    /// Flagged cells turned inconclusive.
    pub withdrawn: usize,
}

/// With no machine reference, when at least [`UNIFORM_SHARE`] of the cells tested on rounds
/// moved the same way beyond the threshold, the two runs cannot tell a change of the code from
/// a change of the machine's speed (a busier host, another clock): every flagged cell among
/// them becomes inconclusive. Paired cells are left alone: their partner saw the same machine.
pub(super) fn uniform_shift(cells: &mut [CellComparison], threshold: f64) -> Option<UniformShift> {
    let tested = |c: &CellComparison| c.unit == Some(Unit::Round) && c.p_value.is_some();
    let ratios: Vec<f64> = cells
        .iter()
        .filter(|c| tested(c))
        .filter_map(|c| c.ratio)
        .collect();
    let up: Vec<f64> = ratios
        .iter()
        .copied()
        .filter(|&r| r > 1.0 + threshold)
        .collect();
    let down: Vec<f64> = ratios
        .iter()
        .copied()
        .filter(|&r| r < 1.0 / (1.0 + threshold))
        .collect();
    let moved = if up.len() >= down.len() { up } else { down };
    if ratios.is_empty() || (moved.len() as f64) < UNIFORM_SHARE * ratios.len() as f64 {
        return None;
    }
    let mut withdrawn = 0;
    for c in cells.iter_mut().filter(|c| tested(c)) {
        if matches!(c.verdict, Verdict::Regression | Verdict::Improvement) {
            c.verdict = Verdict::Inconclusive;
            c.reason = Some(format!(
                "{} of {} tested cells moved the same way beyond the threshold: without a \
                 machine reference in both runs that cannot be told from the machine changing \
                 speed",
                moved.len(),
                ratios.len()
            ));
            withdrawn += 1;
        }
    }
    Some(UniformShift {
        moved: moved.len(),
        tested: ratios.len(),
        ratio: median(&moved).expect("non-empty"),
        withdrawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::inference::tests::{in_rounds, swung, timings};
    use crate::stats::inference::*;
    use crate::stats::moderated::{Prior, TwoSample};

    /// The log of each value.
    fn logs(v: &[f64]) -> Vec<f64> {
        v.iter().map(|x| x.ln()).collect()
    }

    /// The median of each round of `per_round` values.
    fn round_medians(v: &[f64], per_round: usize) -> Vec<f64> {
        v.chunks(per_round)
            .map(|r| crate::stats::median(r).expect("non-empty"))
            .collect()
    }

    /// The verdict on one cell among `family` cells (the others unremarkable), from its round
    /// medians in two separate runs: the t-test of their logs, as `compare` takes it for a
    /// cell on its own (no prior from other cells).
    fn judge_separate(base: &[f64], cur: &[f64], family: usize) -> Verdict {
        let e = TwoSample::new(&logs(cur), &logs(base))
            .unwrap()
            .moderated(&Prior::NONE);
        let mut p = vec![0.5; family];
        p[0] = e.p_value;
        let ci = [e.ci95[0].exp(), e.ci95[1].exp()];
        verdict(ci, holm(&p)[0], 0.05, 0.05)
    }

    #[test]
    fn the_rule_needs_both_the_interval_beyond_the_threshold_and_significance() {
        assert_eq!(verdict([1.06, 1.2], 0.01, 0.05, 0.05), Verdict::Regression);
        assert_eq!(verdict([0.8, 0.94], 0.01, 0.05, 0.05), Verdict::Improvement);
        // Significant, but the interval reaches inside the threshold: too small to matter.
        assert_eq!(verdict([1.04, 1.2], 0.01, 0.05, 0.05), Verdict::Unchanged);
        // Beyond the threshold, but not significant after the correction.
        assert_eq!(verdict([1.06, 1.2], 0.06, 0.05, 0.05), Verdict::Unchanged);
        // The improvement side mirrors the regression side on a log scale: 1 / 1.05.
        assert_eq!(verdict([0.8, 0.953], 0.01, 0.05, 0.05), Verdict::Unchanged);
    }

    #[test]
    fn identical_distributions_are_unchanged() {
        for s in 0..50 {
            let base = timings(1.0, 0.02, 10, 2 * s);
            let cur = timings(1.0, 0.02, 10, 2 * s + 1);
            assert_eq!(
                judge_separate(&base, &cur, 1),
                Verdict::Unchanged,
                "seed pair {s}"
            );
        }
    }

    #[test]
    fn a_clean_ten_percent_slowdown_is_a_regression() {
        for s in 0..50 {
            let base = timings(1.0, 0.01, 10, 2 * s);
            let cur = timings(1.10, 0.01, 10, 2 * s + 1);
            assert_eq!(
                judge_separate(&base, &cur, 1),
                Verdict::Regression,
                "seed pair {s}"
            );
            // And the other way round it is an improvement.
            assert_eq!(
                judge_separate(&cur, &base, 1),
                Verdict::Improvement,
                "seed pair {s}"
            );
        }
        // With 2 % noise a 10 % shift still shows in nearly every pair; the misses are pairs
        // whose means happen to sit only ~7 % apart, where the interval reaches below 5 %.
        let flagged = (0..200)
            .filter(|s| {
                let base = timings(1.0, 0.02, 10, 2 * s);
                let cur = timings(1.10, 0.02, 10, 2 * s + 1);
                judge_separate(&base, &cur, 1) == Verdict::Regression
            })
            .count();
        assert!(flagged >= 190, "{flagged} of 200");
    }

    #[test]
    fn a_three_percent_slowdown_is_below_the_default_threshold() {
        for s in 0..50 {
            for noise in [0.01, 0.02] {
                let base = timings(1.0, noise, 10, 2 * s);
                let cur = timings(1.03, noise, 10, 2 * s + 1);
                assert_eq!(
                    judge_separate(&base, &cur, 1),
                    Verdict::Unchanged,
                    "seed pair {s}"
                );
            }
        }
    }

    #[test]
    fn a_clean_shift_over_ten_rounds_is_a_regression_after_the_correction() {
        let states = [1.0; 10];
        let base = round_medians(&in_rounds(&states, 2, 3), 2);
        let cur: Vec<f64> = round_medians(&in_rounds(&states, 2, 4), 2)
            .iter()
            .map(|x| x * 1.1)
            .collect();
        assert_eq!(judge_separate(&base, &cur, 35), Verdict::Regression);
    }

    /// The verdict on one cell among 35, with rounds as pairs or as independent groups.
    fn judge_rounds(base: &[f64], cur: &[f64], per_round: usize, paired: bool) -> Verdict {
        if !paired {
            return judge_separate(
                &round_medians(base, per_round),
                &round_medians(cur, per_round),
                35,
            );
        }
        let (b, c) = (Grouped::new(base, per_round), Grouped::new(cur, per_round));
        let pairs = Paired::new(&c, &b).unwrap();
        let (_, ci) = pairs.ratio(&mut cell_rng("p"));
        let mut family = vec![0.5; 35];
        family[0] = signed_rank(&pairs.round_logs()).unwrap().p_value;
        verdict(ci, holm(&family)[0], 0.05, 0.05)
    }

    #[test]
    fn paired_rounds_see_a_shift_through_swings_that_hide_it_from_unpaired_rounds() {
        for s in 0..20 {
            let base = swung(&in_rounds(&[1.0; 12], 2, 2 * s), 2);
            let same = swung(&in_rounds(&[1.0; 12], 2, 2 * s + 1), 2);
            let slower: Vec<f64> = same.iter().map(|x| x * 1.10).collect();
            assert_eq!(
                judge_rounds(&base, &slower, 2, true),
                Verdict::Regression,
                "{s}"
            );
            assert_eq!(
                judge_rounds(&slower, &base, 2, true),
                Verdict::Improvement,
                "{s}"
            );
            assert_eq!(
                judge_rounds(&base, &same, 2, true),
                Verdict::Unchanged,
                "{s}"
            );
            // Taken as independent rounds, the swings drown the shift.
            assert_eq!(
                judge_rounds(&base, &slower, 2, false),
                Verdict::Unchanged,
                "{s}"
            );
            // Below the threshold, pairing does not make a change matter.
            let a_bit: Vec<f64> = same.iter().map(|x| x * 1.03).collect();
            assert_eq!(
                judge_rounds(&base, &a_bit, 2, true),
                Verdict::Unchanged,
                "{s}"
            );
        }
    }

    #[test]
    fn a_wild_round_does_not_flip_a_paired_verdict() {
        for s in 0..20 {
            let base = swung(&in_rounds(&[1.0; 12], 2, 2 * s), 2);
            let mut cur = swung(&in_rounds(&[1.0; 12], 2, 2 * s + 1), 2);
            // Both samples of one round of the current side three times as long.
            cur[6] *= 3.0;
            cur[7] *= 3.0;
            assert_eq!(
                judge_rounds(&base, &cur, 2, true),
                Verdict::Unchanged,
                "{s}"
            );
        }
    }
}
