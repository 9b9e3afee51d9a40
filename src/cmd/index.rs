//! `trawl index DUMP_DIR`: walk, parse in parallel, write with one `IndexWriter`.
//!
//! ```text
//! walk thread (metadata only; unchanged files → records, the rest → bounded work queue)
//!   → rayon pool, N threads: read file, detect format, parse, build tantivy documents
//!   → bounded channel (backpressure: parsing never runs far ahead of indexing)
//!   → this thread: one IndexWriter (its own N indexing threads, --memory budget), and file
//!     records streamed to the new files.jsonl
//! ```
//!
//! Every file ends up indexed or in `skipped.jsonl` with a reason. Re-indexing a dump replaces
//! each file's documents (delete by path, then add), so running twice never duplicates. Ctrl-C
//! stops the run without committing: the index stays at its last commit, openable and searchable.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
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
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Stages {
    pub walk_secs: f64,
    pub parse_and_index_secs: f64,
    pub commit_secs: f64,
    pub merge_secs: f64,
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
/// Messages in flight between the parse pool and the writer. Each is a file's worth of documents
/// or a batch of at most `BATCH_DOCS` / `BATCH_BYTES`; at 256 the queue alone held ~300 MB
/// while indexing a 1 GB mbox, and 32 keeps the writer just as busy (BENCHMARKS.md).
const CHANNEL_BOUND: usize = 32;

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
            .filter(|s| Path::new(&s.path).starts_with(&dump))
            .map(|s| (s.path.clone(), s))
            .collect(),
    };

    let threads = config.threads;
    let memory = config.memory_mib.max(MIN_MIB_PER_THREAD * threads) * 1024 * 1024;
    let progress = Progress::new(0, config.progress);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (tx, rx) = mpsc::sync_channel::<Msg>(CHANNEL_BOUND);
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(WORK_BOUND);
    // Set when the writer fails, so the walk and the parse threads wind down too.
    let abort = AtomicBool::new(false);
    let stop = || interrupted.load(Ordering::Relaxed) || abort.load(Ordering::Relaxed);
    let mut report = Report::default();
    let mut sink = RecordSink::Buffered(Vec::new());
    let mut index_writer: Option<IndexWriter> = None;
    let stage = Instant::now();

    std::thread::scope(|scope| -> anyhow::Result<()> {
        let walk_tx = tx.clone();
        let (dump, index_dir, progress, stop) = (&dump, &index_dir, &progress, &stop);
        scope.spawn(move || {
            walk_dump(
                dump,
                config.follow_symlinks,
                index_dir,
                previous,
                &walk_tx,
                work_tx,
                stop,
                progress,
            );
        });
        let fields = &fields;
        scope.spawn(move || {
            pool.install(|| {
                work_rx
                    .into_iter()
                    .par_bridge()
                    .for_each_with(tx, |tx, (entry, prev)| {
                        if stop() {
                            return;
                        }
                        let replace = legacy || prev.as_ref().is_some_and(|p| p.docs > 0);
                        parse_file(&entry, prev.as_ref(), replace, ctx, fields, tx);
                    });
            });
        });
        let result = consume(
            rx,
            &mut Consumer {
                report: &mut report,
                sink: &mut sink,
                writer: &mut index_writer,
                open_writer: &|| {
                    index
                        .writer_with_num_threads(threads, memory)
                        .context("opening the index writer (is another trawl indexing into it?)")
                },
                fields,
                index_dir,
                root: dump,
                progress,
                interrupted,
            },
        );
        if result.is_err() {
            abort.store(true, Ordering::SeqCst);
        }
        result
    })?;

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

/// What the last run recorded for this dump, consumed by the walk as it meets each file.
struct Previous {
    files: HashMap<String, FileRecord>,
    skips: HashMap<String, SkippedFile>,
}

/// Files waiting for a parse thread, with what the last run recorded for them.
type Work = (walk::FileEntry, Option<FileRecord>);

/// Files queued between the walk and the parse threads.
const WORK_BOUND: usize = 1024;

/// Walks the dump and sorts every entry: unchanged files and unreadable entries go straight to
/// the writer thread as records, the rest to the parse threads. Once the walk is complete, what
/// is left of `previous` is gone from the dump.
#[allow(clippy::too_many_arguments)]
fn walk_dump(
    dump: &Path,
    follow_symlinks: bool,
    index_dir: &Path,
    mut previous: Previous,
    tx: &mpsc::SyncSender<Msg>,
    work: mpsc::SyncSender<Work>,
    stop: &(dyn Fn() -> bool + Sync),
    progress: &Progress,
) {
    let started = Instant::now();
    let mut complete = true;
    walk::visit(dump, follow_symlinks, Some(index_dir), |entry| {
        if stop() {
            complete = false;
            return ControlFlow::Break(());
        }
        let sent = match entry {
            walk::Entry::Skipped(path, skip) => {
                let prev = previous.files.remove(path.to_string_lossy().as_ref());
                let known = prev.is_some_and(|p| p.skipped.as_deref() == Some(skip.code()));
                tx.send(Msg::WalkSkip { path, skip, known }).is_ok()
            }
            walk::Entry::File(f) => {
                match previous.files.remove(f.path.to_string_lossy().as_ref()) {
                    Some(p) if p.size == f.size && p.mtime_ns == f.mtime_ns => {
                        let skip = p.skipped.as_ref().map(|reason| {
                            previous
                                .skips
                                .remove(&p.path)
                                .unwrap_or_else(|| SkippedFile {
                                    path: p.path.clone(),
                                    reason: reason.clone(),
                                    detail: reason.clone(),
                                })
                        });
                        tx.send(Msg::Unchanged(p, skip)).is_ok()
                    }
                    prev => {
                        progress.add_total(f.size);
                        work.send((f, prev)).is_ok()
                    }
                }
            }
        };
        if sent {
            ControlFlow::Continue(())
        } else {
            complete = false;
            ControlFlow::Break(())
        }
    });
    drop(work);
    let _ = tx.send(Msg::WalkDone {
        secs: started.elapsed().as_secs_f64(),
    });
    if !complete {
        return;
    }
    for (_, r) in previous.files {
        let msg = if r.docs > 0 {
            Msg::Gone(r.path)
        } else {
            Msg::Vanished
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// Where this run's file records go: held back while nothing has changed (so an unchanged
/// re-run rewrites nothing), streamed to the new `files.jsonl` from the first change on.
enum RecordSink {
    Buffered(Vec<FileRecord>),
    Streaming(meta::FilesWriter),
}

impl RecordSink {
    fn push(&mut self, record: FileRecord) -> anyhow::Result<()> {
        match self {
            RecordSink::Buffered(v) => v.push(record),
            RecordSink::Streaming(w) => w.push(&record)?,
        }
        Ok(())
    }

    /// Something differs from the last run: from now on records go to disk.
    fn changed(&mut self, index_dir: &Path, root: &Path) -> anyhow::Result<()> {
        if let RecordSink::Buffered(held) = self {
            let mut w = meta::FilesWriter::create(index_dir, root)?;
            for r in held.drain(..) {
                w.push(&r)?;
            }
            *self = RecordSink::Streaming(w);
        }
        Ok(())
    }
}

/// The writer thread's state while it drains the channel.
struct Consumer<'a> {
    report: &'a mut Report,
    sink: &'a mut RecordSink,
    writer: &'a mut Option<IndexWriter>,
    open_writer: &'a dyn Fn() -> anyhow::Result<IndexWriter>,
    fields: &'a Fields,
    index_dir: &'a Path,
    /// The dump being indexed: the new `files.jsonl` replaces the entries under it.
    root: &'a Path,
    progress: &'a Progress,
    interrupted: &'a AtomicBool,
}

impl Consumer<'_> {
    /// The index writer, opened on first use: a run with nothing to index never opens it.
    fn writer(&mut self) -> anyhow::Result<&mut IndexWriter> {
        if self.writer.is_none() {
            *self.writer = Some((self.open_writer)()?);
        }
        Ok(self.writer.as_mut().expect("opened above"))
    }
}

/// Drains the channel into the index writer and the file records until every sender is done.
fn consume(rx: mpsc::Receiver<Msg>, c: &mut Consumer<'_>) -> anyhow::Result<()> {
    for msg in rx {
        if c.interrupted.load(Ordering::Relaxed) {
            // Dropping the receiver makes every pending send fail, so the other threads stop.
            break;
        }
        match msg {
            Msg::WalkDone { secs } => c.report.stages.walk_secs = secs,
            Msg::Unchanged(record, skip) => {
                c.report.files_seen += 1;
                c.report.unchanged += 1;
                match skip {
                    Some(s) => c.report.skipped.push(s),
                    None => c.report.files_indexed += 1,
                }
                c.sink.push(record)?;
            }
            Msg::WalkSkip { path, skip, known } => {
                c.report.files_seen += 1;
                let entry = skipped(&path, &skip);
                if !known {
                    c.sink.changed(c.index_dir, c.root)?;
                }
                c.sink.push(FileRecord {
                    path: entry.path.clone(),
                    size: 0,
                    mtime_ns: 0,
                    sha256: None,
                    format: None,
                    docs: 0,
                    skipped: Some(entry.reason.clone()),
                })?;
                c.report.skipped.push(entry);
            }
            Msg::Gone(path) => {
                c.report.deleted += 1;
                c.sink.changed(c.index_dir, c.root)?;
                let term = Term::from_field_text(c.fields.path, &path);
                c.writer()?.delete_term(term);
            }
            Msg::Vanished => c.sink.changed(c.index_dir, c.root)?,
            Msg::Delete(path) => {
                let term = Term::from_field_text(c.fields.path, &path);
                c.writer()?.delete_term(term);
            }
            Msg::Docs(docs) => {
                c.report.messages += docs.len() as u64;
                let w = c.writer()?;
                for d in docs {
                    w.add_document(d)?;
                }
            }
            Msg::Done {
                record,
                skip,
                size,
                member_skips,
                touched,
            } => {
                c.report.files_seen += 1;
                c.sink.changed(c.index_dir, c.root)?;
                for (path, s) in member_skips {
                    c.report.skipped.push(SkippedFile {
                        path,
                        reason: s.code().to_owned(),
                        detail: s.to_string(),
                    });
                }
                if let Some(format) = &record.format {
                    *c.report.by_format.entry(format.clone()).or_insert(0) += 1;
                }
                match skip {
                    Some(s) => c.report.skipped.push(skipped(Path::new(&record.path), &s)),
                    None => c.report.files_indexed += 1,
                }
                if touched {
                    c.report.unchanged += 1;
                } else if record.skipped.is_none() {
                    c.report.files_parsed += 1;
                }
                c.sink.push(record)?;
                c.report.bytes += size;
                c.progress
                    .file_done(size, c.report.files_indexed, c.report.messages);
            }
        }
    }
    Ok(())
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

/// What the walk and the parse threads send the writer thread; in order per file.
enum Msg {
    /// A file unchanged since the last run (size and mtime), with its skip entry if it was one.
    Unchanged(FileRecord, Option<SkippedFile>),
    /// An entry the walk will not read (symlink, maildir `tmp/`, unreadable); `known` when the
    /// last run recorded the same.
    WalkSkip {
        path: PathBuf,
        skip: Skip,
        known: bool,
    },
    /// A file indexed by the last run and gone now: its documents leave the index.
    Gone(String),
    /// A file the last run only skipped is gone: nothing to delete, but the records change.
    Vanished,
    /// The walk is over, after this many seconds.
    WalkDone {
        secs: f64,
    },
    /// Remove this path's documents before its new ones arrive.
    Delete(String),
    Docs(Vec<TantivyDocument>),
    /// The file is finished: its record for `files.jsonl`, and why it was skipped, if it was.
    /// `touched` when it was read again but its content hash had not changed.
    Done {
        record: FileRecord,
        skip: Option<Skip>,
        size: u64,
        member_skips: Vec<(String, Skip)>,
        touched: bool,
    },
}

/// Documents per batch sent to the writer, and raw bytes per batch: a big mbox streams to the
/// writer in pieces instead of piling up in memory.
const BATCH_DOCS: usize = 256;
const BATCH_BYTES: u64 = 4 << 20;

fn parse_file(
    entry: &walk::FileEntry,
    prev: Option<&FileRecord>,
    replace: bool,
    ctx: &ingest::Context,
    fields: &Fields,
    tx: &mut mpsc::SyncSender<Msg>,
) {
    let path = entry.path.to_string_lossy().into_owned();
    let mut batch: Vec<TantivyDocument> = Vec::new();
    let mut batch_bytes = 0u64;
    let mut begun = false;
    let send = |batch: &mut Vec<TantivyDocument>, begun: &mut bool| {
        if !*begun && replace {
            let _ = tx.send(Msg::Delete(path.clone()));
        }
        *begun = true;
        let _ = tx.send(Msg::Docs(std::mem::take(batch)));
    };
    let outcome = ingest::ingest_path(
        &entry.path,
        ctx,
        prev.and_then(|p| p.sha256.as_deref()),
        |doc| {
            batch_bytes += doc.size;
            batch.push(writer::to_document(&doc, fields));
            if batch.len() >= BATCH_DOCS || batch_bytes >= BATCH_BYTES {
                send(&mut batch, &mut begun);
                batch_bytes = 0;
            }
        },
    );
    if !batch.is_empty() {
        send(&mut batch, &mut begun);
    }
    let unchanged = matches!(outcome, Ok(FileOutcome::Unchanged { .. }));
    if !begun && replace && !unchanged {
        // Changed into something with no documents (emptied, corrupted): drop the old ones.
        let _ = tx.send(Msg::Delete(path.clone()));
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
    let _ = tx.send(Msg::Done {
        record,
        skip,
        size: entry.size,
        member_skips,
        touched: unchanged,
    });
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
