//! `cargo bench --bench scaling`: every workload × strategy × worker count at quick sizes,
//! timed by criterion. The same executors the `parbench run` command uses; each cell's
//! outputs are verified once before it is timed, so a wrong result is never benchmarked.
//!
//! Benchmark ids are `<workload>/<strategy>/<workers>`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use parbench::strategy::{self, Chunk, Options, Setup};
use parbench::workload::{self, Params, Size};
use std::hint::black_box;
use std::time::Duration;

/// Worker counts: 1 and 2, plus the machine's cores when it has more.
fn worker_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut v = vec![1, 2];
    if cores > 2 {
        v.push(cores);
    }
    v
}

fn scaling(c: &mut Criterion) {
    // As `parbench run` does: without fixed malloc thresholds the main thread (serial) hands
    // its large blocks back to the kernel after every task and pays page faults the pool
    // threads do not, which made serial exp-loop 5x slower here.
    parbench::sys::allocator::configure();
    // Cargo unifies plotters' features, so criterion's own plots draw with parbench's ab_glyph
    // font backend and find no font unless the bundled one is registered.
    parbench::plot::register_font().expect("the bundled font parses");
    let params = Params {
        size: Size::Quick,
        ..Params::default()
    };
    // The bench's own executable is not parbench: worker processes need Cargo's path to it.
    let options = Options {
        worker_exe: Some(env!("CARGO_BIN_EXE_parbench").into()),
        ..Options::default()
    };
    for w in workload::registry() {
        let instance = w.prepare(&params);
        let mut group = c.benchmark_group(w.name());
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for s in strategy::registry() {
            if strategy::skip_reason(s.as_ref(), w.as_ref()).is_some() {
                continue;
            }
            let counts = if s.parallel() {
                worker_counts()
            } else {
                vec![1]
            };
            for workers in counts {
                let setup = Setup {
                    workers,
                    chunk: Chunk::Auto,
                    workload: Some(w.as_ref()),
                    params,
                    instance: instance.as_ref(),
                    options: &options,
                };
                let mut exec = strategy::start(s.as_ref(), &setup)
                    .unwrap_or_else(|e| panic!("{}: {e}", s.name()));
                let check = instance.verify(&exec.execute(instance.as_ref()));
                assert!(
                    check.passed,
                    "{}/{}/{workers}: {}",
                    w.name(),
                    s.name(),
                    check.detail
                );
                group.bench_function(BenchmarkId::new(s.name(), workers), |b| {
                    b.iter(|| black_box(exec.execute(instance.as_ref())))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, scaling);
criterion_main!(benches);
