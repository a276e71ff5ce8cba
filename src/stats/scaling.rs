//! Scaling laws fitted to speedups: Karp–Flatt's serial fraction, Amdahl's law and its fit, and
//! the break-even task duration of a strategy with a fixed cost per task.

/// The Karp–Flatt experimentally determined serial fraction, defined for p > 1.
pub fn karp_flatt(speedup: f64, workers: usize) -> Option<f64> {
    if workers < 2 || speedup.is_nan() || speedup <= 0.0 {
        return None;
    }
    let p = workers as f64;
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
}

/// Amdahl's law: the speedup on `p` workers of a job whose serial fraction is `f`.
pub fn amdahl_speedup(f: f64, p: f64) -> f64 {
    1.0 / (f + (1.0 - f) / p)
}

/// The serial fraction `f` in [0, 1] that minimises Σ (S_i − 1/(f + (1 − f)/p_i))² over the
/// given (p, S) points; `None` without a point. Bounded to [0, 1] because Amdahl's law has no
/// room for superlinear speedup (f < 0) or for a slowdown (which would need f > 1).
pub fn amdahl_fit(points: &[(f64, f64)]) -> Option<f64> {
    let points: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(p, s)| *p > 1.0 && s.is_finite() && *s > 0.0)
        .collect();
    if points.is_empty() {
        return None;
    }
    let sse = |f: f64| -> f64 {
        points
            .iter()
            .map(|&(p, s)| (s - amdahl_speedup(f, p)).powi(2))
            .sum()
    };
    // The sum need not be unimodal over [0, 1] with several noisy points, so a grid finds the
    // basin and a golden-section search refines inside it.
    const STEPS: usize = 1000;
    let best = (0..=STEPS)
        .map(|i| i as f64 / STEPS as f64)
        .min_by(|a, b| sse(*a).total_cmp(&sse(*b)))
        .expect("non-empty grid");
    let step = 1.0 / STEPS as f64;
    let (mut lo, mut hi) = ((best - step).max(0.0), (best + step).min(1.0));
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    while hi - lo > 1e-10 {
        let a = hi - phi * (hi - lo);
        let b = lo + phi * (hi - lo);
        if sse(a) <= sse(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    let f = (lo + hi) / 2.0;
    Some(if sse(best) < sse(f) { best } else { f })
}

/// With per-task overhead `o` and `p` workers, a job of `n` tasks of duration `t` takes about
/// `n·t/p + n·o` in parallel against `n·t` serially, so it wins when `t > o·p/(p − 1)`.
pub fn break_even(o: f64, workers: usize) -> Option<f64> {
    (workers > 1).then(|| o * workers as f64 / (workers as f64 - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_fit_recovers_the_fraction_that_generated_the_points() {
        for f in [0.0, 0.05, 0.3, 1.0] {
            let pts: Vec<(f64, f64)> = [2.0, 4.0, 8.0, 64.0]
                .iter()
                .map(|&p| (p, amdahl_speedup(f, p)))
                .collect();
            let got = amdahl_fit(&pts).unwrap();
            assert!((got - f).abs() < 1e-6, "f = {f}: fitted {got}");
        }
    }

    #[test]
    fn amdahl_fit_stays_in_bounds_for_slowdown_and_superlinear_points() {
        assert_eq!(amdahl_fit(&[(2.0, 0.1), (4.0, 0.05)]), Some(1.0));
        assert_eq!(amdahl_fit(&[(2.0, 3.0), (4.0, 6.0)]), Some(0.0));
        assert_eq!(amdahl_fit(&[(1.0, 1.0)]), None);
    }

    #[test]
    fn break_even_follows_the_overhead_model() {
        // o = 1 µs, p = 2: t > 2 µs; p = 4: t > 4/3 µs; never with one worker.
        assert_eq!(break_even(1.0, 2), Some(2.0));
        assert!((break_even(1.0, 4).unwrap() - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(break_even(1.0, 1), None);
        // At t = t*, the modelled parallel time equals the serial time.
        let (o, p, n) = (0.7, 8usize, 1000.0);
        let t = break_even(o, p).unwrap();
        assert!((n * t / p as f64 + n * o - n * t).abs() < 1e-9);
    }

    #[test]
    fn karp_flatt_is_zero_for_perfect_and_one_for_no_speedup() {
        assert!(karp_flatt(2.0, 2).unwrap().abs() < 1e-12);
        assert!((karp_flatt(1.0, 4).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(karp_flatt(1.0, 1), None);
    }
}
