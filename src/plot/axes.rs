//! Axes: logarithmic and linear scales with explicit tick positions, so labels never crowd,
//! and the plotters coordinate that draws exactly those ticks.

use plotters::coord::combinators::{IntoLogRange, LogCoord};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// An axis: logarithmic, or linear, with explicit tick positions so labels never crowd.
#[derive(Clone, Debug)]
pub enum Scale {
    Log { lo: f64, hi: f64, ticks: Vec<f64> },
    Linear { lo: f64, hi: f64, ticks: Vec<f64> },
}

impl Scale {
    /// The axis' ends, (lo, hi).
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            Scale::Log { lo, hi, .. } | Scale::Linear { lo, hi, .. } => (*lo, *hi),
        }
    }

    /// Whether `v` lies on the axis.
    pub fn contains(&self, v: f64) -> bool {
        let (lo, hi) = self.bounds();
        v >= lo && v <= hi
    }

    /// `v` moved onto the axis, for values drawn at its edge.
    pub fn clamp(&self, v: f64) -> f64 {
        let (lo, hi) = self.bounds();
        v.clamp(lo, hi)
    }
}

/// An axis whose ticks are exactly the scale's. plotters' `WithKeyPoints` does the same but
/// then refuses label formatters, so this carries plotters' default-formatting marker instead.
pub struct Ticked {
    inner: Inner,
    ticks: Vec<f64>,
}

enum Inner {
    Log(LogCoord<f64>),
    Linear(RangedCoordf64),
}

impl From<&Scale> for Ticked {
    fn from(s: &Scale) -> Ticked {
        match s {
            Scale::Log { lo, hi, ticks } => Ticked {
                inner: Inner::Log((*lo..*hi).log_scale().into()),
                ticks: ticks.clone(),
            },
            Scale::Linear { lo, hi, ticks } => Ticked {
                inner: Inner::Linear((*lo..*hi).into()),
                ticks: ticks.clone(),
            },
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        match &self.inner {
            Inner::Log(c) => c.map(value, limit),
            Inner::Linear(c) => c.map(value, limit),
        }
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Grid lines at the ticks only: no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        match &self.inner {
            Inner::Log(c) => c.range(),
            Inner::Linear(c) => c.range(),
        }
    }
}

/// Worker counts on a log2 axis: powers of two, plus the counts that are not, where they do
/// not crowd a power of two.
pub fn workers_axis(workers: &[usize]) -> Scale {
    let max = workers.iter().copied().max().unwrap_or(1).max(1) as f64;
    let min = workers.iter().copied().min().unwrap_or(1).max(1) as f64;
    let (lo, hi) = (min / 1.3, max * 1.3);
    let mut ticks: Vec<f64> = std::iter::successors(Some(1.0f64), |p| Some(p * 2.0))
        .take_while(|p| *p <= hi)
        .filter(|p| *p >= lo)
        .collect();
    // A long axis gets every other power of two only.
    if ticks.len() > 9 {
        ticks = ticks.into_iter().step_by(2).collect();
    }
    for &w in workers {
        let w = w as f64;
        let crowded = ticks.iter().any(|t| (t.log2() - w.log2()).abs() < 0.4);
        if !crowded {
            ticks.push(w);
        }
    }
    ticks.sort_by(f64::total_cmp);
    Scale::Log { lo, hi, ticks }
}

/// A logarithmic value axis over [lo, hi] with at most eight ticks: powers of two when
/// `pow2` (speedups, so the ideal line meets round numbers) and the range allows readable
/// labels, else 1-2-5 steps per decade, or whole decades over wide ranges.
pub fn log_axis(lo: f64, hi: f64, pow2: bool) -> Scale {
    let (lo, hi) = if hi / lo < 4.0 {
        let mid = (lo * hi).sqrt();
        (mid / 2.0, mid * 2.0)
    } else {
        (lo, hi)
    };
    let in_range = |v: &f64| *v >= lo && *v <= hi;
    let mut ticks: Vec<f64> = if pow2 && lo >= 0.1 {
        let (a, b) = (lo.log2().ceil() as i32, hi.log2().floor() as i32);
        let mut t: Vec<f64> = (a..=b).map(|e| 2f64.powi(e)).collect();
        if t.len() < 4 {
            t.extend((a - 1..=b).map(|e| 1.5 * 2f64.powi(e)).filter(in_range));
        }
        t
    } else {
        let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        let decades = (hi / lo).log10();
        let mults: &[f64] = if decades <= 2.5 {
            &[1.0, 2.0, 5.0]
        } else if decades <= 4.0 {
            &[1.0, 3.0]
        } else {
            &[1.0]
        };
        (a..=b)
            .flat_map(|e| mults.iter().map(move |m| m * 10f64.powi(e)))
            .filter(in_range)
            .collect()
    };
    ticks.sort_by(f64::total_cmp);
    let step = ticks.len().div_ceil(8).max(1);
    let ticks = ticks.into_iter().step_by(step).collect();
    Scale::Log { lo, hi, ticks }
}

/// A linear axis over [lo, hi] with at most about eight round ticks.
pub fn linear_axis(lo: f64, hi: f64) -> Scale {
    let span = (hi - lo).max(1e-12);
    // 1, 2, 2.5, 5 times a power of ten: ticks that read as round numbers at any magnitude.
    let decade = 10f64.powf((span / 8.0).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|s| span / s <= 8.0)
        .unwrap_or(10.0 * decade);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    Scale::Linear { lo, hi, ticks }
}

/// Spreads series sharing an x position a little apart on a log2 axis, so that their
/// whiskers stay distinguishable: the factor to multiply series `index` of `count`'s x by.
pub fn dodge(index: usize, count: usize) -> f64 {
    let offset = index as f64 - (count as f64 - 1.0) / 2.0;
    2f64.powf(0.04 * offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_ticks_stay_sparse_up_to_64() {
        let Scale::Log { ticks, .. } = workers_axis(&[1, 2, 4, 8, 16, 32, 64]) else {
            panic!("log axis")
        };
        assert_eq!(ticks, vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]);
        // 6 is far enough from 4 and 8 to get its own tick; 5 is not.
        let Scale::Log { ticks, .. } = workers_axis(&[1, 2, 4, 6]) else {
            panic!("log axis")
        };
        assert!(ticks.contains(&6.0), "{ticks:?}");
        let Scale::Log { ticks, .. } = workers_axis(&[1, 4, 5]) else {
            panic!("log axis")
        };
        assert!(!ticks.contains(&5.0), "{ticks:?}");
    }

    #[test]
    fn log_value_ticks_are_few() {
        for (lo, hi, pow2) in [
            (1e-4, 100.0, true),
            (0.5, 64.0, true),
            (0.9, 1.1, true),
            (0.004, 2e6, false),
        ] {
            let Scale::Log { ticks, .. } = log_axis(lo, hi, pow2) else {
                panic!("log axis")
            };
            assert!(
                !ticks.is_empty() && ticks.len() <= 8,
                "{lo}..{hi}: {ticks:?}"
            );
        }
    }
}
