//! What a run records about the machine it ran on, so that results from different machines are
//! never compared as if they were the same.

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlasInfo {
    pub library: String,
    pub config: String,
    pub variant: String,
    pub default_threads: usize,
}

/// Reads the machine. Call it before any strategy changes the BLAS thread count, so that
/// `default_threads` is OpenBLAS's own default.
pub fn detect() -> Machine {
    let sys = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram()),
    )
    .ok();
    let cpu_model = sys
        .as_ref()
        .and_then(|s| s.cpus().first().map(|c| c.brand().trim().to_string()))
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let logical = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let git = option_env!("PARBENCH_GIT_COMMIT")
        .filter(|c| !c.is_empty())
        .map(String::from);
    Machine {
        cpu_model,
        logical_cores: logical,
        physical_cores: System::physical_core_count().ok(),
        memory_bytes: sys.as_ref().map(|s| s.total_memory()).unwrap_or(0),
        os: System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.into()),
        kernel: System::kernel_version().unwrap_or_else(|_| "unknown".into()),
        arch: std::env::consts::ARCH.into(),
        hostname: System::host_name().unwrap_or_else(|_| "unknown".into()),
        rustc: env!("PARBENCH_RUSTC").into(),
        blas: BlasInfo {
            library: "OpenBLAS".into(),
            config: crate::blas::config(),
            variant: crate::blas::variant().into(),
            default_threads: crate::blas::threads(),
        },
        git_commit: git,
    }
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
