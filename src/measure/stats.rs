//! Statistics of timing samples: the median, a distribution-free interval for it, and the
//! scaling figures derived from medians.

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

/// The Karp–Flatt experimentally determined serial fraction, defined for p > 1.
pub fn karp_flatt(speedup: f64, workers: usize) -> Option<f64> {
    if workers < 2 || speedup.is_nan() || speedup <= 0.0 {
        return None;
    }
    let p = workers as f64;
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
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
    fn karp_flatt_is_zero_for_perfect_and_one_for_no_speedup() {
        assert!(karp_flatt(2.0, 2).unwrap().abs() < 1e-12);
        assert!((karp_flatt(1.0, 4).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(karp_flatt(1.0, 1), None);
    }
}
