//! Pinning workers to cores (`--pin`).
//!
//! Unpinned, the kernel places a run's threads afresh every time: two busy threads may share
//! a core for a while before one migrates, and on a small shared machine that placement
//! differs from run to run, so parallel cells vary between runs far more than within one.
//! Pinned, worker `w` runs on the `(first + w)`-th core the process may use (round robin when
//! there are more workers than cores), and runs of the same cell are placed alike. `first`
//! moves on by one each round of `--rounds`: on a shared host one core can be slower than
//! another for tens of seconds (its hyperthread sibling busy with another guest), and a cell
//! pinned to it in every round would carry that state as its own. (Moving on every run of a
//! cell's tasks instead was tried and dropped: a cell of one run per sample then has two
//! populations of samples, one per core, and its median jumps between them; see
//! reports/2026-11-21-amd-epyc-2c/regression-power/noise-study.)

use std::sync::OnceLock;

/// The cores this process may run on, in order, as the kernel reported them at first use.
pub fn allowed() -> &'static [usize] {
    static CORES: OnceLock<Vec<usize>> = OnceLock::new();
    CORES.get_or_init(current)
}

/// The cores the calling thread may run on now, in order; empty where they cannot be read.
pub fn current() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data, valid when zeroed; sched_getaffinity writes at most
    // size_of::<cpu_set_t>() bytes into it, the size we pass.
    let set = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        set
    };
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `set` is an initialised cpu_set_t and the index is below CPU_SETSIZE.
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect()
}

/// Pins worker `w` of a pool whose workers start at core slot `first`; nothing when unpinned.
pub fn pin_worker(first: Option<usize>, w: usize) {
    if let Some(first) = first {
        pin_current(first + w);
    }
}

/// Pins the calling thread to the core of worker `worker`; does nothing where the allowed
/// cores cannot be read.
pub fn pin_current(worker: usize) {
    let cores = allowed();
    if cores.is_empty() {
        return;
    }
    set_current(&[cores[worker % cores.len()]]);
}

/// Restricts the calling thread to `cores`.
fn set_current(cores: &[usize]) {
    // SAFETY: as above, a zeroed cpu_set_t is valid; CPU_SET writes one bit below
    // CPU_SETSIZE (every core in `cores` came from `current`, which stops there);
    // sched_setaffinity(0, ...) applies to the calling thread only and reads exactly the size
    // we pass.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for &c in cores {
            libc::CPU_SET(c, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// The calling thread pinned to one core until dropped, when it gets back the cores it had:
/// for `serial`, which pins the measuring thread itself for the length of a cell.
pub struct Pinned {
    before: Vec<usize>,
}

/// Pins the calling thread to the core of worker `worker` (see [`pin_current`]) until the
/// returned guard is dropped.
pub fn pin_for_scope(worker: usize) -> Pinned {
    let before = current();
    pin_current(worker);
    Pinned { before }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if !self.before.is_empty() {
            set_current(&self.before);
        }
    }
}

/// The environment variable through which `process` tells a worker which slot it fills.
pub const WORKER_CORE_ENV: &str = "PARBENCH_PIN_WORKER";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_thread_runs_on_its_core_only() {
        let cores = allowed().to_vec();
        assert!(!cores.is_empty());
        std::thread::spawn(move || {
            pin_current(1);
            // SAFETY: sched_getcpu has no preconditions.
            let now = unsafe { libc::sched_getcpu() };
            assert_eq!(now as usize, cores[1 % cores.len()]);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_scoped_pin_gives_the_thread_its_cores_back_when_dropped() {
        let cores = allowed().to_vec();
        std::thread::spawn(move || {
            {
                let _pin = pin_for_scope(0);
                assert_eq!(current(), [cores[0]]);
            }
            assert_eq!(current(), cores);
        })
        .join()
        .unwrap();
    }
}
