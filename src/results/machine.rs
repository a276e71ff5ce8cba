//! What a run records about the machine it ran on, so that results from different machines are
//! never compared as if they were the same. `measure::machine::detect` fills it in.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: Option<usize>,
    pub memory_bytes: u64,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub hostname: String,
    pub rustc: String,
    pub blas: BlasInfo,
    /// The commit parbench was built from, when it was built inside its git checkout.
    pub git_commit: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BlasInfo {
    pub library: String,
    pub config: String,
    pub variant: String,
    pub default_threads: usize,
}

impl Machine {
    /// One line per field, for `parbench machine`.
    pub fn describe(&self) -> String {
        let gib = self.memory_bytes as f64 / (1u64 << 30) as f64;
        let physical = self
            .physical_cores
            .map(|p| p.to_string())
            .unwrap_or_else(|| "unknown".into());
        format!(
            "cpu:        {}\ncores:      {} logical, {} physical\nmemory:     {gib:.1} GiB\n\
             os:         {} (kernel {}, {})\nhost:       {}\nrustc:      {}\n\
             blas:       {} ({}, {} threads by default)\n            {}\ncommit:     {}",
            self.cpu_model,
            self.logical_cores,
            physical,
            self.os,
            self.kernel,
            self.arch,
            self.hostname,
            self.rustc,
            self.blas.library,
            self.blas.variant,
            self.blas.default_threads,
            self.blas.config,
            self.git_commit.as_deref().unwrap_or("unknown"),
        )
    }
}
