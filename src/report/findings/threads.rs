//! Threads: the GIL serialises pure-Python CPU work (and so slows f() down), but threads
//! speed up waiting and numpy code that releases the lock.

use super::{
    CPU_WORKLOADS, Facts, Finding, GAIN, Judge, clear_gain, clear_loss, describe, named, no_cells,
    strategies, units,
};
use crate::strategy::Family;

/// The threads of the documents are CPython threads, which the `InterpreterThreads` family
/// models; plain threads stand in when a file has none, and the evidence says so.
fn threads() -> Vec<&'static str> {
    strategies(&[Family::InterpreterThreads, Family::Threads])
}

const STAND_IN: &str = "plain threads stand in for GIL threads";

pub(super) fn cpu(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Threads do not speed up CPU-bound pure-Python code: the GIL lets one thread \
         run at a time (`gil` on sum-squares, exp-loop).",
        "001 (4 × cpu_intensive_task: 1.01×); 000 (f(): threads no faster)",
    );
    // Plain threads say nothing about the GIL, so only modelled ones count.
    let gil = strategies(&[Family::InterpreterThreads]);
    let mut gains = Vec::new();
    for w in CPU_WORKLOADS {
        if let Some((s, p)) = f.best(w, &gil) {
            j.evidence(format!("{w}: best {}", describe(&s.label, p)));
            if clear_gain(p) {
                gains.push(format!("{w} reaches {}", describe(&s.label, p)));
            }
        }
    }
    if !gains.is_empty() {
        j.miss(format!(
            "{}, so the modelled lock did not serialise the interpreter-style work",
            gains.join("; ")
        ));
    }
    j.judge(no_cells(&named(&gil), &CPU_WORKLOADS))
}

pub(super) fn slower_on_f(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "For f() (exp over a list, exp-loop), threads are slower than serial code.",
        "000 (f(): \"threading actually performs worse than serial code\")",
    );
    let gil = strategies(&[Family::InterpreterThreads]);
    let points = f.parallel("exp-loop", &gil);
    for (s, p) in &points {
        j.evidence(format!("exp-loop: {}", describe(&s.label, p)));
    }
    // Every point must be a clear loss; the first that is not says why.
    if let Some((s, p)) = points.iter().find(|(_, p)| !clear_loss(p)) {
        j.miss(if clear_gain(p) {
            format!("{} is faster than serial", describe(&s.label, p))
        } else {
            format!(
                "{} is within {GAIN}× of serial: handing the lock over costs nothing measurable here",
                describe(&s.label, p)
            )
        });
    }
    j.judge(no_cells(&named(&gil), &["exp-loop"]))
}

pub(super) fn io(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Threads speed up I/O-bound work: while one thread waits, another runs (io-sleep).",
        "001 (5 simulated file reads: 2.50 s → 0.50 s, 5.0×)",
    );
    let threads = threads();
    let why = f.speeds_up(&mut j, "io-sleep", &threads, STAND_IN);
    // With n equal waits on p threads the best possible is n / ⌈n/p⌉ (5 waits on 2 threads
    // take 3 rounds: 1.67×), which is the yardstick for the measured speedup.
    if let Some((s, p)) = f
        .pick(&threads, &["io-sleep"])
        .and_then(|(picked, _)| f.best("io-sleep", &[picked]))
        && p.tasks > 0
    {
        let rounds = p.tasks.div_ceil(p.workers);
        j.show(format!(
            "ideal for {} waits on {} {} threads: {} rounds, {}",
            p.tasks,
            p.workers,
            s.label,
            rounds,
            units::speedup(p.tasks as f64 / rounds as f64)
        ));
    }
    if let Some(why) = why {
        j.miss(why);
    }
    j.judge(no_cells(&named(&threads), &["io-sleep"]))
}

pub(super) fn numpy(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Threads speed up numpy code that releases the GIL (g(): np.ones, ones).",
        "000 (g(): threads and processes both give a significant speedup)",
    );
    let threads = threads();
    let why = f.speeds_up(&mut j, "ones", &threads, STAND_IN);
    // The document's processes speed g() up as well: shown beside the threads.
    if let Some((s, p)) = f.best("ones", &strategies(&[Family::Processes])) {
        j.show(format!("ones: best {}", describe(&s.label, p)));
    }
    if let Some(why) = why {
        j.miss(why);
    }
    j.judge(no_cells(&named(&threads), &["ones"]))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn gil_threads_on_cpu_work_flip_with_the_data() {
        let cpu = ["sum-squares", "exp-loop"];
        let claim = "Threads do not speed up CPU-bound";
        assert!(holds(&judgement(sweep(&cpu, "gil", 1.0), claim)));
        assert!(fails(&judgement(sweep(&cpu, "gil", 0.05), claim)));
        // Plain threads say nothing about the GIL.
        assert!(unmeasured(&judgement(sweep(&cpu, "scoped", 1.0), claim)));

        let claim = "For f()";
        assert!(holds(&judgement(sweep(&["exp-loop"], "gil", 2.0), claim)));
        assert!(fails(&judgement(sweep(&["exp-loop"], "gil", 1.0), claim)));
    }

    #[test]
    fn threads_on_io_and_numpy_prefer_gil_and_fall_back_to_plain_threads() {
        let claim = "Threads speed up I/O-bound";
        assert!(holds(&judgement(sweep(&["io-sleep"], "gil", 0.0), claim)));
        assert!(fails(&judgement(sweep(&["io-sleep"], "gil", 1.0), claim)));
        assert!(holds(&judgement(sweep(&["io-sleep"], "pool", 0.0), claim)));
        // With gil present, a fast plain pool does not rescue a flat gil.
        let mut both = sweep(&["io-sleep"], "gil", 1.0);
        both.push(cell("io-sleep", "pool", 4, 0.0));
        assert!(fails(&judgement(both, claim)));
        let claim = "Threads speed up numpy code";
        assert!(holds(&judgement(sweep(&["ones"], "gil", 0.1), claim)));
        assert!(fails(&judgement(sweep(&["ones"], "gil", 1.0), claim)));
    }
}
