//! The comparison chart: one row per compared cell with its ratio and 95 % interval, coloured by
//! verdict, over the band of changes too small to count.

use super::verdict::Verdict;
use super::{Comparison, Metric};
use crate::error::Error;
use crate::plot::axes::log_axis;
use crate::plot::draw::{line, marker, rect};
use crate::plot::layout::{self, rows_panel};
use crate::plot::legend::{self, Entry};
use crate::plot::style::{GUIDE, Marker, RGBColor};
use crate::plot::{Area, Chart, DrawResult, DrawingBackend, Figure, render};

/// One compared cell.
struct RatioRow {
    label: String,
    /// > 1 is worse.
    ratio: f64,
    ci: [f64; 2],
    regression: bool,
    improvement: bool,
    inconclusive: bool,
}

const WORSE: RGBColor = RGBColor(214, 39, 40);
const BETTER: RGBColor = RGBColor(44, 160, 44);
const SAME: RGBColor = RGBColor(31, 119, 180);
const UNSURE: RGBColor = RGBColor(255, 127, 14);
const BAND: RGBColor = RGBColor(238, 238, 238);
const ROW_H: u32 = 22;

struct ComparisonFigure<'a> {
    rows: &'a [RatioRow],
    threshold: f64,
    x_desc: &'a str,
    entries: Vec<Entry>,
}

impl Figure for ComparisonFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = (self.rows.len() as u32 * ROW_H).max(6 * ROW_H);
        layout::size(1200, rows + 80, &self.entries)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult {
        let title = "Current against baseline, per cell (ratio > 1 is worse)";
        let area = layout::body(root, title, &self.entries)?;
        let (hi_band, lo_band) = (1.0 + self.threshold, 1.0 / (1.0 + self.threshold));
        let (mut lo, mut hi) = (lo_band, hi_band);
        for r in self.rows {
            for v in [r.ratio, r.ci[0], r.ci[1]] {
                if v.is_finite() && v > 0.0 {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        let x = log_axis(lo / 1.1, hi * 1.1, false);
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let rows = rows_panel(&area, &x, self.x_desc, &labels, 13)?;
        // The band where a change is too small to count, whatever the test says.
        rect(root, rows.across(lo_band)[1], rows.across(hi_band)[0], BAND)?;
        line(root, &rows.across(1.0), GUIDE, 2, true)?;
        for (i, r) in self.rows.iter().enumerate() {
            let colour = if r.regression {
                WORSE
            } else if r.improvement {
                BETTER
            } else if r.inconclusive {
                UNSURE
            } else {
                SAME
            };
            let (pl, ph) = (rows.at(x.clamp(r.ci[0]), i), rows.at(x.clamp(r.ci[1]), i));
            line(root, &[pl, ph], colour, 2, false)?;
            for end in [pl, ph] {
                line(
                    root,
                    &[(end.0, end.1 - 5), (end.0, end.1 + 5)],
                    colour,
                    2,
                    false,
                )?;
            }
            marker(
                root,
                rows.at(x.clamp(r.ratio), i),
                Marker::Circle,
                colour,
                true,
            )?;
        }
        legend::draw(root, &self.entries)
    }
}

/// The comparison chart of `cmp`: cells with a ratio and an interval (one-round cells have
/// no interval and are left out),
/// regressions first, then improvements, then the rest from worst to best ratio. `stem` is its
/// file name.
pub fn draw(cmp: &Comparison, stem: &str) -> Result<Chart, Error> {
    let mut rows: Vec<RatioRow> = cmp
        .cells
        .iter()
        .filter_map(|c| {
            Some(RatioRow {
                label: c.label(),
                ratio: c.ratio?,
                ci: c.ci95?,
                regression: c.verdict == Verdict::Regression,
                improvement: c.verdict == Verdict::Improvement,
                inconclusive: c.verdict == Verdict::Inconclusive,
            })
        })
        .collect();
    let rank = |r: &RatioRow| match (r.regression, r.improvement) {
        (true, _) => 0,
        (_, true) => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| rank(a).cmp(&rank(b)).then(b.ratio.total_cmp(&a.ratio)));
    let x_desc = match cmp.metric {
        Metric::Time => "current / baseline median time (log; > 1 is slower)",
        Metric::Speedup => "baseline / current speedup (log; > 1 scales worse)",
    };
    let threshold = cmp.threshold_pct / 100.0;
    let entries = vec![
        Entry::new("regression", (WORSE, Marker::Circle)),
        Entry::new("improvement", (BETTER, Marker::Circle)),
        Entry::new("unchanged", (SAME, Marker::Circle)),
        Entry::new("inconclusive", (UNSURE, Marker::Circle)),
        Entry::guide(
            &format!(
                "ratio 1; grey band: within ±{:.1} % (threshold)",
                threshold * 100.0
            ),
            true,
        ),
    ];
    let fig = ComparisonFigure {
        rows: &rows,
        threshold,
        x_desc,
        entries,
    };
    render(stem, "Current against baseline, per cell", &fig)
}
