//! Command-line flags as the user typed them (clap derive). Resolution into settings (opened
//! index, parsed query, colour decision) happens in the command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Search engine for leaked mail and document dumps: index a dump, then ask who wrote what to whom, when.
#[derive(Debug, Parser)]
#[command(name = "trawl", version, about, long_about = None, propagate_version = true, args_override_self = true)]
pub struct Cli {
    /// Index directory.
    ///
    /// Defaults to $TRAWL_INDEX, or `.trawl` in the current directory. It must not be inside the
    /// dump: the dump is evidence and is never written to.
    #[arg(
        long,
        global = true,
        env = "TRAWL_INDEX",
        default_value = ".trawl",
        value_name = "DIR"
    )]
    pub index: PathBuf,

    /// When to use colour: auto (stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a dump directory (maildir, mbox, .eml and extension-less message files).
    Index(IndexArgs),
    /// Search the index.
    Search(SearchArgs),
    /// Summarize the index: messages by kind and year, date span, top senders and recipients, skipped files.
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The dump to index. Opened read-only; nothing is written inside it.
    #[arg(value_name = "DUMP_DIR")]
    pub dump: PathBuf,

    /// Threads for parsing and for tantivy's indexer each. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Indexer memory budget in MiB, shared by the indexing threads (at least 15 MiB per thread).
    /// A larger budget means fewer, larger segments and faster indexing.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub memory: usize,

    /// Follow symbolic links. By default they are listed as skipped: a dump may link outside itself.
    #[arg(long)]
    pub follow_symlinks: bool,

    /// No progress bar and no summary on stderr (errors and warnings still print).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortOrder {
    /// Oldest first.
    Date,
    /// Newest first.
    #[value(name = "-date")]
    DateDesc,
    /// Best match first.
    Score,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "phrases", from:, to:, subject:, date:, after:, before:.
    ///
    /// Several arguments are joined with spaces. See the README for the full syntax.
    #[arg(required = true, value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Vec<String>,

    /// Order of hits. Default: score when the query has free-text words, otherwise date.
    #[arg(long, value_enum, allow_hyphen_values = true)]
    pub sort: Option<SortOrder>,

    /// Maximum number of hits to print.
    #[arg(long, short = 'n', default_value_t = 20, value_name = "N")]
    pub limit: usize,

    /// Print hits as JSON Lines (one object per hit, then a summary object).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print the statistics as one JSON object.
    #[arg(long)]
    pub json: bool,

    /// How many top senders and recipients to list.
    #[arg(long, default_value_t = 10, value_name = "K")]
    pub top: usize,
}
