//! The subcommands: each turns parsed arguments into work and an exit code.

use crate::cli::{Cli, Command, RunArgs};
use crate::error::Error;
use crate::measure::machine;
use crate::measure::runner::{self, CellLabel, Plan, Progress};
use crate::results::{self, Results};
use crate::strategy::{self, Options, Strategy};
use crate::workload::{self, Params, Workload};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::process::ExitCode;
use std::time::Duration;

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::List => {
            print!("{}", list());
            Ok(ExitCode::SUCCESS)
        }
        Command::Machine { json } => {
            let m = machine::detect();
            if json {
                let text = serde_json::to_string_pretty(&m)
                    .map_err(|e| Error::Internal(format!("cannot encode machine: {e}")))?;
                println!("{text}");
            } else {
                println!("{}", m.describe());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run(&args),
        Command::Worker => {
            crate::strategy::process::serve::serve()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Pair(args) => crate::pair::command(&args),
        Command::Compare(args) => crate::compare::command(&args),
        Command::Report(args) => report(&args),
    }
}

/// `parbench list`: workloads, then strategies, one per line.
pub fn list() -> String {
    let mut out = String::from("workloads:\n");
    for w in workload::registry() {
        out += &format!("  {:<12} {}\n", w.name(), w.description());
    }
    out += "diagnostics (run only when named):\n";
    for w in workload::diagnostics() {
        out += &format!("  {:<12} {}\n", w.name(), w.description());
    }
    out += "strategies:\n";
    for s in strategy::registry() {
        out += &format!("  {:<12} {}\n", s.name(), s.description());
    }
    out
}

/// Resolves a comma-separated list of names (or "all") against a registry, naming the flag
/// and the known names when one is unknown.
fn select<T>(
    flag: &str,
    spec: &str,
    registry: Vec<T>,
    name: impl Fn(&T) -> &'static str,
) -> Result<Vec<T>, Error> {
    if spec.trim() == "all" {
        return Ok(registry);
    }
    let known: Vec<&str> = registry.iter().map(&name).collect();
    let mut wanted: Vec<&str> = Vec::new();
    for part in spec.split(',').map(str::trim) {
        if !known.contains(&part) {
            return Err(Error::usage(format!(
                "{flag}: unknown name '{part}' (known: {}, or all)",
                known.join(", ")
            )));
        }
        if !wanted.contains(&part) {
            wanted.push(part);
        }
    }
    // Keep the registry's order, so tables and files read the same whatever the flag's order.
    Ok(registry
        .into_iter()
        .filter(|t| wanted.contains(&name(t)))
        .collect())
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn cell(&mut self, label: &CellLabel<'_>) {
        self.0.set_message(format!(
            "{} / {} / {}",
            label.workload, label.strategy, label.workers
        ));
    }
    fn run_done(&mut self) {
        self.0.inc(1);
    }
}

fn run(args: &RunArgs) -> Result<ExitCode, Error> {
    let workloads: Vec<Box<dyn Workload>> = if args.workloads.trim() == "all" {
        workload::registry()
    } else {
        // Diagnostics run only when named, so `all` never crashes or hangs on purpose.
        let known = workload::registry()
            .into_iter()
            .chain(workload::diagnostics())
            .collect();
        select("--workloads", &args.workloads, known, |w| w.name())?
    };
    let mut strategies: Vec<Box<dyn Strategy>> = select(
        "--strategies",
        &args.strategies,
        strategy::registry(),
        |s| s.name(),
    )?;
    if !strategies.iter().any(|s| s.name() == "serial") {
        eprintln!("parbench: adding strategy serial: it is the baseline of every speedup");
        strategies.insert(0, strategy::find("serial").expect("serial is registered"));
    }
    crate::sys::files::check_writable(&args.out, "--out")?;

    // Before any strategy touches the BLAS thread count, so the default is recorded.
    let machine = machine::detect();
    let workers = args.workers.resolve(machine.logical_cores);
    let size = args.size();
    let plan = Plan {
        workloads,
        strategies,
        workers,
        chunks: args.chunk.0.clone(),
        warmup: args.warmup as usize,
        samples: args.samples(),
        rounds: args.rounds as usize,
        params: Params {
            size,
            scale: args.scale,
            seed: args.seed,
        },
        options: Options {
            worker_exe: None,
            task_timeout: Duration::from_secs_f64(args.task_timeout),
            switch_interval: Duration::from_secs_f64(args.switch_interval / 1e3),
            pin: args.pin,
            first_core: 0,
        },
        min_sample_time: Duration::from_secs_f64(args.sample_time / 1e3),
    };
    // A side of `parbench pair` leaves the terminal to the coordinator's bar.
    let target = if args.pair_id.is_some() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(plan.total_runs() as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut progress = Bar(bar);
    let cells = match &args.pair_id {
        None => runner::run(&plan, &mut progress),
        Some(_) => {
            let mut relay = crate::pair::Relay::new();
            match runner::run_in_turns(&plan, &mut progress, &mut relay) {
                Ok(cells) => cells,
                // The coordinator reports why; one message for the whole pair.
                Err(_) if relay.told_to_stop() => return Ok(ExitCode::from(1)),
                Err(_) => {
                    return Err(Error::usage(
                        "--pair-id: the coordinator stopped handing out turns; nothing written",
                    ));
                }
            }
        }
    };
    progress.0.finish_and_clear();

    let config = plan.config(args.pair_id.clone());
    let results = Results {
        schema: results::SCHEMA.into(),
        parbench_version: env!("CARGO_PKG_VERSION").into(),
        created: results::now_utc(),
        machine,
        config,
        cells,
    };
    results.write(&args.out)?;
    print!("{}", crate::report::table::render(&results.cells));
    let bad: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.skipped.is_none() && !c.verified)
        .map(|c| format!("{}/{}/{}", c.workload, c.strategy, c.workers))
        .collect();
    eprintln!("parbench: wrote {}", args.out.display());
    if bad.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("parbench: verification failed in {}", bad.join(", "));
        Ok(ExitCode::from(1))
    }
}

/// `parbench report`: reads a results file (or criterion's estimates) and writes the charts
/// and documents; never runs a workload.
fn report(args: &crate::cli::ReportArgs) -> Result<ExitCode, Error> {
    use crate::report;
    let input = match (&args.results, &args.criterion) {
        (Some(path), _) => report::Input::read(path)?,
        (None, Some(dir)) => report::criterion::load(dir, machine::detect())?,
        (None, None) => {
            return Err(Error::usage(
                "report: give a RESULTS.json file or --criterion DIR",
            ));
        }
    };
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| input.source.default_dir());
    let written = report::write(&input, &dir)?;
    eprintln!(
        "parbench: wrote {} files to {}",
        written.len(),
        dir.display()
    );
    println!("{}", dir.join("report.html").display());
    Ok(ExitCode::SUCCESS)
}
