//! Every workload gives the same result under every strategy and worker count: tasks are
//! seeded by index, so only a partitioning or synchronisation bug can change a checksum.

use crate::common;

use common::run_matrix;
use parbench::strategy::Chunk;
use parbench::workload::{self, Size};

fn assert_agreement(chunk: Chunk) {
    let names: Vec<&str> = workload::registry().iter().map(|w| w.name()).collect();
    let cells = run_matrix(&names, Size::Quick, &[1, 2, 4], chunk);
    for name in &names {
        let group: Vec<_> = cells
            .iter()
            .filter(|c| c.workload == *name && c.skipped.is_none())
            .collect();
        // serial + scoped, pool, process and gil at three worker counts (+ blas where BLAS).
        assert!(group.len() >= 13, "{name}: only {} cells ran", group.len());
        let serial = group.iter().find(|c| c.strategy == "serial").unwrap();
        assert!(serial.tasks >= 1);
        for c in &group {
            assert!(
                c.verified,
                "{name}/{}/{}: {}",
                c.strategy, c.workers, c.check
            );
            assert_eq!(
                c.checksum, serial.checksum,
                "{name}/{}/{} differs from serial",
                c.strategy, c.workers
            );
        }
    }
}

#[test]
fn every_workload_agrees_across_strategies_and_workers() {
    assert_agreement(Chunk::Auto);
}

#[test]
fn one_task_per_hand_out_agrees_with_serial() {
    assert_agreement(Chunk::Size(1));
}

#[test]
fn larger_chunks_agree_with_serial() {
    assert_agreement(Chunk::Size(3));
}

#[test]
fn quick_sizes_split_across_two_workers() {
    // The agreement above means something only if the tasks really spread over the workers.
    for w in workload::registry() {
        let inst = w.prepare(&workload::Params {
            size: Size::Quick,
            ..Default::default()
        });
        let min = if w.name() == "matmul" { 1 } else { 4 };
        assert!(inst.tasks() >= min, "{}: {} tasks", w.name(), inst.tasks());
    }
}

#[test]
fn blas_strategy_is_skipped_with_a_reason_where_no_blas_is_called() {
    let cells = run_matrix(&["sum-squares", "svd"], Size::Quick, &[2], Chunk::Auto);
    let blas_sum = cells
        .iter()
        .find(|c| c.workload == "sum-squares" && c.strategy == "blas")
        .unwrap();
    assert!(blas_sum.skipped.as_deref().unwrap().contains("no BLAS"));
    let blas_svd = cells
        .iter()
        .find(|c| c.workload == "svd" && c.strategy == "blas")
        .unwrap();
    assert!(blas_svd.skipped.is_none() && blas_svd.verified);
}
