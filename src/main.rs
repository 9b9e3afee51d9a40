use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: indexing allocates and frees millions of small
/// strings (parsed headers, tokens, documents); see docs/benchmarks-history.md for the measured gain. Built
/// without transparent huge pages (`no_thp` in Cargo.toml): zeroing 2 MiB pages cost more
/// than the TLB saved.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = trawl::cli::Cli::parse();
    match trawl::cmd::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "trawl: {err:#}");
            trawl::cmd::Exit::Error.into()
        }
    }
}

/// A closed pipe (`trawl search ... | head`) ends output early; that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
