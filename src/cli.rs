//! The command line: the top-level definition and the parsing of it into a
//! [`Command`](crate::commands::Command), whose arguments each subcommand defines.

use crate::commands::{Command, one_line};
use crate::error::Error;
use clap::{CommandFactory, Parser};

#[derive(Debug, Parser)]
#[command(
    name = "parbench",
    version,
    about = "Benchmarks the workloads of the numpy/scipy parallel-programming documents under \
             six strategies (serial, scoped threads, a rayon pool, worker processes, \
             multithreaded BLAS, a model of CPython's GIL), and verifies every result."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the process arguments. Help and version are printed and the process exits 0; any
/// other problem becomes a one-line usage error that names the flag or argument.
pub fn parse() -> Result<Cli, Error> {
    Cli::try_parse().map_err(|e| {
        use clap::error::ErrorKind;
        match e.kind() {
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
            ErrorKind::InvalidSubcommand => {
                let known: Vec<String> = Cli::command()
                    .get_subcommands()
                    .filter(|c| !c.is_hide_set())
                    .map(|c| c.get_name().to_string())
                    .collect();
                Error::usage(format!("{} (commands: {})", one_line(&e), known.join(", ")))
            }
            _ => Error::usage(one_line(&e)),
        }
    })
}
