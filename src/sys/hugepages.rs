//! Transparent huge pages for large fresh arrays, as numpy asks for them.
//!
//! numpy advises the kernel to back every array of 4 MiB or more with transparent huge pages
//! (`madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned part of the block, numpy's `hugepage` setting,
//! on by default on Linux). Where the kernel's THP mode is `madvise` (this project's VM, and
//! Debian's default) a fresh 80 MB `np.ones(10**7)` then takes 40 faults of 2 MiB instead of
//! 20,000 of 4 KiB, and that is most of its time: without the advice parbench's `ones` spent
//! five times numpy's. The advice only changes how the kernel backs the memory, never its
//! contents; where THP is off or unsupported it is ignored.

/// The smallest block numpy advises.
pub const ADVISE_FROM: usize = 4 << 20;
/// The huge-page size the advice is aligned to (x86-64 and most aarch64 kernels).
const HUGE_PAGE: usize = 2 << 20;

/// Advises huge pages for the spare capacity of `buf` (call it on a fresh, empty vector before
/// filling it), when that capacity is at least [`ADVISE_FROM`] bytes. Returns whether the
/// kernel accepted the advice.
pub fn advise<T>(buf: &mut Vec<T>) -> bool {
    let bytes = buf.capacity().saturating_sub(buf.len()) * std::mem::size_of::<T>();
    if bytes < ADVISE_FROM {
        return false;
    }
    let start = buf.as_mut_ptr().wrapping_add(buf.len()) as usize;
    let first = start.next_multiple_of(HUGE_PAGE);
    let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
    if end <= first {
        return false;
    }
    // SAFETY: [first, end) lies inside the vector's own allocation (its spare capacity, which
    // nothing references yet) and is page-aligned, as madvise requires. MADV_HUGEPAGE changes
    // only how the kernel backs those pages, not their contents or mapping, so no Rust
    // reference is invalidated; a kernel without THP returns EINVAL, which is ignored.
    unsafe { libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_are_left_alone_and_large_ones_keep_their_contents() {
        let mut small: Vec<f64> = Vec::with_capacity(1000);
        assert!(!advise(&mut small));
        let n = 10_000_000;
        let mut big: Vec<f64> = Vec::with_capacity(n);
        // A kernel built with transparent huge pages takes the advice (whatever its mode);
        // one without refuses it, and either way the buffer stays usable.
        let thp = std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists();
        assert_eq!(advise(&mut big), thp);
        big.resize(n, 1.0);
        assert_eq!(big.len(), n);
        assert!(big.iter().all(|&x| x == 1.0));
    }
}
