//! Records the compiler and the commit a binary was built from, for the results file.

use std::process::Command;

fn output_of(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output_of(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=PARBENCH_RUSTC={version}");
    let commit = output_of("git", &["rev-parse", "HEAD"]).unwrap_or_default();
    println!("cargo:rustc-env=PARBENCH_GIT_COMMIT={commit}");
    // Rebuild the commit stamp when HEAD moves; a missing path is simply never "changed".
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=build.rs");
}
