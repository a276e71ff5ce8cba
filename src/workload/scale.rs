//! `--scale`: how much work a task does when the run asks for more or less than its size
//! class gives.

/// `n` scaled by `--scale`, at least 1.
pub fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).max(1)
}

/// How many times task `index` repeats its unit of work under `--scale`, for workloads whose
/// task has no size knob (one ODE solve, one fit). The counts of consecutive tasks add up to
/// `scale` times the task count, so a fractional scale such as 1.1 is honoured on average.
pub fn repeats(index: usize, scale: f64) -> usize {
    let i = index as f64;
    let r = ((i + 1.0) * scale).floor() - (i * scale).floor();
    (r as usize).max(1)
}

/// How many units of work `tasks` tasks do in all under [`repeats`]: `scale` times the task
/// count, but never fewer than one per task.
pub fn total_repeats(tasks: usize, scale: f64) -> f64 {
    if scale >= 1.0 {
        (tasks as f64 * scale).floor()
    } else {
        tasks as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_add_up_to_scaled_task_count() {
        let total: usize = (0..200).map(|i| repeats(i, 1.1)).sum();
        assert_eq!(total, 220);
        assert!((0..50).all(|i| repeats(i, 1.0) == 1));
        let total3: usize = (0..10).map(|i| repeats(i, 3.0)).sum();
        assert_eq!(total3, 30);
    }

    #[test]
    fn total_repeats_is_the_sum_of_repeats() {
        for (n, s) in [(200, 1.1), (10, 3.0), (7, 0.3), (50, 1.0), (13, 2.7)] {
            let sum: usize = (0..n).map(|i| repeats(i, s)).sum();
            assert_eq!(total_repeats(n, s), sum as f64, "{n} tasks at scale {s}");
        }
    }
}
