//! The shared-memory file through which the `process` strategy hands a workload's large inputs
//! to its workers: written once by the parent in /dev/shm, mapped read-only by each worker.

use crate::workload::array::Array;
use memmap2::Mmap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where tmpfs-backed shared memory lives on Linux; falls back to the temp dir elsewhere.
fn shm_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// A file holding several arrays back to back, removed when dropped. The name carries the
/// owner's pid so that files left by a killed run can be recognised and removed by the next.
pub struct SharedFile {
    pub path: PathBuf,
    pub lens: Vec<usize>,
}

const PREFIX: &str = "parbench-";

impl SharedFile {
    pub fn create(arrays: &[&[f64]]) -> std::io::Result<SharedFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        remove_stale();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = shm_dir().join(format!("{PREFIX}{}-{n}.f64", std::process::id()));
        let file = File::create(&path)?;
        // Owned from here on, so a full /dev/shm while writing removes the part written.
        let shared = SharedFile {
            path,
            lens: arrays.iter().map(|a| a.len()).collect(),
        };
        let mut f = std::io::BufWriter::new(file);
        for a in arrays {
            f.write_all(bytemuck::cast_slice(a))?;
        }
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(shared)
    }
}

impl Drop for SharedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Maps a shared file and splits it into its arrays.
pub fn attach(path: &Path, lens: &[usize]) -> std::io::Result<Vec<Array>> {
    let file = File::open(path)?;
    // SAFETY: the parent wrote the file completely before starting any worker, and neither it
    // nor any worker writes to it again; the mapping is read-only, so no one mutates the bytes
    // we view as doubles. Its length is checked against `lens` below.
    let map = Arc::new(unsafe { Mmap::map(&file)? });
    let total: usize = lens.iter().sum();
    if map.len() != total * 8 {
        return Err(std::io::Error::other(format!(
            "{}: {} bytes, expected {}",
            path.display(),
            map.len(),
            total * 8
        )));
    }
    let mut start = 0;
    Ok(lens
        .iter()
        .map(|&len| {
            let a = Array::Mapped {
                map: map.clone(),
                start,
                len,
            };
            start += len;
            a
        })
        .collect())
}

/// Removes the shared files process `pid` made. For a parent whose child process ended —
/// finished, failed, killed by a signal — since a child killed before its cleanup ran leaves
/// its files behind (160 MB for `add`), and pids are reused, so waiting for the next run to
/// notice is not enough. Returns how many files were removed.
pub fn remove_owned_by(pid: u32) -> usize {
    remove_where(|owner| owner == pid as i32)
}

/// Removes shared files whose owning process no longer exists (a run killed before its
/// cleanup ran).
fn remove_stale() {
    remove_where(|pid| {
        // SAFETY: kill with signal 0 sends nothing; it only asks whether the pid exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        !alive
    });
}

/// Removes the shared files whose owner's pid `gone` accepts; returns how many.
fn remove_where(gone: impl Fn(i32) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(shm_dir()) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if gone(pid) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_round_trip_through_a_shared_file() {
        let a = vec![1.0, 2.0, 3.0];
        let b = vec![-0.5; 1000];
        let file = SharedFile::create(&[&a, &b]).unwrap();
        let mapped = attach(&file.path, &file.lens).unwrap();
        assert_eq!(&mapped[0][..], &a[..]);
        assert_eq!(&mapped[1][..], &b[..]);
        let path = file.path.clone();
        drop(file);
        assert!(!path.exists());
    }

    #[test]
    fn the_files_of_an_ended_process_are_removed_by_its_pid() {
        // Owned by live processes, so a concurrent `remove_stale` leaves them alone: init, which
        // never makes such files, and this test process, whose files it names apart.
        let pid = 1;
        let dir = shm_dir();
        let ours = dir.join(format!("{PREFIX}{pid}-removal-test.f64"));
        let other = dir.join(format!("{PREFIX}{}-removal-test.f64", std::process::id()));
        std::fs::write(&ours, b"x").unwrap();
        std::fs::write(&other, b"x").unwrap();
        assert_eq!(remove_owned_by(pid), 1);
        assert!(!ours.exists());
        assert!(
            other.exists(),
            "another pid's file with the same prefix stays"
        );
        std::fs::remove_file(other).unwrap();
    }
}
