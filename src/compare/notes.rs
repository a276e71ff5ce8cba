//! Notes that a reader of a comparison must see to trust its verdicts.

use super::model::{CellComparison, Unit};

/// Warns when some compared cells have too few samples to ever pass Holm's first step: a
/// regression there could not be detected however large it was.
pub(super) fn power_note(cells: &[CellComparison], m: usize, alpha: f64) -> Option<String> {
    if m == 0 {
        return None;
    }
    let needed = alpha / m as f64;
    let blind: Vec<(Unit, usize, usize)> = cells
        .iter()
        .filter(|c| c.p_value.is_some())
        .filter_map(|c| {
            let (b, k, unit) = (c.baseline.as_ref()?, c.current.as_ref()?, c.unit?);
            Some(match unit {
                Unit::Pair | Unit::Round => (unit, b.rounds, k.rounds),
                Unit::Sample => (unit, b.samples, k.samples),
            })
        })
        .filter(|&(unit, a, b)| unit.smallest_p(a, b) > needed)
        .collect();
    let &(unit, a, b) = blind.first()?;
    let enough = (1..)
        .find(|&n| unit.smallest_p(n, n) <= needed)
        .expect("p falls to 0 as n grows");
    let example = match unit {
        Unit::Pair => format!("{a} pairs of rounds"),
        Unit::Round | Unit::Sample => format!("{a} vs {b}"),
    };
    Some(format!(
        "{} of {m} compared cells have too few rounds or samples to be flagged at all (e.g. \
         {example}: the smallest p-value possible is {:.2e}, Holm's correction over {m} cells \
         needs {:.2e}); record at least {enough} per cell on both sides (--rounds, or \
         --samples for runs of one round), more to leave room for noise",
        blind.len(),
        unit.smallest_p(a, b),
        needed
    ))
}
