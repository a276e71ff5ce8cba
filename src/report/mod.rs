//! Reporting: turns results into what people read. The terminal table lives here; charts and
//! documents read the same [`Results`](crate::results::Results).
//!
//! [`write`] is the one entry point of `parbench report`: it reads nothing but its [`Input`]
//! (a results file, or criterion's estimates made into one) and never runs a workload, so a
//! file from another machine can be charted here.
//!
//! - [`scaling`]: speedup, intervals, efficiency, Karp–Flatt, Amdahl fit, overhead, best strategy
//! - [`findings`]: the documents' claims tested against the file
//! - [`figures`]: the charts, one file each, drawn with the [`plot`](crate::plot) kit
//! - [`document`]: the report's content, rendered by [`markdown`] and [`html`]
//! - [`criterion`]: criterion's estimates as an in-memory results file

pub mod criterion;
pub mod document;
pub mod figures;
pub mod findings;
pub mod html;
pub mod markdown;
pub mod scaling;
pub mod table;

use crate::error::Error;
use crate::plot::Chart;
use crate::results::Results;
use crate::sys::files::write_atomic;
use std::path::{Path, PathBuf};

/// Where a report's results came from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A results file written by `parbench run`.
    File(PathBuf),
    /// A criterion output directory (`target/criterion`).
    Criterion(PathBuf),
}

impl Source {
    /// `<stem>-report/` beside a results file; `parbench-report/` inside a criterion directory,
    /// next to criterion's own `report/`.
    pub fn default_dir(&self) -> PathBuf {
        match self {
            Source::File(path) => {
                let stem = path
                    .file_stem()
                    .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
                path.with_file_name(format!("{stem}-report"))
            }
            Source::Criterion(dir) => dir.join("parbench-report"),
        }
    }
}

/// What a report is made from.
pub struct Input {
    pub results: Results,
    pub source: Source,
}

impl Input {
    /// Reads a results file; a missing, truncated or foreign file is a usage error naming it.
    pub fn read(path: &Path) -> Result<Input, Error> {
        let results = Results::read(path)?;
        Ok(Input {
            results,
            source: Source::File(path.to_path_buf()),
        })
    }
}

/// File names from workload names, which a foreign file may spell with anything.
pub(crate) fn stem_for(prefix: &str, name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = format!("{prefix}{clean}");
    let mut stem = base.clone();
    let mut n = 2;
    while taken.contains(&stem) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    taken.push(stem.clone());
    stem
}

/// Writes the report into `dir`: report.md, report.html, and every chart as SVG and PNG, each
/// file atomically. Returns the paths written.
pub fn write(input: &Input, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let workloads = scaling::analyse(input);
    let overhead = scaling::overhead(input, &workloads);
    let best = scaling::best_per_workload(&workloads);
    let findings = findings::evaluate(&findings::Facts {
        cells: &input.results.cells,
        workloads: &workloads,
        overhead: &overhead,
        logical_cores: input.results.machine.logical_cores,
    });
    let palette = figures::palette(
        workloads
            .iter()
            .flat_map(|w| w.series.iter().map(|s| s.label.as_str())),
    );

    let mut taken = Vec::new();
    let stems = document::Stems {
        overview: Some(stem_for("", "overview", &mut taken)),
        overhead: Some(stem_for("", "overhead", &mut taken)),
        workloads: workloads
            .iter()
            .map(|w| stem_for("workload-", &w.workload, &mut taken))
            .collect(),
    };
    let mut drawn = Vec::new();
    if let (false, Some(stem)) = (best.is_empty(), &stems.overview) {
        drawn.push(figures::overview::chart(&best, &palette, stem)?);
    }
    if let (false, Some(stem)) = (overhead.is_empty(), &stems.overhead) {
        drawn.push(figures::overhead::chart(&overhead, &palette, stem)?);
    }
    for (w, stem) in workloads.iter().zip(&stems.workloads) {
        drawn.push(figures::workload::chart(w, &palette, stem)?);
    }
    let analysis = document::Analysis {
        input,
        workloads,
        overhead,
        best,
        findings,
    };
    let doc = document::build(&analysis, &stems, &drawn);
    write_document(&doc, &drawn, dir)
}

/// Writes `doc` as report.md and a self-contained report.html into `dir` (created if needed),
/// beside every chart as SVG and PNG, each file atomically. Returns the paths written.
pub(crate) fn write_document(
    doc: &document::Document,
    drawn: &[Chart],
    dir: &Path,
) -> Result<Vec<PathBuf>, Error> {
    let md = markdown::render(doc);
    let html = html::render(doc, drawn);
    prepare_dir(dir)?;
    let mut written = Vec::new();
    let mut put = |name: String, bytes: &[u8]| -> Result<(), Error> {
        let path = dir.join(name);
        write_atomic(&path, bytes, Some("--out"))?;
        written.push(path);
        Ok(())
    };
    for c in drawn {
        put(format!("{}.svg", c.stem), c.svg.as_bytes())?;
        put(format!("{}.png", c.stem), &c.png)?;
    }
    put("report.md".into(), md.as_bytes())?;
    put("report.html".into(), html.as_bytes())?;
    Ok(written)
}

fn prepare_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::usage(format!(
            "--out {}: exists and is not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::usage(format!("--out {}: cannot create: {e}", dir.display())))
}
