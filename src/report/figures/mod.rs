//! The report's figures, one file each, drawn with the [`plot`](crate::plot) kit:
//!
//! - [`workload`]: one workload's speedup, efficiency and serial fraction per series
//! - [`overview`]: the best strategy per workload at its largest worker count
//! - [`overhead`]: dispatch overhead per task and the break-even task duration

pub mod overhead;
pub mod overview;
pub mod workload;

use crate::plot::style::Palette;
use crate::strategy;

/// One look per series label across all charts of a report: a strategy's own colour for its
/// series, free colours for the rest (chunk variants, strategies this build does not know).
/// Every registered strategy's colour is held back, so that a colour means one strategy in
/// every report whatever ran.
pub fn palette<'a>(labels: impl IntoIterator<Item = &'a str>) -> Palette {
    let registry = strategy::registry();
    let known: Vec<(&str, Option<[u8; 3]>)> = registry
        .iter()
        .map(|s| (s.name(), Some(s.colour())))
        .collect();
    Palette::new(
        known
            .into_iter()
            .chain(labels.into_iter().map(|l| (l, None))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::style::RGBColor;

    fn rgb([r, g, b]: [u8; 3]) -> RGBColor {
        RGBColor(r, g, b)
    }

    #[test]
    fn strategies_wear_their_own_colours_and_distinct_markers() {
        let p = palette(["pool, chunk 4", "process", "serial", "pool, chunk 1"]);
        let registry = strategy::registry();
        let mut markers = Vec::new();
        for s in &registry {
            let (colour, marker) = p.look(s.name());
            assert_eq!(colour, rgb(s.colour()), "{}", s.name());
            assert!(
                !markers.contains(&marker),
                "{} repeats {marker:?}",
                s.name()
            );
            markers.push(marker);
        }
        assert_eq!(p.look("serial").0, rgb([0, 0, 0]));
        // Chunk variants take free colours: none that a strategy wears, and not each other's.
        let (a, b) = (p.look("pool, chunk 4").0, p.look("pool, chunk 1").0);
        assert_ne!(a, b);
        for s in &registry {
            assert!(a != rgb(s.colour()) && b != rgb(s.colour()), "{}", s.name());
        }
    }
}
