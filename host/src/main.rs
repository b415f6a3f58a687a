//! The `baton` command.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    baton_host::cli::init_tracing();
    let cli = baton_host::cli::Cli::parse();
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
