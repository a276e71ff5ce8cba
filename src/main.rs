use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = parbench::cli::parse().and_then(|cli| parbench::commands::dispatch(cli.command));
    match outcome {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            eprintln!("parbench: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
