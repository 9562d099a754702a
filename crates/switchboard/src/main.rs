//! The `switchboard` binary: parses the command line and hands over to the library.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = switchboard::cli::Cli::parse();
    switchboard::cli::run(cli)
}
