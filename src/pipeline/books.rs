//! The run's counts and file records.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Report;
use crate::index::meta::{self, FileRecord, JournalLine, SkippedFile};
use crate::ingest::Skip;
use crate::progress::Progress;

/// Where this run's file records go: held back while nothing has changed (so an unchanged
/// re-run rewrites nothing), streamed to the new `files.jsonl` from the first change on.
pub(super) enum RecordSink {
    Buffered(Vec<FileRecord>),
    Streaming(meta::FilesWriter),
}

/// The run's counts and file records, updated by the walk and the parse threads under one lock
/// (once per entry from the walk, once per chunk of files from a parse thread).
///
/// Besides the sink, the records and skips that the last run did not already have go to the
/// journal as they are booked; a checkpoint marks them committed once a commit holds their
/// documents, which is how an interrupted run resumes.
pub(super) struct Books<'a> {
    pub(super) report: Report,
    pub(super) sink: RecordSink,
    /// Opened at the first record this run writes anew (never with `journaling` off).
    pub(super) journal: Option<meta::JournalWriter>,
    pub(super) journaling: bool,
    pub(super) index_dir: &'a Path,
    /// The dump being indexed: the new `files.jsonl` replaces the entries under it.
    pub(super) root: &'a Path,
    pub(super) progress: &'a Progress,
    /// The first failure to write a record; it stops the run, through `failed`.
    pub(super) error: Option<anyhow::Error>,
    pub(super) failed: &'a AtomicBool,
}

/// What a parse thread learned about one file.
pub(super) struct Parsed {
    pub(super) record: FileRecord,
    pub(super) skip: Option<Skip>,
    pub(super) size: u64,
    pub(super) member_skips: Vec<(String, Skip)>,
    /// Read again but its content hash had not changed.
    pub(super) touched: bool,
    /// Documents handed to the writer.
    pub(super) added: u64,
}

impl<'a> Books<'a> {
    pub(super) fn new(
        index_dir: &'a Path,
        root: &'a Path,
        progress: &'a Progress,
        failed: &'a AtomicBool,
    ) -> Books<'a> {
        Books {
            report: Report::default(),
            sink: RecordSink::Buffered(Vec::new()),
            journal: None,
            journaling: false,
            index_dir,
            root,
            progress,
            error: None,
            failed,
        }
    }

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

    /// A record (and skip entry) that this run wrote anew: pushed, and kept for the journal.
    fn push_new(&mut self, record: FileRecord) {
        self.journal(&JournalLine::File(&record));
        self.push(record);
    }

    fn skip(&mut self, entry: SkippedFile) {
        self.journal(&JournalLine::Skip(&entry));
        self.report.skipped.push(entry);
    }

    /// Writes `entry` to the journal (opened on first use), when the run checkpoints.
    fn journal(&mut self, entry: &JournalLine<'_>) {
        if !self.journaling || self.error.is_some() {
            return;
        }
        if self.journal.is_none() {
            match meta::JournalWriter::open(self.index_dir) {
                Ok(j) => self.journal = Some(j),
                Err(e) => return self.fail(e.into()),
            }
        }
        if let Some(Err(e)) = self.journal.as_mut().map(|j| j.push(entry)) {
            self.fail(e.into());
        }
    }

    /// Something differs from the last run: from now on records go to disk.
    pub(super) fn changed(&mut self) {
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
    pub(super) fn unchanged(&mut self, record: FileRecord, skip: Option<SkippedFile>) {
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
    pub(super) fn walk_skip(&mut self, path: &Path, skip: &Skip, known: bool) {
        self.report.files_seen += 1;
        let entry = skipped(&crate::source::encode_path(path), skip);
        let record = FileRecord {
            path: entry.path.clone(),
            size: 0,
            mtime_ns: 0,
            sha256: None,
            format: None,
            docs: 0,
            stated: None,
            read: None,
            failed: 0,
            skipped: Some(entry.reason.clone()),
        };
        if known {
            self.push(record);
            self.report.skipped.push(entry);
        } else {
            self.changed();
            self.push_new(record);
            self.skip(entry);
        }
    }

    /// A file of the last run is gone from the dump (its documents, if any, deleted).
    pub(super) fn gone(&mut self, had_docs: bool) {
        if had_docs {
            self.report.deleted += 1;
        }
        self.changed();
    }

    /// Files read by a parse thread.
    pub(super) fn done(&mut self, files: Vec<Parsed>) {
        for p in files {
            let r = &mut self.report;
            r.files_seen += 1;
            r.messages += p.added;
            if let Some(format) = &p.record.format {
                *r.by_format.entry(format.clone()).or_insert(0) += 1;
            }
            if p.skip.is_none() {
                r.files_indexed += 1;
            }
            if let (Some(expected), Some(emitted), false) =
                (p.record.stated, p.record.read, p.touched)
            {
                r.stores.push(super::StoreCount {
                    path: p.record.path.clone(),
                    format: p.record.format.clone().unwrap_or_default(),
                    expected,
                    emitted,
                    // Every item the store lists ends as a document or a failure.
                    failed: expected.saturating_sub(emitted),
                    parts_failed: p
                        .record
                        .failed
                        .saturating_sub(expected - emitted.min(expected)),
                });
            }
            if p.touched {
                r.unchanged += 1;
            } else if p.record.skipped.is_none() {
                r.files_parsed += 1;
            }
            r.bytes += p.size;
            let (files, messages) = (r.files_indexed, r.messages);
            self.progress.file_done(p.size, files, messages);
            for (path, s) in p.member_skips {
                self.skip(SkippedFile {
                    path,
                    reason: s.code().to_owned(),
                    detail: s.to_string(),
                });
            }
            if let Some(s) = &p.skip {
                self.skip(skipped(&p.record.path, s));
            }
            self.changed();
            self.push_new(p.record);
        }
    }
}

pub(super) fn skipped(path: &str, skip: &Skip) -> SkippedFile {
    SkippedFile {
        path: path.to_owned(),
        reason: skip.code().to_owned(),
        detail: skip.to_string(),
    }
}
