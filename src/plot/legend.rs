//! Legends: one entry per series or guide, wrapped into rows in a strip below the panels, where
//! they can never cover data.

use super::draw::{HPos, line, marker, text};
use super::style::{BLACK, GUIDE, Marker, Palette, RGBColor};
use super::{Area, DrawResult, DrawingBackend, text_width};

/// One legend entry: a line swatch, a marker on it, or both, and a label.
pub struct Entry {
    label: String,
    colour: RGBColor,
    marker: Option<Marker>,
    hollow: bool,
    dashed: bool,
}

impl Entry {
    /// A solid line with a filled marker.
    pub fn new(label: &str, (colour, marker): (RGBColor, Marker)) -> Entry {
        Entry {
            label: label.to_string(),
            colour,
            marker: Some(marker),
            hollow: false,
            dashed: false,
        }
    }

    /// A series in its palette look.
    pub fn series(label: &str, palette: &Palette) -> Entry {
        Entry::new(label, palette.look(label))
    }

    /// A grey guide line, without a marker.
    pub fn guide(label: &str, dashed: bool) -> Entry {
        Entry {
            label: label.to_string(),
            colour: GUIDE,
            marker: None,
            hollow: false,
            dashed,
        }
    }

    /// A grey hollow marker alone: what hollow markers mean in the figure.
    pub fn hollow(label: &str) -> Entry {
        Entry {
            label: label.to_string(),
            colour: GUIDE,
            marker: Some(Marker::Circle),
            hollow: true,
            dashed: false,
        }
    }
}

const FONT: u32 = 15;
const ROW: i32 = 26;
const SWATCH: i32 = 34;

/// Positions of the entries, wrapped into rows of `width` pixels.
fn layout(entries: &[Entry], width: i32) -> Vec<(i32, i32)> {
    let (mut x, mut y) = (20, 0);
    let mut out = Vec::new();
    for e in entries {
        let w = SWATCH + 8 + text_width(&e.label, FONT) + 26;
        if x + w > width - 10 && x > 20 {
            x = 20;
            y += ROW;
        }
        out.push((x, y));
        x += w;
    }
    out
}

/// The height of the strip that the entries take in a chart `width` pixels wide.
pub fn height(entries: &[Entry], width: u32) -> u32 {
    let rows = layout(entries, width as i32)
        .last()
        .map_or(0, |(_, y)| y / ROW + 1);
    (rows * ROW + 16) as u32
}

/// Draws the entries in the strip at the bottom of the chart that [`height`] sized.
pub fn draw<DB: DrawingBackend>(root: &Area<DB>, entries: &[Entry]) -> DrawResult {
    let (width, h) = root.dim_in_pixel();
    let top = (h - height(entries, width)) as i32;
    for (e, (x, y)) in entries.iter().zip(layout(entries, width as i32)) {
        let mid = top + y + ROW / 2;
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
            FONT,
            BLACK,
            HPos::Left,
        )?;
    }
    Ok(())
}
