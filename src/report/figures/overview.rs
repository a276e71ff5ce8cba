//! The overview: one row per workload with its best strategy's speedup at the largest worker
//! count, its 95 % interval, and a tick at the ideal (= workers).

use crate::error::Error;
use crate::plot::axes::log_axis;
use crate::plot::draw::{HPos, line, marker, text};
use crate::plot::layout::{self, rows_panel};
use crate::plot::legend::{self, Entry};
use crate::plot::style::{BLACK, GUIDE, Palette};
use crate::plot::{Area, Chart, DrawResult, DrawingBackend, Figure, render};
use crate::report::scaling::Best;
use crate::units;

const TITLE: &str = "Best strategy per workload at its largest worker count";
const ROW_H: u32 = 30;

struct OverviewFigure<'a> {
    best: &'a [Best],
    palette: &'a Palette,
    entries: Vec<Entry>,
    labels: Vec<String>,
}

impl Figure for OverviewFigure<'_> {
    fn size(&self) -> (u32, u32) {
        // A floor, so that a report of one or two workloads still has a readable plot.
        let rows = (self.best.len() as u32 * ROW_H).max(6 * ROW_H);
        layout::size(1200, rows + 80, &self.entries)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult {
        let area = layout::body(root, TITLE, &self.entries)?;
        let (mut lo, mut hi) = (1.0f64, 1.0f64);
        for b in self.best {
            for v in [b.point.speedup, b.point.speedup_lo(), b.point.speedup_hi()]
                .into_iter()
                .flatten()
                .chain([b.point.workers as f64])
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        // Room on the right for the value labels.
        let x = log_axis(lo / 1.5, hi * 3.0, true);
        let rows = rows_panel(&area, &x, "speedup against serial (log)", &self.labels, 14)?;
        line(root, &rows.across(1.0), GUIDE, 2, true)?;
        for (i, b) in self.best.iter().enumerate() {
            let (colour, m) = self.palette.look(&b.label);
            let s = b.point.speedup.unwrap_or(1.0);
            line(root, &[rows.at(1.0, i), rows.at(s, i)], colour, 3, false)?;
            if let Some([l, h]) = b.point.speedup_ci {
                line(root, &[rows.at(l, i), rows.at(h, i)], colour, 1, false)?;
            }
            let ideal = rows.at(b.point.workers as f64, i);
            line(
                root,
                &[(ideal.0, ideal.1 - 9), (ideal.0, ideal.1 + 9)],
                GUIDE,
                2,
                false,
            )?;
            marker(root, rows.at(s, i), m, colour, true)?;
            let right = s
                .max(b.point.speedup_hi().unwrap_or(s))
                .max(b.point.workers as f64);
            let right = rows.at(right, i);
            let label = units::speedup(s);
            text(root, &label, (right.0 + 12, right.1), 14, BLACK, HPos::Left)?;
        }
        legend::draw(root, &self.entries)
    }
}

/// The overview chart. `stem` is its file name.
pub fn chart(best: &[Best], palette: &Palette, stem: &str) -> Result<Chart, Error> {
    let mut seen: Vec<&str> = Vec::new();
    for b in best {
        if !seen.contains(&b.label.as_str()) {
            seen.push(&b.label);
        }
    }
    let mut entries: Vec<Entry> = seen.iter().map(|l| Entry::series(l, palette)).collect();
    entries.push(Entry::guide("speedup 1 (serial)", true));
    entries.push(Entry::guide("tick: ideal (= workers)", false));
    let labels = best
        .iter()
        .map(|b| format!("{} · {}, {} workers", b.workload, b.label, b.point.workers))
        .collect();
    let fig = OverviewFigure {
        best,
        palette,
        entries,
        labels,
    };
    render(stem, TITLE, &fig)
}
