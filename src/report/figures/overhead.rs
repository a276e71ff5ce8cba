//! Dispatch overhead per task (from the noop workload) and the break-even task duration above
//! which parallel work pays, per strategy over the worker counts.

use crate::error::Error;
use crate::plot::axes::{log_axis, workers_axis};
use crate::plot::draw::series;
use crate::plot::layout::{self, Axes, PANEL_H, panel};
use crate::plot::legend::{self, Entry};
use crate::plot::style::Palette;
use crate::plot::{Area, Chart, DrawResult, DrawingBackend, Figure, Px, render};
use crate::report::scaling::{OverheadPoint, OverheadSeries};
use crate::units;

struct OverheadFigure<'a> {
    series: &'a [OverheadSeries],
    palette: &'a Palette,
    entries: Vec<Entry>,
}

/// What a panel shows of a point.
type Pick = fn(&OverheadPoint) -> Option<f64>;

/// Each panel's caption, value axis and value.
const PANELS: [(&str, &str, Pick); 2] = [
    ("overhead per task o", "µs per task (log)", |p| {
        Some(p.us_per_task)
    }),
    (
        "break-even: parallel wins above t = o·p/(p−1)",
        "task duration, µs (log)",
        |p| p.break_even_us,
    ),
];

impl Figure for OverheadFigure<'_> {
    fn size(&self) -> (u32, u32) {
        layout::size(1300, PANEL_H, &self.entries)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult {
        let title = "Dispatch overhead per task (noop) and the break-even task duration";
        let panels = layout::body(root, title, &self.entries)?.split_evenly((1, 2));
        let workers: Vec<usize> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.workers))
            .collect();
        let x = workers_axis(if workers.is_empty() { &[1] } else { &workers });
        for ((caption, y_desc, pick), area) in PANELS.iter().zip(panels.iter()) {
            let values: Vec<f64> = self
                .series
                .iter()
                .flat_map(|s| s.points.iter().filter_map(pick))
                .collect();
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(0.0f64, f64::max);
            let (lo, hi) = if values.is_empty() {
                (0.1, 10.0)
            } else {
                (lo, hi)
            };
            let axes = Axes {
                caption,
                x: x.clone(),
                x_desc: "workers",
                y: log_axis(lo / 1.5, hi * 1.5, false),
                y_desc,
                y_format: units::tick,
            };
            let map = panel(area, &axes)?;
            for s in self.series {
                let pts: Vec<Px> = s
                    .points
                    .iter()
                    .filter_map(|p| Some(map(p.workers as f64, pick(p)?)))
                    .collect();
                series(root, &pts, self.palette.look(&s.label))?;
            }
        }
        legend::draw(root, &self.entries)
    }
}

/// The overhead chart. `stem` is its file name.
pub fn chart(series: &[OverheadSeries], palette: &Palette, stem: &str) -> Result<Chart, Error> {
    let entries = series
        .iter()
        .map(|s| Entry::series(&s.label, palette))
        .collect();
    let fig = OverheadFigure {
        series,
        palette,
        entries,
    };
    render(
        stem,
        "Dispatch overhead per task and break-even task duration",
        &fig,
    )
}
