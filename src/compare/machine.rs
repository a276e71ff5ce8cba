//! The machine's own change of speed between two runs, from the reference kernel each run timed
//! after every cell of every round (`Results::reference`). A whole-machine shift (another
//! tenant on the host, a different clock) moves every cell alike; with the reference it is
//! measured instead of being mistaken for a change of the code.

use crate::results::{MachineReference, Results};
use crate::stats::median;
use crate::stats::moderated::{Estimate, Prior, TwoSample};

/// What the references of two runs say.
pub(super) enum Reference {
    /// Both runs timed the same kernel in at least two rounds: current / baseline.
    Measured { kernel: String, shift: Estimate },
    /// No usable pair of references, and why (for the notes).
    Missing(String),
}

/// The log median of each round of a reference's timings.
pub fn round_logs(r: &MachineReference) -> Vec<f64> {
    let n = r.samples_s.len();
    let sizes = if !r.round_samples.is_empty() && r.round_samples.iter().sum::<usize>() == n {
        r.round_samples.clone()
    } else {
        vec![n]
    };
    let mut start = 0;
    sizes
        .iter()
        .filter_map(|&k| {
            start += k;
            let round = &r.samples_s[start - k..start];
            round
                .iter()
                .all(|s| s.is_finite() && *s > 0.0)
                .then(|| median(round))
                .flatten()
                .map(f64::ln)
        })
        .collect()
}

/// The machine's ratio, current over baseline, with a plain t-test of its rounds' log medians
/// (no moderation: it is one series, not one of many cells).
pub(super) fn reference(base: &Results, cur: &Results) -> Reference {
    let (b, c) = match (&base.reference, &cur.reference) {
        (None, None) => return Reference::Missing("neither file has a machine reference".into()),
        (None, Some(_)) => {
            return Reference::Missing("the baseline has no machine reference".into());
        }
        (Some(_), None) => {
            return Reference::Missing("the current run has no machine reference".into());
        }
        (Some(b), Some(c)) => (b, c),
    };
    if b.kernel != c.kernel {
        return Reference::Missing(format!(
            "the machine references time different kernels ('{}' vs '{}')",
            b.kernel, c.kernel
        ));
    }
    let (bl, cl) = (round_logs(b), round_logs(c));
    if bl.len() < 2 || cl.len() < 2 {
        return Reference::Missing(format!(
            "the machine reference has {} round(s) in the baseline and {} in the current run; \
             its spread needs two a side",
            bl.len(),
            cl.len()
        ));
    }
    let shift = TwoSample::new(&cl, &bl)
        .expect("non-empty")
        .moderated(&Prior::NONE);
    Reference::Measured {
        kernel: b.kernel.clone(),
        shift,
    }
}
