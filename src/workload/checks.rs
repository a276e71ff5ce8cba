//! What every workload's check starts from: all tasks' outputs, in the shape it expects, or a
//! message naming the first task that failed.

use super::{Output, TaskResult};

/// The outputs of all tasks, or a message naming the first task that failed.
pub fn all_ok(results: &[TaskResult]) -> Result<Vec<&Output>, String> {
    let failed: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].is_err())
        .collect();
    if let Some(&first) = failed.first() {
        let msg = &results[first].as_ref().unwrap_err().message;
        return Err(format!(
            "{} of {} tasks failed (first: task {first}: {msg})",
            failed.len(),
            results.len()
        ));
    }
    Ok(results.iter().filter_map(|r| r.as_ref().ok()).collect())
}

/// Every output as one float, or a message naming the first task whose output is not one.
pub fn all_floats(results: &[TaskResult]) -> Result<Vec<f64>, String> {
    let outs = all_ok(results)?;
    outs.iter()
        .enumerate()
        .map(|(i, o)| {
            o.as_f64()
                .ok_or(format!("task {i}: output is not a number"))
        })
        .collect()
}

/// Every output as a vector of `len` floats.
pub fn all_vectors(results: &[TaskResult], len: usize) -> Result<Vec<&[f64]>, String> {
    let outs = all_ok(results)?;
    outs.iter()
        .enumerate()
        .map(|(i, o)| match o.floats() {
            Some(v) if v.len() == len => Ok(v),
            _ => Err(format!("task {i}: expected {len} numbers")),
        })
        .collect()
}

/// `|a - b| <= tol * max(|a|, |b|, tiny)`.
pub fn close(a: f64, b: f64, rel_tol: f64) -> bool {
    (a - b).abs() <= rel_tol * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}
