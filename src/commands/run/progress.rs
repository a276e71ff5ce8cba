//! What `parbench run` shows while it measures: a bar on a terminal, one line per finished cell
//! round elsewhere.

use crate::measure::record::RoundRecord;
use crate::measure::runner::{CellLabel, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The parent's view of the children's progress: a bar on a terminal; elsewhere (CI, pipes)
/// one line per finished cell round, so a log shows where a long run is.
pub(super) struct Shown {
    pub(super) bar: ProgressBar,
    pub(super) lines: bool,
    pub(super) rounds: usize,
    pub(super) finished: usize,
    pub(super) planned: usize,
}

impl Progress for Shown {
    fn cell(&mut self, label: &CellLabel<'_>) {
        self.bar.set_message(format!(
            "{} / {} / {} (round {})",
            label.workload,
            label.strategy,
            label.workers,
            label.round + 1
        ));
    }
    fn run_done(&mut self) {
        self.bar.inc(1);
    }
    fn round_done(&mut self, r: &RoundRecord) {
        self.finished += 1;
        if !self.lines {
            return;
        }
        let what = if let Some(why) = &r.skipped {
            format!("skipped ({why})")
        } else if !r.ok {
            format!("FAILED: {}", r.details.join("; "))
        } else {
            let m = crate::stats::median(&r.samples_s);
            m.map_or("no sample".into(), crate::units::seconds)
        };
        eprintln!(
            "parbench: [{}/{}] {} round {}/{}: {what}",
            self.finished,
            self.planned,
            r.id(),
            r.round + 1,
            self.rounds
        );
    }
}

/// The progress bar on stderr; hidden for a side of `parbench pair`, which leaves the terminal
/// to the coordinator's bar, and without a terminal.
pub fn progress_bar(len: Option<u64>, hidden: bool) -> ProgressBar {
    let target = if hidden || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(len, target);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}
