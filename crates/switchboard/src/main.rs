//! The `switchboard` binary: parses the command line and hands over to the library.

use clap::Parser as _;

/// mimalloc, not glibc's malloc: the server builds and drops many small values per request
/// (headers, JSON, rows), and glibc's allocator took about 15% of the HTTP side's CPU in the
/// hotline benchmark; with mimalloc each hotline webhook took 8-16% less CPU
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = switchboard::cli::Cli::parse();
    switchboard::cli::run(cli)
}
