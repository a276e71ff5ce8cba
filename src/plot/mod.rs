//! A small plotting kit: every chart is drawn twice from one description, as SVG text (inlined
//! into report.html) and as PNG.
//!
//! Axes and grids come from plotters; series, whiskers, markers and legends are drawn in pixel
//! space through the chart's own coordinate mapping, so that every figure shares one set of
//! drawing helpers whatever its axis types, and legends sit in a strip of their own where they
//! can never cover data. The figures themselves live with what they show (`report/figures/`,
//! `compare/chart.rs`); see docs/ARCHITECTURE.md.
//!
//! - [`style`]: colours, markers, the palette that gives each series label one look
//! - [`draw`]: pixel-space lines, markers and text
//! - [`axes`]: log, linear and worker-count scales with explicit ticks
//! - [`legend`]: legend entries wrapped into rows
//! - [`layout`]: titles, panels with a grid, panels of labelled rows

pub mod axes;
pub mod draw;
pub mod layout;
pub mod legend;
pub mod style;

use crate::error::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::OnceLock;

// Figures name these through the kit, so that only the kit knows plotters' module paths.
pub use plotters::prelude::DrawingBackend;

/// The whole canvas, or a part of it split off, in pixels from its top-left corner.
pub type Area<DB> = DrawingArea<DB, Shift>;

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

/// A point in pixels.
pub type Px = (i32, i32);
/// Drawing fails with the backend's message; [`render`] names the chart around it.
pub type DrawResult = Result<(), String>;

pub(crate) fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What a chart draws, for any backend.
pub trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult;
}

/// Draws `fig` as SVG and as PNG; `stem` names the chart's files and its errors.
pub fn render(stem: &str, title: &str, fig: &impl Figure) -> Result<Chart, Error> {
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
        // Charts are flat colour and text: the strongest setting halves them for a few
        // milliseconds each, and reports hold hundreds.
        enc.set_compression(png::Compression::Best);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
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

/// The width of `text` in pixels at `size`.
pub fn text_width(text: &str, size: u32) -> i32 {
    (FAMILY, size)
        .into_font()
        .box_size(text)
        .map(|(w, _)| w as i32)
        // Only reached if the font failed to register, which render() rules out first.
        .unwrap_or(text.chars().count() as i32 * size as i32 * 3 / 5)
}
