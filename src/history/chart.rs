//! A cell's trend chart: one point per stored run (its value and 95 % interval), each level
//! between change points with its prediction band, and every change point marked with the
//! commits it lies between.

use super::trend::CellTrend;
use crate::error::Error;
use crate::plot::axes::{Scale, linear_axis};
use crate::plot::draw::{HPos, line, marker, rect, text};
use crate::plot::layout::{self, Axes, PANEL_H, panel};
use crate::plot::legend::{self, Entry};
use crate::plot::style::{BLACK, Marker, RGBColor};
use crate::plot::{Area, Chart, DrawResult, DrawingBackend, Figure, render};
use crate::units;

const POINT: RGBColor = RGBColor(31, 119, 180);
const BAND: RGBColor = RGBColor(222, 235, 247);
const CENTRE: RGBColor = RGBColor(107, 174, 214);
const WORSE: RGBColor = RGBColor(214, 39, 40);
const BETTER: RGBColor = RGBColor(44, 160, 44);

struct TrendFigure<'a> {
    trend: &'a CellTrend,
    /// Seconds to the axis' unit, and its name.
    unit: (f64, &'static str),
    entries: Vec<Entry>,
}

/// The unit that keeps the cell's times readable on a linear axis.
fn unit_of(centre_s: f64) -> (f64, &'static str) {
    if centre_s >= 1.0 {
        (1.0, "s")
    } else if centre_s >= 1e-3 {
        (1e3, "ms")
    } else {
        (1e6, "µs")
    }
}

impl Figure for TrendFigure<'_> {
    fn size(&self) -> (u32, u32) {
        layout::size(1100, PANEL_H, &self.entries)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult {
        let t = self.trend;
        let (k, unit) = self.unit;
        let area = layout::body(root, &t.name, &self.entries)?;
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        let mut extend = |v: f64| {
            if v.is_finite() && v > 0.0 {
                lo = lo.min(v * k);
                hi = hi.max(v * k);
            }
        };
        for p in &t.points {
            extend(p.value_s);
            p.ci_s.iter().flatten().for_each(|&v| extend(v));
        }
        for l in &t.levels {
            l.band_s.iter().flatten().for_each(|&v| extend(v));
        }
        if !lo.is_finite() {
            // No run measured the cell (skipped or failed in all): an empty unit axis.
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.08).max(hi * 0.01);
        let y = linear_axis((lo - pad).max(0.0), hi + pad);
        let first = t.points.first().map_or(1, |p| p.run) as f64;
        let last = t.points.last().map_or(1, |p| p.run) as f64;
        let x = run_axis(first, last);
        let y_desc = format!("time per run of all tasks, {unit}");
        let map = panel(
            &area,
            &Axes {
                caption: "",
                x: x.clone(),
                x_desc: "stored run (in the order added)",
                y,
                y_desc: &y_desc,
                y_format: units::tick,
            },
        )?;
        // Points sit at their run number; a level spans from half a run before its first point
        // to half a run after its last, so bands meet at the change points.
        let xs: Vec<f64> = t.points.iter().map(|p| p.run as f64).collect();
        for l in &t.levels {
            let (a, b) = (xs[l.from] - 0.45, xs[l.to - 1] + 0.45);
            if let Some([blo, bhi]) = l.band_s {
                rect(root, map(a, bhi * k), map(b, blo * k), BAND)?;
            }
            line(
                root,
                &[map(a, l.centre_s * k), map(b, l.centre_s * k)],
                CENTRE,
                2,
                false,
            )?;
        }
        for s in &t.steps {
            let at = (xs[s.index - 1] + xs[s.index]) / 2.0;
            let colour = if s.ratio > 1.0 { WORSE } else { BETTER };
            let (_, y_hi) = (lo, hi + pad);
            let top = map(at, y_hi);
            line(root, &[map(at, (lo - pad).max(0.0)), top], colour, 2, true)?;
            let label = format!(
                "{:+.1}% {}..{}",
                (s.ratio - 1.0) * 100.0,
                s.before_commit,
                s.after_commit
            );
            text(
                root,
                &label,
                (top.0 + 6, top.1 + 12),
                13,
                colour,
                HPos::Left,
            )?;
        }
        for (p, &px) in t.points.iter().zip(&xs) {
            if let Some([a, b]) = p.ci_s {
                let (pa, pb) = (map(px, a * k), map(px, b * k));
                line(root, &[pa, pb], POINT, 1, false)?;
            }
            marker(root, map(px, p.value_s * k), Marker::Circle, POINT, true)?;
        }
        if t.points.is_empty() {
            text(
                root,
                "no run measured this cell",
                (120, 120),
                15,
                BLACK,
                HPos::Left,
            )?;
        }
        legend::draw(root, &self.entries)
    }
}

/// An axis of run numbers with whole ticks.
fn run_axis(first: f64, last: f64) -> Scale {
    let (lo, hi) = (first - 0.6, last.max(first + 1.0) + 0.6);
    match linear_axis(lo, hi) {
        Scale::Linear { ticks, .. } => Scale::Linear {
            lo,
            hi,
            ticks: ticks
                .into_iter()
                .filter(|t| (t - t.round()).abs() < 1e-9)
                .collect(),
        },
        other => other,
    }
}

/// Draws the trend of one cell; `stem` names its files.
pub fn draw(trend: &CellTrend, stem: &str) -> Result<Chart, Error> {
    let entries = vec![
        Entry::new(
            "a run: the geometric mean of its rounds' medians, 95 % interval",
            (POINT, Marker::Circle),
        ),
        Entry::new(
            "level between change points; band: 95 % prediction interval of one more run",
            (CENTRE, Marker::Square),
        ),
        Entry::new(
            "change point, slower (commits before..after)",
            (WORSE, Marker::Cross),
        ),
        Entry::new("change point, faster", (BETTER, Marker::Cross)),
    ];
    let fig = TrendFigure {
        trend,
        unit: unit_of(trend.centre_s()),
        entries,
    };
    render(stem, &format!("History of {}", trend.name), &fig)
}
