//! A task that fails or panics is reported with its message; every other task still runs.

use parbench::strategy::{self, Chunk, Options};
use parbench::workload::{Check, Instance, Output, TaskResult};

struct Faulty;

impl Instance for Faulty {
    fn tasks(&self) -> usize {
        12
    }
    fn run(&self, index: usize) -> Result<Output, String> {
        match index {
            3 => panic!("task three blew up"),
            7 => Err("bad input for seven".into()),
            i => Ok(Output::Int(i as i128)),
        }
    }
    fn verify(&self, _results: &[TaskResult]) -> Check {
        Check::pass("faulty")
    }
}

#[test]
fn failures_and_panics_are_reported_per_task_under_every_strategy() {
    // `process` runs registered workloads only; the `panic` diagnostic covers it in
    // tests/processes.rs.
    for s in strategy::registry()
        .into_iter()
        .filter(|s| s.name() != "process")
    {
        for workers in [1, 2, 4] {
            let opts = Options::default();
            let mut exec =
                strategy::start_for(s.as_ref(), &Faulty, workers, Chunk::Auto, &opts).unwrap();
            let results = exec.execute(&Faulty);
            assert_eq!(results.len(), 12, "{}", s.name());
            for (i, r) in results.iter().enumerate() {
                match i {
                    3 => assert!(
                        r.as_ref()
                            .unwrap_err()
                            .message
                            .contains("task three blew up"),
                        "{}: {r:?}",
                        s.name()
                    ),
                    7 => assert_eq!(r.as_ref().unwrap_err().message, "bad input for seven"),
                    _ => assert_eq!(r, &Ok(Output::Int(i as i128)), "{}", s.name()),
                }
            }
        }
    }
}

#[test]
fn risky_reports_exactly_task_five_and_verifies() {
    let w = parbench::workload::find("risky").unwrap();
    let inst = w.prepare(&Default::default());
    for s in strategy::registry()
        .into_iter()
        .filter(|s| s.name() != "process")
    {
        let opts = Options::default();
        let mut exec =
            strategy::start_for(s.as_ref(), inst.as_ref(), 2, Chunk::Auto, &opts).unwrap();
        let results = exec.execute(inst.as_ref());
        let failed: Vec<usize> = (0..results.len())
            .filter(|&i| results[i].is_err())
            .collect();
        assert_eq!(failed, vec![5], "{}", s.name());
        assert!(inst.verify(&results).passed);
    }
}

mod runner_verdicts {
    use parbench::measure::runner::{self, Plan, Silent};
    use parbench::strategy;
    use parbench::workload::{Check, Instance, Kind, Output, Params, TaskResult, Workload};

    /// Tasks whose outputs depend on which thread ran them: a stand-in for a data race. The
    /// workload's own check passes, so only the comparison with serial can catch it.
    struct ThreadDependent;
    struct Racy;

    impl Instance for Racy {
        fn tasks(&self) -> usize {
            8
        }
        fn run(&self, _index: usize) -> Result<Output, String> {
            let name = std::thread::current().name().unwrap_or("").to_string();
            Ok(Output::Text(name))
        }
        fn verify(&self, _results: &[TaskResult]) -> Check {
            Check::pass("accepts anything")
        }
    }

    impl Workload for ThreadDependent {
        fn name(&self) -> &'static str {
            "racy"
        }
        fn description(&self) -> &'static str {
            "outputs depend on the executing thread"
        }
        fn kind(&self) -> Kind {
            Kind::Overhead
        }
        fn prepare(&self, _: &Params) -> Box<dyn Instance> {
            Box::new(Racy)
        }
    }

    /// A workload whose check always fails.
    struct Wrong;
    struct WrongInstance;

    impl Instance for WrongInstance {
        fn tasks(&self) -> usize {
            2
        }
        fn run(&self, i: usize) -> Result<Output, String> {
            Ok(Output::Int(i as i128))
        }
        fn verify(&self, _results: &[TaskResult]) -> Check {
            Check::fail("expected something else")
        }
    }

    impl Workload for Wrong {
        fn name(&self) -> &'static str {
            "wrong"
        }
        fn description(&self) -> &'static str {
            "fails its check"
        }
        fn kind(&self) -> Kind {
            Kind::Overhead
        }
        fn prepare(&self, _: &Params) -> Box<dyn Instance> {
            Box::new(WrongInstance)
        }
    }

    fn plan(w: Box<dyn Workload>) -> Plan {
        let strategies = vec![
            strategy::find("serial").unwrap(),
            strategy::find("pool").unwrap(),
        ];
        let mut p = Plan::new(vec![w], strategies, vec![2], Params::default());
        p.warmup = 0;
        p.samples = 2;
        p
    }

    #[test]
    fn outputs_that_differ_from_serial_fail_verification() {
        let cells = runner::run(&plan(Box::new(ThreadDependent)), &mut Silent);
        assert!(cells[0].verified, "serial is the reference");
        assert!(!cells[1].verified);
        assert!(
            cells[1].check.contains("differs from the serial result"),
            "{}",
            cells[1].check
        );
    }

    /// A workload whose first task starts giving another answer from its fourth run on.
    struct Drifting;
    struct DriftingInstance(std::sync::atomic::AtomicUsize);

    impl Instance for DriftingInstance {
        fn tasks(&self) -> usize {
            1
        }
        fn run(&self, _: usize) -> Result<Output, String> {
            let runs = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(Output::Int(i128::from(runs >= 3)))
        }
        fn verify(&self, _results: &[TaskResult]) -> Check {
            Check::pass("accepts anything")
        }
    }

    impl Workload for Drifting {
        fn name(&self) -> &'static str {
            "drifting"
        }
        fn description(&self) -> &'static str {
            "changes its answer after three runs"
        }
        fn kind(&self) -> Kind {
            Kind::Overhead
        }
        fn prepare(&self, _: &Params) -> Box<dyn Instance> {
            Box::new(DriftingInstance(Default::default()))
        }
    }

    /// `--sample-time` repeats the tasks within a sample: a repetition that goes wrong fails
    /// the cell although the sample's first run was right.
    #[test]
    fn every_repetition_within_a_sample_is_verified() {
        let mut p = plan(Box::new(Drifting));
        p.strategies.truncate(1);
        p.samples = 1;
        p.warmup = 1;
        p.min_sample_time = std::time::Duration::from_millis(20);
        let cells = runner::run(&p, &mut Silent);
        let c = &cells[0];
        assert!(c.loops > 3, "{} loops", c.loops);
        assert_eq!(c.samples_s.len(), 1);
        assert!(!c.verified, "a wrong repetition went unnoticed");
    }

    #[test]
    fn a_failed_check_marks_every_cell_unverified_with_the_reason() {
        let cells = runner::run(&plan(Box::new(Wrong)), &mut Silent);
        for c in &cells {
            assert!(!c.verified);
            assert!(c.check.contains("expected something else"));
            assert_eq!(c.samples_s.len(), 2, "timings are still recorded");
        }
    }
}

/// The terminal table says when a worker process was replaced: a `yes` alone would read as a
/// clean measurement.
#[test]
fn the_table_shows_the_restarts_of_a_crashing_worker() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("crash.json");
    let out = crate::common::parbench(&[
        "run",
        "--quick",
        "--workloads",
        "crash",
        "--strategies",
        "process",
        "--workers",
        "2",
        "--rounds",
        "1",
        // One run per sample: how many runs a calibrated sample repeats depends on the
        // machine's speed, and each run replaces two workers.
        "--sample-time",
        "0",
        "--samples",
        "1",
        "--out",
        crate::common::arg(&out_path),
    ]);
    let table = crate::common::stdout(&out);
    let row = table
        .lines()
        .find(|l| l.split_whitespace().take(2).eq(["crash", "process"]))
        .unwrap_or_else(|| panic!("no crash/process row: {table}"));
    // Task 3 kills its worker, is retried on a replacement, and kills that one too; the
    // sample those replacements slowed is left out of the statistics.
    assert!(
        row.ends_with("yes (1 failed as expected, 2 restarts, 1 sample left out)"),
        "{row}"
    );
}
