//! Number formats shared by the tables, the charts and the findings, so a figure reads the same
//! wherever it appears.

/// Magnitudes from here on print in scientific notation: a median near zero can give a speedup
/// of 1e300, whose 300 digits would push a table off the page.
const HUGE: f64 = 1e6;

/// `x` with `decimals` places, or in scientific notation with as many once it is huge.
pub fn compact(x: f64, decimals: usize) -> String {
    if x.abs() >= HUGE {
        format!("{x:.decimals$e}")
    } else {
        format!("{x:.decimals$}")
    }
}

/// A duration in the unit that keeps three significant figures readable.
pub fn seconds(x: f64) -> String {
    let a = x.abs();
    if a >= 1.0 {
        format!("{} s", compact(x, 3))
    } else if a >= 1e-3 {
        format!("{:.3} ms", x * 1e3)
    } else if a >= 1e-6 {
        format!("{:.2} µs", x * 1e6)
    } else {
        format!("{:.1} ns", x * 1e9)
    }
}

/// A duration given in microseconds.
pub fn micros(us: f64) -> String {
    seconds(us * 1e-6)
}

/// A speedup such as `1.95×`, with more digits below 0.1× so tiny ones are not all `0.00×`.
pub fn speedup(s: f64) -> String {
    if s.abs() >= 0.1 {
        format!("{}×", compact(s, 2))
    } else {
        format!("{s:.2e}×")
    }
}

/// An interval of speedups, `[0.95×, 1.01×]`.
pub fn speedup_interval([lo, hi]: [f64; 2]) -> String {
    format!("[{}, {}]", speedup(lo), speedup(hi))
}

pub fn percent(x: f64) -> String {
    format!("{} %", compact(x * 100.0, 0))
}

/// A fraction such as Karp–Flatt's or Amdahl's, which can leave [0, 1] on real data.
pub fn fraction(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.2e}")
    } else {
        format!("{x:.3}")
    }
}

/// A tick label for a logarithmic axis: integers plainly, small values without trailing zeros.
pub fn tick(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v >= 1e4 {
        format!("{v:.0e}")
    } else if v >= 1.0 && (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else if v >= 1e-3 {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.0e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_pick_readable_units() {
        assert_eq!(seconds(1.5), "1.500 s");
        assert_eq!(seconds(0.0015), "1.500 ms");
        assert_eq!(seconds(1.5e-6), "1.50 µs");
        assert_eq!(seconds(2.5e-8), "25.0 ns");
        assert_eq!(speedup(1.954), "1.95×");
        assert_eq!(speedup(0.0123), "1.23e-2×");
        assert_eq!(tick(4.0), "4");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.0001), "1e-4");
        assert_eq!(tick(1e6), "1e6");
    }

    #[test]
    fn absurd_values_print_compactly() {
        // A median of 1e-300 s against a serial median of 1 s.
        assert_eq!(speedup(1e300), "1.00e300×");
        assert_eq!(speedup(-1e300), "-1.00e300×");
        assert_eq!(speedup(999_999.0), "999999.00×");
        assert_eq!(speedup(1e6), "1.00e6×");
        assert_eq!(percent(1e298), "1e300 %");
        assert_eq!(seconds(1e300), "1.000e300 s");
        assert_eq!(compact(2.5e7, 2), "2.50e7");
        assert_eq!(compact(12.345, 2), "12.35");
        for s in [speedup(f64::MAX), percent(f64::MAX), seconds(f64::MAX)] {
            assert!(s.len() < 16, "{s}");
        }
    }
}
