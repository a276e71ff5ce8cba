//! What a run measures: the matrix of workloads, strategies, worker counts and chunk settings,
//! with the sampling and the options the strategies need.

use crate::results::{CellId, Config};
use crate::strategy::{Chunk, Options, Strategy};
use crate::workload::{Params, Workload};
use std::time::Duration;

/// What to measure.
pub struct Plan {
    pub workloads: Vec<Box<dyn Workload>>,
    pub strategies: Vec<Box<dyn Strategy>>,
    pub workers: Vec<usize>,
    /// Chunk settings for the strategies that chunk; each is a cell of its own.
    pub chunks: Vec<Chunk>,
    pub warmup: usize,
    /// Timed samples per cell and round.
    pub samples: usize,
    /// Passes over the whole matrix; each starts at a different cell (see [`run`]).
    pub rounds: usize,
    /// Fresh processes the rounds are spread over (`parbench run` measures in child processes;
    /// the library's [`run`] measures in the calling one and records 1).
    pub processes: usize,
    /// Shortest a timed sample may last: shorter cells repeat their tasks within a sample.
    pub min_sample_time: Duration,
    /// A cell whose one run lasts at least this takes a single timed sample per round
    /// ([`Plan::samples_for`]); `None`: every cell takes `samples`.
    pub long_run: Option<Duration>,
    pub params: Params,
    pub options: Options,
}

impl Plan {
    /// A plan with one round and default options: what tests and benches mostly need.
    pub fn new(
        workloads: Vec<Box<dyn Workload>>,
        strategies: Vec<Box<dyn Strategy>>,
        workers: Vec<usize>,
        params: Params,
    ) -> Plan {
        Plan {
            workloads,
            strategies,
            workers,
            chunks: vec![Chunk::Auto],
            warmup: 1,
            samples: 5,
            rounds: 1,
            processes: 1,
            min_sample_time: Duration::ZERO,
            long_run: None,
            params,
            options: Options::default(),
        }
    }

    /// The (strategy, workers, chunk) combinations measured for each workload. `serial` runs
    /// once, with one worker, whatever `--workers` says: it is the baseline of every speedup.
    /// Strategies that do not chunk run once per worker count.
    pub fn settings(&self) -> Vec<(&dyn Strategy, usize, Chunk)> {
        let mut out = Vec::new();
        for s in &self.strategies {
            let workers: &[usize] = if s.parallel() { &self.workers } else { &[1] };
            let chunks: &[Chunk] = if s.chunked() && !self.chunks.is_empty() {
                &self.chunks
            } else {
                &[Chunk::Auto]
            };
            for &w in workers {
                out.extend(chunks.iter().map(|&c| (s.as_ref(), w, c)));
            }
        }
        out
    }

    /// The identity of each cell, workload by workload in [`Plan::settings`] order: the order
    /// of the results file.
    pub fn cell_ids(&self) -> Vec<CellId> {
        let settings = self.settings();
        self.workloads
            .iter()
            .flat_map(|w| {
                settings.iter().map(move |&(s, workers, chunk)| CellId {
                    workload: w.name().into(),
                    strategy: s.name().into(),
                    workers,
                    chunk: s.chunked().then(|| chunk.to_string()),
                })
            })
            .collect()
    }

    /// Timed samples a round takes of a cell whose one run lasted `run`. A run as long as
    /// [`Plan::long_run`] already averages the machine's jitter over many of its stalls, and a
    /// second sample right after it shares that moment's state: the rounds are what carry
    /// independent evidence, and the second sample would only add its run time (most of a doc
    /// run's time goes to such cells).
    pub fn samples_for(&self, run: Duration) -> usize {
        match self.long_run {
            Some(long) if run >= long => self.samples.min(1),
            _ => self.samples,
        }
    }

    /// How many runs (warm-up and timed) the whole plan makes at most, skipped cells included
    /// (long cells that take fewer samples still count theirs as done).
    pub fn total_runs(&self) -> usize {
        self.workloads.len() * self.settings().len() * (self.warmup + self.samples) * self.rounds
    }

    /// The plan as the results file records it: the one place a run's `Config` is built.
    /// `pair_id` is set for a side of `parbench pair`.
    pub fn config(&self, pair_id: Option<String>) -> Config {
        Config {
            size: self.params.size.to_string(),
            workloads: self.workloads.iter().map(|w| w.name().into()).collect(),
            strategies: self.strategies.iter().map(|s| s.name().into()).collect(),
            workers: self.workers.clone(),
            chunk: self
                .chunks
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(","),
            warmup: self.warmup,
            samples: self.samples,
            scale: self.params.scale,
            seed: self.params.seed,
            rounds: self.rounds,
            processes: self.processes,
            task_timeout_s: Some(self.options.task_timeout.as_secs_f64()),
            switch_interval_s: Some(self.options.switch_interval.as_secs_f64()),
            pin: self.options.pin,
            sample_time_s: self.min_sample_time.as_secs_f64(),
            pair_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_runs_as_long_as_the_threshold_take_one_sample() {
        let mut plan = Plan::new(Vec::new(), Vec::new(), vec![1], Params::default());
        plan.samples = 3;
        let s = Duration::from_secs;
        assert_eq!(plan.samples_for(s(100)), 3, "no threshold: every sample");
        plan.long_run = Some(s(1));
        assert_eq!(plan.samples_for(Duration::from_millis(999)), 3);
        assert_eq!(plan.samples_for(s(1)), 1);
        assert_eq!(plan.samples_for(s(100)), 1);
        plan.samples = 0;
        assert_eq!(plan.samples_for(s(100)), 0, "never more than asked for");
    }
}
