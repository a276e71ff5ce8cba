//! Reads the machine a run measures on; the record itself is part of the results schema
//! ([`crate::results::Machine`]).

use crate::results::{BlasInfo, Machine};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

/// The logical cores this process may use (what `--workers auto` counts up to).
pub fn logical_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
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
    let logical = logical_cores();
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
            config: crate::sys::openblas::config(),
            variant: crate::sys::openblas::variant().into(),
            default_threads: crate::sys::openblas::threads(),
        },
        git_commit: git,
    }
}
