//! Charts, each drawn twice from one description: SVG text (inlined into report.html) and PNG.
//!
//! Axes and grids come from plotters; series, whiskers, markers and legends are drawn in pixel
//! space through the chart's own coordinate mapping, so that every chart shares one set of
//! drawing helpers whatever its axis types, and legends sit in a strip of their own where they
//! can never cover data.

use super::scaling::{Best, OverheadSeries, Series, WorkloadScaling};
use super::units;
use crate::error::Error;
use plotters::coord::Shift;
use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Bundled so that charts look the same everywhere and need no system font packages.
static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family every text style names; the bundled font is registered under it.
const FAMILY: &str = "sans-serif";

/// Registers the bundled font with plotters. Every process that draws with plotters (criterion's
/// own plots included, since cargo unifies plotters' features) must call it first.
pub fn register_font() -> Result<(), Error> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Internal(
            "the bundled chart font does not parse".into(),
        ))
    }
}

/// One chart in both formats.
pub struct Chart {
    /// File name without extension.
    pub stem: String,
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

type Px = (i32, i32);
type DrawResult = Result<(), String>;

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What a chart draws, for any backend.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

fn render(stem: &str, title: &str, fig: &impl Figure) -> Result<Chart, Error> {
    register_font()?;
    let (w, h) = fig.size();
    let bad = |e: String| Error::output(None, format!("chart {stem}"), e);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(fail).map_err(bad)?;
        fig.draw(&root).map_err(bad)?;
        root.present().map_err(fail).map_err(bad)?;
    }
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(fail).map_err(bad)?;
        fig.draw(&root).map_err(bad)?;
        root.present().map_err(fail).map_err(bad)?;
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(fail).map_err(bad)?;
        writer.write_image_data(&rgb).map_err(fail).map_err(bad)?;
    }
    Ok(Chart {
        stem: stem.to_string(),
        title: title.to_string(),
        svg,
        png,
    })
}

// ---------------------------------------------------------------------------------------------
// Colours, markers, legends

#[derive(Clone, Copy, Debug, PartialEq)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    TriangleDown,
    Cross,
}

/// One shape per strategy DESIGN.md names, so lines stay apart in greyscale too.
const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
];

/// Tableau 10: distinguishable, and still apart in greyscale with the markers.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
];
const SERIAL: RGBColor = RGBColor(0, 0, 0);
const GUIDE: RGBColor = RGBColor(150, 150, 150);
const GRID: RGBColor = RGBColor(228, 228, 228);

/// The strategies DESIGN.md names keep the same colour in every report; other series (new
/// strategies, chunk variants) take the free colours in order of appearance.
const KNOWN: [&str; 6] = ["scoped", "pool", "process", "blas", "gil", "mpi"];

/// A stable look per series label across all charts of a report.
pub struct Palette {
    slots: BTreeMap<String, usize>,
}

impl Palette {
    pub fn new<'a>(labels: impl IntoIterator<Item = &'a str>) -> Palette {
        let mut slots = BTreeMap::new();
        let mut next = KNOWN.len();
        for label in labels {
            if label == "serial" || slots.contains_key(label) {
                continue;
            }
            let slot = KNOWN.iter().position(|k| *k == label).unwrap_or_else(|| {
                next += 1;
                next - 1
            });
            slots.insert(label.to_string(), slot);
        }
        Palette { slots }
    }

    fn look(&self, label: &str) -> (RGBColor, Marker) {
        match self.slots.get(label) {
            None if label == "serial" => (SERIAL, Marker::Square),
            None => (COLOURS[COLOURS.len() - 1], Marker::Circle),
            // Past ten series the colours repeat, with the next marker shape.
            Some(&i) => (
                COLOURS[i % COLOURS.len()],
                MARKERS[(i + i / COLOURS.len()) % MARKERS.len()],
            ),
        }
    }
}

struct Entry {
    label: String,
    colour: RGBColor,
    marker: Option<Marker>,
    hollow: bool,
    dashed: bool,
}

impl Entry {
    fn series(label: &str, palette: &Palette) -> Entry {
        let (colour, marker) = palette.look(label);
        Entry {
            label: label.to_string(),
            colour,
            marker: Some(marker),
            hollow: false,
            dashed: false,
        }
    }

    fn guide(label: &str, dashed: bool) -> Entry {
        Entry {
            label: label.to_string(),
            colour: GUIDE,
            marker: None,
            hollow: false,
            dashed,
        }
    }
}

const LEGEND_FONT: u32 = 15;
const LEGEND_ROW: i32 = 26;
const SWATCH: i32 = 34;

fn text_width(text: &str, size: u32) -> i32 {
    (FAMILY, size)
        .into_font()
        .box_size(text)
        .map(|(w, _)| w as i32)
        // Only reached if the font failed to register, which render() rules out first.
        .unwrap_or(text.chars().count() as i32 * size as i32 * 3 / 5)
}

/// Positions of the legend entries, wrapped into rows of `width` pixels.
fn legend_layout(entries: &[Entry], width: i32) -> Vec<(i32, i32)> {
    let (mut x, mut y) = (20, 0);
    let mut out = Vec::new();
    for e in entries {
        let w = SWATCH + 8 + text_width(&e.label, LEGEND_FONT) + 26;
        if x + w > width - 10 && x > 20 {
            x = 20;
            y += LEGEND_ROW;
        }
        out.push((x, y));
        x += w;
    }
    out
}

fn legend_height(entries: &[Entry], width: u32) -> u32 {
    let rows = legend_layout(entries, width as i32)
        .last()
        .map_or(0, |(_, y)| y / LEGEND_ROW + 1);
    (rows * LEGEND_ROW + 16) as u32
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    top: i32,
    entries: &[Entry],
) -> DrawResult {
    let width = root.dim_in_pixel().0 as i32;
    for (e, (x, y)) in entries.iter().zip(legend_layout(entries, width)) {
        let mid = top + y + LEGEND_ROW / 2;
        if !e.hollow {
            line(root, &[(x, mid), (x + SWATCH, mid)], e.colour, 2, e.dashed)?;
        }
        if let Some(m) = e.marker {
            marker(root, (x + SWATCH / 2, mid), m, e.colour, !e.hollow)?;
        }
        text(
            root,
            &e.label,
            (x + SWATCH + 8, mid),
            LEGEND_FONT,
            BLACK,
            HPos::Left,
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pixel-space primitives

fn line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[Px],
    colour: RGBColor,
    width: u32,
    dashed: bool,
) -> DrawResult {
    if pts.len() < 2 {
        return Ok(());
    }
    let style = colour.stroke_width(width);
    if dashed {
        root.draw(&DashedPathElement::new(pts.to_vec(), 7, 5, style))
            .map_err(fail)
    } else {
        root.draw(&PathElement::new(pts.to_vec(), style))
            .map_err(fail)
    }
}

fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): Px,
    m: Marker,
    colour: RGBColor,
    filled: bool,
) -> DrawResult {
    let r = 5;
    let outline: Vec<Px> = match m {
        Marker::Circle => {
            return if filled {
                root.draw(&Circle::new((x, y), r, colour.filled()))
            } else {
                root.draw(&Circle::new((x, y), r, WHITE.filled()))
                    .and_then(|_| root.draw(&Circle::new((x, y), r, colour.stroke_width(2))))
            }
            .map_err(fail);
        }
        Marker::Cross => {
            let w = if filled { 3 } else { 2 };
            line(root, &[(x - r, y - r), (x + r, y + r)], colour, w, false)?;
            return line(root, &[(x - r, y + r), (x + r, y - r)], colour, w, false);
        }
        Marker::Square => vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ],
        Marker::Triangle => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
        Marker::TriangleDown => vec![(x, y + r + 1), (x + r + 1, y - r), (x - r - 1, y - r)],
        Marker::Diamond => vec![
            (x, y - r - 1),
            (x + r + 1, y),
            (x, y + r + 1),
            (x - r - 1, y),
        ],
    };
    // Hollow markers get a white core so that a line behind them does not show through.
    let fill = if filled { colour } else { WHITE };
    root.draw(&Polygon::new(outline.clone(), fill.filled()))
        .map_err(fail)?;
    if !filled {
        let mut closed = outline.clone();
        closed.push(outline[0]);
        line(root, &closed, colour, 2, false)?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum HPos {
    Left,
    Center,
}

fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    at: Px,
    size: u32,
    colour: RGBColor,
    h: HPos,
) -> DrawResult {
    let h = match h {
        HPos::Left => plotters::style::text_anchor::HPos::Left,
        HPos::Center => plotters::style::text_anchor::HPos::Center,
    };
    let style = TextStyle::from((FAMILY, size).into_font())
        .color(&colour)
        .pos(plotters::style::text_anchor::Pos::new(
            h,
            plotters::style::text_anchor::VPos::Center,
        ));
    root.draw(&Text::new(s.to_string(), at, style))
        .map_err(fail)
}

// ---------------------------------------------------------------------------------------------
// Axes

/// An axis: logarithmic, or linear, with explicit tick positions so labels never crowd.
#[derive(Clone, Debug)]
enum Scale {
    Log { lo: f64, hi: f64, ticks: Vec<f64> },
    Linear { lo: f64, hi: f64, ticks: Vec<f64> },
}

impl Scale {
    fn contains(&self, v: f64) -> bool {
        let (lo, hi) = match self {
            Scale::Log { lo, hi, .. } | Scale::Linear { lo, hi, .. } => (*lo, *hi),
        };
        v >= lo && v <= hi
    }

    fn clamp(&self, v: f64) -> f64 {
        match self {
            Scale::Log { lo, hi, .. } | Scale::Linear { lo, hi, .. } => v.clamp(*lo, *hi),
        }
    }
}

/// An axis whose ticks are exactly the scale's. plotters' `WithKeyPoints` does the same but
/// then refuses label formatters, so this carries plotters' default-formatting marker instead.
struct Ticked {
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
fn workers_axis(workers: &[usize]) -> Scale {
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
fn log_axis(lo: f64, hi: f64, pow2: bool) -> Scale {
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

fn linear_axis(lo: f64, hi: f64) -> Scale {
    let span = (hi - lo).max(1e-12);
    let step = [
        0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
    ]
    .into_iter()
    .find(|s| span / s <= 8.0)
    .unwrap_or(span / 8.0);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let ticks = (first..=last).map(|i| i as f64 * step).collect();
    Scale::Linear { lo, hi, ticks }
}

struct Axes<'s> {
    caption: &'s str,
    x: Scale,
    x_desc: &'s str,
    y: Scale,
    y_desc: &'s str,
    y_format: fn(f64) -> String,
}

/// Draws a panel's caption, grid, ticks and axis labels and returns its value → pixel mapping.
fn panel<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    axes: &Axes<'_>,
) -> Result<Box<dyn Fn(f64, f64) -> Px + 'a>, String> {
    let y_format = axes.y_format;
    let mut chart = ChartBuilder::on(area)
        .caption(axes.caption, (FAMILY, 18))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(Ticked::from(&axes.x), Ticked::from(&axes.y))
        .map_err(fail)?;
    chart
        .configure_mesh()
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .x_label_formatter(&|v| units::tick(*v))
        .y_label_formatter(&|v| y_format(*v))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .bold_line_style(GRID)
        .draw()
        .map_err(fail)?;
    Ok(Box::new(move |x: f64, y: f64| chart.backend_coord(&(x, y))))
}

/// A panel with one labelled row per entry (top row first) over a value axis `x`; returns the
/// value → pixel mapping, rows at y = n − 1 − i.
fn rows_panel<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Scale,
    x_desc: &str,
    labels: &[String],
    font: u32,
) -> Result<Box<dyn Fn(f64, f64) -> Px + 'a>, String> {
    let n = labels.len().max(1);
    let label_w = labels
        .iter()
        .map(|l| text_width(l, font))
        .max()
        .unwrap_or(100)
        + 24;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(label_w as u32)
        .build_cartesian_2d(
            Ticked::from(x),
            Ticked::from(&Scale::Linear {
                lo: -0.6,
                hi: n as f64 - 0.4,
                ticks: (0..n).map(|i| i as f64).collect(),
            }),
        )
        .map_err(fail)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .x_label_formatter(&|v| units::tick(*v))
        .y_label_formatter(&|v| {
            let i = v.round() as usize;
            labels
                .get(n.saturating_sub(1 + i))
                .cloned()
                .unwrap_or_default()
        })
        .label_style((FAMILY, font))
        .axis_desc_style((FAMILY, 15))
        .bold_line_style(GRID)
        .draw()
        .map_err(fail)?;
    Ok(Box::new(move |x: f64, y: f64| chart.backend_coord(&(x, y))))
}

fn title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str) -> DrawResult {
    let w = root.dim_in_pixel().0 as i32;
    text(root, s, (w / 2, 24), 22, BLACK, HPos::Center)
}

/// Spreads series sharing an x position a little apart on a log2 axis, so that their
/// whiskers stay distinguishable.
fn dodge(index: usize, count: usize) -> f64 {
    let offset = index as f64 - (count as f64 - 1.0) / 2.0;
    2f64.powf(0.04 * offset)
}

// ---------------------------------------------------------------------------------------------
// Per-workload chart: speedup | efficiency | serial fraction

struct WorkloadFigure<'a> {
    w: &'a WorkloadScaling,
    palette: &'a Palette,
    entries: Vec<Entry>,
}

const PANEL_H: u32 = 440;
/// The serial-fraction axis never reaches past these: slowdowns give Karp–Flatt values in the
/// hundreds, which would flatten everything else.
const KF_LO: f64 = -0.5;
const KF_HI: f64 = 1.5;
const TITLE_H: u32 = 48;

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
            entries.push(Entry {
                label: "hollow: beyond the axis, drawn at its edge".into(),
                colour: GUIDE,
                marker: Some(Marker::Circle),
                hollow: true,
                dashed: false,
            });
        }
        WorkloadFigure {
            w,
            palette,
            entries,
        }
    }

    fn width(&self) -> u32 {
        1500
    }

    fn trusted(&self) -> impl Iterator<Item = (usize, &Series)> {
        self.w
            .series
            .iter()
            .filter(|s| s.trusted().next().is_some())
            .enumerate()
    }
}

impl Figure for WorkloadFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = self.width();
        (w, TITLE_H + PANEL_H + legend_height(&self.entries, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let w = self.w;
        let baseline = w
            .serial_s
            .map(|s| format!(" (serial median {})", units::seconds(s)))
            .unwrap_or_default();
        title(
            root,
            &format!("{}: scaling against serial{baseline}", w.workload),
        )?;
        let (_, rest) = root.split_vertically(TITLE_H);
        let (panels, _) = rest.split_vertically(PANEL_H);
        let panels = panels.split_evenly((1, 3));
        let count = self.trusted().count();

        let points: Vec<_> = self.trusted().flat_map(|(_, s)| s.trusted()).collect();
        let mut workers: Vec<usize> = points.iter().map(|p| p.workers).collect();
        if workers.is_empty() {
            workers.push(1);
        }
        let x = workers_axis(&workers);
        let p_max = workers.iter().copied().max().unwrap_or(1) as f64;

        // Speedup, log-log: the ideal line is the diagonal.
        let (mut lo, mut hi) = (1.0f64, p_max);
        for p in &points {
            for v in [p.speedup_lo(), p.speedup_hi(), p.speedup]
                .into_iter()
                .flatten()
            {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        let speedup_axes = Axes {
            caption: "speedup (95 % interval whiskers)",
            x: x.clone(),
            x_desc: "workers",
            y: log_axis(lo / 1.25, hi * 1.25, true),
            y_desc: "speedup (log)",
            y_format: units::tick,
        };
        let map = panel(&panels[0], &speedup_axes)?;
        let (x_lo, x_hi) = match &x {
            Scale::Log { lo, hi, .. } | Scale::Linear { lo, hi, .. } => (*lo, *hi),
        };
        let ideal: Vec<Px> = (0..=40)
            .map(|i| x_lo * (x_hi / x_lo).powf(i as f64 / 40.0))
            .filter(|v| speedup_axes.y.contains(*v))
            .map(|v| map(v, v))
            .collect();
        line(root, &ideal, GUIDE, 2, true)?;
        for (i, s) in self.trusted() {
            let (colour, m) = self.palette.look(&s.label);
            let k = dodge(i, count);
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

        // Efficiency, linear.
        let e_hi = points
            .iter()
            .filter_map(|p| p.efficiency)
            .fold(1.1f64, f64::max)
            * 1.05;
        let eff_axes = Axes {
            caption: "efficiency = speedup / workers",
            x: x.clone(),
            x_desc: "workers",
            y: linear_axis(0.0, e_hi),
            y_desc: "efficiency",
            y_format: |v| format!("{:.0}%", v * 100.0),
        };
        let map = panel(&panels[1], &eff_axes)?;
        line(root, &[map(x_lo, 1.0), map(x_hi, 1.0)], GUIDE, 2, true)?;
        for (i, s) in self.trusted() {
            let (colour, m) = self.palette.look(&s.label);
            let k = dodge(i, count);
            let pts: Vec<Px> = s
                .trusted()
                .filter_map(|p| Some(map(p.workers as f64 * k, p.efficiency?)))
                .collect();
            line(root, &pts, colour, 2, false)?;
            for p in &pts {
                marker(root, *p, m, colour, true)?;
            }
        }

        // Serial fraction: Karp–Flatt per point, Amdahl's fitted f as a dashed level.
        let mut f_lo = 0.0f64;
        let mut f_hi = 1.0f64;
        for s in w.series.iter() {
            for v in s.trusted().filter_map(|p| p.karp_flatt).chain(s.amdahl) {
                f_lo = f_lo.min(v);
                f_hi = f_hi.max(v);
            }
        }
        let kf_axes = Axes {
            caption: "serial fraction: Karp–Flatt (markers), Amdahl fit",
            x,
            x_desc: "workers",
            y: linear_axis(f_lo.max(KF_LO) - 0.05, f_hi.min(KF_HI) + 0.05),
            y_desc: "serial fraction",
            y_format: |v| format!("{v:.2}"),
        };
        let map = panel(&panels[2], &kf_axes)?;
        for (i, s) in self.trusted() {
            let (colour, m) = self.palette.look(&s.label);
            let k = dodge(i, count);
            let kf: Vec<(f64, f64)> = s
                .trusted()
                .filter_map(|p| Some((p.workers as f64 * k, p.karp_flatt?)))
                .collect();
            if let (Some(f), Some(first), Some(last)) = (s.amdahl, kf.first(), kf.last()) {
                let y = kf_axes.y.clamp(f);
                line(
                    root,
                    &[map(first.0 / 1.15, y), map(last.0 * 1.15, y)],
                    colour,
                    2,
                    true,
                )?;
            }
            for (xv, e) in kf {
                let inside = kf_axes.y.contains(e);
                marker(root, map(xv, kf_axes.y.clamp(e)), m, colour, inside)?;
            }
        }
        draw_legend(root, (TITLE_H + PANEL_H) as i32, &self.entries)
    }
}

/// The chart of one workload. `stem` is its file name.
pub fn workload(w: &WorkloadScaling, palette: &Palette, stem: &str) -> Result<Chart, Error> {
    let fig = WorkloadFigure::new(w, palette);
    render(
        stem,
        &format!("{}: speedup, efficiency and serial fraction", w.workload),
        &fig,
    )
}

// ---------------------------------------------------------------------------------------------
// Overview: the best strategy per workload at its largest worker count

struct OverviewFigure<'a> {
    best: &'a [Best],
    palette: &'a Palette,
    entries: Vec<Entry>,
    labels: Vec<String>,
}

const ROW_H: u32 = 30;

impl Figure for OverviewFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = 1200;
        // A floor, so that a report of one or two workloads still has a readable plot.
        let rows = (self.best.len() as u32 * ROW_H).max(6 * ROW_H);
        (w, TITLE_H + rows + 80 + legend_height(&self.entries, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        title(
            root,
            "Best strategy per workload at its largest worker count",
        )?;
        let (w, h) = self.size();
        let legend_h = legend_height(&self.entries, w);
        let (_, rest) = root.split_vertically(TITLE_H);
        let (area, _) = rest.split_vertically(h - TITLE_H - legend_h);
        let n = self.best.len().max(1);
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
        let map = rows_panel(&area, &x, "speedup against serial (log)", &self.labels, 14)?;
        line(
            root,
            &[map(1.0, -0.6), map(1.0, n as f64 - 0.4)],
            GUIDE,
            2,
            true,
        )?;
        for (i, b) in self.best.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let (colour, m) = self.palette.look(&b.label);
            let s = b.point.speedup.unwrap_or(1.0);
            line(root, &[map(1.0, y), map(s, y)], colour, 3, false)?;
            if let Some([l, h]) = b.point.speedup_ci {
                line(root, &[map(l, y), map(h, y)], colour, 1, false)?;
            }
            let ideal = map(b.point.workers as f64, y);
            line(
                root,
                &[(ideal.0, ideal.1 - 9), (ideal.0, ideal.1 + 9)],
                GUIDE,
                2,
                false,
            )?;
            let at = map(s, y);
            marker(root, at, m, colour, true)?;
            let right = map(
                s.max(b.point.speedup_hi().unwrap_or(s))
                    .max(b.point.workers as f64),
                y,
            );
            text(
                root,
                &units::speedup(s),
                (right.0 + 12, right.1),
                14,
                BLACK,
                HPos::Left,
            )?;
        }
        draw_legend(root, (h - legend_h) as i32, &self.entries)
    }
}

pub fn overview(best: &[Best], palette: &Palette, stem: &str) -> Result<Chart, Error> {
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
    render(
        stem,
        "Best strategy per workload at its largest worker count",
        &fig,
    )
}

// ---------------------------------------------------------------------------------------------
// Dispatch overhead and break-even task duration

struct OverheadFigure<'a> {
    series: &'a [OverheadSeries],
    palette: &'a Palette,
    entries: Vec<Entry>,
}

impl Figure for OverheadFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = 1300;
        (w, TITLE_H + PANEL_H + legend_height(&self.entries, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        title(
            root,
            "Dispatch overhead per task (noop) and the break-even task duration",
        )?;
        let (_, rest) = root.split_vertically(TITLE_H);
        let (panels, _) = rest.split_vertically(PANEL_H);
        let panels = panels.split_evenly((1, 2));
        let workers: Vec<usize> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.workers))
            .collect();
        let x = workers_axis(if workers.is_empty() { &[1] } else { &workers });
        type Pick = fn(&super::scaling::OverheadPoint) -> Option<f64>;
        let picks: [(&str, &str, Pick); 2] = [
            ("overhead per task o", "µs per task (log)", |p| {
                Some(p.us_per_task)
            }),
            (
                "break-even: parallel wins above t = o·p/(p−1)",
                "task duration, µs (log)",
                |p| p.break_even_us,
            ),
        ];
        for ((caption, y_desc, pick), area) in picks.iter().zip(panels.iter()) {
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
                let (colour, m) = self.palette.look(&s.label);
                let pts: Vec<Px> = s
                    .points
                    .iter()
                    .filter_map(|p| Some(map(p.workers as f64, pick(p)?)))
                    .collect();
                line(root, &pts, colour, 2, false)?;
                for p in &pts {
                    marker(root, *p, m, colour, true)?;
                }
            }
        }
        draw_legend(root, (TITLE_H + PANEL_H) as i32, &self.entries)
    }
}

pub fn overhead(series: &[OverheadSeries], palette: &Palette, stem: &str) -> Result<Chart, Error> {
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

// ---------------------------------------------------------------------------------------------
// Comparison of two runs: one row per cell, its ratio with the 95 % interval, threshold band

/// One compared cell of `parbench compare`.
pub struct RatioRow {
    pub label: String,
    /// > 1 is worse.
    pub ratio: f64,
    pub ci: [f64; 2],
    pub regression: bool,
    pub improvement: bool,
}

const WORSE: RGBColor = RGBColor(214, 39, 40);
const BETTER: RGBColor = RGBColor(44, 160, 44);
const SAME: RGBColor = RGBColor(31, 119, 180);
const BAND: RGBColor = RGBColor(238, 238, 238);

struct ComparisonFigure<'a> {
    rows: &'a [RatioRow],
    threshold: f64,
    x_desc: &'a str,
    entries: Vec<Entry>,
}

impl Figure for ComparisonFigure<'_> {
    fn size(&self) -> (u32, u32) {
        let w = 1200;
        let rows = (self.rows.len() as u32 * 22).max(6 * 22);
        (w, TITLE_H + rows + 80 + legend_height(&self.entries, w))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        title(
            root,
            "Current against baseline, per cell (ratio > 1 is worse)",
        )?;
        let (w, h) = self.size();
        let legend_h = legend_height(&self.entries, w);
        let (_, rest) = root.split_vertically(TITLE_H);
        let (area, _) = rest.split_vertically(h - TITLE_H - legend_h);
        let n = self.rows.len().max(1);
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
        let map = rows_panel(&area, &x, self.x_desc, &labels, 13)?;
        // The band where a change is too small to count, whatever the test says.
        let (a, b) = (map(lo_band, n as f64 - 0.4), map(hi_band, -0.6));
        root.draw(&Rectangle::new([a, b], BAND.filled()))
            .map_err(fail)?;
        line(
            root,
            &[map(1.0, -0.6), map(1.0, n as f64 - 0.4)],
            GUIDE,
            2,
            true,
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let colour = if r.regression {
                WORSE
            } else if r.improvement {
                BETTER
            } else {
                SAME
            };
            let (l, h) = (x.clamp(r.ci[0]), x.clamp(r.ci[1]));
            let (pl, ph) = (map(l, y), map(h, y));
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
            marker(root, map(x.clamp(r.ratio), y), Marker::Circle, colour, true)?;
        }
        draw_legend(root, (h - legend_h) as i32, &self.entries)
    }
}

/// The comparison chart: every compared cell's ratio and 95 % interval, coloured by verdict,
/// over the threshold band.
pub fn comparison(
    rows: &[RatioRow],
    threshold: f64,
    x_desc: &str,
    stem: &str,
) -> Result<Chart, Error> {
    let swatch = |label: &str, colour: RGBColor| Entry {
        label: label.to_string(),
        colour,
        marker: Some(Marker::Circle),
        hollow: false,
        dashed: false,
    };
    let entries = vec![
        swatch("regression", WORSE),
        swatch("improvement", BETTER),
        swatch("unchanged", SAME),
        Entry::guide(
            &format!(
                "ratio 1; grey band: within ±{:.1} % (threshold)",
                threshold * 100.0
            ),
            true,
        ),
    ];
    let fig = ComparisonFigure {
        rows,
        threshold,
        x_desc,
        entries,
    };
    render(stem, "Current against baseline, per cell", &fig)
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

    #[test]
    fn known_strategies_keep_their_colour_whatever_the_order() {
        let a = Palette::new(["pool", "scoped", "weird"]);
        let b = Palette::new(["weird", "scoped", "pool"]);
        assert_eq!(a.look("pool"), b.look("pool"));
        assert_eq!(a.look("scoped"), b.look("scoped"));
        assert_ne!(a.look("pool").0, a.look("weird").0);
    }
}
