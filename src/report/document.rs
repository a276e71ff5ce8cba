//! What a report says, as a list of format-neutral blocks that the Markdown and HTML writers
//! both render, so the two documents can never disagree.

use super::findings::{self, Finding};
use super::scaling::{self, Best, OverheadSeries, WorkloadScaling};
use super::{Input, Source};
use crate::plot::Chart;
use crate::results::Cell;
use crate::units;

/// Text in blocks may hold `code` spans in backticks; each writer renders them its way.
pub enum Block {
    Heading {
        level: u8,
        text: String,
        id: String,
    },
    Paragraph(String),
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart, by its stem.
    Figure {
        stem: String,
        alt: String,
    },
}

pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// Everything the report draws on.
pub struct Analysis<'a> {
    pub input: &'a Input,
    pub workloads: Vec<WorkloadScaling>,
    pub overhead: Vec<OverheadSeries>,
    pub best: Vec<Best>,
    pub findings: Vec<Finding>,
}

/// The chart stems the document refers to, decided before drawing.
pub struct Stems {
    pub overview: Option<String>,
    pub overhead: Option<String>,
    /// One per workload, in the order of `Analysis::workloads`.
    pub workloads: Vec<String>,
}

fn heading(level: u8, text: &str) -> Block {
    let id: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Block::Heading {
        level,
        text: text.to_string(),
        id: id.trim_matches('-').to_string(),
    }
}

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map(f).unwrap_or_else(|| "–".into())
}

pub fn build(a: &Analysis<'_>, stems: &Stems, charts: &[Chart]) -> Document {
    let has = |stem: &Option<String>| {
        stem.as_ref()
            .filter(|s| charts.iter().any(|c| &c.stem == *s))
            .cloned()
    };
    let mut b = Vec::new();
    source(a.input, &mut b);
    machine(a.input, &mut b);
    config(a.input, &mut b);
    method(&mut b);
    findings_table(&a.findings, &mut b);
    overview(&a.best, has(&stems.overview), &mut b);
    overhead(&a.overhead, has(&stems.overhead), &mut b);
    b.push(heading(2, "Workloads"));
    for (w, stem) in a.workloads.iter().zip(&stems.workloads) {
        workload(a.input, w, has(&Some(stem.clone())), &mut b);
    }
    Document {
        title: "parbench report".into(),
        blocks: b,
    }
}

fn source(input: &Input, b: &mut Vec<Block>) {
    let r = &input.results;
    b.push(Block::Paragraph(match &input.source {
        Source::File(path) => format!(
            "From the results file `{}` (schema `{}`, parbench {}, created {}). \
             The report reads only this file; nothing was re-run.",
            path.display(),
            r.schema,
            r.parbench_version,
            r.created
        ),
        Source::Criterion(dir) => format!(
            "From criterion's estimates under `{}` (`cargo bench --bench scaling`): \
             medians and criterion's 95 % bootstrap intervals of the median, written at {}. \
             Criterion records no machine, so the machine below is the one this report was \
             made on.",
            dir.display(),
            r.created
        ),
    }));
}

fn machine(input: &Input, b: &mut Vec<Block>) {
    let m = &input.results.machine;
    b.push(heading(2, "Machine"));
    let gib = m.memory_bytes as f64 / (1u64 << 30) as f64;
    let rows = [
        ("CPU", m.cpu_model.clone()),
        (
            "cores",
            format!(
                "{} logical, {} physical",
                m.logical_cores,
                m.physical_cores
                    .map_or_else(|| "unknown".into(), |p| p.to_string())
            ),
        ),
        ("memory", format!("{gib:.1} GiB")),
        ("OS", format!("{} (kernel {}, {})", m.os, m.kernel, m.arch)),
        ("host", m.hostname.clone()),
        ("rustc", m.rustc.clone()),
        (
            "BLAS",
            format!(
                "{} ({} variant, {} threads by default): {}",
                m.blas.library, m.blas.variant, m.blas.default_threads, m.blas.config
            ),
        ),
        (
            "parbench commit",
            m.git_commit.clone().unwrap_or_else(|| "unknown".into()),
        ),
    ];
    b.push(Block::Table {
        header: vec!["".into(), "".into()],
        rows: rows.into_iter().map(|(k, v)| vec![k.into(), v]).collect(),
    });
}

fn config(input: &Input, b: &mut Vec<Block>) {
    let c = &input.results.config;
    b.push(heading(2, "Configuration"));
    let list = |v: &[String]| v.join(", ");
    let rows = [
        ("size", c.size.clone()),
        ("workloads", list(&c.workloads)),
        ("strategies", list(&c.strategies)),
        (
            "workers",
            c.workers
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("chunk", c.chunk.clone()),
        (
            "samples",
            format!("{} timed after {} warm-up", c.samples, c.warmup),
        ),
        ("scale", c.scale.to_string()),
        ("seed", c.seed.to_string()),
        ("cells", input.results.cells.len().to_string()),
    ];
    b.push(Block::Table {
        header: vec!["".into(), "".into()],
        rows: rows.into_iter().map(|(k, v)| vec![k.into(), v]).collect(),
    });
}

fn method(b: &mut Vec<Block>) {
    b.push(heading(2, "How the figures are derived"));
    b.push(Block::List(vec![
        "Speedup S(p) = T(serial) / T(strategy, p), with T the median of the timed samples \
         and T(serial) the serial median of the same file."
            .into(),
        "Speedup interval: the cell's 95 % interval of the median, [lo, hi], set against the \
         serial median: [T(serial)/hi, T(serial)/lo]."
            .into(),
        "Noise: the spread the cell measured, as a percentage of its median — between the \
         medians of its rounds (each round in a fresh process, so address layout and the \
         machine's moment vary) and of samples within a round. The interval of the median \
         comes from the rounds: samples of one round share its state."
            .into(),
        "Efficiency E(p) = S(p)/p.".into(),
        "Karp–Flatt serial fraction e(p) = (1/S − 1/p) / (1 − 1/p), for p > 1.".into(),
        "Amdahl fit: the f in [0, 1] that minimises Σ (S(p) − 1/(f + (1 − f)/p))² over the \
         medians with p > 1 (f = 1 also stands for a slowdown, which Amdahl's law cannot \
         express)."
            .into(),
        format!(
            "Findings count a speedup when the median is at least {}× and the interval lies \
             above 1, a slowdown when at most 1/{}× with the interval below 1. Only verified \
             cells enter charts, fits and findings.",
            findings::GAIN,
            findings::GAIN
        ),
    ]));
}

fn findings_table(f: &[Finding], b: &mut Vec<Block>) {
    b.push(heading(2, "Findings"));
    b.push(Block::Paragraph(
        "Each claim of the two documents (000: the SciPy wiki page; 001: the textbook \
         chapter), tested against this file."
            .into(),
    ));
    b.push(Block::Table {
        header: vec![
            "claim".into(),
            "documents".into(),
            "measured here".into(),
            "verdict".into(),
        ],
        rows: f
            .iter()
            .map(|f| {
                vec![
                    f.claim.to_string(),
                    f.source.to_string(),
                    if f.measured.is_empty() {
                        "–".into()
                    } else {
                        f.measured.join("; ")
                    },
                    f.judgement.text(),
                ]
            })
            .collect(),
    });
}

fn overview(best: &[Best], stem: Option<String>, b: &mut Vec<Block>) {
    b.push(heading(2, "Overview"));
    if best.is_empty() {
        b.push(Block::Paragraph(
            "No workload has a verified parallel cell, so there is no best strategy to show."
                .into(),
        ));
        return;
    }
    if let Some(stem) = stem {
        b.push(Block::Figure {
            stem,
            alt: "best strategy per workload at its largest worker count".into(),
        });
    }
    b.push(Block::Table {
        header: vec![
            "workload".into(),
            "best strategy".into(),
            "workers".into(),
            "speedup".into(),
            "95 % interval".into(),
            "efficiency".into(),
        ],
        rows: best
            .iter()
            .map(|x| {
                vec![
                    x.workload.clone(),
                    x.label.clone(),
                    x.point.workers.to_string(),
                    opt(x.point.speedup, units::speedup),
                    x.point
                        .speedup_ci
                        .map_or_else(|| "–".into(), units::speedup_interval),
                    opt(x.point.efficiency, units::percent),
                ]
            })
            .collect(),
    });
}

fn overhead(series: &[OverheadSeries], stem: Option<String>, b: &mut Vec<Block>) {
    b.push(heading(2, "Dispatch overhead"));
    b.push(Block::Paragraph(format!(
        "Per-task overhead o of each strategy, from the `{}` workload's empty tasks: the \
         cell's `overhead_us_per_task` where recorded, else median / tasks. Break-even: with \
         n tasks of duration t on p workers, parallel time ≈ n·t/p + n·o against n·t \
         serially, so a strategy beats serial only when t > o·p/(p − 1); below that, run \
         serially or group tasks into chunks.",
        scaling::OVERHEAD_WORKLOAD
    )));
    if series.is_empty() {
        b.push(Block::Paragraph(format!(
            "No verified `{}` cells in this file.",
            scaling::OVERHEAD_WORKLOAD
        )));
        return;
    }
    if let Some(stem) = stem {
        b.push(Block::Figure {
            stem,
            alt: "dispatch overhead per task and break-even task duration".into(),
        });
    }
    let mut rows = Vec::new();
    for s in series {
        for p in &s.points {
            rows.push(vec![
                s.label.clone(),
                p.workers.to_string(),
                units::micros(p.us_per_task),
                if p.recorded {
                    "recorded".into()
                } else {
                    "median / tasks".into()
                },
                p.break_even_us
                    .map_or_else(|| "never (one worker)".into(), units::micros),
            ]);
        }
    }
    b.push(Block::Table {
        header: vec![
            "strategy".into(),
            "workers".into(),
            "overhead per task".into(),
            "from".into(),
            "break-even task duration".into(),
        ],
        rows,
    });
}

/// The verified column, as the terminal table writes it but with the whole reason.
fn verified(c: &Cell) -> String {
    super::table::verdict(c, usize::MAX)
}

fn workload(input: &Input, w: &WorkloadScaling, stem: Option<String>, b: &mut Vec<Block>) {
    // Prefixed, so that a workload named like a section still gets its own anchor.
    let mut h = heading(3, &w.workload);
    if let Block::Heading { id, .. } = &mut h {
        *id = format!("workload-{id}");
    }
    b.push(h);
    if let Some(stem) = stem {
        b.push(Block::Figure {
            stem,
            alt: format!("{}: speedup, efficiency and serial fraction", w.workload),
        });
    }
    let mut notes = Vec::new();
    match w.serial_s {
        Some(s) => notes.push(format!("serial median {}", units::seconds(s))),
        None => notes.push("no serial cell: speedups are the ones the file stores".into()),
    }
    if let Some(t) = scaling::task_duration_s(w) {
        notes.push(format!("{} per task serially", units::seconds(t)));
    }
    let fits: Vec<String> = w
        .series
        .iter()
        .filter_map(|s| Some(format!("{} f = {}", s.label, units::fraction(s.amdahl?))))
        .collect();
    if !fits.is_empty() {
        notes.push(format!("Amdahl fit: {}", fits.join(", ")));
    }
    if w.has_unverified() {
        notes.push("cells that failed verification are left out of the chart and the fit".into());
    }
    let disturbed = w
        .series
        .iter()
        .flat_map(|s| &s.points)
        .filter(|p| !super::table::disturbances(&input.results.cells[p.cell]).is_empty())
        .count();
    if disturbed > 0 {
        notes.push(format!(
            "worker processes were replaced in {disturbed} of its cells (see the verified \
             column): the tasks they held were retried, and samples a replacement slowed are \
             left out of the statistics"
        ));
    }
    b.push(Block::Paragraph(notes.join("; ") + "."));
    let mut rows = Vec::new();
    for s in &w.series {
        for p in &s.points {
            let cell = &input.results.cells[p.cell];
            rows.push(vec![
                s.strategy.clone(),
                s.chunk.clone().unwrap_or_else(|| "–".into()),
                p.workers.to_string(),
                units::seconds(p.median_s),
                p.ci_s.map_or_else(
                    || "–".into(),
                    |[l, h]| format!("[{}, {}]", units::seconds(l), units::seconds(h)),
                ),
                noise(cell),
                opt(p.speedup, units::speedup),
                p.speedup_ci
                    .map_or_else(|| "–".into(), units::speedup_interval),
                opt(p.efficiency, units::percent),
                opt(p.karp_flatt, units::fraction),
                verified(cell),
            ]);
        }
    }
    if !rows.is_empty() {
        b.push(Block::Table {
            header: [
                "strategy",
                "chunk",
                "workers",
                "median",
                "95 % interval",
                "noise",
                "speedup",
                "speedup 95 %",
                "efficiency",
                "Karp–Flatt",
                "verified",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    let mut skipped: Vec<String> = Vec::new();
    for u in &w.unmeasured {
        let line = format!("`{}`: {}", u.strategy, u.reason);
        if !skipped.contains(&line) {
            skipped.push(line);
        }
    }
    if !skipped.is_empty() {
        b.push(Block::Paragraph("Not measured:".into()));
        b.push(Block::List(skipped));
    }
}

/// The noise a cell measured: "±B % between R rounds (P processes), ±W % within", or "–".
fn noise(cell: &Cell) -> String {
    let Some(n) = &cell.noise else {
        return "–".into();
    };
    let pct = |x: f64| format!("±{}%", units::compact(x, 1));
    let mut parts = Vec::new();
    if let Some(b) = n.between_rounds_pct {
        parts.push(format!(
            "{} between {} rounds ({} processes)",
            pct(b),
            n.rounds,
            n.processes
        ));
    }
    if let Some(w) = n.within_rounds_pct {
        parts.push(format!("{} within", pct(w)));
    }
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Noise;

    #[test]
    fn a_cell_shows_the_noise_it_measured() {
        let mut c = Cell::new("svd", "pool", 2);
        assert_eq!(noise(&c), "–");
        c.noise = Some(Noise {
            rounds: 4,
            processes: 4,
            between_rounds_pct: Some(3.3),
            within_rounds_pct: Some(0.5),
        });
        assert_eq!(
            noise(&c),
            "±3.3% between 4 rounds (4 processes), ±0.5% within"
        );
        c.noise = Some(Noise {
            rounds: 1,
            processes: 1,
            between_rounds_pct: None,
            within_rounds_pct: Some(1.0),
        });
        assert_eq!(noise(&c), "±1.0% within");
    }
}
