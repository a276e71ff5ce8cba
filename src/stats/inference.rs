//! The statistics behind a paired verdict: a two-stage bootstrap interval for the ratio of
//! paired samples, the Wilcoxon signed-rank test, and Holm's family-wise correction (which
//! separate runs' moderated t-tests, `stats::moderated`, share).
//!
//! Paired timings are skewed and often carry a few outliers (a context switch, a page
//! fault), so everything here works on medians and ranks and assumes no distribution.

use super::descriptive::{median, percentile};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Draws per bootstrap interval: enough that the 2.5 % and 97.5 % quantiles move by well under
/// a tenth of a percent between seeds, cheap enough for hundreds of cells.
pub const BOOTSTRAP_RESAMPLES: usize = 5_000;

/// Fixed so that the same two files always give the same intervals.
const BOOTSTRAP_SEED: u64 = 0x7061_7262_656e_6368; // "parbench"

/// A random stream per cell, derived from the cell's name alone, so a cell's interval does not
/// change when other cells are added to or removed from the files.
pub fn cell_rng(key: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED);
    rng.set_stream(fnv1a(key.as_bytes()));
    rng
}

/// FNV-1a: stable across Rust releases, unlike `std`'s `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One side's values, in the rounds they were taken in: `rounds` consecutive groups of
/// `per_round`, or one group when the run had a single round.
#[derive(Clone, Copy, Debug)]
pub struct Grouped<'a> {
    pub values: &'a [f64],
    pub per_round: usize,
}

impl<'a> Grouped<'a> {
    /// `values` as `per_round`-sized rounds; one round when the length does not divide.
    pub fn new(values: &'a [f64], per_round: usize) -> Self {
        let per_round = if per_round > 0 && values.len().is_multiple_of(per_round) {
            per_round
        } else {
            values.len()
        };
        Grouped { values, per_round }
    }

    pub fn rounds(&self) -> usize {
        self.values.len().checked_div(self.per_round).unwrap_or(0)
    }
}

/// Draws `rounds` round indices with replacement: the first stage of a resample.
fn pick_rounds(rounds: usize, picks: &mut Vec<usize>, rng: &mut ChaCha8Rng) {
    picks.clear();
    picks.extend((0..rounds).map(|_| rng.random_range(0..rounds)));
}

/// The Hodges–Lehmann estimate of the centre of `d`: the median of all pairwise means
/// (d_i + d_j) / 2, i ≤ j. It is the estimate that goes with the signed-rank test, nearly as
/// efficient as the mean on well-behaved data and as robust as the median to a few wild
/// values (it ignores up to 29 % of them). `None` when `d` is empty.
pub fn hodges_lehmann(d: &[f64]) -> Option<f64> {
    let mut walsh: Vec<f64> = Vec::with_capacity(d.len() * (d.len() + 1) / 2);
    for (i, a) in d.iter().enumerate() {
        walsh.extend(d[i..].iter().map(|b| (a + b) / 2.0));
    }
    median(&walsh)
}

/// Up to this many paired samples the paired ratio is a Hodges–Lehmann estimate; beyond, the
/// median, since the n²/2 pairwise means of every bootstrap resample would cost seconds.
pub const HODGES_LEHMANN_MAX_N: usize = 64;

/// The centre of paired log ratios: Hodges–Lehmann, or the median for many values.
fn paired_centre(logs: &[f64]) -> Option<f64> {
    if logs.len() <= HODGES_LEHMANN_MAX_N {
        hodges_lehmann(logs)
    } else {
        median(logs)
    }
}

/// Paired runs (`parbench pair`): sample i of round r of one side was taken right next to
/// sample i of round r of the other, so each such pair gives a log ratio ln(num / den) in
/// which whatever slowed the machine for both cancels.
#[derive(Clone, Debug)]
pub struct Paired {
    logs: Vec<f64>,
    per_round: usize,
}

impl Paired {
    /// `None` unless both sides have the same rounds of the same number of samples.
    pub fn new(num: &Grouped<'_>, den: &Grouped<'_>) -> Option<Paired> {
        if num.values.is_empty() || num.rounds() != den.rounds() || num.per_round != den.per_round {
            return None;
        }
        let logs = num
            .values
            .iter()
            .zip(den.values)
            .map(|(n, d)| (n / d).ln())
            .collect();
        Some(Paired {
            logs,
            per_round: num.per_round,
        })
    }

    fn rounds(&self) -> usize {
        self.logs.len() / self.per_round
    }

    /// Each round's median log ratio: the independent observations of the signed-rank test.
    pub fn round_logs(&self) -> Vec<f64> {
        self.logs
            .chunks(self.per_round)
            .map(|r| median(r).expect("rounds are non-empty"))
            .collect()
    }

    /// The ratio, exp of the centre (Hodges–Lehmann) of all pairs' log ratios, and its 95 %
    /// two-stage bootstrap interval: rounds drawn with replacement, then pairs within each
    /// drawn round, so that the interval carries the variation between rounds while every
    /// sample stays with the one taken next to it.
    pub fn ratio(&self, rng: &mut ChaCha8Rng) -> (f64, [f64; 2]) {
        let point = paired_centre(&self.logs).expect("non-empty").exp();
        let (rounds, per) = (self.rounds(), self.per_round);
        let (mut picks, mut buf) = (Vec::new(), Vec::with_capacity(self.logs.len()));
        let mut ratios: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
            .map(|_| {
                pick_rounds(rounds, &mut picks, rng);
                buf.clear();
                for &r in &picks {
                    let round = &self.logs[r * per..(r + 1) * per];
                    buf.extend((0..per).map(|_| round[rng.random_range(0..per)]));
                }
                paired_centre(&buf).expect("non-empty").exp()
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        (point, [percentile(&ratios, 2.5), percentile(&ratios, 97.5)])
    }
}

/// How a test's p-value was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Signed-rank test enumerated over every assignment of signs to the (mid)ranks.
    Exact,
    /// Signed-rank test's normal approximation with tie and continuity corrections.
    Normal,
    /// Student's t of log round medians with a moderated variance (`stats::moderated`).
    ModeratedT,
}

/// A two-sided rank test's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankTest {
    /// W+, the sum of the ranks of the positive differences.
    pub statistic: f64,
    pub p_value: f64,
    pub method: Method,
}

/// Ranks, doubled so that the mid-ranks of ties stay integers (a tie over positions i..=j
/// gets 2 × (i + j) / 2 = i + j), and the tie term Σ (t³ − t) of the variance.
fn doubled_ranks(x: &[f64]) -> (Vec<u64>, f64) {
    let mut sorted: Vec<(f64, usize)> = x.iter().copied().zip(0..).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0u64; sorted.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        for p in &sorted[i..=j] {
            ranks[p.1] = (i + 1 + j + 1) as u64;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Up to this many pairs the signed-rank test enumerates all 2ⁿ sign assignments (by counting
/// rank sums, n³ steps); beyond, the normal approximation is within a few percent.
pub const SIGNED_EXACT_MAX_N: usize = 200;

/// The two-sided Wilcoxon signed-rank test that the paired differences `d` are centred on 0:
/// under the null hypothesis each difference is as likely positive as negative, so every
/// assignment of signs to the ranks of |d| is equally likely. Zero differences carry no sign
/// and are dropped (Wilcoxon's convention); ties in |d| share mid-ranks, which the exact
/// enumeration uses as observed. `None` when `d` is empty.
pub fn signed_rank(d: &[f64]) -> Option<RankTest> {
    if d.is_empty() {
        return None;
    }
    let nonzero: Vec<f64> = d.iter().copied().filter(|x| *x != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return Some(RankTest {
            statistic: 0.0,
            p_value: 1.0,
            method: Method::Exact,
        });
    }
    let magnitudes: Vec<f64> = nonzero.iter().map(|x| x.abs()).collect();
    let (ranks, ties) = doubled_ranks(&magnitudes);
    let w2: u64 = ranks
        .iter()
        .zip(&nonzero)
        .filter(|(_, x)| **x > 0.0)
        .map(|(r, _)| r)
        .sum();
    let statistic = w2 as f64 / 2.0;
    if n > SIGNED_EXACT_MAX_N {
        let nf = n as f64;
        let mean = nf * (nf + 1.0) / 4.0;
        let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
        let p_value = if var <= 0.0 {
            1.0
        } else {
            let z = ((statistic - mean).abs() - 0.5).max(0.0) / var.sqrt();
            statrs::function::erf::erfc(z / std::f64::consts::SQRT_2).min(1.0)
        };
        return Some(RankTest {
            statistic,
            p_value,
            method: Method::Normal,
        });
    }
    // ways[s]: how many sign assignments give the positive ranks a doubled sum of s.
    let total_sum: usize = ranks.iter().sum::<u64>() as usize;
    let mut ways = vec![0.0f64; total_sum + 1];
    ways[0] = 1.0;
    for &r in &ranks {
        let r = r as usize;
        for s in (r..=total_sum).rev() {
            ways[s] += ways[s - r];
        }
    }
    let total: f64 = ways.iter().sum();
    let obs = w2 as usize;
    let low: f64 = ways[..=obs].iter().sum();
    let high: f64 = ways[obs..].iter().sum();
    Some(RankTest {
        statistic,
        p_value: (2.0 * low.min(high) / total).min(1.0),
        method: Method::Exact,
    })
}

/// The smallest two-sided p-value of the signed-rank test over `n` pairs (all of one sign):
/// 2 / 2ⁿ.
pub fn smallest_signed_p(n: usize) -> f64 {
    (2.0 / 2f64.powi(n.min(1023) as i32)).min(1.0)
}

/// Holm's step-down adjustment: p-values adjusted so that rejecting every hypothesis whose
/// adjusted value is ≤ α keeps the chance of any false rejection in the family ≤ α, whatever
/// the dependence between the tests. Uniformly more powerful than plain Bonferroni.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        // The running maximum keeps the adjusted values in the order of the raw ones.
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Shared with `compare`'s verdict tests, which draw their timings the same way.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};
    /// `n` timings around `center` with log-normal noise of relative spread `sigma`, the shape
    /// timings have on a quiet machine.
    pub(crate) fn timings(center: f64, sigma: f64, n: usize, stream: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        rng.set_stream(stream);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                center * (sigma * z).exp()
            })
            .collect()
    }

    /// Holm (1979) by hand: sorted p = 0.005, 0.01, 0.03, 0.04 with m = 4 give
    /// 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(1·0.04, 0.06) = 0.06. statsmodels
    /// 0.15's `multipletests(p, method='holm')[1]` gives the same for all three cases.
    #[test]
    fn holm_adjusts_a_known_example() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!((a - e).abs() < 1e-15, "{adjusted:?}");
        }
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
        for a in holm(&[0.6, 0.2, 0.3]) {
            assert!((a - 0.6).abs() < 1e-15);
        }
        assert!(holm(&[]).is_empty());
    }

    /// Rounds of `per_round` samples each, round `r` centred on `states[r]`.
    pub(crate) fn in_rounds(states: &[f64], per_round: usize, stream: u64) -> Vec<f64> {
        states
            .iter()
            .enumerate()
            .flat_map(|(r, &c)| timings(c, 0.01, per_round, stream * 100 + r as u64))
            .collect()
    }

    #[test]
    fn grouping_needs_whole_rounds() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let g = Grouped::new(&v, 2);
        assert_eq!(g.rounds(), 3);
        // 6 samples do not fill rounds of 4: one group.
        let g = Grouped::new(&v, 4);
        assert_eq!((g.rounds(), g.per_round), (1, 6));
        assert_eq!(Grouped::new(&[], 3).rounds(), 0);
    }

    /// Reference values from scipy 1.17.1, `wilcoxon(d, method='exact')` for tie-free data
    /// (its statistic is min(W+, W−); ours is W+) and, with ties, the exhaustive sign-flip
    /// test `wilcoxon(d, method=PermutationMethod(n_resamples=np.inf))`.
    #[test]
    fn signed_rank_p_values_match_scipy() {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12;
        let d = [0.12, -0.03, 0.08, 0.15, 0.02, 0.09, -0.01, 0.11, 0.07, 0.05];
        let t = signed_rank(&d).unwrap();
        assert_eq!((t.statistic, t.method), (51.0, Method::Exact));
        assert!(close(t.p_value, 0.013671875), "{}", t.p_value);

        // Twelve pairs of one sign: 2 / 2¹², the smallest p-value of twelve pairs.
        let d: Vec<f64> = (1..=12).map(|i| f64::from(i) / 10.0).collect();
        let t = signed_rank(&d).unwrap();
        assert!(close(t.p_value, 0.00048828125), "{}", t.p_value);
        assert!(close(smallest_signed_p(12), 0.00048828125));

        let d = [-0.5, 0.2, -0.1, 0.4, 0.3, -0.25, 0.15, 0.05];
        let t = signed_rank(&d).unwrap();
        assert_eq!(t.statistic, 21.0);
        assert!(close(t.p_value, 0.7421875), "{}", t.p_value);

        let d = [0.1, 0.1, -0.2, 0.3, 0.3, 0.3, -0.1, 0.4];
        let t = signed_rank(&d).unwrap();
        assert_eq!(t.statistic, 30.0);
        assert!(close(t.p_value, 0.1171875), "{}", t.p_value);

        // Zero differences carry no sign: they are dropped, and none left is no evidence.
        let with_zeros = [
            0.0, 0.12, -0.03, 0.0, 0.08, 0.15, 0.02, 0.09, -0.01, 0.11, 0.07, 0.05,
        ];
        assert_eq!(signed_rank(&with_zeros), signed_rank(&d10()));
        assert_eq!(signed_rank(&[0.0, 0.0]).unwrap().p_value, 1.0);
        assert!(signed_rank(&[]).is_none());

        // Past SIGNED_EXACT_MAX_N, the normal approximation with continuity correction:
        // scipy `wilcoxon(d, method='approx', correction=True)`, p = 0.009387365010876123.
        let d: Vec<f64> = (1..=250)
            .map(|i| (f64::from(i) * 1.3).sin() + 0.1)
            .collect();
        let t = signed_rank(&d).unwrap();
        assert_eq!((t.statistic, t.method), (18661.0, Method::Normal));
        assert!(
            (t.p_value - 0.009387365010876123).abs() < 1e-9,
            "{}",
            t.p_value
        );
    }

    fn d10() -> [f64; 10] {
        [0.12, -0.03, 0.08, 0.15, 0.02, 0.09, -0.01, 0.11, 0.07, 0.05]
    }

    #[test]
    fn hodges_lehmann_is_the_median_of_pairwise_means() {
        // Walsh averages of 1, 2, 9: 1, 1.5, 5, 2, 5.5, 9 → median (2 + 5) / 2.
        assert_eq!(hodges_lehmann(&[1.0, 2.0, 9.0]), Some(3.5));
        assert_eq!(hodges_lehmann(&[4.0]), Some(4.0));
        assert_eq!(hodges_lehmann(&[]), None);
        // One wild value out of eight barely moves it.
        let calm = [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98];
        let mut wild = calm;
        wild[3] = 50.0;
        let (a, b) = (
            hodges_lehmann(&calm).unwrap(),
            hodges_lehmann(&wild).unwrap(),
        );
        assert!((a - b).abs() < 0.05, "{a} vs {b}");
    }

    /// Twelve rounds in which the machine's speed swings by up to 30 % from round to round,
    /// the same for both sides of a round (what `parbench pair` arranges).
    const SWINGS: [f64; 12] = [
        1.0, 1.3, 0.95, 1.15, 1.05, 1.25, 0.9, 1.2, 1.0, 1.1, 0.92, 1.3,
    ];

    /// Applies `SWINGS` to values taken in rounds of `per_round`.
    pub(crate) fn swung(values: &[f64], per_round: usize) -> Vec<f64> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| v * SWINGS[i / per_round])
            .collect()
    }

    #[test]
    fn samples_pair_up_only_in_rounds_of_equal_size() {
        let a = [1.0, 1.1, 1.2, 1.3];
        let b = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5];
        let (ga, gb) = (Grouped::new(&a, 2), Grouped::new(&b, 2));
        assert!(Paired::new(&ga, &gb).is_none());
        assert!(Paired::new(&ga, &Grouped::new(&a, 4)).is_none());
        // A side against itself: every pair's log ratio is 0.
        let (ratio, ci) = Paired::new(&ga, &ga).unwrap().ratio(&mut cell_rng("x"));
        assert_eq!((ratio, ci), (1.0, [1.0, 1.0]));
        // Samples stay with their partners: a side 10 % slower in every pair is 10 % slower,
        // however far apart its rounds are.
        let slow: Vec<f64> = a.iter().map(|x| x * 1.1).collect();
        let pairs = Paired::new(&Grouped::new(&slow, 2), &ga).unwrap();
        let (ratio, ci) = pairs.ratio(&mut cell_rng("x"));
        assert!(
            (ratio - 1.1).abs() < 1e-12 && (ci[0] - 1.1).abs() < 1e-12,
            "{ci:?}"
        );
        assert_eq!(pairs.round_logs().len(), 2);
    }

    #[test]
    fn the_bootstrap_interval_is_reproducible_and_brackets_the_ratio() {
        let base = timings(1.0, 0.02, 10, 0);
        let cur = timings(1.2, 0.02, 10, 1);
        let pairs = Paired::new(&Grouped::new(&cur, 2), &Grouped::new(&base, 2)).unwrap();
        let a = pairs.ratio(&mut cell_rng("w/s/2/-"));
        let b = pairs.ratio(&mut cell_rng("w/s/2/-"));
        assert_eq!(a, b);
        let (ratio, ci) = a;
        assert!(ci[0] < ratio && ratio < ci[1], "{ci:?} {ratio}");
        assert!(ci[0] > 1.1 && ci[1] < 1.3, "{ci:?}");
    }
}
