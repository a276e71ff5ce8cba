//! `parbench worker` (hidden): serves tasks to a parent parbench over stdin and stdout.

use super::Outcome;
use crate::error::Error;

pub fn run() -> Result<Outcome, Error> {
    crate::strategy::process::serve::serve()?;
    Ok(Outcome::Success)
}
