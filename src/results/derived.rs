//! The figures derived from a run's medians: speedup, efficiency and Karp–Flatt of each cell
//! against the serial cell of its workload. Decided here once, for the runner, the report and
//! `compare`.

use super::Cell;
use crate::stats::karp_flatt;

/// The strategy every speedup is measured against.
pub const BASELINE: &str = "serial";

/// The median of the baseline cell of `workload` among `cells`, when it ran.
pub fn baseline_median<'a>(
    cells: impl IntoIterator<Item = &'a Cell>,
    workload: &str,
) -> Option<f64> {
    cells
        .into_iter()
        .find(|c| c.workload == workload && c.strategy == BASELINE && c.skipped.is_none())
        .and_then(|c| c.median_s)
}

/// Speedup, efficiency and Karp–Flatt of each cell of one workload against its baseline cell.
pub fn derive_scaling(group: &mut [Cell]) {
    let Some(workload) = group.first().map(|c| c.workload.clone()) else {
        return;
    };
    let Some(base) = baseline_median(group.iter(), &workload) else {
        return;
    };
    for c in group.iter_mut() {
        if let Some(m) = c.median_s.filter(|m| *m > 0.0) {
            let s = base / m;
            c.speedup = Some(s);
            c.efficiency = Some(s / c.workers as f64);
            c.karp_flatt = karp_flatt(s, c.workers);
        }
    }
}
