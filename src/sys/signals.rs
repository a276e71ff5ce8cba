//! SIGINT and SIGTERM for a run that measures in child processes: the signal stops the child
//! (and its workers, which share its process group) instead of the parent, so that the parent
//! can still write what finished. See docs/ARCHITECTURE.md, "Interruption".

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// The first signal caught, 0 before any.
static CAUGHT: AtomicI32 = AtomicI32::new(0);
/// The process group the signal is passed to (the measuring child's), 0 for none.
static GROUP: AtomicI32 = AtomicI32::new(0);

/// How long a stopped group has to exit on SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(3);

/// From now on SIGINT and SIGTERM are caught: recorded, and passed on to the current child
/// group. Idempotent.
pub fn catch_termination() -> std::io::Result<()> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| match Signals::new([SIGINT, SIGTERM]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                for signal in signals.forever() {
                    let _ = CAUGHT.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
                    stop_group(GROUP.load(Ordering::SeqCst));
                }
            });
        }
        Err(e) => result = Err(e),
    });
    result
}

/// The signal that asked the run to stop, if one did.
pub fn caught() -> Option<i32> {
    match CAUGHT.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The group a caught signal stops from now on (a child started with its own process group,
/// whose id is its pid); `None` once it has ended. A signal caught before the group was set
/// stops it at once.
pub fn forward_to(group: Option<u32>) {
    let g = group.map_or(0, |g| g as i32);
    GROUP.store(g, Ordering::SeqCst);
    if g != 0 && caught().is_some() {
        stop_group(g);
    }
}

/// SIGTERM to the group, SIGKILL after the grace period for whatever is left.
fn stop_group(group: i32) {
    if group <= 0 {
        return;
    }
    // SAFETY: kill() only sends a signal; a negative pid addresses the process group that
    // this process created for its child, and nothing else.
    unsafe { libc::kill(-group, libc::SIGTERM) };
    std::thread::spawn(move || {
        std::thread::sleep(GRACE);
        // SAFETY: as above; a group that has already exited makes this a harmless ESRCH.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    });
}

/// Kills whatever is left of a child's process group (workers that outlived it).
pub fn sweep_group(group: u32) {
    // SAFETY: as in `stop_group`; ESRCH when the group is already empty.
    unsafe { libc::kill(-(group as i32), libc::SIGKILL) };
}

/// "SIGINT", "SIGTERM" or the number.
pub fn name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}
