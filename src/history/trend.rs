//! Each cell's series across the stored runs of one machine and configuration: a value per
//! run, the levels between change points, and the steps between levels.

use super::store::Entry;
use crate::compare::{reference_logs, run_logs, stream_name};
use crate::results::{CellId, Results};
use crate::stats::changepoint::{self, Settings};
use crate::stats::{sample_sd, t_quantile};

/// One run's value of a cell.
pub struct TrendPoint {
    pub run: usize,
    pub commit: String,
    /// exp(mean of the rounds' log medians): what `compare` averages.
    pub value_s: f64,
    /// The 95 % t interval of that mean from its rounds; `None` with one round.
    pub ci_s: Option<[f64; 2]>,
    log: f64,
}

/// Consecutive points at one level: `points[from..to]`.
pub struct Level {
    pub from: usize,
    pub to: usize,
    pub centre_s: f64,
    /// 95 % prediction interval of one more run at this level, from this level's own spread
    /// (`compare --history` also moderates the spread, takes the last `--last` runs, and
    /// applies Holm and the threshold); `None` below three points.
    pub band_s: Option<[f64; 2]>,
}

/// A change point: the level moved between `points[index - 1]` and `points[index]`.
pub struct Step {
    pub index: usize,
    pub before_run: usize,
    pub after_run: usize,
    pub before_commit: String,
    pub after_commit: String,
    /// Level after / level before (> 1 is slower).
    pub ratio: f64,
    pub p_value: f64,
}

/// A series of values across the runs: a cell's, or the machine reference's.
pub struct CellTrend {
    /// What the chart and the tables call it: the cell's id, or "machine reference".
    pub name: String,
    /// The cell, `None` for the machine reference.
    pub id: Option<CellId>,
    pub points: Vec<TrendPoint>,
    pub levels: Vec<Level>,
    pub steps: Vec<Step>,
}

impl CellTrend {
    /// The latest level's centre (for the chart's unit), or 0 with no point.
    pub fn centre_s(&self) -> f64 {
        self.levels.last().map_or(0.0, |l| l.centre_s)
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// The trends of every cell of `runs` (one series, oldest first), cells in the order they
/// first appear.
pub fn trends(runs: &[(&Entry, Results)]) -> Vec<CellTrend> {
    let mut ids: Vec<CellId> = Vec::new();
    for (_, r) in runs {
        for c in &r.cells {
            let id = CellId::of(c);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .map(|id| {
            let points = runs
                .iter()
                .filter_map(|(e, r)| {
                    let c = r.cells.iter().find(|c| CellId::of(c) == id)?;
                    let logs = run_logs(c, r)?;
                    Some(point(e, &logs))
                })
                .collect();
            let key = stream_name(&id);
            analyse(id.to_string(), Some(id), points, &key)
        })
        .collect()
}

/// The machine reference's series (the fixed kernel every run times after each cell), so a
/// reader can tell a step of every cell at once from the machine's own; `None` when no run of
/// the series recorded it.
pub fn reference_trend(runs: &[(&Entry, Results)]) -> Option<CellTrend> {
    let points: Vec<TrendPoint> = runs
        .iter()
        .filter_map(|(e, r)| {
            let logs = reference_logs(r.reference.as_ref()?);
            (!logs.is_empty()).then(|| point(e, &logs))
        })
        .collect();
    (!points.is_empty()).then(|| analyse("machine reference".into(), None, points, "reference"))
}

fn point(e: &Entry, logs: &[f64]) -> TrendPoint {
    let m = mean(logs);
    let ci_s = (logs.len() >= 2).then(|| {
        let half = t_quantile(0.975, logs.len() as f64 - 1.0) * sample_sd(logs)
            / (logs.len() as f64).sqrt();
        [(m - half).exp(), (m + half).exp()]
    });
    TrendPoint {
        run: e.run,
        commit: e.short_commit(),
        value_s: m.exp(),
        ci_s,
        log: m,
    }
}

fn analyse(name: String, id: Option<CellId>, points: Vec<TrendPoint>, key: &str) -> CellTrend {
    let logs: Vec<f64> = points.iter().map(|p| p.log).collect();
    let found = changepoint::detect(&logs, &Settings::default(), key);
    let mut bounds = vec![0];
    bounds.extend(found.iter().map(|c| c.index));
    bounds.push(points.len());
    let levels: Vec<Level> = bounds
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let x = &logs[w[0]..w[1]];
            let m = mean(x);
            let band_s = (x.len() >= 3).then(|| {
                let n = x.len() as f64;
                let half = t_quantile(0.975, n - 1.0) * sample_sd(x) * (1.0 + 1.0 / n).sqrt();
                [(m - half).exp(), (m + half).exp()]
            });
            Level {
                from: w[0],
                to: w[1],
                centre_s: m.exp(),
                band_s,
            }
        })
        .collect();
    let steps = found
        .iter()
        .zip(levels.windows(2))
        .map(|(c, l)| Step {
            index: c.index,
            before_run: points[c.index - 1].run,
            after_run: points[c.index].run,
            before_commit: points[c.index - 1].commit.clone(),
            after_commit: points[c.index].commit.clone(),
            ratio: l[1].centre_s / l[0].centre_s,
            p_value: c.p_value,
        })
        .collect();
    CellTrend {
        name,
        id,
        points,
        levels,
        steps,
    }
}
