//! At the documents' sizes the scientific results match what the documents print (the
//! workload table of docs/ARCHITECTURE.md), as recorded in each cell's `summary`.

use crate::common;

use common::serial_cell;
use parbench::workload::Size;

fn summary(workload: &str, key: &str) -> f64 {
    let cell = serial_cell(workload, Size::Doc);
    assert!(cell.verified, "{workload}: {}", cell.check);
    *cell
        .summary
        .get(key)
        .unwrap_or_else(|| panic!("{workload}: no '{key}' in {:?}", cell.summary))
}

#[test]
fn ode_sweep_conversion_at_k_one_half() {
    let x = summary("ode-sweep", "conversion_k0_5");
    let exact = 1.0 - (-5.0f64).exp();
    assert!((x - exact).abs() < 1e-3, "{x} vs {exact}");
    // The document prints 0.9932; scipy's RK45 gives 0.99324607983778 and so must we.
    assert!((x - 0.9932460798377853).abs() < 1e-12, "{x}");
}

#[test]
fn monte_carlo_fin_temperature_statistics() {
    let cell = serial_cell("monte-carlo", Size::Doc);
    assert!(cell.verified, "{}", cell.check);
    let s = &cell.summary;
    assert!((s["mean"] - 73.66).abs() < 0.15, "mean {}", s["mean"]);
    assert!((s["std"] - 1.86).abs() < 0.15, "sd {}", s["std"]);
    assert!((s["p2_5"] - 70.16).abs() < 0.5, "p2.5 {}", s["p2_5"]);
    assert!((s["p97_5"] - 77.48).abs() < 0.5, "p97.5 {}", s["p97_5"]);
    assert_eq!(cell.tasks, 10_000);
}

#[test]
fn curve_fit_error_statistics() {
    let cell = serial_cell("curve-fit", Size::Doc);
    assert!(cell.verified, "{}", cell.check);
    let mean = cell.summary["mean_rel_err_k_pct"];
    let sd = cell.summary["sd_rel_err_k_pct"];
    assert!(mean.abs() <= 2.0, "mean relative error {mean} %");
    assert!((6.0..=12.0).contains(&sd), "sd of relative error {sd} %");
    assert_eq!(cell.tasks, 100);
}

#[test]
fn norm_isf_matches_scipy_to_1e_12() {
    let worst = summary("norm-isf", "max_rel_err_vs_scipy");
    assert!(worst < 1e-12, "{worst}");
}

#[test]
fn mc_seeds_mean_of_means() {
    let cell = serial_cell("mc-seeds", Size::Doc);
    assert!(cell.verified, "{}", cell.check);
    assert!(cell.summary["mean"].abs() < 0.02);
    assert!((cell.summary["std"] - 1.0 / 1000f64.sqrt()).abs() < 0.01);
}
