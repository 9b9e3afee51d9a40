//! `trawl index DUMP_DIR`: walk, parse in parallel, write with one `IndexWriter`.
//!
//! ```text
//! walk (sequential, metadata only)
//!   → rayon pool, N threads: read file, detect format, parse, build tantivy documents
//!   → bounded channel (backpressure: parsing never runs far ahead of indexing)
//!   → this thread: one IndexWriter (its own N indexing threads, --memory budget)
//! ```
//!
//! Every file ends up indexed or in `skipped.jsonl` with a reason. Re-indexing a dump replaces
//! each file's documents (delete by path, then add), so running twice never duplicates. Ctrl-C
//! stops the run without committing: the index stays at its last commit, openable and searchable.

use std::collections::{BTreeMap, HashMap, HashSet};
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

/// Wall time of each indexing stage.
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
    let known = meta::read_files(&index_dir)?;
    // An index written before files.jsonl existed: replace by path, never duplicate.
    let legacy = known.is_none() && index.reader()?.searcher().num_docs() > 0;
    let previous: HashMap<String, FileRecord> = known
        .unwrap_or_default()
        .into_iter()
        .filter(|r| Path::new(&r.path).starts_with(&dump))
        .map(|r| (r.path.clone(), r))
        .collect();
    let previous_skips: HashMap<String, SkippedFile> = meta::read_skipped(&index_dir)?
        .into_iter()
        .map(|s| (s.path.clone(), s))
        .collect();

    let stage = Instant::now();
    let walked = walk::walk(&dump, config.follow_symlinks, Some(&index_dir));
    let mut report = Report {
        files_seen: (walked.files.len() + walked.skipped.len()) as u64,
        ..Default::default()
    };
    report.stages.walk_secs = stage.elapsed().as_secs_f64();

    let mut records: Vec<FileRecord> =
        Vec::with_capacity(walked.files.len() + walked.skipped.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(records.capacity());
    for (path, skip) in &walked.skipped {
        let entry = skipped(path, skip);
        seen.insert(path.to_str().unwrap_or_default());
        records.push(FileRecord {
            path: entry.path.clone(),
            size: 0,
            mtime_ns: 0,
            sha256: None,
            format: None,
            docs: 0,
            skipped: Some(entry.reason.clone()),
        });
        report.skipped.push(entry);
    }
    let mut todo: Vec<(&walk::FileEntry, Option<&FileRecord>)> = Vec::new();
    for f in &walked.files {
        let path = f.path.to_str().unwrap_or_default();
        seen.insert(path);
        let prev = previous.get(path);
        match prev {
            Some(p) if p.size == f.size && p.mtime_ns == f.mtime_ns => {
                report.unchanged += 1;
                if let Some(reason) = &p.skipped {
                    report
                        .skipped
                        .push(
                            previous_skips
                                .get(path)
                                .cloned()
                                .unwrap_or_else(|| SkippedFile {
                                    path: p.path.clone(),
                                    reason: reason.clone(),
                                    detail: reason.clone(),
                                }),
                        );
                } else {
                    report.files_indexed += 1;
                }
                records.push(p.clone());
            }
            _ => todo.push((f, prev)),
        }
    }
    // Files that were indexed under this root and are gone now.
    let gone: Vec<&FileRecord> = previous
        .values()
        .filter(|r| !seen.contains(r.path.as_str()) && r.docs > 0)
        .collect();
    report.deleted = gone.len() as u64;

    if todo.is_empty() && gone.is_empty() {
        // Nothing changed: no writer, no commit, and files.jsonl and skipped.jsonl stay as they
        // are (unless files vanished that were only ever skipped).
        report.elapsed = started.elapsed();
        if records.len() != previous.len() {
            meta::write_files(&index_dir, &root, &records)?;
            meta::write_skipped(&index_dir, &root, &report.skipped)?;
        }
        push_run(&index_dir, &root, &mut meta, &report, now)?;
        return Ok(report);
    }

    let threads = config.threads;
    let memory = config.memory_mib.max(MIN_MIB_PER_THREAD * threads) * 1024 * 1024;
    let mut index_writer: IndexWriter = index
        .writer_with_num_threads(threads, memory)
        .context("opening the index writer (is another trawl indexing into it?)")?;
    for r in &gone {
        index_writer.delete_term(Term::from_field_text(fields.path, &r.path));
    }

    let todo_bytes: u64 = todo.iter().map(|(f, _)| f.size).sum();
    let progress = Progress::new(todo_bytes, config.progress);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (tx, rx) = mpsc::sync_channel::<Msg>(CHANNEL_BOUND);
    let stage = Instant::now();

    std::thread::scope(|scope| -> anyhow::Result<()> {
        let todo = &todo;
        scope.spawn(move || {
            pool.install(|| {
                todo.par_iter().for_each_with(tx, |tx, (entry, prev)| {
                    if interrupted.load(Ordering::Relaxed) {
                        return;
                    }
                    let replace = legacy || prev.is_some_and(|p| p.docs > 0);
                    parse_file(entry, *prev, replace, ctx, &fields, tx);
                });
            });
        });
        for msg in rx.iter() {
            if interrupted.load(Ordering::Relaxed) {
                break;
            }
            match msg {
                Msg::Delete(path) => {
                    index_writer.delete_term(Term::from_field_text(fields.path, &path));
                }
                Msg::Docs(docs) => {
                    report.messages += docs.len() as u64;
                    for d in docs {
                        index_writer.add_document(d)?;
                    }
                }
                Msg::Done {
                    record,
                    skip,
                    size,
                    member_skips,
                } => {
                    for (path, s) in member_skips {
                        report.skipped.push(SkippedFile {
                            path,
                            reason: s.code().to_owned(),
                            detail: s.to_string(),
                        });
                    }
                    if let Some(format) = &record.format {
                        *report.by_format.entry(format.clone()).or_insert(0) += 1;
                    }
                    match skip {
                        Some(s) => report.skipped.push(skipped(Path::new(&record.path), &s)),
                        None => report.files_indexed += 1,
                    }
                    let touched = record.skipped.is_none()
                        && previous.get(&record.path).and_then(|p| p.sha256.as_ref())
                            == record.sha256.as_ref();
                    if touched {
                        report.unchanged += 1;
                    } else if record.skipped.is_none() {
                        report.files_parsed += 1;
                    }
                    records.push(record);
                    report.bytes += size;
                    progress.file_done(size, report.files_indexed, report.messages);
                }
            }
        }
        Ok(())
    })?;

    report.interrupted = interrupted.load(Ordering::SeqCst);
    if report.interrupted {
        progress.finish();
        // Without a commit this run's work is discarded: the index stays at its last commit,
        // and files.jsonl and skipped.jsonl stay as that commit left them.
        index_writer.rollback().ok();
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    report.stages.parse_and_index_secs = stage.elapsed().as_secs_f64();
    progress.set_message("committing".into());
    let stage = Instant::now();
    index_writer.commit().context("committing the index")?;
    report.stages.commit_secs = stage.elapsed().as_secs_f64();
    let stage = Instant::now();
    index_writer
        .wait_merging_threads()
        .context("merging segments")?;
    report.stages.merge_secs = stage.elapsed().as_secs_f64();
    progress.finish();

    report.elapsed = started.elapsed();
    finish_run(&index_dir, &root, &mut meta, &records, &report, now)?;
    Ok(report)
}

/// Writes `files.jsonl`, `skipped.jsonl` and the run record, after a commit (or when nothing
/// needed one).
fn finish_run(
    index_dir: &Path,
    root: &str,
    meta: &mut meta::Meta,
    records: &[FileRecord],
    report: &Report,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    meta::write_files(index_dir, root, records)?;
    meta::write_skipped(index_dir, root, &report.skipped)?;
    push_run(index_dir, root, meta, report, now)
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

/// What parse threads send the writer, in order per file.
enum Msg {
    /// Remove this path's documents before its new ones arrive.
    Delete(String),
    Docs(Vec<TantivyDocument>),
    /// The file is finished: its record for `files.jsonl`, and why it was skipped, if it was.
    Done {
        record: FileRecord,
        skip: Option<Skip>,
        size: u64,
        member_skips: Vec<(String, Skip)>,
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
