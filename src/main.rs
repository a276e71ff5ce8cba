use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = parbench::cli::parse().and_then(parbench::commands::dispatch);
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parbench: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
