//! `trawl index DUMP_DIR`: walk, parse in parallel, write with one `IndexWriter`.
//!
//! ```text
//! this thread: walk (directory entries only) → bounded queue of paths, in chunks of 64
//!   → rayon pool, N threads: stat; unchanged since the last run → a record; otherwise read,
//!     detect format, parse, build tantivy documents and add them to the one IndexWriter
//!     (`add_document(&self)`; tantivy's bounded queue to its N indexing threads is the
//!     backpressure); counts and file records under one lock per chunk, records streamed to
//!     the new files.jsonl
//!   → commit; merges capped by the --memory budget (`index::merge`)
//! ```
//!
//! Every file ends up indexed or in `skipped.jsonl` with a reason. Re-indexing a dump replaces
//! each file's documents (delete by path, then add), so running twice never duplicates. Ctrl-C
//! stops the run without committing: the index stays at its last commit, openable and searchable.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::Exit;
use crate::cli::IndexArgs;
use crate::error::Error;
use crate::index::meta::{self, FileRecord, RunRecord, SkippedFile};
use crate::index::schema::Fields;
use crate::index::writer;
use crate::ingest::{self, walk, FileOutcome, Skip};
use crate::progress::Progress;

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
    /// Parse the whole dump before indexing any of it, holding every document in memory, so
    /// the two stages are timed apart (`bench index --stages-apart`). Off for `trawl index`.
    pub stages_apart: bool,
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
    /// Files not re-read or not re-indexed because they had not changed since the last run.
    pub unchanged: u64,
    /// Files parsed and (re-)indexed by this run.
    pub files_parsed: u64,
    /// Files parsed by this run, by the format they were read as.
    pub by_format: BTreeMap<String, u64>,
    /// Files indexed by an earlier run that are gone now; their documents were deleted.
    pub deleted: u64,
    /// Time per stage: walking the dump, parsing and feeding the writer, committing, merging.
    pub stages: Stages,
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
pub fn run(index_dir: &Path, args: IndexArgs) -> anyhow::Result<Exit> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let config = IndexConfig {
        dump: args.dump,
        index_dir: index_dir.to_owned(),
        threads,
        memory_mib: args.memory,
        follow_symlinks: args.follow_symlinks,
        names: args.names,
        stages_apart: false,
        progress: !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    // A second Ctrl-C while we wind down falls through to the default and kills the process,
    // which is still safe: tantivy's last commit is on disk.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted as i32);
        }
    });
    let report = index_dump(&config, &interrupted)?;
    if !args.quiet {
        print_summary(&config, &report);
    }
    Ok(if report.interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}

/// Indexes `config.dump` into `config.index_dir`. Stops early, without committing, when
/// `interrupted` becomes true.
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
    if !dump.is_dir() {
        bail!("{} is not a directory", dump.display());
    }
    std::fs::create_dir_all(&config.index_dir)
        .with_context(|| format!("creating index directory {}", config.index_dir.display()))?;
    let index_dir = config.index_dir.canonicalize()?;
    if index_dir.starts_with(&dump) {
        return Err(Error::IndexInsideDump {
            index: index_dir,
            dump,
        }
        .into());
    }
    let mut ctx = ingest::Context::new(now);
    if let Some(names) = &config.names {
        ctx.names = ingest::chat::twitter::load_names_file(names)
            .map_err(|e| anyhow::anyhow!("reading --names {}: {e}", names.display()))?;
    }
    let ctx = &ctx;
    let (index, fields, mut meta) = writer::open_or_create(&index_dir)?;
    let root = dump.to_string_lossy().into_owned();
    let known = meta::read_files_under(&index_dir, &dump)?;
    // An index written before files.jsonl existed: replace by path, never duplicate.
    let legacy = known.is_none() && index.reader()?.searcher().num_docs() > 0;
    let previous = Previous {
        files: known.unwrap_or_default(),
        skips: meta::read_skipped(&index_dir)?
            .into_iter()
            .filter(|s| meta::is_under(&s.path, &dump))
            .map(|s| (s.path.clone(), s))
            .collect(),
    };

    let threads = config.threads;
    let memory = config.memory_mib.max(MIN_MIB_PER_THREAD * threads) * 1024 * 1024;
    let progress = Progress::new(0, config.progress);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (work_tx, work_rx) = mpsc::sync_channel::<Vec<PathBuf>>(WORK_CHUNKS);
    let open = || {
        writer::open_writer(&index, &index_dir, threads, memory)
            .context("opening the index writer (is another trawl indexing into it?)")
    };
    let feed = Feed::new(&open, config.stages_apart);
    let books_failed = AtomicBool::new(false);
    let books = Mutex::new(Books {
        report: Report::default(),
        sink: RecordSink::Buffered(Vec::new()),
        index_dir: &index_dir,
        root: &dump,
        progress: &progress,
        error: None,
        failed: &books_failed,
    });
    let stop = || {
        interrupted.load(Ordering::Relaxed) || feed.failed() || books_failed.load(Ordering::Relaxed)
    };
    let stage = Instant::now();

    let previous = Mutex::new(previous);
    let complete = std::thread::scope(|scope| {
        let (feed, books, fields, stop) = (&feed, &books, &fields, &stop);
        let (previous, progress) = (&previous, &progress);
        scope.spawn(move || {
            pool.install(|| {
                work_rx.into_iter().par_bridge().for_each(|chunk| {
                    let mut done = Vec::new();
                    for path in chunk {
                        if stop() {
                            return;
                        }
                        let entry = walk::stat(path);
                        let Some(prev) = sort_file(&entry, previous, books) else {
                            continue; // unchanged, booked
                        };
                        progress.add_total(entry.size);
                        let replace = legacy || prev.as_ref().is_some_and(|p| p.docs > 0);
                        done.push(parse_file(
                            &entry,
                            prev.as_ref(),
                            replace,
                            ctx,
                            fields,
                            feed,
                        ));
                    }
                    if !done.is_empty() {
                        lock(books).done(done);
                    }
                });
            });
        });
        walk_dump(
            &dump,
            config.follow_symlinks,
            &index_dir,
            previous,
            books,
            work_tx,
            stop,
        )
    });
    // Files of the last run that the walk did not meet are gone from the dump.
    if complete && !stop() {
        let previous = previous.into_inner().unwrap_or_else(|e| e.into_inner());
        for (_, r) in previous.files {
            if r.docs > 0 {
                feed.delete_path(&fields, &r.path);
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
    let index_writer = feed.into_inner()?;
    let books = books.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = books.error {
        return Err(e);
    }
    let (mut report, sink) = (books.report, books.sink);

    report.interrupted = interrupted.load(Ordering::SeqCst);
    if report.interrupted {
        progress.finish();
        // Without a commit this run's work is discarded: the index stays at its last commit,
        // and files.jsonl and skipped.jsonl stay as that commit left them (the unfinished new
        // files.jsonl is removed when the sink drops).
        if let Some(mut w) = index_writer {
            w.rollback().ok();
        }
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    report.stages.parse_and_index_secs = stage.elapsed().as_secs_f64();
    if let Some(mut w) = index_writer {
        progress.set_message("committing".into());
        let stage = Instant::now();
        w.commit().context("committing the index")?;
        report.stages.commit_secs = stage.elapsed().as_secs_f64();
        let stage = Instant::now();
        w.wait_merging_threads().context("merging segments")?;
        report.stages.merge_secs = stage.elapsed().as_secs_f64();
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
    push_run(&index_dir, &root, &mut meta, &report, now)?;
    Ok(report)
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
                let prev = lock(previous).files.remove(path.to_string_lossy().as_ref());
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
) -> Option<Option<FileRecord>> {
    let key = f.path.to_string_lossy();
    let mut prev = lock(previous);
    match prev.files.remove(key.as_ref()) {
        Some(p) if p.size == f.size && p.mtime_ns == f.mtime_ns => {
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where this run's file records go: held back while nothing has changed (so an unchanged
/// re-run rewrites nothing), streamed to the new `files.jsonl` from the first change on.
enum RecordSink {
    Buffered(Vec<FileRecord>),
    Streaming(meta::FilesWriter),
}

/// The run's counts and file records, updated by the walk and the parse threads under one lock
/// (once per entry from the walk, once per chunk of files from a parse thread).
struct Books<'a> {
    report: Report,
    sink: RecordSink,
    index_dir: &'a Path,
    /// The dump being indexed: the new `files.jsonl` replaces the entries under it.
    root: &'a Path,
    progress: &'a Progress,
    /// The first failure to write a record; it stops the run, through `failed`.
    error: Option<anyhow::Error>,
    failed: &'a AtomicBool,
}

/// What a parse thread learned about one file.
struct Parsed {
    record: FileRecord,
    skip: Option<Skip>,
    size: u64,
    member_skips: Vec<(String, Skip)>,
    /// Read again but its content hash had not changed.
    touched: bool,
    /// Documents handed to the writer.
    added: u64,
}

impl Books<'_> {
    fn fail(&mut self, e: anyhow::Error) {
        self.error.get_or_insert(e);
        self.failed.store(true, Ordering::SeqCst);
    }

    fn push(&mut self, record: FileRecord) {
        if self.error.is_some() {
            return;
        }
        let res = match &mut self.sink {
            RecordSink::Buffered(v) => {
                v.push(record);
                Ok(())
            }
            RecordSink::Streaming(w) => w.push(&record).map_err(anyhow::Error::from),
        };
        if let Err(e) = res {
            self.fail(e);
        }
    }

    /// Something differs from the last run: from now on records go to disk.
    fn changed(&mut self) {
        if let RecordSink::Buffered(held) = &mut self.sink {
            let held = std::mem::take(held);
            match meta::FilesWriter::create(self.index_dir, self.root) {
                Ok(w) => self.sink = RecordSink::Streaming(w),
                Err(e) => {
                    self.fail(e.into());
                    return;
                }
            }
            for r in held {
                self.push(r);
            }
        }
    }

    /// A file unchanged since the last run (size and mtime), with its skip entry if it was one.
    fn unchanged(&mut self, record: FileRecord, skip: Option<SkippedFile>) {
        self.report.files_seen += 1;
        self.report.unchanged += 1;
        match skip {
            Some(s) => self.report.skipped.push(s),
            None => self.report.files_indexed += 1,
        }
        self.push(record);
    }

    /// An entry the walk will not read (symlink, maildir `tmp/`, unreadable); `known` when the
    /// last run recorded the same.
    fn walk_skip(&mut self, path: &Path, skip: &Skip, known: bool) {
        self.report.files_seen += 1;
        let entry = skipped(path, skip);
        if !known {
            self.changed();
        }
        self.push(FileRecord {
            path: entry.path.clone(),
            size: 0,
            mtime_ns: 0,
            sha256: None,
            format: None,
            docs: 0,
            skipped: Some(entry.reason.clone()),
        });
        self.report.skipped.push(entry);
    }

    /// A file of the last run is gone from the dump (its documents, if any, deleted).
    fn gone(&mut self, had_docs: bool) {
        if had_docs {
            self.report.deleted += 1;
        }
        self.changed();
    }

    /// Files read by a parse thread.
    fn done(&mut self, files: Vec<Parsed>) {
        for p in files {
            let r = &mut self.report;
            r.files_seen += 1;
            r.messages += p.added;
            for (path, s) in p.member_skips {
                r.skipped.push(SkippedFile {
                    path,
                    reason: s.code().to_owned(),
                    detail: s.to_string(),
                });
            }
            if let Some(format) = &p.record.format {
                *r.by_format.entry(format.clone()).or_insert(0) += 1;
            }
            match p.skip {
                Some(s) => r.skipped.push(skipped(Path::new(&p.record.path), &s)),
                None => r.files_indexed += 1,
            }
            if p.touched {
                r.unchanged += 1;
            } else if p.record.skipped.is_none() {
                r.files_parsed += 1;
            }
            r.bytes += p.size;
            let (files, messages) = (r.files_indexed, r.messages);
            self.progress.file_done(p.size, files, messages);
            self.changed();
            self.push(p.record);
        }
    }
}

/// The one `IndexWriter`, shared by the parse threads (tantivy's `add_document` and
/// `delete_term` take `&self` and queue into its indexing threads, with backpressure). It is
/// opened on first use, so a run with nothing to index never opens it; the first failure stops
/// the run.
///
/// With stages apart, additions and deletions are held in arrival order (each file's delete
/// still before its documents) and handed to the writer by [`Feed::release_held`].
struct Feed<'a> {
    writer: OnceLock<IndexWriter>,
    opening: Mutex<()>,
    open: &'a (dyn Fn() -> anyhow::Result<IndexWriter> + Sync),
    error: Mutex<Option<anyhow::Error>>,
    failed: AtomicBool,
    held: Option<Mutex<Vec<Held>>>,
}

/// A writer operation held back until parsing is over.
enum Held {
    Add(TantivyDocument),
    DeletePath(String),
}

impl<'a> Feed<'a> {
    fn new(open: &'a (dyn Fn() -> anyhow::Result<IndexWriter> + Sync), hold: bool) -> Feed<'a> {
        Feed {
            writer: OnceLock::new(),
            opening: Mutex::new(()),
            open,
            error: Mutex::new(None),
            failed: AtomicBool::new(false),
            held: hold.then(|| Mutex::new(Vec::new())),
        }
    }

    /// Hands every held operation to the writer, in the order it was held.
    fn release_held(&self, fields: &Fields) {
        let Some(held) = &self.held else { return };
        let held = std::mem::take(&mut *lock(held));
        if held.is_empty() {
            return; // nothing to index: the writer stays unopened, as in a pipelined run
        }
        let Some(w) = self.writer() else { return };
        for op in held {
            match op {
                Held::Add(doc) => {
                    if let Err(e) = w.add_document(doc) {
                        self.fail(anyhow::Error::new(e).context("indexing a document"));
                        return;
                    }
                }
                Held::DeletePath(path) => {
                    w.delete_term(Term::from_field_text(fields.path, &path));
                }
            }
        }
    }

    fn writer(&self) -> Option<&IndexWriter> {
        if let Some(w) = self.writer.get() {
            return Some(w);
        }
        let _guard = self.opening.lock().unwrap_or_else(|e| e.into_inner());
        if self.failed() {
            return None;
        }
        if self.writer.get().is_none() {
            match (self.open)() {
                Ok(w) => {
                    let _ = self.writer.set(w);
                }
                Err(e) => {
                    self.fail(e);
                    return None;
                }
            }
        }
        self.writer.get()
    }

    fn add(&self, doc: TantivyDocument) {
        if let Some(held) = &self.held {
            lock(held).push(Held::Add(doc));
            return;
        }
        if let Some(w) = self.writer() {
            if let Err(e) = w.add_document(doc) {
                self.fail(anyhow::Error::new(e).context("indexing a document"));
            }
        }
    }

    fn delete_path(&self, fields: &Fields, path: &str) {
        if let Some(held) = &self.held {
            lock(held).push(Held::DeletePath(path.to_owned()));
            return;
        }
        if let Some(w) = self.writer() {
            w.delete_term(Term::from_field_text(fields.path, path));
        }
    }

    fn fail(&self, e: anyhow::Error) {
        self.failed.store(true, Ordering::SeqCst);
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(e);
    }

    fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The writer, if it was opened, or the first error.
    fn into_inner(self) -> anyhow::Result<Option<IndexWriter>> {
        let error = self.error.into_inner().unwrap_or_else(|e| e.into_inner());
        match error {
            Some(e) => Err(e),
            None => Ok(self.writer.into_inner()),
        }
    }
}

/// Appends this run to `trawl.json`.
fn push_run(
    index_dir: &Path,
    root: &str,
    meta: &mut meta::Meta,
    report: &Report,
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
        interrupted: false,
    });
    meta::write_meta(index_dir, meta)?;
    Ok(())
}

fn parse_file(
    entry: &walk::FileEntry,
    prev: Option<&FileRecord>,
    replace: bool,
    ctx: &ingest::Context,
    fields: &Fields,
    feed: &Feed<'_>,
) -> Parsed {
    let path = entry.path.to_string_lossy().into_owned();
    let mut added = 0u64;
    let mut begun = false;
    let outcome = ingest::ingest_path(entry, ctx, prev.and_then(|p| p.sha256.as_deref()), |doc| {
        if !begun && replace {
            feed.delete_path(fields, &path);
        }
        begun = true;
        feed.add(writer::to_document(&doc, fields));
        added += 1;
    });
    let unchanged = matches!(outcome, Ok(FileOutcome::Unchanged { .. }));
    if !begun && replace && !unchanged {
        // Changed into something with no documents (emptied, corrupted): drop the old ones.
        feed.delete_path(fields, &path);
    }
    let mut record = FileRecord {
        path,
        size: entry.size,
        mtime_ns: entry.mtime_ns,
        sha256: None,
        format: None,
        docs: 0,
        skipped: None,
    };
    let mut member_skips = Vec::new();
    let skip = match outcome {
        Ok(FileOutcome::Indexed {
            format,
            docs,
            sha256,
            member_skips: ms,
        }) => {
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

fn skipped(path: &Path, skip: &Skip) -> SkippedFile {
    SkippedFile {
        path: path.to_string_lossy().into_owned(),
        reason: skip.code().to_owned(),
        detail: skip.to_string(),
    }
}

fn print_summary(config: &IndexConfig, r: &Report) {
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    if r.interrupted {
        eprintln!(
            "trawl: interrupted after {:.1}s; the index at {} is unchanged since its last commit",
            secs,
            config.index_dir.display()
        );
        return;
    }
    eprintln!(
        "indexed {} documents from {} of {} files ({:.1} MB) in {:.2}s: {:.0} documents/s, {:.1} MB/s",
        r.messages,
        r.files_parsed,
        r.files_seen,
        r.bytes as f64 / 1e6,
        secs,
        r.messages as f64 / secs,
        r.bytes as f64 / 1e6 / secs
    );
    if !r.by_format.is_empty() {
        let parts: Vec<String> = r
            .by_format
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!("files by format: {}", parts.join(", "));
    }
    if r.unchanged > 0 || r.deleted > 0 {
        eprintln!(
            "{} files unchanged since the last run, {} removed from the dump",
            r.unchanged, r.deleted
        );
    }
    let by_reason = r.skipped_by_reason();
    if by_reason.is_empty() {
        eprintln!("skipped 0 files");
    } else {
        let parts: Vec<String> = by_reason.iter().map(|(k, v)| format!("{k} {v}")).collect();
        eprintln!(
            "skipped {} files ({}); list in {}",
            r.skipped.len(),
            parts.join(", "),
            config.index_dir.join(meta::SKIPPED_FILE).display()
        );
    }
}
