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

    /// Print text lines whole: without it, output to a terminal (or with `COLUMNS` set) is cut
    /// to the terminal's width with an ellipsis. JSON and CSV are always whole.
    #[arg(long, global = true)]
    pub wide: bool,

    /// Time zone for reading dates in queries and for showing them (IANA name such as
    /// `America/New_York`, or `UTC`). JSON output always carries UTC instants. Local times of
    /// unknown zone (WhatsApp) are not shifted: they are shown, and matched, as written.
    #[arg(
        long,
        global = true,
        env = "TRAWL_TZ",
        default_value = "UTC",
        value_name = "ZONE"
    )]
    pub tz: String,

    /// Count file modification times as dates, for documents that carry none of their own.
    ///
    /// A text, HTML or CSV file, or a PDF or office file without metadata dates, has no date of
    /// its own; trawl keeps its file's modification time apart (date quality `file-mtime`),
    /// because a copy or a clone sets it to the day of the copy. By default date queries,
    /// `--sort date`, facets, histograms, timelines, pairs and the `stats` span leave these
    /// documents out; with this flag they count by their file date.
    #[arg(long, global = true)]
    pub file_dates: bool,

    /// The aliases file that merges or splits persons (`person:`, `--facet person`, `people`,
    /// `graph`); default `INDEX/aliases.txt` when it exists. Format: README, "People".
    #[arg(long, global = true, env = "TRAWL_ALIASES", value_name = "FILE")]
    pub aliases: Option<PathBuf>,

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
    /// Index a dump, a directory or one file: mail (maildir, mbox, .eml, Enron files, PST, OST,
    /// MSG, Apple Mail), chat exports (Twitter/X, Slack, Telegram, WhatsApp), documents (PDF,
    /// Word, Excel, PowerPoint, OpenDocument, RTF, HTML, CSV, text), pictures, and archives
    /// (zip, tar, 7z, RAR) with what they hold.
    Index(IndexArgs),
    /// Search the index.
    Search(SearchArgs),
    /// Summarize the index: messages by kind and year, date span, top senders and recipients, skipped files.
    Stats(StatsArgs),
    /// Show one message: headers, body, attachments and provenance, or its original bytes.
    Show(ShowArgs),
    /// Show a thread as a tree, oldest first: the gap before each reply and who was added.
    Thread(ThreadArgs),
    /// The correspondence between two parties in date order, with the time between messages.
    Timeline(TimelineArgs),
    /// Read the sources of the matching documents (all by default) back from the dump and list
    /// every one whose bytes changed or that is gone; exit 1 when any is.
    Verify(VerifyArgs),
    /// Write the indexed documents as NDJSON (all fields), or the index schema with --schema.
    Export(ExportArgs),
    /// Every file seen and what became of it: indexed as which format and how many documents,
    /// or skipped and why; counts by format and by reason.
    Report(ReportArgs),
    /// The persons behind the addresses, names and chat accounts of the hits (all messages by
    /// default), with their aliases, the evidence that joined them, and message counts.
    People(PeopleArgs),
    /// The correspondence graph of the hits (all messages by default): persons or addresses as
    /// nodes, messages each way as edges, as GEXF (Gephi), GraphML, DOT (Graphviz) or CSV.
    Graph(GraphArgs),
    /// Count every query of a terms file (one a line): messages, families and copies, and with
    /// --by a matrix of queries by sender, recipient, custodian, year or month.
    Batch(BatchArgs),
    /// Measure indexing throughput or query latency.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Internal: the child process of `crate::sandbox`. Reads a file on stdin, runs one
    /// extraction job on it and writes the result as JSON on stdout.
    #[command(name = "__extract", hide = true)]
    Extract(ExtractArgs),
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The job to run on stdin's bytes.
    #[arg(value_enum)]
    pub job: ExtractJob,
}

/// Jobs the `__extract` child runs. Besides the real ones, a few that misbehave on purpose, so
/// tests can check each of the sandbox's limits against the real binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractJob {
    /// PDF text and metadata (pdf-extract).
    Pdf,
    /// Test: sleep for the number of seconds on stdin (default an hour).
    #[value(hide = true)]
    Sleep,
    /// Test: allocate the number of bytes on stdin, in 64 MiB pieces, and touch them.
    #[value(hide = true)]
    Alloc,
    /// Test: panic with stdin's text as the message.
    #[value(hide = true)]
    Panic,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// One query a line, in the query language, optionally after a label and a tab
    /// (`Dana<TAB>from:dana OR to:dana`); blank lines and lines starting with # are skipped.
    /// A line that does not parse is reported on stderr with its number and the others run.
    #[arg(value_name = "TERMS_FILE")]
    pub terms: PathBuf,

    /// Break each query's families down by person (everyone taking part), from (sender
    /// address), to (every recipient), custodian, year or month: one column per value, a
    /// message counted once per value it has. Values are every one found, so person, from and
    /// to can make thousands of columns.
    #[arg(long, value_name = "DIMENSION")]
    pub by: Option<String>,

    /// CSV for spreadsheets: a header, then one row per query, failed ones included (with
    /// their error).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,

    /// JSON Lines: one {"type":"query"} object per query (or {"type":"error"}), then a
    /// {"type":"summary"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// JSON Lines: one {"type":"file"} object per file, then a {"type":"summary"}.
    #[arg(long)]
    pub json: bool,

    /// Only the skipped files.
    #[arg(long)]
    pub skipped: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only documents matching this query (default: all).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// JSON Lines: one {"type":"problem"} object per document that did not verify, then a
    /// {"type":"summary"} with the counts.
    #[arg(long)]
    pub json: bool,

    /// A file of passwords, one a line, tried in order on encrypted zip, 7z and RAR archives
    /// and members (those indexing was given, so that their members read back).
    #[arg(long, value_name = "FILE")]
    pub passwords: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only documents matching this query (default: all).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// NDJSON, one document per line (the default and only document format).
    #[arg(long)]
    pub ndjson: bool,

    /// Print the index's tantivy schema as JSON instead of documents.
    #[arg(long, conflicts_with = "ndjson")]
    pub schema: bool,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Index DUMP into a fresh temporary index; report files/s, messages/s, MB/s, stage times,
    /// peak RSS and index size. The temporary index is deleted afterwards.
    Index(BenchIndexArgs),
    /// Run each query of QUERIES_FILE against --index several times; report p50/p95/p99 latency.
    ///
    /// One query per line, `#` starts a comment. A tab separates the query from extra search
    /// flags: `*<TAB>--facet from --limit 0`.
    Query(BenchQueryArgs),
    /// Generate a corpus of N messages from a real one (same seed, same bytes), for runs at scale.
    Corpus(BenchCorpusArgs),
}

#[derive(Debug, Args)]
pub struct BenchCorpusArgs {
    /// The real corpus to draw senders, recipients, subjects, dates and paragraphs from.
    #[arg(value_name = "SOURCE_DIR")]
    pub source: PathBuf,

    /// Where to write the generated corpus (created; must not exist or be empty).
    #[arg(value_name = "OUT_DIR")]
    pub out: PathBuf,

    /// How many messages to generate.
    #[arg(long, short = 'n', value_name = "N")]
    pub messages: u64,

    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Write mbox files of this many messages each instead of one file per message.
    #[arg(long, value_name = "K")]
    pub mbox: Option<usize>,
}

#[derive(Debug, Args)]
pub struct BenchIndexArgs {
    #[arg(value_name = "DUMP_DIR")]
    pub dump: PathBuf,

    /// Threads for parsing and indexing each. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Indexer memory budget in MiB.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub memory: usize,

    /// Parse the whole dump first, then index it, and time the two stages apart: what
    /// parsing costs, and what the engine alone takes with every CPU to itself. Holds every
    /// document in memory until parsing is over, so peak RSS grows with the dump.
    #[arg(long)]
    pub stages_apart: bool,

    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchQueryArgs {
    #[arg(value_name = "QUERIES_FILE")]
    pub queries: PathBuf,

    /// Timed runs per query.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub runs: usize,

    /// Untimed runs per query first (warm caches, as a user's second query would find them).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub warmup: usize,

    /// Print one JSON object per query.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The dump to index: a directory, or one file (a mailbox, a PST, an export, an archive).
    /// Opened read-only; nothing is written inside it.
    #[arg(value_name = "DUMP")]
    pub dump: PathBuf,

    /// Threads for parsing and for tantivy's indexer each. Default: the number of CPUs.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Indexer memory budget in MiB, shared by the indexing threads (at least 15 MiB per thread).
    /// It also caps the input of each segment merge, so it bounds the index pages a merge maps.
    /// A larger budget means fewer, larger segments and faster indexing.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub memory: usize,

    /// Follow symbolic links. By default they are listed as skipped: a dump may link outside itself.
    #[arg(long)]
    pub follow_symlinks: bool,

    /// Names for chat accounts that exports list only by id (Twitter/X archives): a JSON object
    /// {"id": "name"} or CSV lines `id,name`. Names found in the export itself come first.
    #[arg(long, value_name = "FILE")]
    pub names: Option<PathBuf>,

    /// A file of passwords, one a line, tried in order on encrypted zip (ZipCrypto), 7z and RAR
    /// archives and members; what none opens is listed as `encrypted`. Give it to `verify` and
    /// `show --raw` too. Files already indexed are re-read with `--force`.
    #[arg(long, value_name = "FILE")]
    pub passwords: Option<PathBuf>,

    /// Whose files each document sits in (the `custodian` query field and facet): the name of
    /// the directory N levels below DUMP_DIR on the file's path (1: the first directory under
    /// the root, as in `DUMP/allen-p/inbox/1`; 2 for `DUMP/maildir/allen-p/...`; 0: none).
    /// An archive's members and a chat export's messages get their file's. Default: the depth
    /// the dump was last indexed with, else 1; another depth re-reads the whole dump.
    #[arg(long, value_name = "N")]
    pub custodian_depth: Option<u32>,

    /// Custodians by path, before --custodian-depth: `PATH<TAB>NAME` lines, PATH relative to
    /// DUMP_DIR (a directory or a file; the longest that holds a file wins), # comments. Kept
    /// with the index: later runs apply it without the flag; another map (an empty file: none)
    /// re-reads the whole dump.
    #[arg(long, value_name = "FILE")]
    pub custodians: Option<PathBuf>,

    /// Re-read and re-index every file, changed or not. Not needed after an upgrade or with
    /// other --names: a run notices those and re-reads what they affect.
    #[arg(long)]
    pub force: bool,

    /// Commit the work done so far every this many seconds (0: only at the end). A run that
    /// is killed or crashes loses at most this much work: run the same command again and it
    /// resumes from the last commit. Each commit costs a flush of the indexer's memory.
    #[arg(long, default_value_t = crate::pipeline::DEFAULT_COMMIT_SECS, value_name = "SECS")]
    pub commit_every: f64,

    /// Read the text of images and of PDFs without a text layer (scans) by OCR, with the
    /// `tesseract` command (and poppler's `pdftoppm` for PDF pages). Slow: about a second per
    /// image or page, on one core each. Without it, or without Tesseract installed, images are
    /// indexed with their metadata and flagged `needs-ocr` (query `has:needs-ocr`); the summary
    /// counts them. A later run with --ocr reads the images and scans indexed without it.
    #[arg(long)]
    pub ocr: bool,

    /// Tesseract's language(s) for --ocr: `eng`, or several joined by `+` (`deu+fra`). Each
    /// needs its data installed (Debian: tesseract-ocr-LANG). Implies --ocr.
    #[arg(long, value_name = "LANG")]
    pub ocr_lang: Option<String>,

    /// Time one file may take in a parser that runs in a child process (PDF, and OCR per image
    /// or page), in seconds; past it the child is killed and the file listed as `timeout`.
    #[arg(long, default_value_t = 60.0, value_name = "SECS")]
    pub parser_timeout: f64,

    /// Memory (address space) of that child process, in MiB; a file that needs more is listed
    /// as `too-large`. Below about 512 MiB the child cannot start its allocator.
    #[arg(long, default_value_t = 2048, value_name = "MIB")]
    pub parser_memory: u64,

    /// Largest file read whole, in MiB. Larger files are read as a stream by formats that
    /// stream (mbox) and listed as `too-large` by the others, never loaded.
    #[arg(long, default_value_t = 512, value_name = "MIB")]
    pub max_file_size: u64,

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

/// How hits are printed.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format. `--json` and `--csv` are short for `--format json` and `--format csv`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// JSON Lines: one object per line, tagged by "type" (hit, facet, histogram, pair, summary).
    #[arg(long, conflicts_with_all = ["csv", "format"])]
    pub json: bool,

    /// CSV with a header row, for spreadsheets (cells that a spreadsheet would run as a formula are quoted with ').
    #[arg(long, conflicts_with_all = ["json", "format"])]
    pub csv: bool,

    /// Maximum number of hits. Default: a screenful for text on a terminal (20 otherwise), 100 for JSON and CSV.
    #[arg(long, short = 'n', value_name = "N", overrides_with = "all")]
    pub limit: Option<usize>,

    /// Every hit, streamed: no cap, documents loaded one at a time. The last of --all and --limit wins.
    #[arg(long, overrides_with = "limit")]
    pub all: bool,
}

/// What counts as a hit: by default a message (a part that matches stands for its message) and
/// one copy of it, however many mailboxes hold it.
#[derive(Debug, Clone, Copy, Args)]
pub struct ScopeArgs {
    /// Attachments and forwarded parts are hits of their own (as documents), instead of
    /// standing for the message they were found in. Implied by `kind:attachment`.
    #[arg(long)]
    pub items: bool,

    /// Every copy of a message is a hit (the same Message-ID and content in several mailboxes
    /// or files), instead of one for all.
    #[arg(long)]
    pub copies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

impl OutputArgs {
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.csv {
            Format::Csv
        } else {
            self.format
        }
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "phrases", OR, -word, from:, to:, date:, ... (see README).
    ///
    /// Several arguments are joined with spaces. A query that starts with `-` goes after `--`:
    /// `trawl search -- -draft budget`.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    /// Order of hits. Default: score when the query has free-text words, otherwise date.
    #[arg(long, value_enum, allow_hyphen_values = true)]
    pub sort: Option<SortOrder>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Print only the number of hits.
    #[arg(long, conflicts_with_all = ["paths", "json", "csv"])]
    pub count: bool,

    /// Print only the files the hits come from, one per line, each once (for xargs): an archive
    /// member's archive; to a pipe, the file names' own bytes.
    #[arg(long, conflicts_with_all = ["json", "csv"])]
    pub paths: bool,

    /// After the hits, the top values over all hits: from, to, participant, person, domain, kind,
    /// custodian, year, month, week or day, optionally with how many (`--facet from:5`; default
    /// 10). Repeatable.
    #[arg(long, value_name = "NAME[:K]")]
    pub facet: Vec<String>,

    /// After the hits, a date histogram over all hits, empty periods included.
    #[arg(long, value_enum, value_name = "UNIT")]
    pub histogram: Option<HistogramUnit>,

    /// After the hits, the top sender → recipient pairs with counts and first/last date (default 10).
    #[arg(long, value_name = "K", num_args = 0..=1, default_missing_value = "10")]
    pub pairs: Option<usize>,

    /// Pairs of persons rather than of addresses: every address and account of a person
    /// counts as one party, each message once per pair (see `trawl people`).
    #[arg(long, requires = "pairs")]
    pub by_person: bool,

    /// Show hits in date order with the time elapsed since the previous one.
    #[arg(long)]
    pub timeline: bool,

    /// With --timeline: the gap before a message counts from the previous one in its
    /// conversation (an e-mail thread, a chat), or from the previous one of any.
    #[arg(long, value_enum, default_value = "conversation")]
    pub gap: GapFrom,

    /// One line per thread with hits: dates, hits/messages, participants, subject (with
    /// --count: the number of threads).
    #[arg(long, conflicts_with_all = ["paths", "csv", "timeline"])]
    pub threads: bool,

    /// Show the N messages before and after each hit in its conversation (its e-mail thread,
    /// its chat), in date order; groups are separated by `--` and the hit is marked `>`.
    #[arg(
        long,
        short = 'C',
        value_name = "N",
        conflicts_with_all = ["paths", "csv", "count", "timeline", "threads"]
    )]
    pub context: Option<usize>,

    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// What a timeline's gap counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GapFrom {
    /// The previous message of the same conversation: an e-mail thread, a chat.
    Conversation,
    /// The previous message of any conversation.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistogramUnit {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A document id (16 hex digits, as search prints it) or a Message-ID.
    #[arg(value_name = "ID")]
    pub id: String,

    /// Print the original bytes from the dump instead (control characters are escaped when
    /// stdout is a terminal).
    #[arg(long, conflicts_with = "json")]
    pub raw: bool,

    /// Print the message as one JSON object.
    #[arg(long)]
    pub json: bool,

    /// A file of passwords, one a line, tried in order on encrypted zip, 7z and RAR archives
    /// and members (those indexing was given, so that their members read back).
    #[arg(long, value_name = "FILE")]
    pub passwords: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ThreadArgs {
    /// A thread id (`search --threads` prints them), or the id or Message-ID of a message in it.
    #[arg(value_name = "ID")]
    pub id: String,

    /// One JSON object per message, in the order printed.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// First party: an address, or a word of a name or address.
    #[arg(value_name = "A")]
    pub a: String,

    /// Second party.
    #[arg(value_name = "B")]
    pub b: String,

    /// An optional further query to narrow the messages (e.g. `date:2016-10`).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// The gap before a message counts from the previous one in its conversation (an e-mail
    /// thread, a chat), or from the previous one of any.
    #[arg(long, value_enum, default_value = "conversation")]
    pub gap: GapFrom,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub scope: ScopeArgs,
}

#[derive(Debug, Args)]
pub struct PeopleArgs {
    /// Only persons taking part in messages that match this query (default: all messages).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// JSON Lines: one {"type":"person"} object per person, then a {"type":"summary"}.
    #[arg(long)]
    pub json: bool,

    /// How many persons, most messages first. Default: 50 for text, every one for --json.
    #[arg(long, short = 'n', value_name = "N", overrides_with = "all")]
    pub limit: Option<usize>,

    /// Every person. The last of --all and --limit wins.
    #[arg(long, overrides_with = "limit")]
    pub all: bool,

    #[command(flatten)]
    pub scope: ScopeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphBy {
    /// One node per person (every address and account of a person together).
    Person,
    /// One node per address or chat account.
    Address,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Only messages that match this query (default: all messages).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// gexf (Gephi), graphml (Gephi, yEd, networkx), dot (Graphviz), csv (an edge list).
    #[arg(long, value_enum, default_value_t = crate::people::graph::GraphFormat::Gexf)]
    pub format: crate::people::graph::GraphFormat,

    /// What a node is.
    #[arg(long, value_enum, default_value_t = GraphBy::Person)]
    pub by: GraphBy,

    /// Leave out edges of fewer messages (both ways together), and the nodes left without one.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min_messages: u64,

    #[command(flatten)]
    pub scope: ScopeArgs,
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
