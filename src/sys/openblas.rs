//! The few OpenBLAS entry points that the C API of BLAS itself lacks: thread control and the
//! build description.
//!
//! OpenBLAS keeps one process-wide thread count, so "BLAS runs with one thread inside the workers
//! of a strategy" means: the strategy sets the count to 1 before its workers start tasks.

use std::ffi::{CStr, c_char, c_int};

unsafe extern "C" {
    fn openblas_set_num_threads(num_threads: c_int);
    fn openblas_get_num_threads() -> c_int;
    fn openblas_get_config() -> *const c_char;
    fn openblas_get_parallel() -> c_int;
}

/// Sets the number of threads OpenBLAS uses for the calls that follow, in every thread.
pub fn set_threads(n: usize) {
    let n = c_int::try_from(n.max(1)).unwrap_or(c_int::MAX);
    // SAFETY: plain integer argument; OpenBLAS clamps it to its compiled-in maximum.
    unsafe { openblas_set_num_threads(n) }
}

/// The number of threads OpenBLAS will use for its next call.
pub fn threads() -> usize {
    // SAFETY: reads a global integer; no preconditions.
    let n = unsafe { openblas_get_num_threads() };
    usize::try_from(n).unwrap_or(1)
}

/// OpenBLAS's own description of its build, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ...".
pub fn config() -> String {
    // SAFETY: OpenBLAS returns a pointer to a static NUL-terminated buffer that lives for the
    // whole process; we copy it out at once.
    unsafe {
        let p = openblas_get_config();
        if p.is_null() {
            return String::from("unknown");
        }
        CStr::from_ptr(p).to_string_lossy().trim().to_string()
    }
}

/// How this OpenBLAS build runs its threads: "sequential", "pthreads" or "openmp".
pub fn variant() -> &'static str {
    // SAFETY: reads a compile-time constant of the library; no preconditions.
    match unsafe { openblas_get_parallel() } {
        0 => "sequential",
        1 => "pthreads",
        2 => "openmp",
        _ => "unknown",
    }
}
