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
    /// The verdict on one cell compared alone (a family of one: no correction).
    fn judge(base: &[f64], cur: &[f64]) -> Verdict {
        let ci = ratio_interval(cur, base, &mut cell_rng("test")).unwrap();
        let p = mann_whitney(base, cur).unwrap().p_value;
        verdict(ci, p, 0.05, 0.05)
    }

    #[test]
    fn identical_distributions_are_unchanged() {
        for s in 0..50 {
            let base = timings(1.0, 0.02, 10, 2 * s);
            let cur = timings(1.0, 0.02, 10, 2 * s + 1);
            assert_eq!(judge(&base, &cur), Verdict::Unchanged, "seed pair {s}");
        }
    }

    #[test]
    fn a_clean_ten_percent_slowdown_is_a_regression() {
        for s in 0..50 {
            let base = timings(1.0, 0.01, 10, 2 * s);
            let cur = timings(1.10, 0.01, 10, 2 * s + 1);
            assert_eq!(judge(&base, &cur), Verdict::Regression, "seed pair {s}");
            // And the other way round it is an improvement.
            assert_eq!(judge(&cur, &base), Verdict::Improvement, "seed pair {s}");
        }
        // With 2 % noise a 10 % shift still shows in nearly every pair; the misses are pairs
        // whose medians happen to sit only ~7 % apart, where the interval reaches below 5 %.
        let flagged = (0..200)
            .filter(|s| {
                let base = timings(1.0, 0.02, 10, 2 * s);
                let cur = timings(1.10, 0.02, 10, 2 * s + 1);
                judge(&base, &cur) == Verdict::Regression
            })
            .count();
        assert!(flagged >= 190, "{flagged} of 200");
    }

    #[test]
    fn a_three_percent_slowdown_is_below_the_default_threshold() {
        for s in 0..50 {
            let base = timings(1.0, 0.01, 10, 2 * s);
            let cur = timings(1.03, 0.01, 10, 2 * s + 1);
            assert_eq!(judge(&base, &cur), Verdict::Unchanged, "seed pair {s}");
            let base = timings(1.0, 0.02, 10, 2 * s);
            let cur = timings(1.03, 0.02, 10, 2 * s + 1);
            assert_eq!(judge(&base, &cur), Verdict::Unchanged, "seed pair {s}");
        }
    }

    #[test]
    fn a_few_outliers_do_not_flip_the_verdict() {
        for s in 0..50 {
            // No change, but three samples of the current run hit by something two to four
            // times as long as the work itself: not a regression.
            let base = timings(1.0, 0.01, 10, 2 * s);
            let mut noisy = timings(1.0, 0.01, 10, 2 * s + 1);
            noisy[3] *= 3.0;
            noisy[7] *= 4.0;
            noisy[8] *= 2.0;
            assert_eq!(judge(&base, &noisy), Verdict::Unchanged, "seed pair {s}");
            assert_eq!(judge(&noisy, &base), Verdict::Unchanged, "seed pair {s}");

            // A real 10 % slowdown with an outlier on each side is still a regression.
            let mut base_noisy = base.clone();
            base_noisy[5] *= 3.0;
            let mut slow = timings(1.10, 0.01, 10, 2 * s + 1);
            slow[0] *= 3.0;
            assert_eq!(
                judge(&base_noisy, &slow),
                Verdict::Regression,
                "seed pair {s}"
            );
        }
    }

    #[test]
    fn a_regression_must_survive_the_correction_for_many_cells() {
        // 5 against 5 samples cannot reach p < 0.05 / 35 however clean the shift: the smallest
        // attainable p is 2/252 ≈ 0.0079, and Holm multiplies it by the 35 cells.
        let base = timings(1.0, 0.02, 5, 0);
        let cur = timings(1.5, 0.02, 5, 1);
        let ci = ratio_interval(&cur, &base, &mut cell_rng("x")).unwrap();
        let p = mann_whitney(&base, &cur).unwrap().p_value;
        assert!((p - 2.0 / 252.0).abs() < 1e-12, "{p}");
        assert_eq!(verdict(ci, p, 0.05, 0.05), Verdict::Regression);
        let mut family = vec![0.5; 35];
        family[0] = p;
        let adjusted = holm(&family)[0];
        assert!((adjusted - 35.0 * p).abs() < 1e-12);
        assert_eq!(verdict(ci, adjusted, 0.05, 0.05), Verdict::Unchanged);
    }

    #[test]
    fn a_clean_shift_over_ten_rounds_is_a_regression_after_the_correction() {
        let states = [1.0; 10];
        let base_values = in_rounds(&states, 2, 3);
        let base = Grouped::new(&base_values, 2);
        let cur_values: Vec<f64> = in_rounds(&states, 2, 4).iter().map(|x| x * 1.1).collect();
        let cur = Grouped::new(&cur_values, 2);
        let ci = grouped_ratio_interval(&cur, &base, &mut cell_rng("r")).unwrap();
        let p = mann_whitney(&base.round_medians(), &cur.round_medians())
            .unwrap()
            .p_value;
        let mut family = vec![0.5; 35];
        family[0] = p;
        assert_eq!(
            verdict(ci, holm(&family)[0], 0.05, 0.05),
            Verdict::Regression,
            "{ci:?} p={p}"
        );
    }

    /// The verdict on one cell among 35, with rounds as pairs or as independent groups.
    fn judge_rounds(base: &[f64], cur: &[f64], per_round: usize, paired: bool) -> Verdict {
        let (b, c) = (Grouped::new(base, per_round), Grouped::new(cur, per_round));
        let (ci, p) = if paired {
            let pairs = Paired::new(&c, &b).unwrap();
            let (_, ci) = pairs.ratio(&mut cell_rng("p"));
            (ci, signed_rank(&pairs.round_logs()).unwrap().p_value)
        } else {
            let ci = grouped_ratio_interval(&c, &b, &mut cell_rng("p")).unwrap();
            let p = mann_whitney(&b.round_medians(), &c.round_medians()).unwrap();
            (ci, p.p_value)
        };
        let mut family = vec![0.5; 35];
        family[0] = p;
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
