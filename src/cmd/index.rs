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

use std::collections::BTreeMap;
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
use crate::index::meta::{self, RunRecord, SkippedFile};
use crate::index::schema::Fields;
use crate::index::writer;
use crate::ingest::{self, walk, Outcome, Skip};
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
/// Files in flight between the parse pool and the writer.
const CHANNEL_BOUND: usize = 256;

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
    let (index, fields, mut meta) = writer::open_or_create(&index_dir)?;
    let had_docs = index.reader()?.searcher().num_docs() > 0;

    let stage = Instant::now();
    let walked = walk::walk(&dump, config.follow_symlinks, Some(&index_dir));
    let mut report = Report {
        files_seen: (walked.files.len() + walked.skipped.len()) as u64,
        ..Default::default()
    };
    report.stages.walk_secs = stage.elapsed().as_secs_f64();
    for (path, skip) in &walked.skipped {
        report.skipped.push(skipped(path, skip));
    }

    let threads = config.threads;
    let memory = config.memory_mib.max(MIN_MIB_PER_THREAD * threads) * 1024 * 1024;
    let mut index_writer: IndexWriter = index
        .writer_with_num_threads(threads, memory)
        .context("opening the index writer (is another trawl indexing into it?)")?;

    let progress = Progress::new(walked.total_bytes, config.progress);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let (tx, rx) = mpsc::sync_channel::<Parsed>(CHANNEL_BOUND);
    let files = walked.files;
    let stage = Instant::now();

    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(|| {
            pool.install(|| {
                files.par_iter().for_each_with(tx, |tx, entry| {
                    if interrupted.load(Ordering::Relaxed) {
                        return;
                    }
                    let parsed = parse_file(&entry.path, entry.size, now, &fields);
                    // The receiver only goes away on error; then there is nothing left to do.
                    let _ = tx.send(parsed);
                });
            });
        });
        for parsed in rx.iter() {
            if interrupted.load(Ordering::Relaxed) {
                break;
            }
            if had_docs {
                index_writer.delete_term(Term::from_field_text(fields.path, &parsed.path_str));
            }
            match parsed.outcome {
                Ok(docs) => {
                    report.files_indexed += 1;
                    report.messages += docs.len() as u64;
                    for d in docs {
                        index_writer.add_document(d)?;
                    }
                }
                Err(skip) => report.skipped.push(skipped(&parsed.path, &skip)),
            }
            report.bytes += parsed.size;
            progress.file_done(parsed.size, report.files_indexed, report.messages);
        }
        Ok(())
    })?;

    report.interrupted = interrupted.load(Ordering::SeqCst);
    if report.interrupted {
        progress.finish();
        // Dropping the writer without a commit discards this run's work: the index stays at its
        // last commit. The skipped report of the previous run stays as it was.
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
    let root = dump.to_string_lossy().into_owned();
    meta::write_skipped(&index_dir, &root, &report.skipped)?;
    meta.runs.push(RunRecord {
        root,
        started: now.to_rfc3339(),
        elapsed_secs: report.elapsed.as_secs_f64(),
        files_seen: report.files_seen,
        files_indexed: report.files_indexed,
        messages: report.messages,
        bytes: report.bytes,
        skipped: report.skipped_by_reason(),
        interrupted: false,
    });
    meta::write_meta(&index_dir, &meta)?;
    Ok(report)
}

/// One file's worth of work for the writer.
struct Parsed {
    path: PathBuf,
    path_str: String,
    size: u64,
    outcome: Result<Vec<TantivyDocument>, Skip>,
}

fn parse_file(path: &Path, size: u64, now: DateTime<Utc>, fields: &Fields) -> Parsed {
    let outcome = match ingest::ingest_file(path, now) {
        Outcome::Indexed { docs, .. } => Ok(docs
            .iter()
            .map(|d| writer::to_document(d, fields))
            .collect()),
        Outcome::Skipped(s) => Err(s),
    };
    Parsed {
        path: path.to_owned(),
        path_str: path.to_string_lossy().into_owned(),
        size,
        outcome,
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
        "indexed {} messages from {} of {} files ({:.1} MB) in {:.2}s: {:.0} messages/s, {:.1} MB/s",
        r.messages,
        r.files_indexed,
        r.files_seen,
        r.bytes as f64 / 1e6,
        secs,
        r.messages as f64 / secs,
        r.bytes as f64 / 1e6 / secs
    );
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
