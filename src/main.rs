//! The `ordoscan` binary: parse flags, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use ordoscan::cli::Cli;

fn main() -> ExitCode {
    let config = match Cli::parse().into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ordoscan: {e}");
            return ExitCode::from(2);
        }
    };
    match ordoscan::run(&config) {
        Ok(summary) => ExitCode::from(summary.exit_code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ordoscan: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
