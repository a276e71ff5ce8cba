//! Where an output path leads: standard output (`-`), or the regular file at the end of any
//! symlinks. Writing to a path the user gave must never replace what is not a regular file —
//! `--out /dev/null` run as root would otherwise put a regular file in place of the device.

use crate::error::Error;
use std::fs::{self, FileType};
use std::io::ErrorKind;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// What an output path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// `-`: the bytes go to standard output.
    Stdout,
    /// A file path as given (links not yet followed).
    File(PathBuf),
}

impl Destination {
    /// `-` is standard output; anything else is a file path.
    pub fn of(path: &Path) -> Destination {
        if path.as_os_str() == "-" {
            Destination::Stdout
        } else {
            Destination::File(path.to_path_buf())
        }
    }

    pub fn is_stdout(&self) -> bool {
        *self == Destination::Stdout
    }
}

/// The file that writing `path` replaces or creates: `path` itself, or, when it is a symlink,
/// the file at the end of its chain (which may not exist yet), so that the link stays a link.
/// Refuses a path that leads to anything but a regular file, naming what it is.
pub(super) fn target(path: &Path, flag: Option<&'static str>) -> Result<PathBuf, Error> {
    let refuse = |reason: String| Error::output(flag, path, reason);
    // `metadata` follows every link, including /proc's magic ones (/dev/stdout → pipe:[…]),
    // which cannot be followed by name.
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            fs::canonicalize(path).map_err(|e| refuse(format!("cannot resolve: {e}")))
        }
        Ok(meta) => {
            let via = match fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(path) {
                    Ok(t) => format!("a link to {}, ", t.display()),
                    Err(_) => "a link to ".into(),
                },
                _ => String::new(),
            };
            Err(refuse(format!(
                "{via}{}, not a regular file; give a file path, or - for standard output",
                kind(meta.file_type())
            )))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => dangling(path).map_err(refuse),
        Err(e) => Err(refuse(format!("cannot inspect: {e}"))),
    }
}

/// Where a path that does not resolve to an existing file leads: itself, or the missing end of
/// its chain of links (as a shell's `>` creates the target of a dangling link).
fn dangling(path: &Path) -> Result<PathBuf, String> {
    // Linux's own limit on links followed in one lookup.
    const MAX_LINKS: usize = 40;
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&at).map_err(|e| format!("cannot read the link: {e}"))?;
                at = match at.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            _ => return Ok(at),
        }
    }
    Err("too many levels of symbolic links".into())
}

/// What a non-regular file is, in words.
fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// The directory a file lives in; `.` for a bare name.
pub(super) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn refusal(path: &Path) -> String {
        target(path, Some("--out")).unwrap_err().to_string()
    }

    #[test]
    fn dash_is_standard_output() {
        assert!(Destination::of(Path::new("-")).is_stdout());
        assert!(!Destination::of(Path::new("./-")).is_stdout());
    }

    #[test]
    fn links_lead_to_their_final_target_existing_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file.json");
        fs::write(&file, "old").unwrap();
        let link = dir.path().join("link.json");
        symlink("file.json", &link).unwrap();
        let link2 = dir.path().join("link2.json");
        symlink(&link, &link2).unwrap();
        let real = fs::canonicalize(&file).unwrap();
        assert_eq!(target(&link2, None).unwrap(), real);
        let missing = dir.path().join("dangling.json");
        symlink("sub/new.json", &missing).unwrap();
        assert_eq!(
            target(&missing, None).unwrap(),
            dir.path().join("sub/new.json")
        );
        let plain = dir.path().join("plain.json");
        assert_eq!(target(&plain, None).unwrap(), plain);
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_by_name() {
        assert_eq!(
            refusal(Path::new("/dev/null")),
            "--out /dev/null: a character device, not a regular file; give a file path, or - \
             for standard output"
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(refusal(dir.path()).contains(": a directory, not a regular file"));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(refusal(&fifo).contains(": a FIFO, not a regular file"));
        let link = dir.path().join("null");
        symlink("/dev/null", &link).unwrap();
        assert!(
            refusal(&link).contains(": a link to /dev/null, a character device"),
            "{}",
            refusal(&link)
        );
    }

    #[test]
    fn a_loop_of_links_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        symlink(&b, &a).unwrap();
        symlink(&a, &b).unwrap();
        assert!(target(&a, None).is_err());
    }
}
