//! Output files written atomically: a reader sees the old file or the whole new one, never a
//! part, and an interrupted run leaves nothing half-written.

use crate::error::Error;
use std::io::Write;
use std::path::Path;

/// Checks before a long run that `path` can be written, so a typo fails in a second rather than
/// after the run. Leaves nothing behind.
pub fn check_writable(path: &Path, flag: &'static str) -> Result<(), Error> {
    let dir = parent_dir(path);
    let refuse = |reason: String| Error::output(Some(flag), path, reason);
    if !dir.is_dir() {
        return Err(refuse(format!(
            "directory {} does not exist",
            dir.display()
        )));
    }
    if path.is_dir() {
        return Err(refuse("is a directory".into()));
    }
    tempfile::NamedTempFile::new_in(dir)
        .map(drop)
        .map_err(|e| refuse(format!("cannot write there: {}", why(&e))))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The cause of an I/O error without the temporary file's name, which tempfile adds to its
/// messages and which means nothing to the user.
fn why(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
        None => e.kind().to_string(),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// that readers see the old file or the whole new one, never a part. `flag` names the option
/// that chose the path, for the message if it fails.
pub fn write_atomic(path: &Path, bytes: &[u8], flag: Option<&'static str>) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::output(flag, path, format!("cannot write: {}", why(&e)));
    let mut tmp = tempfile::NamedTempFile::new_in(parent_dir(path)).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
