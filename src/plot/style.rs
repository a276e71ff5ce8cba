//! Colours and marker shapes, and the palette that gives each series label one look across all
//! charts of a document.

use std::collections::{BTreeMap, BTreeSet};

pub use plotters::style::RGBColor;
pub use plotters::style::colors::{BLACK, WHITE};

/// Guides (ideal lines, reference levels) and their legend entries.
pub const GUIDE: RGBColor = RGBColor(150, 150, 150);
/// Grid lines at the ticks.
pub const GRID: RGBColor = RGBColor(228, 228, 228);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    TriangleDown,
    Cross,
}

/// Shapes in the order slots take them, so lines stay apart in greyscale too.
const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
];

/// Tableau 10: distinguishable, and still apart in greyscale with the markers. A series whose
/// owner names one of these colours takes that colour's slot, and with it the slot's marker.
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

/// The look of slot `i`: past ten slots the colours repeat, with the next marker shape.
fn slot(i: usize) -> (RGBColor, Marker) {
    (
        COLOURS[i % COLOURS.len()],
        MARKERS[(i + i / COLOURS.len()) % MARKERS.len()],
    )
}

/// A stable look (colour and marker) per series label.
pub struct Palette {
    looks: BTreeMap<String, (RGBColor, Marker)>,
}

impl Palette {
    /// `series`: each label with the colour its owner gives it, if any; a label's first
    /// occurrence counts. A label with a colour looks the same whatever else is in the palette
    /// and in whatever order; the others take the free slots in order of appearance.
    pub fn new<'a>(series: impl IntoIterator<Item = (&'a str, Option<[u8; 3]>)>) -> Palette {
        let mut given: Vec<(&str, Option<RGBColor>)> = Vec::new();
        for (label, rgb) in series {
            if !given.iter().any(|(l, _)| *l == label) {
                given.push((label, rgb.map(|[r, g, b]| RGBColor(r, g, b))));
            }
        }
        let mut looks = BTreeMap::new();
        let mut taken = BTreeSet::new();
        let mut own = Vec::new();
        for &(label, colour) in &given {
            let Some(colour) = colour else { continue };
            match COLOURS.iter().position(|c| *c == colour) {
                Some(i) => {
                    taken.insert(i);
                    looks.insert(label.to_string(), slot(i));
                }
                None => own.push((label, colour)),
            }
        }
        let mut free = (0..).filter(move |i| !taken.contains(i));
        // A colour of its own still needs a marker: it takes a slot's shape, in label order so
        // that its look does not depend on the order of the series.
        own.sort_by_key(|(label, _)| *label);
        for (label, colour) in own {
            let (_, marker) = slot(free.next().unwrap_or_default());
            looks.insert(label.to_string(), (colour, marker));
        }
        for &(label, colour) in &given {
            if colour.is_none() {
                looks.insert(label.to_string(), slot(free.next().unwrap_or_default()));
            }
        }
        Palette { looks }
    }

    /// The look of `label`; a label the palette was not built with is grey.
    pub fn look(&self, label: &str) -> (RGBColor, Marker) {
        self.looks
            .get(label)
            .copied()
            .unwrap_or((COLOURS[COLOURS.len() - 1], Marker::Circle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUE: Option<[u8; 3]> = Some([31, 119, 180]);
    const ORANGE: Option<[u8; 3]> = Some([255, 127, 14]);
    const INK: Option<[u8; 3]> = Some([0, 0, 0]);

    #[test]
    fn coloured_labels_keep_their_look_whatever_the_order() {
        let a = Palette::new([("pool", ORANGE), ("scoped", BLUE), ("weird", None)]);
        let b = Palette::new([("weird", None), ("scoped", BLUE), ("pool", ORANGE)]);
        assert_eq!(a.look("pool"), b.look("pool"));
        assert_eq!(a.look("scoped"), b.look("scoped"));
        assert_ne!(a.look("pool").0, a.look("weird").0);
        assert_ne!(a.look("scoped").0, a.look("weird").0);
        assert_eq!(a.look("pool").0, RGBColor(255, 127, 14));
    }

    #[test]
    fn own_colours_stay_and_markers_stay_apart() {
        let a = Palette::new([
            ("serial", INK),
            ("scoped", BLUE),
            ("pool", ORANGE),
            ("x", None),
            ("y", None),
        ]);
        let b = Palette::new([
            ("y", None),
            ("x", None),
            ("pool", ORANGE),
            ("scoped", BLUE),
            ("serial", INK),
        ]);
        assert_eq!(a.look("serial"), b.look("serial"));
        assert_eq!(a.look("serial").0, BLACK);
        let markers: BTreeSet<String> = ["serial", "scoped", "pool", "x", "y"]
            .iter()
            .map(|l| format!("{:?}", a.look(l).1))
            .collect();
        assert_eq!(markers.len(), 5, "{markers:?}");
        // Free colours are not the coloured labels' ones, and apart from each other.
        let colours: BTreeSet<(u8, u8, u8)> = ["serial", "scoped", "pool", "x", "y"]
            .iter()
            .map(|l| {
                let RGBColor(r, g, b) = a.look(l).0;
                (r, g, b)
            })
            .collect();
        assert_eq!(colours.len(), 5);
    }

    #[test]
    fn unknown_labels_are_deterministic() {
        let series = [("x", None), ("pool", ORANGE), ("y", None)];
        let (a, b) = (Palette::new(series), Palette::new(series));
        for l in ["x", "y", "pool", "never given"] {
            assert_eq!(a.look(l), b.look(l));
        }
    }
}
