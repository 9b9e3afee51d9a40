//! The indexing pipeline: walk, parse in parallel, write with one `IndexWriter`, commit
//! periodically, keep the file records.
//!
//! ```text
//! this thread: walk (directory entries only) → bounded queue of paths, in chunks of 64
//!   → rayon pool, N threads: stat; unchanged since the last run → a record; otherwise read,
//!     detect format, parse, build tantivy documents and add them to the one IndexWriter
//!     (`Feed`; tantivy's bounded queue to its N indexing threads is the backpressure);
//!     counts and file records under one lock per chunk (`Books`), records streamed to the
//!     new files.jsonl
//!   → a checkpoint thread: every `commit_every`, commit, then append the records of the files
//!     that commit holds to files.journal (fsync'ed)
//!   → at the end: delete what is gone from the dump, commit, files.jsonl and skipped.jsonl
//!     replaced, the journal removed; merges capped by the --memory budget (`index::merge`)
//! ```
//!
//! Every file ends up indexed or in `skipped.jsonl` with a reason, and one file can never take
//! the run down: a parser's panic is caught and the file recorded as `parser-crash`
//! (`crate::isolate`). Re-indexing a dump replaces each file's documents (delete by path, an
//! archive's members by their path range, then add), so running twice never duplicates.
//!
//! Crash safety: the index only ever moves from one commit to the next, and the journal says
//! which files each commit holds completely. A run killed at any moment (`kill -9` included)
//! loses at most the work since its last commit; the next run reads `files.jsonl` and the
//! journal, skips the files they hold, and deletes, before re-adding, whatever a commit holds
//! of the files it did not finish. Ctrl-C commits what is done and stops. One run at a time:
//! the run lock (`index::lock`) is taken before anything is written.

mod books;
mod feed;

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::error::Error;
use crate::index::meta::{self, FileRecord, RunOptions, RunRecord, SkippedFile};
use crate::index::schema::Fields;
use crate::index::{lock as run_lock, writer};
use crate::ingest::format::{holds_members, Format};
use crate::ingest::{self, walk, FileOutcome, Skip};
use crate::progress::Progress;
use books::{Books, Parsed, RecordSink};
use feed::Feed;

/// Settings resolved from the command line.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub dump: PathBuf,
    pub index_dir: PathBuf,
    pub threads: usize,
    pub memory_mib: usize,
    pub follow_symlinks: bool,
    pub progress: bool,
    /// User-supplied chat account names (`--names`).
    pub names: Option<PathBuf>,
    /// Passwords for encrypted archives (`--passwords`).
    pub passwords: Option<PathBuf>,
    /// How often work in progress is committed; zero commits only at the end.
    pub commit_every: Duration,
    /// Largest file read whole (see [`ingest::Context::max_file_bytes`]).
    pub max_file_bytes: u64,
    /// Re-read and re-index every file, changed or not (`--force`).
    pub force: bool,
    /// Parse the whole dump before indexing any of it, holding every document in memory, so
    /// the two stages are timed apart (`bench index --stages-apart`). Off for `trawl index`.
    pub stages_apart: bool,
    /// OCR of images and scanned PDFs (`--ocr`): Tesseract's languages (`--ocr-lang`).
    pub ocr: Option<String>,
    /// Time one image or page may take in OCR, and the memory of its process (in bytes).
    pub ocr_timeout: Duration,
    pub ocr_memory: u64,
    /// The custodian rule's depth (`--custodian-depth`, see [`crate::custodian`]); `None`: the
    /// one the dump was last indexed with, or the default for a new dump.
    pub custodian_depth: Option<u32>,
    /// A custodian map (`--custodians FILE`); `None`: the one the dump was last indexed with,
    /// if any.
    pub custodian_map: Option<PathBuf>,
}

/// How often `trawl index` commits by default.
pub const DEFAULT_COMMIT_SECS: f64 = 30.0;

impl IndexConfig {
    /// The defaults of `trawl index`: one thread per CPU, 256 MiB, a commit every
    /// [`DEFAULT_COMMIT_SECS`], no progress bar.
    pub fn new(dump: &Path, index_dir: &Path) -> IndexConfig {
        IndexConfig {
            dump: dump.to_owned(),
            index_dir: index_dir.to_owned(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            memory_mib: 256,
            follow_symlinks: false,
            progress: false,
            names: None,
            passwords: None,
            commit_every: Duration::from_secs_f64(DEFAULT_COMMIT_SECS),
            max_file_bytes: ingest::DEFAULT_MAX_FILE_BYTES,
            force: false,
            stages_apart: false,
            ocr: None,
            ocr_timeout: crate::sandbox::DEFAULT_TIMEOUT,
            ocr_memory: crate::sandbox::DEFAULT_MEMORY_LIMIT,
            custodian_depth: None,
            custodian_map: None,
        }
    }
}

/// What a run did; printed as the summary and recorded in `trawl.json`.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files_seen: u64,
    pub files_indexed: u64,
    pub messages: u64,
    pub bytes: u64,
    pub skipped: Vec<SkippedFile>,
    pub elapsed: Duration,
    pub interrupted: bool,
    /// The last run on this index was interrupted, and this one took up from its last commit.
    pub resumed: bool,
    /// Files not re-read or not re-indexed because they had not changed since the last run.
    pub unchanged: u64,
    /// Files parsed and (re-)indexed by this run.
    pub files_parsed: u64,
    /// Files parsed by this run, by the format they were read as.
    pub by_format: BTreeMap<String, u64>,
    /// Files indexed by an earlier run that are gone now; their documents were deleted.
    pub deleted: u64,
    /// Why unchanged files were read again, when they were: `--force`, other `--names`, or a
    /// trawl whose parsers make other documents (see [`Redo`]).
    pub redo: Option<String>,
    /// Files re-read for that reason.
    pub redone: u64,
    /// Time per stage: walking the dump, parsing and feeding the writer, committing, merging.
    pub stages: Stages,
    /// What OCR did and could not do in this run.
    pub ocr: OcrReport,
    /// Containers that count their items apart from attachments (PST, OST), parsed by this
    /// run: what each states, reads and fails, which add up.
    pub stores: Vec<StoreCount>,
}

/// OCR in one run: documents read, failed, and left `needs-ocr`, and why.
#[derive(Debug, Clone, Default)]
pub struct OcrReport {
    /// `--ocr` was given and Tesseract found.
    pub on: bool,
    /// `--ocr` was given but Tesseract is missing: why.
    pub unavailable: Option<String>,
    /// Whether Tesseract is installed (asked only when documents need it, for the hint).
    pub installed: bool,
    pub read: u64,
    pub failed: u64,
    /// Images and scanned PDFs indexed without their text.
    pub needs_ocr: u64,
}

/// What one mail store parsed by a run held by its own account, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreCount {
    pub path: String,
    pub format: String,
    /// Items its folders list.
    pub expected: u64,
    /// Items read into documents.
    pub emitted: u64,
    /// Items listed in `skipped.jsonl` with a reason: `expected - emitted`.
    pub failed: u64,
    /// Parts of items read (attachments) also listed there.
    pub parts_failed: u64,
}

/// Wall time of each indexing stage. The walk runs alongside parsing and indexing (it feeds
/// them), so `walk_secs` overlaps `parse_and_index_secs`, which runs from the first file to the
/// last document handed to the writer.
///
/// With [`IndexConfig::stages_apart`], `parse_secs` is the walk and parse alone (documents
/// held in memory) and `index_secs` the handing of the held documents to the writer, which then
/// has every CPU to itself; `parse_and_index_secs` is their sum. The engine's share of a run is
/// `index_secs + commit_secs + merge_secs`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Stages {
    pub walk_secs: f64,
    pub parse_and_index_secs: f64,
    pub commit_secs: f64,
    pub merge_secs: f64,
    /// Threading the whole index after the run ([`crate::index::threads`]).
    #[serde(default)]
    pub thread_secs: f64,
    /// Reading what persons are made of after the run ([`crate::people`]), beside threading.
    #[serde(default)]
    pub people_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_secs: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_secs: Option<f64>,
}

impl Report {
    pub fn skipped_by_reason(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for s in &self.skipped {
            *m.entry(s.reason.clone()).or_insert(0) += 1;
        }
        m
    }
}

/// Tantivy needs at least this much per indexing thread.
const MIN_MIB_PER_THREAD: usize = 15;

/// Indexes `config.dump` into `config.index_dir`. Stops early when `interrupted` becomes true,
/// after committing what is done.
///
/// Incremental: `files.jsonl` remembers every file's size, modification time and content hash.
/// A file whose size and mtime are unchanged is not read; one whose hash is unchanged (touched,
/// copied back) is not re-indexed; a changed file's documents are replaced; a file that is gone
/// has its documents deleted. With nothing to do the index writer is never opened.
///
/// Memory does not grow with the number of files on a first run: the walk streams entries to
/// the parse threads, and file records stream to the new `files.jsonl` as files finish. A
/// re-run holds the previous run's records for this dump in memory to compare against.
pub fn index_dump(config: &IndexConfig, interrupted: &AtomicBool) -> anyhow::Result<Report> {
    let started = Instant::now();
    let now: DateTime<Utc> = Utc::now();
    let dump = config
        .dump
        .canonicalize()
        .with_context(|| format!("opening dump {}", config.dump.display()))?;
    // A dump is a directory, or one file: a mailbox, a store, an export, an archive.
    if !dump.is_dir() && !dump.is_file() {
        bail!("{} is neither a directory nor a file", dump.display());
    }
    let index_dir = prepare_index_dir(&config.index_dir, &dump)?;
    // Before anything is written to the index: one run at a time.
    let _run_lock = run_lock::acquire(&index_dir)?;
    let mut ctx = ingest::Context::new(now);
    ctx.max_file_bytes = config.max_file_bytes;
    if let Some(names) = &config.names {
        ctx.names = ingest::chat::twitter::load_names_file(names)
            .map_err(|e| anyhow::anyhow!("reading --names {}: {e}", names.display()))?;
    }
    if let Some(p) = &config.passwords {
        ctx.passwords = ingest::archive::load_passwords(p)
            .map_err(|e| anyhow::anyhow!("reading --passwords {}: {e}", p.display()))?;
    }
    let mut ocr_report = OcrReport::default();
    if let Some(lang) = &config.ocr {
        match ingest::ocr::Ocr::detect(lang, config.ocr_timeout, config.ocr_memory) {
            Ok(engine) => {
                ocr_report.on = true;
                ctx.ocr = Some(engine);
            }
            Err(e @ ingest::ocr::Unavailable::Language { .. }) => bail!("--ocr-lang: {e}"),
            Err(e) => ocr_report.unavailable = Some(e.to_string()),
        }
    }
    let ctx = &ctx;
    let (index, fields, mut meta) = writer::open_or_create(&index_dir)?;
    let root = crate::source::encode_path(&dump);
    let last_options = meta
        .runs
        .iter()
        .rev()
        .find(|r| r.root == root)
        .map(|r| r.options.clone());
    // Incremental runs keep the rule the dump was indexed with unless told another.
    let map = match &config.custodian_map {
        Some(p) => {
            let text = std::fs::read(p)
                .with_context(|| format!("reading --custodians {}", p.display()))?;
            crate::custodian::parse_map(&String::from_utf8_lossy(&text))
                .map_err(|e| anyhow::anyhow!("--custodians {}: {e}", p.display()))?
        }
        None => last_options
            .as_ref()
            .and_then(|o| o.custodian_map.clone())
            .unwrap_or_default(),
    };
    let custodians = crate::custodian::Rule {
        depth: config
            .custodian_depth
            .or(last_options.as_ref().and_then(|o| o.custodian_depth))
            .unwrap_or(crate::custodian::DEFAULT_DEPTH),
        map,
    };
    let options = RunOptions {
        parser_version: ingest::PARSER_VERSION,
        names_sha256: match &config.names {
            Some(p) => Some(
                ingest::hash_file(p).with_context(|| format!("reading --names {}", p.display()))?,
            ),
            None => None,
        },
        ocr: ctx.ocr.as_ref().map(|o| o.lang.clone()),
        custodian_depth: Some(custodians.depth),
        custodian_map: (!custodians.map.is_empty()).then(|| custodians.map.clone()),
    };
    let redo = Redo::decide(config.force, last_options.as_ref(), &options);
    let known = meta::read_files_under(&index_dir, &dump)?;
    let journal = meta::read_journal(&index_dir, &dump)?;
    // An index written before files.jsonl existed: replace by path, never duplicate.
    let legacy = known.is_none() && journal.is_none() && index.reader()?.searcher().num_docs() > 0;
    // The last run was interrupted: the files its commits hold completely are in the journal;
    // any other file may have some of its documents committed, so it is replaced, not added.
    let resumed = journal.is_some();
    // Who appears with which names: gathered while parsing when the index holds nothing else
    // or its cache is current, else read back from every stored envelope at the end.
    let people_before = crate::people::before_run(&index_dir, &index.reader()?.searcher());
    // One tally per worker (and one for work off the pool), each locked by its worker only:
    // a shared one, or one per file merged into it, cost a few percent of parsing.
    let gathered: Option<Vec<Mutex<crate::people::Tally>>> = people_before.is_some().then(|| {
        (0..=config.threads.max(1))
            .map(|_| Mutex::default())
            .collect()
    });
    let mut previous = Previous {
        files: known.unwrap_or_default(),
        skips: meta::read_skipped(&index_dir)?
            .into_iter()
            .filter(|s| meta::is_under(&s.path, &dump))
            .map(|s| (s.path.clone(), s))
            .collect(),
    };
    if let Some(j) = journal {
        for r in j.files {
            previous.files.insert(r.path.clone(), r);
        }
        for s in j.skips {
            previous.skips.insert(s.path.clone(), s);
        }
    }

    let threads = config.threads.max(1);
    let memory = config.memory_mib.max(MIN_MIB_PER_THREAD * threads) * 1024 * 1024;
    let progress = Progress::new(config.progress);
    if config.progress {
        // The dump's size, counted beside the run (directory entries and a stat each, cheap
        // next to reading), gives the bar its end; the run does not wait for it.
        let (bar, dump, skip, follow) = (
            progress.clone(),
            dump.clone(),
            index_dir.clone(),
            config.follow_symlinks,
        );
        std::thread::spawn(move || {
            bar.set_total(walk::walk(&dump, follow, Some(&skip)).total_bytes);
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (work_tx, work_rx) = mpsc::sync_channel::<Vec<PathBuf>>(WORK_CHUNKS);
    let open = || {
        writer::open_writer(&index, &index_dir, threads, memory).context("opening the index writer")
    };
    let feed = Feed::new(&open, config.stages_apart);
    let books_failed = AtomicBool::new(false);
    let books = Mutex::new(Books::new(&index_dir, &dump, &progress, &books_failed));
    {
        let mut b = lock(&books);
        // Records go to the journal when something can commit before the end: a checkpoint
        // or Ctrl-C (its handler is set by `trawl index`; the stages-apart bench has neither).
        b.journaling = !config.stages_apart;
        b.report.resumed = resumed;
        b.report.redo = redo.reason().map(str::to_owned);
        if resumed {
            // files.jsonl must take in the journal's records even if nothing else changes,
            // or they would be lost with the journal at the end of this run.
            b.changed();
        }
    }
    let stop = || {
        interrupted.load(Ordering::Relaxed) || feed.failed() || books_failed.load(Ordering::Relaxed)
    };
    let stage = Instant::now();
    let walk_over = (Mutex::new(false), Condvar::new());

    let previous = Mutex::new(previous);
    // Documents' places are hashed relative to the dump's parent (see `schema::ORDER`).
    let place_root = {
        let parent = crate::source::encode_path(dump.parent().unwrap_or(&dump));
        format!("{}/", parent.trim_end_matches('/'))
    };
    let complete = std::thread::scope(|scope| {
        let pool = &pool;
        let (feed, books, fields, stop) = (&feed, &books, &fields, &stop);
        let (previous, progress) = (&previous, &progress);
        let (walk_over, index_dir) = (&walk_over, &index_dir);
        let (dump, custodians) = (&dump, &custodians);
        let place_root = place_root.as_str();
        let gathered = gathered.as_deref();
        let parse = scope.spawn(move || {
            pool.install(|| {
                work_rx.into_iter().par_bridge().for_each(|chunk| {
                    let mut done = Vec::new();
                    for path in chunk {
                        if stop() {
                            return;
                        }
                        let entry = walk::stat(path);
                        let Some(prev) = sort_file(&entry, previous, books, &redo) else {
                            progress.skipped(entry.size);
                            continue; // unchanged, booked
                        };
                        let reread = prev.as_ref().is_some_and(|p| redo.covers(p));
                        if reread {
                            lock(books).report.redone += 1;
                        }
                        let replace =
                            legacy || resumed || prev.as_ref().is_some_and(|p| p.docs > 0);
                        let custodian = custodians.custodian_of(dump, &entry.path);
                        done.push(parse_file(
                            &entry,
                            custodian.as_deref(),
                            place_root,
                            prev.as_ref(),
                            replace,
                            reread,
                            ctx,
                            fields,
                            feed,
                            gathered,
                        ));
                    }
                    if !done.is_empty() {
                        lock(books).done(done);
                    }
                });
            });
        });
        if !config.commit_every.is_zero() && !config.stages_apart {
            scope.spawn(move || {
                let (over, wake) = walk_over;
                let mut finished = lock(over);
                loop {
                    let (guard, timeout) = wake
                        .wait_timeout(finished, config.commit_every)
                        .unwrap_or_else(|e| e.into_inner());
                    finished = guard;
                    if *finished || stop() {
                        return;
                    }
                    if timeout.timed_out() {
                        let t = Instant::now();
                        if let Err(e) = checkpoint(feed, books) {
                            feed.fail(e);
                        }
                        lock(books).report.stages.commit_secs += t.elapsed().as_secs_f64();
                    }
                }
            });
        }
        let complete = walk_dump(
            dump,
            config.follow_symlinks,
            index_dir,
            previous,
            books,
            work_tx,
            stop,
        );
        let _ = parse.join();
        *lock(&walk_over.0) = true;
        walk_over.1.notify_all();
        complete
    });
    // Files of the last run that the walk did not meet are gone from the dump.
    if complete && !stop() {
        let previous = previous.into_inner().unwrap_or_else(|e| e.into_inner());
        for (_, r) in previous.files {
            if r.docs > 0 {
                let members = r.format.as_deref().is_some_and(holds_members);
                feed.delete_file(&fields, &r.path, members);
            }
            lock(&books).gone(r.docs > 0);
        }
    }
    if config.stages_apart && !stop() {
        let parsed = stage.elapsed().as_secs_f64();
        let started = Instant::now();
        feed.release_held(&fields);
        let indexed = started.elapsed().as_secs_f64();
        let mut b = lock(&books);
        b.report.stages.parse_secs = Some(parsed);
        b.report.stages.index_secs = Some(indexed);
    }
    let interrupted = interrupted.load(Ordering::SeqCst);
    // What the run gathered is the whole story only if nothing the index held went.
    let gathered = match (people_before, gathered) {
        (Some(mut before), Some(tallies)) if !feed.deleted() => {
            for t in tallies {
                t.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .add_to(&mut before);
            }
            Some(before)
        }
        _ => None,
    };
    if interrupted && !feed.failed() && !books_failed.load(Ordering::SeqCst) {
        // Keep what is done: the next run resumes from here.
        progress.set_message("committing what is done".into());
        checkpoint(&feed, &books)?;
    }
    let index_writer = feed.into_inner()?;
    let books = books.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = books.error {
        return Err(e);
    }
    let (mut report, sink, mut journal) = (books.report, books.sink, books.journal);
    ocr_report.needs_ocr = ctx.needs_ocr();
    if let Some(engine) = &ctx.ocr {
        ocr_report.read = engine.stats.read();
        ocr_report.failed = engine.stats.failed();
    }
    ocr_report.installed = ocr_report.on
        || (ocr_report.needs_ocr > 0
            && ocr_report.unavailable.is_none()
            && ingest::ocr::Ocr::detect("eng", config.ocr_timeout, 0)
                .is_ok_and(|o| o.pdftoppm.is_some()));
    report.ocr = ocr_report;

    report.interrupted = interrupted;
    if report.interrupted {
        progress.finish();
        // The unfinished new files.jsonl is removed when the sink drops; the old one and the
        // journal describe the index.
        report.elapsed = started.elapsed();
        push_run(&index_dir, &root, &mut meta, &report, &options, now)?;
        return Ok(report);
    }
    report.stages.parse_and_index_secs = stage.elapsed().as_secs_f64();
    if let Some(mut w) = index_writer {
        progress.set_message("committing".into());
        let stage = Instant::now();
        w.commit().context("committing the index")?;
        // The final commit is a checkpoint too: until files.jsonl is replaced below, the
        // journal is what says which files the index holds.
        if let Some(j) = journal.as_mut() {
            j.mark(j.position())?;
        }
        if crate::isolate::fault() == Some("abort-before-records") {
            std::process::abort();
        }
        report.stages.commit_secs += stage.elapsed().as_secs_f64();
        let stage = Instant::now();
        w.wait_merging_threads().context("merging segments")?;
        report.stages.merge_secs = stage.elapsed().as_secs_f64();
    }
    // Threads and persons span runs (a reply indexed now joins a thread indexed before), so
    // both are worked out over the whole index, side by side: neither is needed to search, and
    // a search that finds them missing works them out itself, so a failure is a warning.
    progress.set_message("threading, grouping persons".into());
    let (threads, people) = pool.install(|| derived_tables(&index_dir, &index, &fields, gathered));
    match threads {
        Ok(secs) => report.stages.thread_secs = secs,
        Err(e) => eprintln!("trawl: warning: threads: {e:#}"),
    }
    match people {
        Ok(secs) => report.stages.people_secs = secs,
        Err(e) => eprintln!("trawl: warning: people: {e:#}"),
    }
    progress.finish();
    report.elapsed = started.elapsed();
    match sink {
        // Nothing changed: files.jsonl and skipped.jsonl stay as they are.
        RecordSink::Buffered(_) => {}
        RecordSink::Streaming(files) => {
            files.finish()?;
            meta::write_skipped(&index_dir, &root, &report.skipped)?;
        }
    }
    // Only now that files.jsonl holds everything the journal said.
    meta::remove_journal(&index_dir)?;
    push_run(&index_dir, &root, &mut meta, &report, &options, now)?;
    Ok(report)
}

/// Threads ([`crate::index::threads`]) and what persons are made of ([`crate::people`]), side
/// by side over one searcher of the last commit; the persons are only written out when the run
/// `gathered` them. Returns the seconds each took.
fn derived_tables(
    dir: &Path,
    index: &tantivy::Index,
    fields: &Fields,
    gathered: Option<crate::people::Observations>,
) -> (anyhow::Result<f64>, anyhow::Result<f64>) {
    let searcher = match index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
    {
        Ok(reader) => {
            let reader: tantivy::IndexReader = reader;
            reader.searcher()
        }
        Err(e) => {
            let e = anyhow::Error::from(e);
            return (Err(anyhow::anyhow!("{e:#}")), Err(e));
        }
    };
    let timed = |f: &dyn Fn() -> anyhow::Result<()>| {
        let t = Instant::now();
        f().map(|()| t.elapsed().as_secs_f64())
    };
    std::thread::scope(|s| {
        let people = s.spawn(|| match gathered {
            Some(obs) => {
                let t = Instant::now();
                crate::people::after_run(dir, &searcher, obs);
                Ok(t.elapsed().as_secs_f64())
            }
            None => timed(&|| crate::people::observations_in(dir, &searcher, fields).map(drop)),
        });
        // On this thread, so that threading's reads run on the caller's pool.
        let threads = timed(&|| crate::index::threads::refresh(dir, index, &searcher, fields));
        let people = people
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the persons pass panicked")));
        (threads, people)
    })
}

/// Commits what the writer has, then marks the journal's records up to where it stood before
/// the commit as committed. A file's record is booked only after all its documents were handed
/// to the writer, so every record before that point is complete in the commit.
/// Documents of files still being parsed are in the commit too, without a record; a run that
/// resumes from this commit replaces them.
fn checkpoint(feed: &Feed<'_>, books: &Mutex<Books<'_>>) -> anyhow::Result<()> {
    let upto = lock(books)
        .journal
        .as_ref()
        .map(meta::JournalWriter::position);
    feed.commit()?;
    if crate::isolate::fault() == Some("abort-after-commit") {
        std::process::abort();
    }
    if let Some(upto) = upto {
        let mut b = lock(books);
        if let Some(j) = b.journal.as_mut() {
            j.mark(upto)?;
        }
    }
    Ok(())
}

/// Works out where the index goes and makes sure nothing is written inside the dump: the
/// directory is resolved (its existing part through symlinks) before anything is created, and
/// a directory inside the dump is refused with nothing created. A non-empty directory that is
/// not a trawl index is refused too, before the run lock is taken in it. Returns the
/// canonical directory, created if needed.
fn prepare_index_dir(dir: &Path, dump: &Path) -> anyhow::Result<PathBuf> {
    let target = resolve_without_creating(dir)
        .with_context(|| format!("resolving index directory {}", dir.display()))?;
    if target.starts_with(dump) {
        return Err(Error::IndexInsideDump {
            index: target,
            dump: dump.to_owned(),
        }
        .into());
    }
    std::fs::create_dir_all(&target)
        .with_context(|| format!("creating index directory {}", target.display()))?;
    let index_dir = target.canonicalize()?;
    if index_dir.starts_with(dump) {
        // Something moved under us between the check and the creation.
        return Err(Error::IndexInsideDump {
            index: index_dir,
            dump: dump.to_owned(),
        }
        .into());
    }
    writer::refuse_foreign(&index_dir)?;
    Ok(index_dir)
}

/// The absolute path `dir` will have once created: its longest existing prefix canonicalized
/// (symlinks followed, as the kernel will when creating below it), the rest applied on top
/// (`..` among the rest climbs out of a directory that will have just been created, a real one).
fn resolve_without_creating(dir: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(dir)?;
    let components: Vec<Component<'_>> = abs.components().collect();
    let mut split = components.len();
    let mut base = loop {
        let prefix: PathBuf = components[..split].iter().collect();
        if split == 0 {
            break PathBuf::from("/");
        }
        if prefix.exists() {
            break prefix.canonicalize()?;
        }
        split -= 1;
    };
    for c in &components[split..] {
        match c {
            Component::ParentDir => {
                base.pop();
            }
            Component::Normal(name) => base.push(name),
            _ => {}
        }
    }
    Ok(base)
}

/// What the last run recorded for this dump; each file's record is taken out as the file is met.
struct Previous {
    files: HashMap<String, FileRecord>,
    skips: HashMap<String, SkippedFile>,
}

/// Files go to the parse threads, which read their metadata, in chunks, so neither side wakes
/// the other once per file; at most `WORK_CHUNKS` chunks wait in the queue.
const CHUNK: usize = 64;
const WORK_CHUNKS: usize = 8;
/// Walks the dump: unreadable entries (symlinks, maildir `tmp/`, errors) go straight to the
/// books, files to the parse threads. Returns whether the walk met every entry (so what is left
/// of `previous` afterwards is gone from the dump).
fn walk_dump(
    dump: &Path,
    follow_symlinks: bool,
    index_dir: &Path,
    previous: &Mutex<Previous>,
    books: &Mutex<Books<'_>>,
    work: mpsc::SyncSender<Vec<PathBuf>>,
    stop: &(dyn Fn() -> bool + Sync),
) -> bool {
    let started = Instant::now();
    let mut complete = true;
    let mut chunk: Vec<PathBuf> = Vec::with_capacity(CHUNK);
    walk::visit_paths(dump, follow_symlinks, Some(index_dir), |found| {
        if stop() {
            complete = false;
            return ControlFlow::Break(());
        }
        match found {
            walk::Found::Skipped(path, skip) => {
                let prev = lock(previous)
                    .files
                    .remove(&crate::source::encode_path(&path));
                let known = prev.is_some_and(|p| p.skipped.as_deref() == Some(skip.code()));
                lock(books).walk_skip(&path, &skip, known);
            }
            walk::Found::File(path) => {
                chunk.push(path);
                if chunk.len() == CHUNK && work.send(std::mem::take(&mut chunk)).is_err() {
                    complete = false;
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    });
    if !chunk.is_empty() && work.send(chunk).is_err() {
        complete = false;
    }
    drop(work);
    lock(books).report.stages.walk_secs = started.elapsed().as_secs_f64();
    complete
}

/// Compares a file with the last run's record of it. Unchanged (same size and mtime): booked
/// here, `None`. Otherwise `Some` of the last record, if any, and the file is to be read.
fn sort_file(
    f: &walk::FileEntry,
    previous: &Mutex<Previous>,
    books: &Mutex<Books<'_>>,
    redo: &Redo,
) -> Option<Option<FileRecord>> {
    let key = crate::source::encode_path(&f.path);
    let mut prev = lock(previous);
    match prev.files.remove(&key) {
        Some(p) if p.size == f.size && p.mtime_ns == f.mtime_ns && !redo.covers(&p) => {
            let skip = p.skipped.as_ref().map(|reason| {
                prev.skips.remove(&p.path).unwrap_or_else(|| SkippedFile {
                    path: p.path.clone(),
                    reason: reason.clone(),
                    detail: reason.clone(),
                })
            });
            drop(prev);
            lock(books).unchanged(p, skip);
            None
        }
        p => Some(p),
    }
}

/// The formats whose documents take names from `--names` (see `ingest::Context::names`).
const NAMED_FORMATS: &[&str] = &[Format::TwitterDm.as_str()];

/// The formats of files that hold images or scans, read again when OCR is turned on: the image
/// formats, PDF, and the archives that may hold them.
const OCR_FORMATS: &[&str] = &[
    Format::Jpeg.as_str(),
    Format::Png.as_str(),
    Format::Tiff.as_str(),
    Format::Heif.as_str(),
    Format::Webp.as_str(),
    Format::Gif.as_str(),
    Format::Bmp.as_str(),
    Format::Pdf.as_str(),
    Format::Zip.as_str(),
    Format::Tar.as_str(),
    Format::TarGz.as_str(),
    Format::TarBz2.as_str(),
    Format::TarXz.as_str(),
    Format::SevenZ.as_str(),
    Format::Rar.as_str(),
    Format::Gz.as_str(),
    Format::Bz2.as_str(),
    Format::Xz.as_str(),
];

/// Which files a run reads again although they have not changed since the last run of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redo {
    Nothing,
    /// Every file: `--force`, or the last run's parsers made other documents.
    All(String),
    /// The files read as these formats: what other `--names` change.
    Formats(&'static [&'static str], String),
}

impl Redo {
    /// Compares this run's options with those of the last run of the same dump.
    pub fn decide(force: bool, last: Option<&RunOptions>, now: &RunOptions) -> Redo {
        if force {
            return Redo::All("--force".into());
        }
        let Some(last) = last else {
            return Redo::Nothing;
        };
        if last.parser_version != now.parser_version {
            return Redo::All(format!(
                "the dump was last indexed by a trawl whose parsers make other documents \
                 (parser version {}, now {})",
                last.parser_version, now.parser_version
            ));
        }
        // Another custodian rule: every document's custodian may change, and a file's
        // documents are only ever replaced whole.
        if last.custodian_depth != now.custodian_depth {
            return Redo::All(match last.custodian_depth {
                Some(d) => format!(
                    "--custodian-depth {} differs from the last run's ({d})",
                    now.custodian_depth.unwrap_or_default()
                ),
                None => "the dump was last indexed without custodians".into(),
            });
        }
        if last.custodian_map != now.custodian_map {
            return Redo::All(
                match (&last.custodian_map, &now.custodian_map) {
                    (None, _) => "--custodians was given, the last run had none",
                    (_, None) => "--custodians is empty, the last run had a map",
                    _ => "--custodians maps other paths than at the last run",
                }
                .into(),
            );
        }
        // OCR asked for now, not (or in other languages) last time: the images and PDFs are
        // read again, archives too for those inside them. A run without --ocr after one with it
        // re-reads nothing: the text OCR found stays until the file changes.
        if now.ocr.is_some() && last.ocr != now.ocr {
            return Redo::Formats(
                OCR_FORMATS,
                match &last.ocr {
                    None => "--ocr was given, the last run had none: images and scans are read \
                             by OCR"
                        .into(),
                    Some(l) => format!("--ocr-lang differs from the last run's ({l})"),
                },
            );
        }
        if last.names_sha256 != now.names_sha256 {
            return Redo::Formats(
                NAMED_FORMATS,
                match (&last.names_sha256, &now.names_sha256) {
                    (None, Some(_)) => "--names was given, the last run had none".into(),
                    (Some(_), None) => {
                        "--names was not given, the last run had it (give it again to keep \
                         those names)"
                            .into()
                    }
                    _ => "--names holds other names than at the last run".into(),
                },
            );
        }
        Redo::Nothing
    }

    /// Whether the file of last run's record `r` is to be read again.
    pub fn covers(&self, r: &FileRecord) -> bool {
        match self {
            Redo::Nothing => false,
            Redo::All(_) => true,
            Redo::Formats(formats, _) => r.format.as_deref().is_some_and(|f| formats.contains(&f)),
        }
    }

    /// Why, for the run's summary.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Redo::Nothing => None,
            Redo::All(why) | Redo::Formats(_, why) => Some(why),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Appends this run to `trawl.json`.
fn push_run(
    index_dir: &Path,
    root: &str,
    meta: &mut meta::Meta,
    report: &Report,
    options: &RunOptions,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    meta.runs.push(RunRecord {
        root: root.to_owned(),
        started: now.to_rfc3339(),
        elapsed_secs: report.elapsed.as_secs_f64(),
        files_seen: report.files_seen,
        files_indexed: report.files_indexed,
        messages: report.messages,
        bytes: report.bytes,
        skipped: report.skipped_by_reason(),
        interrupted: report.interrupted,
        options: options.clone(),
    });
    meta::write_meta(index_dir, meta)?;
    Ok(())
}

// The file, what its documents are stamped with (custodian, the root their places are
// relative to), what the last run knew, and where they go.
#[allow(clippy::too_many_arguments)]
fn parse_file(
    entry: &walk::FileEntry,
    custodian: Option<&str>,
    place_root: &str,
    prev: Option<&FileRecord>,
    replace: bool,
    reread: bool,
    ctx: &ingest::Context,
    fields: &Fields,
    feed: &Feed<'_>,
    gathered: Option<&[Mutex<crate::people::Tally>]>,
) -> Parsed {
    let path = crate::source::encode_path(&entry.path);
    let mut added = 0u64;
    let mut begun = false;
    // A file re-read for other options or parsers is indexed again even with the same bytes.
    let previous_sha = prev.filter(|_| !reread).and_then(|p| p.sha256.as_deref());
    // An archive's documents carry `path!/member` paths, which a delete of `path` misses.
    let had_members = prev.is_some_and(|p| p.format.as_deref().is_some_and(holds_members));
    let member_prefix = format!("{path}!/");
    // This worker's tally. A file whose documents are deleted below deletes, which sends the
    // run back to reading every envelope, so what it saw may be kept whatever its outcome.
    let tally = gathered.and_then(|g| {
        let last = g.len().checked_sub(1)?;
        g.get(rayon::current_thread_index().map_or(last, |i| i.min(last)))
    });
    let outcome = crate::isolate::catch(|| {
        ingest::ingest_path(entry, ctx, previous_sha, |doc| {
            if !begun && replace {
                let members = had_members || doc.source.path.starts_with(&member_prefix);
                feed.delete_file(fields, &path, members);
            }
            begun = true;
            let order = writer::order_of(&doc, place_root);
            if let Some(tally) = tally.filter(|_| doc.root.is_none()) {
                lock(tally).add_all(crate::people::parties(
                    doc.from.as_ref(),
                    &doc.to,
                    &doc.cc,
                    &doc.bcc,
                ));
            }
            feed.add(writer::to_document(&doc, custodian, order, fields));
            added += 1;
        })
    })
    .unwrap_or_else(|panic| Err(Skip::ParserCrash(panic)));
    let unchanged = matches!(outcome, Ok(FileOutcome::Unchanged { .. }));
    if outcome.is_err() && begun {
        // A parser crashed part-way: the file is recorded as skipped, so the documents it
        // had emitted go too (the delete covers what was added before it, nothing after).
        feed.delete_file(fields, &path, true);
        added = 0;
    } else if !begun && replace && !unchanged {
        // Changed into something with no documents (emptied, corrupted), or an unfinished
        // file of an interrupted run that has none now: drop what the index holds of it.
        let members = had_members
            || matches!(&outcome, Ok(FileOutcome::Indexed { format, .. }) if holds_members(format));
        feed.delete_file(fields, &path, members);
    }
    let mut record = FileRecord {
        path,
        size: entry.size,
        mtime_ns: entry.mtime_ns,
        sha256: None,
        format: None,
        docs: 0,
        stated: None,
        read: None,
        failed: 0,
        skipped: None,
    };
    let mut member_skips = Vec::new();
    let skip = match outcome {
        Ok(FileOutcome::Indexed {
            format,
            docs,
            sha256,
            member_skips: ms,
            stated,
            read,
        }) => {
            record.stated = stated;
            record.read = read;
            record.failed = ms.len() as u64;
            member_skips = ms;
            record.format = Some(format.to_owned());
            record.docs = docs;
            record.sha256 = Some(sha256);
            None
        }
        Ok(FileOutcome::Unchanged { sha256 }) => {
            // Touched, not changed: keep what was indexed, note the new mtime.
            if let Some(p) = prev {
                record.format = p.format.clone();
                record.docs = p.docs;
                record.stated = p.stated;
                record.read = p.read;
                record.failed = p.failed;
            }
            record.sha256 = Some(sha256);
            None
        }
        Err(s) => {
            record.skipped = Some(s.code().to_owned());
            Some(s)
        }
    };
    Parsed {
        record,
        skip,
        size: entry.size,
        member_skips,
        touched: unchanged,
        added,
    }
}
