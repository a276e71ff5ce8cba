//! Notes that a reader of a comparison must see to trust its verdicts.

use super::machine::Reference;
use super::model::{CellComparison, Criteria, Metric, Summary, Unit};
use super::verdict::{UniformShift, Verdict};
use super::{MDC_POWER, UNIFORM_SHARE};
use crate::results::Results;
use crate::stats::inference as stats;

/// Everything the notes draw on.
pub(super) struct Context<'a> {
    pub base: &'a Results,
    pub cur: &'a Results,
    pub opts: &'a Criteria,
    pub machines_differ: bool,
    pub paired_runs: bool,
    pub cells: &'a [CellComparison],
    pub summary: &'a Summary,
    pub reference: &'a Reference,
    pub uniform: Option<UniformShift>,
    /// α / m: the level Holm's first step needs.
    pub per_test_alpha: f64,
}

fn pct(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// The notes of a comparison, most consequential first.
pub(super) fn notes(cx: &Context<'_>) -> Vec<String> {
    let (base, cur) = (&cx.base.config, &cx.cur.config);
    let mut notes = Vec::new();
    if base.scale != cur.scale {
        notes.push(format!(
            "the runs used different --scale ({} in the baseline, {} in the current run): each \
             task does {:+.1}% work, so changes of that size are expected (this is how the gate \
             itself is tested)",
            base.scale,
            cur.scale,
            (cur.scale / base.scale - 1.0) * 100.0
        ));
    }
    if base.seed != cur.seed {
        notes.push(format!(
            "the runs used different --seed ({} vs {}): the tasks' inputs differ",
            base.seed, cur.seed
        ));
    }
    if cx.machines_differ {
        notes.push(match cx.opts.metric {
            Metric::Time => "the runs come from different machines and --allow-machine-mismatch \
                             was given: time ratios mix the code's change with the hardware's"
                .to_string(),
            Metric::Speedup => "the runs come from different machines: speedups are compared, \
                                which still depend on each machine's cores and memory"
                .to_string(),
        });
    }
    notes.extend(machine_note(cx));
    if let Some(u) = cx.uniform {
        notes.push(format!(
            "{} of {} cells tested on rounds moved the same way beyond the threshold (median \
             {}), and {}: the runs cannot tell that from the machine changing speed, so no such \
             cell is flagged ({} withdrawn as inconclusive; a share of {:.0}% or more triggers \
             this); compare runs that both record the machine reference, or use parbench pair",
            u.moved,
            u.tested,
            pct(u.ratio),
            match cx.reference {
                Reference::Missing(why) => why.as_str(),
                Reference::Measured { .. } => "the machine reference is not used",
            },
            u.withdrawn,
            UNIFORM_SHARE * 100.0
        ));
    }
    let one_round = cx
        .cells
        .iter()
        .filter(|c| {
            c.verdict == Verdict::Inconclusive && c.p_value.is_none() && c.unit != Some(Unit::Run)
        })
        .count();
    if one_round > 0 {
        notes.push(format!(
            "{one_round} cells have a single round on a side: their samples were taken back to \
             back in one process and say nothing about how the next process or minute would \
             time them, so they are inconclusive whatever their change; rerun with --rounds ≥ \
             3 (each round a fresh process)"
        ));
    }
    if cx.paired_runs {
        let pairs = cx
            .cells
            .iter()
            .filter(|c| c.unit == Some(Unit::Pair))
            .count();
        notes.push(format!(
            "the runs took turns sample by sample (parbench pair): {pairs} of {} compared cells \
             are judged on samples taken side by side, which cancels what slowed the machine \
             for both",
            cx.summary.compared
        ));
    }
    notes.extend(mdc_note(cx));
    notes.extend(power_note(cx.cells, cx.summary.compared, cx.per_test_alpha));
    notes
}

/// What the machine reference says, and what the comparison did with it.
fn machine_note(cx: &Context<'_>) -> Option<String> {
    let Reference::Measured { kernel, shift } = cx.reference else {
        return None;
    };
    let ratio = shift.log_ratio.exp();
    let [lo, hi] = shift.ci95.map(f64::exp);
    let head = format!(
        "machine reference ({kernel}): the current run timed it at {} against the baseline \
         (95% CI [{}, {}], p = {:.2e})",
        pct(ratio),
        pct(lo),
        pct(hi),
        shift.p_value
    );
    Some(if cx.summary.machine_adjusted {
        format!(
            "{head}: the machine itself changed speed, so each cell is judged on its ratio \
             divided by the machine's, the reference's noise added to the cell's"
        )
    } else if cx.opts.metric == Metric::Speedup {
        format!("{head}; speedups divide the machine's speed out by themselves")
    } else {
        format!("{head}: no significant change of the machine, cells are judged on their own")
    })
}

/// The minimum detectable change of the compared cells, summarised.
fn mdc_note(cx: &Context<'_>) -> Option<String> {
    let s = cx.summary;
    let median = s.mdc_median_pct?;
    Some(format!(
        "minimum detectable change ({:.0}% power, two-sided at α/m = {:.1e}, never below the \
         threshold): median {median:.1}% over the compared cells; {} of {} can detect a change \
         of the {}% threshold; more rounds (--rounds), more runs in a history or a quieter \
         machine lower it",
        MDC_POWER * 100.0,
        cx.per_test_alpha,
        s.mdc_at_threshold,
        s.compared,
        cx.opts.threshold_pct
    ))
}

/// Warns when some paired cells have too few rounds to ever pass Holm's first step: the
/// signed-rank test's smallest p-value over n rounds is 2 / 2ⁿ, and a regression there could
/// not be detected however large it was. (The t-test of separate runs has no such floor.)
fn power_note(cells: &[CellComparison], m: usize, needed: f64) -> Option<String> {
    let blind: Vec<usize> = cells
        .iter()
        .filter(|c| c.unit == Some(Unit::Pair) && c.p_value.is_some())
        .filter_map(|c| c.baseline.as_ref().map(|b| b.rounds))
        .filter(|&n| stats::smallest_signed_p(n) > needed)
        .collect();
    let &n = blind.first()?;
    let enough = (1..)
        .find(|&n| stats::smallest_signed_p(n) <= needed)
        .expect("p falls to 0 as n grows");
    Some(format!(
        "{} of {m} compared cells have too few rounds to be flagged at all (e.g. {n} pairs of \
         rounds: the smallest p-value possible is {:.2e}, Holm's correction over {m} cells \
         needs {:.2e}); record at least {enough} rounds per cell (--rounds), more to leave \
         room for noise",
        blind.len(),
        stats::smallest_signed_p(n),
        needed
    ))
}
