//! The chart of one workload, three panels side by side: speedup against serial with its 95 %
//! interval, efficiency, and the serial fraction (Karp–Flatt per point, Amdahl's fit).

use crate::error::Error;
use crate::plot::axes::{Scale, dodge, linear_axis, log_axis, workers_axis};
use crate::plot::draw::{line, marker, series};
use crate::plot::layout::{self, Axes, PANEL_H, panel};
use crate::plot::legend::{self, Entry};
use crate::plot::style::{GUIDE, Marker, Palette, RGBColor};
use crate::plot::{Area, Chart, DrawResult, DrawingBackend, Figure, Px, render};
use crate::report::scaling::{Point, Series, WorkloadScaling};
use crate::units;

struct WorkloadFigure<'a> {
    w: &'a WorkloadScaling,
    palette: &'a Palette,
    entries: Vec<Entry>,
}

/// The serial-fraction axis never reaches past these: slowdowns give Karp–Flatt values in the
/// hundreds, which would flatten everything else.
const KF_LO: f64 = -0.5;
const KF_HI: f64 = 1.5;

impl<'a> WorkloadFigure<'a> {
    fn new(w: &'a WorkloadScaling, palette: &'a Palette) -> Self {
        let mut entries: Vec<Entry> = w
            .series
            .iter()
            .filter(|s| s.trusted().next().is_some())
            .map(|s| Entry::series(&s.label, palette))
            .collect();
        entries.push(Entry::guide("ideal: speedup = workers", true));
        entries.push(Entry::guide("Amdahl fit (right panel, dashed)", true));
        let beyond = w
            .series
            .iter()
            .flat_map(|s| s.trusted())
            .any(|p| p.karp_flatt.is_some_and(|e| !(KF_LO..=KF_HI).contains(&e)));
        if beyond {
            entries.push(Entry::hollow("hollow: beyond the axis, drawn at its edge"));
        }
        WorkloadFigure {
            w,
            palette,
            entries,
        }
    }

    /// The series with at least one trusted point, each with its look and its dodge factor.
    fn drawn(&self) -> impl Iterator<Item = (&Series, (RGBColor, Marker), f64)> {
        let trusted = || {
            self.w
                .series
                .iter()
                .filter(|s| s.trusted().next().is_some())
        };
        let count = trusted().count();
        trusted()
            .enumerate()
            .map(move |(i, s)| (s, self.palette.look(&s.label), dodge(i, count)))
    }

    /// The trusted points of every drawn series.
    fn points(&self) -> impl Iterator<Item = &Point> {
        self.drawn().flat_map(|(s, _, _)| s.trusted())
    }

    /// Speedup, log-log: the ideal line is the diagonal.
    fn speedup<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        area: &Area<DB>,
        x: &Scale,
    ) -> DrawResult {
        let p_max = self.points().map(|p| p.workers).max().unwrap_or(1);
        let (mut lo, mut hi) = (1.0f64, p_max as f64);
        for p in self.points() {
            for v in [p.speedup_lo(), p.speedup_hi(), p.speedup]
                .into_iter()
                .flatten()
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let axes = Axes {
            caption: "speedup (95 % interval whiskers)",
            x: x.clone(),
            x_desc: "workers",
            y: log_axis(lo / 1.25, hi * 1.25, true),
            y_desc: "speedup (log)",
            y_format: units::tick,
        };
        let map = panel(area, &axes)?;
        let (x_lo, x_hi) = x.bounds();
        let ideal: Vec<Px> = (0..=40)
            .map(|i| x_lo * (x_hi / x_lo).powf(i as f64 / 40.0))
            .filter(|v| axes.y.contains(*v))
            .map(|v| map(v, v))
            .collect();
        line(root, &ideal, GUIDE, 2, true)?;
        for (s, (colour, m), k) in self.drawn() {
            let pts: Vec<Px> = s
                .trusted()
                .filter_map(|p| Some(map(p.workers as f64 * k, p.speedup?)))
                .collect();
            line(root, &pts, colour, 2, false)?;
            for p in s.trusted() {
                let xv = p.workers as f64 * k;
                if let Some([l, h]) = p.speedup_ci {
                    let (a, b) = (map(xv, l), map(xv, h));
                    line(root, &[a, b], colour, 1, false)?;
                    line(root, &[(a.0 - 4, a.1), (a.0 + 4, a.1)], colour, 1, false)?;
                    line(root, &[(b.0 - 4, b.1), (b.0 + 4, b.1)], colour, 1, false)?;
                }
            }
            for p in &pts {
                marker(root, *p, m, colour, true)?;
            }
        }
        Ok(())
    }

    /// Efficiency, linear, with the ideal at 100 %.
    fn efficiency<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        area: &Area<DB>,
        x: &Scale,
    ) -> DrawResult {
        let e_hi = self
            .points()
            .filter_map(|p| p.efficiency)
            .fold(1.1f64, f64::max)
            * 1.05;
        let axes = Axes {
            caption: "efficiency = speedup / workers",
            x: x.clone(),
            x_desc: "workers",
            y: linear_axis(0.0, e_hi),
            y_desc: "efficiency",
            y_format: |v| format!("{:.0}%", v * 100.0),
        };
        let map = panel(area, &axes)?;
        let (x_lo, x_hi) = x.bounds();
        line(root, &[map(x_lo, 1.0), map(x_hi, 1.0)], GUIDE, 2, true)?;
        for (s, look, k) in self.drawn() {
            let pts: Vec<Px> = s
                .trusted()
                .filter_map(|p| Some(map(p.workers as f64 * k, p.efficiency?)))
                .collect();
            series(root, &pts, look)?;
        }
        Ok(())
    }

    /// Serial fraction: Karp–Flatt per point, Amdahl's fitted f as a dashed level.
    fn serial_fraction<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        area: &Area<DB>,
        x: Scale,
    ) -> DrawResult {
        let mut f_lo = 0.0f64;
        let mut f_hi = 1.0f64;
        for s in self.w.series.iter() {
            for v in s.trusted().filter_map(|p| p.karp_flatt).chain(s.amdahl) {
                f_lo = f_lo.min(v);
                f_hi = f_hi.max(v);
            }
        }
        let axes = Axes {
            caption: "serial fraction: Karp–Flatt (markers), Amdahl fit",
            x,
            x_desc: "workers",
            y: linear_axis(f_lo.max(KF_LO) - 0.05, f_hi.min(KF_HI) + 0.05),
            y_desc: "serial fraction",
            y_format: |v| format!("{v:.2}"),
        };
        let map = panel(area, &axes)?;
        for (s, (colour, m), k) in self.drawn() {
            let kf: Vec<(f64, f64)> = s
                .trusted()
                .filter_map(|p| Some((p.workers as f64 * k, p.karp_flatt?)))
                .collect();
            if let (Some(f), Some(first), Some(last)) = (s.amdahl, kf.first(), kf.last()) {
                let y = axes.y.clamp(f);
                line(
                    root,
                    &[map(first.0 / 1.15, y), map(last.0 * 1.15, y)],
                    colour,
                    2,
                    true,
                )?;
            }
            for (xv, e) in kf {
                let inside = axes.y.contains(e);
                marker(root, map(xv, axes.y.clamp(e)), m, colour, inside)?;
            }
        }
        Ok(())
    }
}

impl Figure for WorkloadFigure<'_> {
    fn size(&self) -> (u32, u32) {
        layout::size(1500, PANEL_H, &self.entries)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult {
        let w = self.w;
        let baseline = w
            .serial_s
            .map(|s| format!(" (serial median {})", units::seconds(s)))
            .unwrap_or_default();
        let title = format!("{}: scaling against serial{baseline}", w.workload);
        let panels = layout::body(root, &title, &self.entries)?.split_evenly((1, 3));
        let mut workers: Vec<usize> = self.points().map(|p| p.workers).collect();
        if workers.is_empty() {
            workers.push(1);
        }
        let x = workers_axis(&workers);
        self.speedup(root, &panels[0], &x)?;
        self.efficiency(root, &panels[1], &x)?;
        self.serial_fraction(root, &panels[2], x)?;
        legend::draw(root, &self.entries)
    }
}

/// The chart of one workload. `stem` is its file name.
pub fn chart(w: &WorkloadScaling, palette: &Palette, stem: &str) -> Result<Chart, Error> {
    let fig = WorkloadFigure::new(w, palette);
    render(
        stem,
        &format!("{}: speedup, efficiency and serial fraction", w.workload),
        &fig,
    )
}
