//! `--rounds R`: the matrix runs R times, each round starting at a different cell, and every
//! cell pools its samples from all rounds.

use crate::common;

use parbench::measure::runner::{self, CellLabel, Progress};
use parbench::workload::Size;

/// Records the order in which cells start.
#[derive(Default)]
struct Order(Vec<String>);

impl Progress for Order {
    fn cell(&mut self, l: &CellLabel<'_>) {
        self.0
            .push(format!("{}/{}/{}", l.workload, l.strategy, l.workers));
    }
    fn run_done(&mut self) {}
}

#[test]
fn rounds_rotate_the_cell_order_and_pool_the_samples() {
    let mut plan = common::plan(
        &["sum-squares", "ode-sweep"],
        &["serial", "pool"],
        Size::Quick,
        &[1, 2],
    );
    plan.rounds = 3;
    plan.samples = 2;
    let mut order = Order::default();
    let cells = runner::run(&plan, &mut order);

    // 2 workloads × (serial + pool at 1 and 2 workers) = 6 cells, each seen once per round.
    assert_eq!(cells.len(), 6);
    assert_eq!(order.0.len(), 18);
    let rounds: Vec<&[String]> = order.0.chunks(6).collect();
    let firsts: Vec<&String> = rounds.iter().map(|r| &r[0]).collect();
    assert_eq!(firsts[0], "sum-squares/serial/1");
    // Round r starts r/3 of the way through the 6 cells of round 0.
    assert_eq!(
        firsts,
        vec![&rounds[0][0], &rounds[0][2], &rounds[0][4]],
        "{firsts:?}"
    );
    for r in &rounds {
        let mut sorted = r.to_vec();
        sorted.sort();
        let mut first = rounds[0].to_vec();
        first.sort();
        assert_eq!(sorted, first, "every round covers every cell once");
    }
    for c in &cells {
        assert_eq!(c.samples_s.len(), 6, "{}/{}", c.workload, c.strategy);
        assert!(c.verified, "{}", c.check);
    }
}

/// `--sample-time`: a cell whose tasks finish well inside it repeats them within each sample,
/// the count fixed once, and every repetition is verified like a sample of its own.
#[test]
fn sample_time_repeats_short_cells_within_each_sample() {
    let mut plan = common::plan(&["ode-sweep"], &["serial", "pool"], Size::Quick, &[2]);
    plan.rounds = 2;
    plan.samples = 3;
    plan.min_sample_time = std::time::Duration::from_millis(50);
    let cells = runner::run(&plan, &mut runner::Silent);
    for c in &cells {
        assert!(c.verified, "{}", c.check);
        assert_eq!(c.samples_s.len(), 6);
        // A quick ode-sweep runs in well under a millisecond, far inside 50 ms even on a
        // loaded machine; the count itself depends on the warm-up's timing, so only its
        // direction is checked.
        assert!(c.loops > 1, "{}: {} loops", c.strategy, c.loops);
    }

    // Without a sample time, one run of the tasks per sample.
    plan.min_sample_time = std::time::Duration::ZERO;
    for c in runner::run(&plan, &mut runner::Silent) {
        assert_eq!(c.loops, 1);
    }
}

/// By default a cell whose one run lasts ten `--sample-time`s takes one sample per round (its
/// rounds carry the evidence); `--samples` given explicitly is kept for every cell.
#[test]
fn a_long_cell_takes_one_sample_per_round_unless_samples_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    // A quick io-sleep run sleeps about 100 ms: long against ten samples of 2 ms, and its
    // sleeps make that hold on any machine.
    let base = [
        "run",
        "--size",
        "quick",
        "--workloads",
        "io-sleep,ode-sweep",
        "--strategies",
        "serial",
        "--rounds",
        "2",
        "--sample-time",
        "2",
        "--out",
    ];
    let cells = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.push(common::arg(&out));
        args.extend_from_slice(extra);
        let o = common::parbench(&args);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let per: Vec<u64> = c["round_samples"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_u64().unwrap())
                    .collect();
                (c["workload"].as_str().unwrap().to_string(), per)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        cells(&[]),
        [
            ("ode-sweep".into(), vec![2, 2]),
            ("io-sleep".into(), vec![1, 1])
        ]
    );
    assert_eq!(
        cells(&["--samples", "2"]),
        [
            ("ode-sweep".into(), vec![2, 2]),
            ("io-sleep".into(), vec![2, 2])
        ]
    );
}
