//! The error type of the command-line surface and its mapping onto exit codes.

/// What can stop a command. Each variant maps to one exit code (see [`Error::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad usage or unreadable input: the message names the flag or the file to fix.
    #[error("{0}")]
    Usage(String),
    /// Anything else that stops the command before it can finish.
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    /// 2 for usage and input errors (the contract in DESIGN.md), 1 for the rest.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Runtime(_) => 1,
        }
    }
}
