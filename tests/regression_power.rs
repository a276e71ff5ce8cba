//! `scripts/regression-power.sh` end to end, on the smallest matrix: both modes make their
//! runs, compare them and print the rates a campaign reports.

use crate::common;

use common::{stderr, stdout};
use std::process::Command;

fn campaign(mode: &str) -> String {
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/regression-power.sh"
        ))
        .args(["2", "--rounds", "2", "--samples", "1"])
        .env("PARBENCH_BIN", env!("CARGO_BIN_EXE_parbench"))
        .env("MODE", mode)
        .env("WORKLOADS", "sum-squares")
        .env("STRATEGIES", "serial,pool")
        .env("WORKERS", "2")
        .output()
        .expect("run the script");
    let text = stdout(&out);
    assert!(out.status.success(), "{mode}: {text}\n{}", stderr(&out));
    text
}

#[test]
fn both_modes_report_detection_and_false_alarms_per_comparison_and_per_cell() {
    for mode in ["paired", "separate"] {
        let text = campaign(mode);
        for needle in [
            "detection   (A/B exits 1): ",
            "false alarm (A/A exits 1): ",
            "sum-squares/serial/1",
            "sum-squares/pool/2",
            "all cells",
            "cells compared: 2",
        ] {
            assert!(text.contains(needle), "{mode}: no '{needle}' in\n{text}");
        }
        let timing = if mode == "paired" {
            "three-sided parbench pair"
        } else {
            "one parbench run"
        };
        assert!(text.contains(timing), "{mode}: {text}");
        // Two comparisons of each kind, two cells each: four cells per kind.
        assert!(text.contains("/4 = "), "{mode}: {text}");
    }
}

#[test]
fn a_bad_mode_exits_2() {
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/regression-power.sh"
        ))
        .arg("1")
        .env("PARBENCH_BIN", env!("CARGO_BIN_EXE_parbench"))
        .env("MODE", "sideways")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("MODE"));
}
