//! `parbench machine`: what a run would record about this machine.

use super::Outcome;
use crate::error::Error;
use crate::measure::machine;
use clap::Args;

#[derive(Debug, Args)]
pub struct MachineArgs {
    /// Print the record as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &MachineArgs) -> Result<Outcome, Error> {
    let m = machine::detect();
    if args.json {
        let text = serde_json::to_string_pretty(&m)
            .map_err(|e| Error::Internal(format!("cannot encode machine: {e}")))?;
        println!("{text}");
    } else {
        println!("{}", m.describe());
    }
    Ok(Outcome::Success)
}
