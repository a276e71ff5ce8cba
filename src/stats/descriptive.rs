//! Descriptive statistics: medians with a distribution-free interval, percentiles, means, and
//! the careful sums they rest on.

/// The median of `x` (mean of the two middle values for even n). `None` for no samples.
pub fn median(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

/// P(X ≤ k) for X ~ Binomial(n, 1/2).
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    let mut term = 0.5f64.powi(n as i32);
    let mut sum = term;
    for i in 1..=k.min(n) {
        term *= (n - i + 1) as f64 / i as f64;
        sum += term;
    }
    sum
}

/// An interval for the median from order statistics, valid whatever the distribution of the
/// samples (timings are skewed, rarely normal): `[x_(k), x_(n+1−k)]` with the largest `k` whose
/// coverage 1 − 2·P(Bin(n, ½) ≤ k − 1) is at least 95 %. With fewer than 6 samples no pair
/// reaches 95 % and the full range is returned (coverage 1 − 2^(1−n)). Returns the interval and
/// its exact coverage.
pub fn median_interval(x: &[f64]) -> Option<([f64; 2], f64)> {
    if x.is_empty() {
        return None;
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let mut k = 1;
    while k < n.div_ceil(2) && binomial_half_cdf(n, k) <= 0.025 {
        k += 1;
    }
    let coverage = 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    Some(([s[k - 1], s[n - k]], coverage.max(0.0)))
}

/// Pairwise summation: error grows as log n rather than n, and the result depends only on the
/// slice, never on who calls it.
pub fn pairwise_sum(x: &[f64]) -> f64 {
    const LEAF: usize = 128;
    if x.len() <= LEAF {
        let mut s = 0.0;
        for v in x {
            s += v;
        }
        return s;
    }
    let mid = x.len() / 2;
    pairwise_sum(&x[..mid]) + pairwise_sum(&x[mid..])
}

/// Compensated (Kahan–Babuška–Neumaier) summation of a stream: nearly exact, no buffer.
pub fn neumaier_sum(x: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for v in x {
        let t = sum + v;
        comp += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// Mean and population standard deviation (numpy's default `ddof=0`).
pub fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = pairwise_sum(x) / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Sample standard deviation (`ddof=1`): the spread of a few independent observations, such
/// as rounds' medians; NaN below two values.
pub fn sample_sd(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let (mean, _) = mean_std(x);
    let ss = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    (ss / (x.len() - 1) as f64).sqrt()
}

/// The `p` quantile of Student's t with `df` degrees of freedom (the interval of a mean of a
/// few rounds); the normal quantile when `df` is infinite.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if df.is_infinite() {
        return Normal::standard().inverse_cdf(p);
    }
    StudentsT::new(0.0, 1.0, df)
        .expect("positive degrees of freedom")
        .inverse_cdf(p)
}

/// numpy's default percentile (linear interpolation between closest ranks), `q` in 0..=100.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn interval_uses_order_statistics_with_95_percent_coverage() {
        // n = 10: P(Bin ≤ 1) = 11/1024 ≈ 0.0107 ≤ 0.025 and P(Bin ≤ 2) ≈ 0.0547 > 0.025, so
        // the interval is [x_(2), x_(9)] with coverage 1 − 2·0.0107 ≈ 0.9785.
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let ([lo, hi], cov) = median_interval(&x).unwrap();
        assert_eq!((lo, hi), (2.0, 9.0));
        assert!((cov - (1.0 - 2.0 * 11.0 / 1024.0)).abs() < 1e-12);
        // n = 5 cannot reach 95 %: the full range, coverage 15/16.
        let ([lo, hi], cov) = median_interval(&[5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!((lo, hi), (1.0, 5.0));
        assert!((cov - 0.9375).abs() < 1e-12);
    }

    #[test]
    fn interval_contains_the_median() {
        let x = [
            0.9, 1.3, 1.0, 1.1, 5.0, 1.05, 0.95, 1.02, 0.99, 1.01, 1.2, 0.97,
        ];
        let m = median(&x).unwrap();
        let ([lo, hi], cov) = median_interval(&x).unwrap();
        assert!(lo <= m && m <= hi && cov >= 0.95);
    }

    #[test]
    fn percentile_matches_numpy_linear_rule() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&x, 50.0), 2.5);
        assert_eq!(percentile(&x, 0.0), 1.0);
        assert_eq!(percentile(&x, 100.0), 4.0);
        assert!((percentile(&x, 2.5) - 1.075).abs() < 1e-12);
    }

    #[test]
    fn neumaier_sum_recovers_cancelled_digits() {
        assert_eq!(neumaier_sum([1e100, 1.0, -1e100]), 1.0);
        assert_eq!(neumaier_sum(std::iter::repeat_n(0.1, 10)), 1.0);
    }

    #[test]
    fn pairwise_sum_is_exact_on_integers() {
        let x = vec![1.0; 1_000_001];
        assert_eq!(pairwise_sum(&x), 1_000_001.0);
    }
}
