//! Layout: a chart is a title strip, a body of panels and a legend strip; a panel is a captioned
//! grid over two axes, or labelled rows over one value axis.

use super::axes::{Scale, Ticked};
use super::draw::{HPos, text};
use super::legend::{self, Entry};
use super::style::{BLACK, GRID};
use super::{Area, DrawingBackend, FAMILY, Px, fail, text_width};
use crate::units;
use plotters::chart::ChartBuilder;

/// The height of the title strip.
pub const TITLE_H: u32 = 48;
/// The height of a row of panels with two axes.
pub const PANEL_H: u32 = 440;

/// The size of a chart `width` pixels wide whose body is `body` high.
pub fn size(width: u32, body: u32, legend: &[Entry]) -> (u32, u32) {
    (width, TITLE_H + body + legend::height(legend, width))
}

/// Draws the title and returns the body: the area between the title and the `legend` strip,
/// which [`legend::draw`] fills last.
pub fn body<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    legend: &[Entry],
) -> Result<Area<DB>, String> {
    let (w, h) = root.dim_in_pixel();
    text(root, title, (w as i32 / 2, 24), 22, BLACK, HPos::Center)?;
    let (_, rest) = root.split_vertically(TITLE_H);
    let (body, _) = rest.split_vertically(h - TITLE_H - legend::height(legend, w));
    Ok(body)
}

/// A panel with two axes.
pub struct Axes<'s> {
    pub caption: &'s str,
    pub x: Scale,
    pub x_desc: &'s str,
    pub y: Scale,
    pub y_desc: &'s str,
    pub y_format: fn(f64) -> String,
}

/// A value → pixel mapping.
pub type Map<'a> = Box<dyn Fn(f64, f64) -> Px + 'a>;

/// Draws a panel's caption, grid, ticks and axis labels and returns its value → pixel mapping.
pub fn panel<'a, DB: DrawingBackend + 'a>(
    area: &'a Area<DB>,
    axes: &Axes<'_>,
) -> Result<Map<'a>, String> {
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

/// The value → pixel mapping of a panel of rows.
pub struct Rows<'a> {
    map: Map<'a>,
    n: usize,
}

impl Rows<'_> {
    /// Value `x` on row `i`, counted from the top.
    pub fn at(&self, x: f64, i: usize) -> Px {
        (self.map)(x, (self.n - 1 - i) as f64)
    }

    /// The ends of a vertical line at value `x` across all rows: [bottom, top].
    pub fn across(&self, x: f64) -> [Px; 2] {
        [(self.map)(x, -0.6), (self.map)(x, self.n as f64 - 0.4)]
    }
}

/// A panel with one labelled row per entry (top row first) over a value axis `x`.
pub fn rows_panel<'a, DB: DrawingBackend + 'a>(
    area: &'a Area<DB>,
    x: &Scale,
    x_desc: &str,
    labels: &[String],
    font: u32,
) -> Result<Rows<'a>, String> {
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
    Ok(Rows {
        map: Box::new(move |x: f64, y: f64| chart.backend_coord(&(x, y))),
        n,
    })
}
