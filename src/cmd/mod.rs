//! One module per subcommand. Each has a thin `run` that unpacks clap's arguments and a typed
//! function that does the work without knowing about the command line.

pub mod batch;
pub mod bench;
pub mod export;
pub mod extract;
pub mod graph;
pub mod index;
pub mod people;
pub mod report;
pub mod search;
pub mod show;
pub mod stats;
pub mod thread;
pub mod timeline;
pub mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono_tz::Tz;

use crate::cli::{Cli, ColorChoice, Command};

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

/// Flags shared by every subcommand, as typed.
#[derive(Debug, Clone)]
pub struct Globals {
    pub index: PathBuf,
    pub color: ColorChoice,
    pub tz: String,
    /// `--file-dates`: file modification times count as dates.
    pub file_dates: bool,
    /// `--aliases FILE`: the people aliases file.
    pub aliases: Option<PathBuf>,
    /// `--wide`: text lines are not cut to the terminal's width.
    pub wide: bool,
}

impl Globals {
    /// Colour and line width for text output to stdout.
    pub fn style(&self) -> crate::output::text::Style {
        crate::output::text::Style {
            color: crate::output::use_color(self.color),
            width: crate::output::fit::width(self.wide),
            wide: self.wide,
        }
    }

    /// The `--tz` zone.
    pub fn tz(&self) -> anyhow::Result<Tz> {
        let name = if self.tz.eq_ignore_ascii_case("utc") || self.tz == "Z" {
            "UTC"
        } else {
            &self.tz
        };
        name.parse::<Tz>()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| {
                format!(
                    "--tz {}: not a time zone name (try UTC, Europe/Paris, America/New_York)",
                    self.tz
                )
            })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let g = Globals {
        index: cli.index,
        color: cli.color,
        tz: cli.tz,
        file_dates: cli.file_dates,
        aliases: cli.aliases,
        wide: cli.wide,
    };
    match cli.command {
        Command::Index(args) => index::run(&g.index, args),
        Command::Search(args) => search::run(&g, args),
        Command::Stats(args) => stats::run(&g, args),
        Command::Show(args) => show::run(&g, args),
        Command::Thread(args) => thread::run(&g, args),
        Command::Timeline(args) => timeline::run(&g, args),
        Command::Batch(args) => batch::run(&g, args),
        Command::Bench(what) => bench::run(&g, what),
        Command::Export(args) => export::run(&g, args),
        Command::Report(args) => report::run(&g, args),
        Command::People(args) => people::run(&g, args),
        Command::Graph(args) => graph::run(&g, args),
        Command::Extract(args) => extract::run(args),
        Command::Verify(args) => verify::run(&g, args),
    }
}
