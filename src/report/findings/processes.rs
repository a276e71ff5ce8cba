//! Processes and pools: processes speed up CPU work, tiny tasks lose to dispatch overhead, and
//! chunking wins that loss back.

use super::{
    CPU_WORKLOADS, Facts, Finding, Judge, clear_loss, clearly_faster, describe, named, no_cells,
    strategies, strategies_where,
};
use crate::strategy::{Chunk, Family};

pub(super) fn cpu(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Processes speed up CPU-bound pure-Python code: each has its own interpreter \
         and GIL (`process` on sum-squares, exp-loop).",
        "000 (f() on 2 processes: significant speedup); 001 (multiprocessing for CPU-bound)",
    );
    let processes = strategies(&[Family::Processes]);
    f.each_speeds_up(&mut j, &CPU_WORKLOADS, &processes, |w, point| {
        format!("{w}: {point} is no clear speedup")
    });
    j.judge(no_cells(&named(&processes), &CPU_WORKLOADS))
}

/// The documents' pools are process pools (multiprocessing, loky); a thread pool stands in.
/// A pool hands tasks out as workers ask, which is what `--chunk` sets; strategies that split
/// the tasks up front pay no dispatch per task and are no pool.
fn pools() -> Vec<&'static str> {
    strategies_where(&[Family::Processes, Family::Threads], |s| s.chunked())
}

const TINY: [&str; 2] = ["monte-carlo", "noop"];

pub(super) fn tiny_tasks(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "For tiny tasks a parallel pool is slower than serial: dispatch overhead \
         exceeds the work (monte-carlo, noop).",
        "001 (10,000 fin temperatures: 0.008 s serial, 1.947 s in a process pool)",
    );
    let pools = pools();
    if let Some((picked, first_choice)) = f.pick(&pools, &TINY) {
        for w in TINY {
            for s in &pools {
                let Some((series, p)) = f.at_most_workers(w, &[*s]) else {
                    continue;
                };
                let chunk = series
                    .chunk
                    .as_ref()
                    .map(|c| format!(" (chunk {c})"))
                    .unwrap_or_default();
                j.evidence(format!("{w}: {}{chunk}", describe(&series.label, p)));
                // Only the picked pool is judged; the other is shown for comparison.
                if *s == picked && !clear_loss(p) {
                    let why = format!("{w}: {}{chunk} is not slower", describe(&series.label, p));
                    j.miss(f.with_overhead(why, w, series, p));
                }
            }
        }
        if !first_choice {
            j.show(format!(
                "no `{}` cells: the thread pool stands in",
                pools[0]
            ));
        }
    }
    j.judge(no_cells(&named(&pools), &TINY))
}

/// Whether `strategy` at chunk setting `chunk` hands out more than one task at a time: `auto`
/// does so only where the strategy batches (rayon's and the GIL model's auto is chunk 1, and
/// comparing a setting with itself would only measure noise).
fn groups_tasks(strategy: &str, chunk: &str) -> bool {
    match chunk {
        "auto" => crate::strategy::find(strategy)
            .is_some_and(|s| Chunk::Auto.resolve(s.as_ref()).is_none_or(|n| n > 1)),
        n => n.parse::<usize>().is_ok_and(|n| n > 1),
    }
}

pub(super) fn chunking(f: &Facts<'_>) -> Finding {
    let mut j = Judge::new(
        "Chunking recovers the loss: grouping tiny tasks into larger chunks makes the \
         pool pay off (chunk > 1 or auto against chunk 1).",
        "001 (\"Chunk your work appropriately\": 400 ODEs in chunks of 50)",
    );
    let mut compared = false;
    for w in f.workloads {
        for one in w.series.iter().filter(|s| s.chunk.as_deref() == Some("1")) {
            for p1 in one.trusted().filter(|p| p.workers > 1) {
                // The fastest chunked cell of the same strategy and worker count.
                let Some((cs, cp)) = w
                    .strategy(&one.strategy)
                    .filter(|s| {
                        s.chunk
                            .as_deref()
                            .is_some_and(|c| groups_tasks(&s.strategy, c))
                    })
                    .filter_map(|s| Some((s, s.trusted().find(|p| p.workers == p1.workers)?)))
                    .min_by(|a, b| a.1.median_s.total_cmp(&b.1.median_s))
                else {
                    continue;
                };
                compared = true;
                let line = format!(
                    "{}: {} → {}",
                    w.workload,
                    describe(&one.label, p1),
                    describe(&cs.label, cp)
                );
                // Only a loss at chunk 1 leaves something to recover.
                if !clear_loss(p1) {
                    j.show(line);
                    continue;
                }
                j.evidence(line);
                if !clearly_faster(cp, p1) {
                    j.miss(format!(
                        "{}: {} is not faster than {}",
                        w.workload,
                        describe(&cs.label, cp),
                        describe(&one.label, p1)
                    ));
                }
            }
        }
    }
    j.judge(if compared {
        "chunk 1 never lost to serial here, so there was no loss to recover"
    } else {
        "needs cells of one workload, strategy and worker count with chunk 1 and with a \
         larger chunk (or auto)"
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn processes_on_cpu_work_flip_with_the_data() {
        let cpu = ["sum-squares", "exp-loop"];
        let claim = "Processes speed up CPU-bound";
        assert!(holds(&judgement(sweep(&cpu, "process", 0.05), claim)));
        assert!(fails(&judgement(sweep(&cpu, "process", 1.0), claim)));
        // One of the two failing is enough.
        let mut mixed = sweep(&["sum-squares"], "process", 0.05);
        mixed.extend(sweep(&["exp-loop"], "process", 1.0));
        assert!(fails(&judgement(mixed, claim)));
    }

    #[test]
    fn tiny_tasks_and_chunking_flip_with_the_data() {
        let claim = "For tiny tasks";
        let tiny = ["monte-carlo", "noop"];
        assert!(holds(&judgement(sweep(&tiny, "pool", 20.0), claim)));
        assert!(fails(&judgement(sweep(&tiny, "pool", 0.1), claim)));
        // Scoped threads split the tasks up front: no pool, no dispatch per task.
        assert!(unmeasured(&judgement(sweep(&tiny, "scoped", 20.0), claim)));

        let claim = "Chunking recovers";
        let chunked = |f_one: f64, f_big: f64| {
            let mut v = vec![cell("noop", "serial", 1, 0.0)];
            for (chunk, f) in [("1", f_one), ("64", f_big)] {
                for p in [2, 4] {
                    let mut c = cell("noop", "pool", p, f);
                    c.chunk = Some(chunk.into());
                    v.push(c);
                }
            }
            v
        };
        assert!(holds(&judgement(chunked(20.0, 0.2), claim)));
        assert!(fails(&judgement(chunked(20.0, 20.0), claim)));
        // No loss at chunk 1: nothing to recover.
        assert!(unmeasured(&judgement(chunked(0.2, 0.2), claim)));
        // No chunk-1 cells at all.
        assert!(unmeasured(&judgement(
            sweep(&["noop"], "pool", 20.0),
            claim
        )));

        // `auto` batches under `process` only; for `pool` it is chunk 1 under another name.
        let auto = |strategy: &str| {
            let mut v = vec![cell("noop", "serial", 1, 0.0)];
            for (chunk, f) in [("1", 20.0), ("auto", 0.2)] {
                let mut c = cell("noop", strategy, 2, f);
                c.chunk = Some(chunk.into());
                v.push(c);
            }
            v
        };
        assert!(holds(&judgement(auto("process"), claim)));
        assert!(unmeasured(&judgement(auto("pool"), claim)));
        assert!(unmeasured(&judgement(auto("gil"), claim)));
    }
}
