//! One module per subcommand. Each has a thin `run` that unpacks clap's arguments and a typed
//! function that does the work without knowing about the command line.

pub mod index;
pub mod search;
pub mod stats;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit statuses, as ripgrep and grep use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success, or a search with at least one hit.
    Success = 0,
    /// The search ran and found nothing.
    NoMatch = 1,
    /// Bad usage, a bad query, or a failure.
    Error = 2,
    /// Stopped by Ctrl-C; the index is left at its last commit.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Index(args) => index::run(&cli.index, args),
        Command::Search(args) => search::run(&cli.index, cli.color, args),
        Command::Stats(args) => stats::run(&cli.index, args),
    }
}
