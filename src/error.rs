//! What can stop a command, by cause. Every error exits 2 (see [`Error::exit_code`]); a
//! command's *negative outcome* (a regression, a failed verification, a failed pair side) is
//! not an error but its result, exit 1, as ripgrep separates "no match" from "error".

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage: the message names the flag or argument to fix and, for a choice, the valid
    /// values.
    #[error("{0}")]
    Usage(String),
    /// A file that cannot be read, or is not what it should be.
    #[error("{}{}: {reason}", Flag(flag), path.display())]
    Input {
        flag: Option<&'static str>,
        path: PathBuf,
        reason: String,
    },
    /// An output that cannot be written.
    #[error("{}{}: {reason}", Flag(flag), path.display())]
    Output {
        flag: Option<&'static str>,
        path: PathBuf,
        reason: String,
    },
    /// Something that should not happen whatever the user does (a bug, or a broken install).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Writes "FLAG " before a path when the error came through a flag.
struct Flag<'a>(&'a Option<&'static str>);

impl fmt::Display for Flag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(flag) => write!(f, "{flag} "),
            None => Ok(()),
        }
    }
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    /// An input file's problem, without a flag (a positional argument).
    pub fn input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Input {
            flag: None,
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An output's problem, named by the flag that chose it when there is one.
    pub fn output(
        flag: Option<&'static str>,
        path: impl Into<PathBuf>,
        reason: impl Into<String>,
    ) -> Self {
        Error::Output {
            flag,
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// 2, whatever the cause: exit 1 is kept for a command's negative outcome.
    pub fn exit_code(&self) -> u8 {
        2
    }
}
