//! Pins glibc malloc's adaptive thresholds, so that an allocation costs the same on every
//! thread and in every run.
//!
//! By default glibc moves its mmap threshold up when a mapped block is freed and trims the main
//! arena's heap whenever its free top exceeds twice that threshold. The main thread (where
//! `serial` runs) then gives 16 MB lists back to the kernel after each task and page-faults them
//! in again, while pool threads keep theirs in per-thread arenas: `exp-loop` ran 5× faster
//! on one pool thread than serially. With fixed thresholds, blocks up to 32 MiB are reused from
//! the arena on every thread, and larger ones (numpy's 80 MB `np.ones(10**7)`) are mapped fresh
//! each time on every thread, as CPython's allocator does for them.
//!
//! The threshold is a cliff a `--scale` can cross: a quick `exp-loop` task builds two lists of
//! 100,000 × scale 32-byte values; at `--scale 10` each is 30.5 MiB and reused, at `--scale 11`
//! 33.6 MiB and mapped fresh per task, and on a virtual machine whose page faults cost a few
//! microseconds that made 10 % more work 4.2× slower. Slowdown experiments (the regression
//! gate's A/B pairs) must keep both sides on one side of it.

use std::sync::Once;

/// The largest block served from an arena; larger ones are mapped per allocation.
pub const MMAP_THRESHOLD: usize = 32 << 20;

/// Applies the fixed thresholds once per process. Call before starting worker threads.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: mallopt only changes malloc's tuning parameters; it takes plain integers and
        // has no memory-safety preconditions. Running it before any worker thread exists avoids
        // changing the parameters under a concurrent allocation.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
            libc::mallopt(libc::M_TRIM_THRESHOLD, (1i32 << 30) as libc::c_int);
        }
    });
}
