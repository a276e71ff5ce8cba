//! Pixel-space primitives: every figure draws its series, whiskers and labels through these,
//! whatever its axes, after mapping values to pixels with its panel's mapping.

use super::style::{Marker, RGBColor, WHITE};
use super::{Area, DrawResult, FAMILY, Px, fail};
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{self, Pos, VPos};
use plotters::style::{Color, IntoFont, TextStyle};

/// A polyline through `pts`; nothing for fewer than two points.
pub fn line<DB: DrawingBackend>(
    root: &Area<DB>,
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

/// A filled rectangle between two corners.
pub fn rect<DB: DrawingBackend>(root: &Area<DB>, a: Px, b: Px, colour: RGBColor) -> DrawResult {
    root.draw(&Rectangle::new([a, b], colour.filled()))
        .map_err(fail)
}

/// A marker centred on `(x, y)`; a hollow one marks a value drawn where it is not.
pub fn marker<DB: DrawingBackend>(
    root: &Area<DB>,
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

/// Where text sits horizontally against its anchor point; vertically it is always centred.
#[derive(Clone, Copy)]
pub enum HPos {
    Left,
    Center,
}

pub fn text<DB: DrawingBackend>(
    root: &Area<DB>,
    s: &str,
    at: Px,
    size: u32,
    colour: RGBColor,
    h: HPos,
) -> DrawResult {
    let h = match h {
        HPos::Left => text_anchor::HPos::Left,
        HPos::Center => text_anchor::HPos::Center,
    };
    let style = TextStyle::from((FAMILY, size).into_font())
        .color(&colour)
        .pos(Pos::new(h, VPos::Center));
    root.draw(&Text::new(s.to_string(), at, style))
        .map_err(fail)
}

/// A series: a line through `pts` with a filled marker on each.
pub fn series<DB: DrawingBackend>(
    root: &Area<DB>,
    pts: &[Px],
    (colour, m): (RGBColor, Marker),
) -> DrawResult {
    line(root, pts, colour, 2, false)?;
    for p in pts {
        marker(root, *p, m, colour, true)?;
    }
    Ok(())
}
