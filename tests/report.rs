//! `parbench report`, driven through the built binary: charts and documents from a real quick
//! run, from a synthetic file with 1..64 workers and every workload, and from criterion's
//! estimates; findings that follow the data; and the one-line errors for bad input.

use crate::common;

use common::{parbench, stderr};
use parbench::measure::machine;
use parbench::results::{Cell, Config, Results};
use parbench::workload;
use std::path::{Path, PathBuf};
use std::process::Output;

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(out)
    );
}

fn mkdir(p: PathBuf) -> PathBuf {
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Decodes a PNG fully and returns its dimensions.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Not a blank canvas: some pixels are dark (text, axes).
    assert!(buf.iter().any(|&b| b < 64), "{} is blank", path.display());
    (info.width, info.height)
}

/// Parses an SVG as XML and returns all its text content.
fn svg_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{}: not XML: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks every chart of a report directory decodes, and that nothing else (no temporary
/// file) was left there. Returns the chart stems.
fn check_charts(dir: &Path) -> Vec<String> {
    let mut stems = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match path.extension().and_then(|x| x.to_str()) {
            Some("png") => {
                let (w, h) = png_size(&path);
                assert!(w >= 800 && h >= 250, "{name}: {w}×{h}");
                let svg = path.with_extension("svg");
                assert!(svg.exists(), "{name} has no SVG twin");
                stems.push(path.file_stem().unwrap().to_string_lossy().into_owned());
            }
            Some("svg") => {
                svg_text(&path);
            }
            Some("md") | Some("html") => {}
            _ => panic!("unexpected file {name}"),
        }
    }
    stems.sort();
    stems
}

/// The findings rows of report.md, as (claim, verdict).
fn findings(md: &str) -> Vec<(String, String)> {
    let start = md.find("## Findings").expect("a findings section");
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| claim"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cols: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            (
                cols[0].trim().to_string(),
                cols.last().unwrap().trim().to_string(),
            )
        })
        .collect()
}

fn verdict_of(md: &str, claim_starts: &str) -> String {
    findings(md)
        .into_iter()
        .find(|(c, _)| c.starts_with(claim_starts))
        .unwrap_or_else(|| panic!("no claim starting {claim_starts:?}"))
        .1
}

#[test]
fn report_of_a_quick_run_has_every_chart_and_document() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("quick.json");
    ok(&parbench(&[
        "run",
        "--quick",
        "--workloads",
        "sum-squares,sin,matmul,monte-carlo,noop",
        "--workers",
        "1,2",
        "--samples",
        "3",
        "--warmup",
        "0",
        "--out",
        s(&results),
    ]));
    let out = parbench(&["report", s(&results)]);
    ok(&out);
    // The default directory sits beside the results file, named after it.
    let report = dir.path().join("quick-report");
    let stems = check_charts(&report);
    for stem in [
        "overview",
        "overhead",
        "workload-sum-squares",
        "workload-sin",
        "workload-matmul",
        "workload-monte-carlo",
        "workload-noop",
    ] {
        assert!(stems.iter().any(|s| s == stem), "{stem} missing: {stems:?}");
    }
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("## Machine") && md.contains("## Configuration"));
    assert!(md.contains("[![") && md.contains("workload-sin.png"));
    // One table row per claim, each with one of the three verdicts.
    let rows = findings(&md);
    assert!(rows.len() >= 8, "{rows:?}");
    for (claim, verdict) in &rows {
        assert!(
            verdict.starts_with("holds here")
                || verdict.starts_with("does not hold here")
                || verdict.starts_with("not measured in this file"),
            "{claim}: {verdict}"
        );
    }
    // The run has gil cells for sum-squares, so the GIL claim is measured, not skipped.
    assert!(!verdict_of(&md, "Threads do not speed up CPU-bound").starts_with("not measured"));
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("<h2 id=\"findings\">Findings</h2>"));
    assert!(html.matches("<svg").count() >= 7);
}

/// Strategies with an Amdahl serial fraction each; `quantum` is one no build has heard of.
const STRATEGIES: [(&str, f64); 6] = [
    ("scoped", 0.01),
    ("pool", 0.03),
    ("process", 0.08),
    ("gil", 1.0),
    ("blas", 0.2),
    ("quantum", 0.5),
];

/// A results file with every workload at 1..64 workers, medians following Amdahl's law, and
/// `gil` at serial fraction `gil_f`.
fn synthetic(gil_f: f64) -> Results {
    let workers: Vec<usize> = (0..7).map(|i| 1 << i).collect();
    let mut cells = Vec::new();
    for (i, w) in workload::registry().iter().enumerate() {
        let t = 0.001 * (i + 1) as f64;
        let mut serial = Cell::new(w.name(), "serial", 1);
        serial.median_s = Some(t);
        serial.ci95_s = Some([t * 0.97, t * 1.04]);
        cells.push(serial);
        for (name, f) in STRATEGIES {
            let f = if name == "gil" { gil_f } else { f };
            for &p in &workers {
                let mut c = Cell::new(w.name(), name, p);
                let m = t * (f + (1.0 - f) / p as f64);
                c.median_s = Some(m);
                c.ci95_s = Some([m * 0.97, m * 1.04]);
                c.chunk = (name == "pool").then(|| "auto".into());
                cells.push(c);
            }
        }
    }
    for c in &mut cells {
        c.tasks = 100;
        c.verified = true;
        c.samples_s = vec![c.median_s.unwrap(); 5];
    }
    let mut m = machine::detect();
    m.logical_cores = 64;
    let mut r = Results::new(
        m,
        Config::of_matrix(
            "synthetic",
            workload::registry()
                .iter()
                .map(|w| w.name().into())
                .collect(),
            STRATEGIES.iter().map(|(s, _)| s.to_string()).collect(),
            workers,
            5,
        ),
        cells,
    );
    r.parbench_version = "synthetic".into();
    r.created = "2026-01-01T00:00:00Z".into();
    r
}

fn report_of(results: &Results, dir: &Path) -> PathBuf {
    let path = dir.join("synthetic.json");
    results.write(&path).unwrap();
    let out_dir = dir.join("out");
    ok(&parbench(&["report", s(&path), "--out", s(&out_dir)]));
    out_dir
}

#[test]
fn synthetic_file_with_64_workers_and_every_workload_charts_readably() {
    let dir = tempfile::tempdir().unwrap();
    let out = report_of(&synthetic(1.0), dir.path());
    let stems = check_charts(&out);
    assert_eq!(stems.len(), workload::registry().len() + 2, "{stems:?}");
    for w in workload::registry() {
        let text = svg_text(&out.join(format!("workload-{}.svg", w.name())));
        for needle in [
            &format!("{}: scaling against serial", w.name()) as &str,
            "workers",
            "speedup (log)",
            "efficiency",
            "serial fraction",
            "ideal: speedup = workers",
            "quantum",
            "gil",
            "64",
        ] {
            assert!(text.contains(needle), "{}: no {needle:?}", w.name());
        }
    }
    let overview = svg_text(&out.join("overview.svg"));
    for w in workload::registry() {
        assert!(overview.contains(w.name()), "overview lacks {}", w.name());
    }
    assert!(overview.contains("scoped, 64 workers"));
    let overhead = svg_text(&out.join("overhead.svg"));
    assert!(overhead.contains("break-even") && overhead.contains("process"));

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("### risky") && md.contains("| quantum | – | 64 |"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Self-contained: charts inline, nothing fetched.
    assert_eq!(html.matches("<svg").count(), stems.len());
    for external in ["<img", "<link", "<script", "src=\"http", "href=\"http"] {
        assert!(!html.contains(external), "report.html has {external}");
    }
    assert!(html.contains("<td>holds here</td>"));
}

#[test]
fn findings_follow_the_data_not_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let flat = report_of(&synthetic(1.0), &mkdir(dir.path().join("flat")));
    let md = std::fs::read_to_string(flat.join("report.md")).unwrap();
    assert_eq!(
        verdict_of(&md, "Threads do not speed up CPU-bound"),
        "holds here"
    );
    assert_eq!(
        verdict_of(&md, "Processes speed up CPU-bound"),
        "holds here"
    );

    // The same file, but the modelled GIL lets threads scale: the claim must fail, and say
    // with which figure.
    let fast = report_of(&synthetic(0.02), &mkdir(dir.path().join("fast")));
    let md = std::fs::read_to_string(fast.join("report.md")).unwrap();
    let v = verdict_of(&md, "Threads do not speed up CPU-bound");
    assert!(v.starts_with("does not hold here: "), "{v}");
    assert!(v.contains("gil") && v.contains("64 workers"), "{v}");
}

/// Runs a failing report: exit 2, one line on stderr naming `names`, no report written.
fn assert_rejected(args: &[&str], names: &str, no_dir: &Path) {
    let out = parbench(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(
        err.contains(names),
        "{args:?}: does not name {names}: {err}"
    );
    assert!(!no_dir.exists(), "{args:?} created {}", no_dir.display());
}

#[test]
fn unreadable_input_exits_2_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.json");
    synthetic(1.0).write(&good).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();

    let missing = d.join("missing.json");
    assert_rejected(
        &["report", s(&missing)],
        "missing.json",
        &d.join("missing-report"),
    );

    let truncated = d.join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    assert_rejected(
        &["report", s(&truncated)],
        "truncated.json",
        &d.join("truncated-report"),
    );

    let other = d.join("other.json");
    std::fs::write(
        &other,
        text.replacen("parbench/results/v1", "parbench/results/v9", 1),
    )
    .unwrap();
    assert_rejected(
        &["report", s(&other)],
        "other.json",
        &d.join("other-report"),
    );
    let err = stderr(&parbench(&["report", s(&other)]));
    assert!(err.contains("parbench/results/v9"), "{err}");

    let not_results = d.join("list.json");
    std::fs::write(&not_results, "[1, 2, 3]").unwrap();
    assert_rejected(
        &["report", s(&not_results)],
        "list.json",
        &d.join("list-report"),
    );

    // --out on an existing file.
    let blocker = d.join("blocker");
    std::fs::write(&blocker, "x").unwrap();
    let out = parbench(&["report", s(&good), "--out", s(&blocker)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out"));

    // No input at all, or both inputs.
    assert_rejected(&["report"], "RESULTS.json", &d.join("nothing"));
    assert_rejected(
        &["report", s(&good), "--criterion", s(d)],
        "--criterion",
        &d.join("good-report"),
    );
    // A directory with no criterion estimates.
    let empty = mkdir(d.join("empty"));
    assert_rejected(
        &["report", "--criterion", s(&empty)],
        "empty",
        &empty.join("parbench-report"),
    );
}

/// Writes one benchmark the way criterion 0.8 does (times in ns).
fn criterion_bench(root: &Path, id: &str, median_ns: f64) {
    let parts: Vec<&str> = id.split('/').collect();
    let dir = root.join(id).join("new");
    std::fs::create_dir_all(&dir).unwrap();
    let bench = serde_json::json!({
        "group_id": parts[0],
        "function_id": parts.get(1),
        "value_str": parts.get(2),
        "throughput": null,
        "full_id": id,
        "directory_name": id,
        "title": id,
    });
    let est = |v: f64| {
        serde_json::json!({
            "confidence_interval": {"confidence_level": 0.95, "lower_bound": v * 0.98, "upper_bound": v * 1.03},
            "point_estimate": v,
            "standard_error": v * 0.01,
        })
    };
    let estimates = serde_json::json!({
        "mean": est(median_ns), "median": est(median_ns), "median_abs_dev": est(1.0),
        "slope": est(median_ns), "std_dev": est(1.0),
    });
    let sample = serde_json::json!({
        "sampling_mode": "Linear",
        "iters": [10.0, 20.0, 30.0],
        "times": [10.0 * median_ns, 20.0 * median_ns, 30.0 * median_ns],
    });
    for (name, v) in [
        ("benchmark.json", bench),
        ("estimates.json", estimates),
        ("sample.json", sample),
    ] {
        std::fs::write(dir.join(name), v.to_string()).unwrap();
    }
}

#[test]
fn criterion_estimates_make_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let crit = dir.path().join("criterion");
    criterion_bench(&crit, "noop/serial/1", 6_000.0);
    criterion_bench(&crit, "noop/pool/1", 20_000.0);
    criterion_bench(&crit, "noop/pool/2", 28_000.0);
    criterion_bench(&crit, "sin/serial/1", 1_600_000.0);
    criterion_bench(&crit, "sin/pool/2", 850_000.0);
    // Not a scaling-bench id: ignored.
    criterion_bench(&crit, "other_bench", 1.0);

    let out = parbench(&["report", "--criterion", s(&crit)]);
    ok(&out);
    let report = crit.join("parbench-report");
    let stems = check_charts(&report);
    assert!(stems.contains(&"workload-sin".to_string()), "{stems:?}");
    assert!(stems.contains(&"overhead".to_string()), "{stems:?}");
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("criterion's estimates"), "{md}");
    // 1.6 ms / 0.85 ms from the medians, with criterion's interval around it.
    assert!(md.contains("| pool | auto | 2 | 850.00 µs |"), "{md}");
    assert!(md.contains("1.88×"), "{md}");
    assert!(!md.contains("other_bench"));
    // Overhead per task from the quick noop instance's task count.
    assert!(md.contains("| pool | 2 |"), "{md}");
}
