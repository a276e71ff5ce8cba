//! Output files written atomically: a reader sees the old file or the whole new one, never a
//! part, and a failed or interrupted write leaves nothing half-written and no temporary file.
//!
//! Every file parbench writes goes through here, with the same rules (see
//! [`destination`](super::destination)): `-` is standard output; a symlink is written through,
//! replacing its final target and staying a link; anything that is not a regular file is
//! refused; a new file gets the mode the umask gives, a replaced one keeps its mode.

use super::destination::{Destination, parent_dir, target};
use crate::error::Error;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Checks before a long run that `path` can be written, by the same rules as
/// [`write_atomic`], so a typo or a device node fails in a second rather than after the run.
/// Leaves nothing behind.
pub fn check_writable(path: &Path, flag: &'static str) -> Result<(), Error> {
    if Destination::of(path).is_stdout() {
        return Ok(());
    }
    let file = target(path, Some(flag))?;
    let dir = parent_dir(&file);
    let refuse = |reason: String| Error::output(Some(flag), path, reason);
    if !dir.is_dir() {
        return Err(refuse(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    Temp::create(&file)
        .map(drop)
        .map_err(|e| refuse(format!("cannot write there: {}", why(&e))))
}

/// The cause of an I/O error without the path, which the error names already.
fn why(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    }
}

/// Writes `bytes` to `path` — to standard output for `-` — through a temporary file beside the
/// file it replaces and a rename, so that readers see the old file or the whole new one. `flag`
/// names the option that chose the path, for the message if it fails (a full disk included:
/// the temporary file is removed).
pub fn write_atomic(path: &Path, bytes: &[u8], flag: Option<&'static str>) -> Result<(), Error> {
    if Destination::of(path).is_stdout() {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| {
                Error::output(
                    flag,
                    path,
                    format!("cannot write to standard output: {}", why(&e)),
                )
            });
    }
    let file = target(path, flag)?;
    let fail = |e: std::io::Error| Error::output(flag, path, format!("cannot write: {}", why(&e)));
    // A replaced file keeps its mode; a new one gets the umask's, as the temp file was opened.
    let keep = fs::metadata(&file).ok().map(|m| m.permissions());
    let mut tmp = Temp::create(&file).map_err(fail)?;
    tmp.fill(bytes, keep).map_err(fail)?;
    tmp.persist(&file).map_err(fail)
}

/// A temporary file beside its destination, removed unless persisted.
struct Temp {
    path: PathBuf,
    file: Option<File>,
}

impl Temp {
    fn create(dest: &Path) -> std::io::Result<Temp> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = dest
            .file_name()
            .map_or("out".into(), |n| n.to_string_lossy());
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = parent_dir(dest).join(format!(".{name}.{}-{n}.tmp", std::process::id()));
            // 0666: the kernel takes the umask off, as for any file a shell creates.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(Temp {
                        path,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn fill(&mut self, bytes: &[u8], mode: Option<Permissions>) -> std::io::Result<()> {
        let file = self.file.as_mut().expect("open until persisted");
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
        // A full disk can show only here, when the data reaches it.
        file.sync_all()
    }

    fn persist(mut self, dest: &Path) -> std::io::Result<()> {
        drop(self.file.take());
        fs::rename(&self.path, dest)?;
        self.path = PathBuf::new();
        // Make the rename itself durable; a directory that cannot be synced changes nothing
        // about the file, so this is best effort.
        if let Ok(dir) = File::open(parent_dir(dest)) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        symlink("real.json", &link).unwrap();
        check_writable(&link, "--out").unwrap();
        write_atomic(&link, b"new", Some("--out")).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(names(dir.path()), ["link.json", "real.json"]);
    }

    #[test]
    fn new_files_get_the_umask_mode_and_replaced_files_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        // File::create opens with 0666 less the umask: what a new output must get.
        let reference = dir.path().join("reference");
        File::create(&reference).unwrap();
        let new = dir.path().join("new.json");
        write_atomic(&new, b"x", None).unwrap();
        assert_eq!(mode(&new), mode(&reference));
        let kept = dir.path().join("kept.json");
        fs::write(&kept, "old").unwrap();
        fs::set_permissions(&kept, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&kept, b"new", None).unwrap();
        assert_eq!(mode(&kept), 0o640);
        assert_eq!(fs::read_to_string(&kept).unwrap(), "new");
    }

    #[test]
    fn a_device_is_refused_up_front_and_at_the_write() {
        let null = Path::new("/dev/null");
        let up_front = check_writable(null, "--out").unwrap_err().to_string();
        assert!(up_front.starts_with("--out /dev/null: a character device"));
        assert!(write_atomic(null, b"x", Some("--out")).is_err());
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
    }

    #[test]
    fn check_writable_leaves_nothing_and_names_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        check_writable(&dir.path().join("out.json"), "--out").unwrap();
        assert!(names(dir.path()).is_empty());
        let e = check_writable(&dir.path().join("no/out.json"), "--out").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(check_writable(Path::new("-"), "--out").is_ok());
    }
}
