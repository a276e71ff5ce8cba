//! What makes two runs' timings comparable: the machine they ran on and the settings that
//! change what or how a cell measures. Runs that agree on both form one series.

use crate::results::Results;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The machine as far as timings go. The hostname is left out on purpose: CI runners of one
/// kind are interchangeable, and `compare` treats them as one machine too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineKey {
    pub cpu_model: String,
    pub logical_cores: usize,
    pub blas: String,
}

/// The settings that change a cell's time or its noise. The matrix (workloads, strategies,
/// worker counts) is not part of it: a cell is named by its identity, so adding a workload to
/// the CI run does not start every other cell's series afresh.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigKey {
    pub size: String,
    pub scale: f64,
    pub seed: u64,
    pub chunk: String,
    pub warmup: usize,
    pub samples: usize,
    pub rounds: usize,
    pub processes: usize,
    pub sample_time_s: f64,
    pub pin: bool,
    pub switch_interval_s: Option<f64>,
}

impl MachineKey {
    pub fn of(r: &Results) -> MachineKey {
        let b = &r.machine.blas;
        MachineKey {
            cpu_model: r.machine.cpu_model.clone(),
            logical_cores: r.machine.logical_cores,
            blas: format!("{} {}", b.library, b.variant).trim().to_string(),
        }
    }
}

impl ConfigKey {
    pub fn of(r: &Results) -> ConfigKey {
        let c = &r.config;
        ConfigKey {
            size: c.size.clone(),
            scale: c.scale,
            seed: c.seed,
            chunk: c.chunk.clone(),
            warmup: c.warmup,
            samples: c.samples,
            rounds: c.rounds,
            processes: c.processes,
            sample_time_s: c.sample_time_s,
            pin: c.pin,
            switch_interval_s: c.switch_interval_s,
        }
    }

    /// The same settings but for the work multiplier, which stands in for a change of the code
    /// (`--scale`'s purpose): what `compare --history` matches a current run on.
    pub fn same_but_scale(&self, other: &ConfigKey) -> bool {
        ConfigKey {
            scale: other.scale,
            ..self.clone()
        } == *other
    }

    /// The flags a reader needs to tell series of one machine apart.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "--size {} --scale {} --rounds {} --samples {} --sample-time {} --warmup {}",
            self.size,
            self.scale,
            self.rounds,
            self.samples,
            self.sample_time_s * 1e3,
            self.warmup
        );
        if self.seed != crate::results::DEFAULT_SEED {
            s += &format!(" --seed {}", self.seed);
        }
        if self.chunk != "auto" {
            s += &format!(" --chunk {}", self.chunk);
        }
        if self.processes != self.rounds {
            s += &format!(" --processes {}", self.processes);
        }
        if self.pin {
            s += " --pin";
        }
        s
    }
}

/// A series' short, stable name: the first 12 hex digits of the SHA-256 of both keys' JSON,
/// so a store's series keep their names whatever else is added.
pub fn series_id(machine: &MachineKey, config: &ConfigKey) -> String {
    let text = serde_json::to_string(&(machine, config)).expect("keys encode");
    hex(&Sha256::digest(text.as_bytes()))[..12].to_string()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
