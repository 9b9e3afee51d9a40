//! trawl's own files in the index directory: `trawl.json` (schema version and the history of
//! indexing runs), `files.jsonl` (every file seen, with size, mtime and hash, for incremental
//! runs), `skipped.jsonl` (every file the last runs did not index, with the reason) and, while
//! a run is unfinished, `files.journal` (the file records of each commit the run has made so
//! far, which the next run reads on top of `files.jsonl` to resume).
//!
//! Every file is replaced atomically (written beside, fsync'ed, renamed, the directory
//! fsync'ed), and the journal is appended and fsync'ed, so a crash at any moment leaves each of
//! them whole: the old version or the new one.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::schema::SCHEMA_VERSION;
use crate::error::{Error, Result};

pub const META_FILE: &str = "trawl.json";
pub const SKIPPED_FILE: &str = "skipped.jsonl";
pub const FILES_FILE: &str = "files.jsonl";
pub const JOURNAL_FILE: &str = "files.journal";

/// One line of `files.jsonl`: what trawl knows of every file it has seen, indexed or not. It
/// is how a re-run tells new, changed, touched and deleted files apart.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// SHA-256 of the whole file, when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Format it was indexed as (`eml`, `maildir`, `mbox`), or `None` when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub docs: u64,
    /// How many items the file holds by its own account (a zip's entries, a chat export's
    /// JSON items), when its format says: set against `docs` and `failed` in the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<u64>,
    /// Of the items stated, how many were read into documents, when the format counts them
    /// apart from their attachments (a PST): `stated` is `read` plus `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<u64>,
    /// Its items (archive members, mbox messages) listed in `skipped.jsonl` with a reason.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u64,
    /// Skip reason code, when skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Reads `files.jsonl`; `None` when the index predates it.
pub fn read_files(dir: &Path) -> Result<Option<Vec<FileRecord>>> {
    read_jsonl(&dir.join(FILES_FILE))
}

/// Reads the `files.jsonl` records under `root`, by path, one line at a time; `None` when the
/// index predates the file.
pub fn read_files_under(dir: &Path, root: &Path) -> Result<Option<HashMap<String, FileRecord>>> {
    let mut out = HashMap::new();
    let found = for_each_jsonl(&dir.join(FILES_FILE), |r: FileRecord| {
        if is_under(&r.path, root) {
            out.insert(r.path.clone(), r);
        }
    })?;
    Ok(found.then_some(out))
}

/// One line of `files.journal`: a file record or the skip entry of a file or an archive member
/// that this run wrote, or a checkpoint's mark. Records are written as files finish, before a
/// commit holds them; a mark, written and fsync'ed after a commit, says that every record
/// ending at or before byte `committed` of the journal is held by that commit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JournalEntry {
    File(FileRecord),
    Skip(SkippedFile),
    Committed(u64),
}

/// A [`JournalEntry`] as written, borrowing what it records.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalLine<'a> {
    File(&'a FileRecord),
    Skip(&'a SkippedFile),
    Committed(u64),
}

/// What the journal of an unfinished run says about files under a dump.
#[derive(Debug, Default)]
pub struct Journal {
    pub files: Vec<FileRecord>,
    pub skips: Vec<SkippedFile>,
}

/// Reads `files.journal`, keeping the records under `root` that a mark covers; `None` when
/// there is none (the last run finished). Records after the last mark, and a torn last line
/// (a crash in the middle of a write), belong to no commit and are left out.
pub fn read_journal(dir: &Path, root: &Path) -> Result<Option<Journal>> {
    let path = dir.join(JOURNAL_FILE);
    let text = match fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    let mut journal = Journal::default();
    // Records read since the last mark, with the offset where each ends.
    let mut pending: Vec<(u64, JournalEntry)> = Vec::new();
    let mut offset = 0u64;
    for line in text.split_inclusive(|&b| b == b'\n') {
        offset += line.len() as u64;
        if !line.ends_with(b"\n") {
            break; // torn
        }
        match serde_json::from_slice::<JournalEntry>(line) {
            Ok(JournalEntry::Committed(upto)) => {
                let covered = pending.iter().take_while(|(end, _)| *end <= upto).count();
                for (_, e) in pending.drain(..covered) {
                    match e {
                        JournalEntry::File(r) if is_under(&r.path, root) => journal.files.push(r),
                        JournalEntry::Skip(s) if is_under(&s.path, root) => journal.skips.push(s),
                        _ => {}
                    }
                }
            }
            Ok(e) => pending.push((offset, e)),
            Err(_) => {}
        }
    }
    Ok(Some(journal))
}

/// Appends to `files.journal` as a run goes: records as files finish (buffered), a mark after
/// each commit (flushed and fsync'ed). Memory stays that of the buffer however many files a
/// commit holds.
pub struct JournalWriter {
    path: PathBuf,
    out: std::io::BufWriter<fs::File>,
    /// Bytes of the journal so far, the buffered ones included: where the next line starts.
    len: u64,
}

impl JournalWriter {
    /// Opens the journal for appending, after what the commits of an interrupted run hold.
    /// What that run wrote after its last mark (records no commit holds, a line torn by the
    /// crash) is cut off first: a mark vouches for every record before it, so this run's
    /// first mark would otherwise vouch for files whose documents were never committed.
    pub fn open(dir: &Path) -> Result<JournalWriter> {
        let path = dir.join(JOURNAL_FILE);
        let io = |e| Error::io(format!("writing {}", path.display()), e);
        let held = match fs::read(&path) {
            Ok(text) => end_of_last_mark(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io(e)),
        };
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        if file.metadata().map_err(io)?.len() != held {
            file.set_len(held).map_err(io)?;
            file.sync_data().map_err(io)?;
        }
        let len = held;
        Ok(JournalWriter {
            out: std::io::BufWriter::with_capacity(64 << 10, file),
            path,
            len,
        })
    }

    pub fn push(&mut self, entry: &JournalLine<'_>) -> Result<()> {
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        self.len += line.len() as u64;
        self.out
            .write_all(&line)
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    /// Where the journal ends now: what a commit made after this call holds every record of.
    pub fn position(&self) -> u64 {
        self.len
    }

    /// Marks the records up to `upto` as committed, durably.
    pub fn mark(&mut self, upto: u64) -> Result<()> {
        self.push(&JournalLine::Committed(upto))?;
        let io = |e| Error::io(format!("writing {}", self.path.display()), e);
        self.out.flush().map_err(io)?;
        self.out.get_ref().sync_data().map_err(io)
    }
}

/// Where the last complete mark line of journal `text` ends (0 when there is none).
fn end_of_last_mark(text: &[u8]) -> u64 {
    let mut offset = 0u64;
    let mut held = 0u64;
    for line in text.split_inclusive(|&b| b == b'\n') {
        offset += line.len() as u64;
        if line.ends_with(b"\n")
            && matches!(
                serde_json::from_slice::<JournalEntry>(line),
                Ok(JournalEntry::Committed(_))
            )
        {
            held = offset;
        }
    }
    held
}

/// Removes the journal once `files.jsonl` holds everything it said.
pub fn remove_journal(dir: &Path) -> Result<()> {
    let path = dir.join(JOURNAL_FILE);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("removing {}", path.display()), e))
        }
        _ => sync_dir(dir),
    }
}

/// Replaces `dest` by `tmp`: fsync the file, rename, fsync the directory, so that after a
/// crash `dest` is either the old file or the new one, never empty or half-written.
fn replace_durably(tmp: &Path, dest: &Path) -> Result<()> {
    let io = |e| Error::io(format!("writing {}", dest.display()), e);
    fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(io)?;
    fs::rename(tmp, dest).map_err(io)?;
    match dest.parent() {
        Some(dir) => sync_dir(dir),
        None => Ok(()),
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("syncing {}", dir.display()), e))
}

/// Whether `path` is `root` or inside it, by comparing strings (`Path::starts_with` compares
/// component by component, which shows in profiles over a million records).
pub fn is_under(path: &str, root: &Path) -> bool {
    let root = crate::source::encode_path(root);
    let root = root.trim_end_matches('/');
    path.strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Writes a new `files.jsonl` one record at a time, so a run's file list is never held in
/// memory: entries of other dumps are copied over from the current file first, then the run
/// pushes its own. The new file replaces the old one only on [`FilesWriter::finish`]; dropped
/// unfinished (an interrupted run), it is removed and the old one stays.
pub struct FilesWriter {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<std::io::BufWriter<fs::File>>,
}

impl FilesWriter {
    pub fn create(dir: &Path, root: &Path) -> Result<FilesWriter> {
        let dest = dir.join(FILES_FILE);
        let tmp = dir.join(format!("{FILES_FILE}.tmp"));
        let io = |e| Error::io(format!("writing {}", tmp.display()), e);
        let mut out = std::io::BufWriter::new(fs::File::create(&tmp).map_err(io)?);
        if let Ok(old) = fs::File::open(&dest) {
            #[derive(Deserialize)]
            struct PathOnly {
                path: String,
            }
            for line in BufReader::new(old).lines() {
                let line = line.map_err(|e| Error::io(format!("reading {}", dest.display()), e))?;
                let Ok(r) = serde_json::from_str::<PathOnly>(&line) else {
                    continue;
                };
                if !is_under(&r.path, root) {
                    out.write_all(line.as_bytes()).map_err(io)?;
                    out.write_all(b"\n").map_err(io)?;
                }
            }
        }
        Ok(FilesWriter {
            tmp,
            dest,
            out: Some(out),
        })
    }

    pub fn push(&mut self, record: &FileRecord) -> Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")
            .map_err(|e| Error::io(format!("writing {}", self.tmp.display()), e))
    }

    /// Flushes the new file and puts it in place of the old one.
    pub fn finish(mut self) -> Result<()> {
        if let Some(mut out) = self.out.take() {
            out.flush()
                .map_err(|e| Error::io(format!("writing {}", self.tmp.display()), e))?;
        }
        replace_durably(&self.tmp, &self.dest)
    }
}

impl Drop for FilesWriter {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Reads a JSON Lines file; `None` when it does not exist.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<Vec<T>>> {
    let mut out = Vec::new();
    let found = for_each_jsonl(path, |item| out.push(item))?;
    Ok(found.then_some(out))
}

/// Hands each item of a JSON Lines file to `f`, one line at a time; `false` when the file does
/// not exist.
fn for_each_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut f: impl FnMut(T),
) -> Result<bool> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if !line.trim().is_empty() {
            f(serde_json::from_str(&line)?);
        }
    }
    Ok(true)
}

fn write_jsonl<T: Serialize>(dir: &Path, name: &str, items: &[T]) -> Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let io = |e| Error::io(format!("writing {}", tmp.display()), e);
    let mut out = std::io::BufWriter::new(fs::File::create(&tmp).map_err(io)?);
    for item in items {
        serde_json::to_writer(&mut out, item)?;
        out.write_all(b"\n").map_err(io)?;
    }
    out.flush().map_err(io)?;
    drop(out);
    replace_durably(&tmp, &dir.join(name))
}

/// Contents of `trawl.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub schema_version: u32,
    /// One entry per `trawl index` run, oldest first.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            schema_version: SCHEMA_VERSION,
            runs: Vec::new(),
        }
    }
}

/// What one indexing run did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    /// Absolute path of the dump that was indexed.
    pub root: String,
    /// RFC 3339 UTC.
    pub started: String,
    pub elapsed_secs: f64,
    pub files_seen: u64,
    pub files_indexed: u64,
    pub messages: u64,
    pub bytes: u64,
    pub skipped: BTreeMap<String, u64>,
    pub interrupted: bool,
    /// What, besides the files, decided the documents this run wrote.
    #[serde(default)]
    pub options: RunOptions,
}

/// The inputs of a run that change documents without changing files: a later run of the same
/// dump with other ones re-reads what they affect (see `pipeline::Redo`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RunOptions {
    /// [`crate::ingest::PARSER_VERSION`] of the trawl that ran (0: written before it was recorded).
    #[serde(default)]
    pub parser_version: u32,
    /// SHA-256 of the `--names` file's contents, when one was given.
    #[serde(default)]
    pub names_sha256: Option<String>,
    /// Tesseract's languages, when the run read images and scans by OCR (`--ocr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<String>,
    /// The custodian rule's depth ([`crate::custodian::Rule`]); `None` in records written
    /// before custodians were, which were all indexed without (schema version 7 and older).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custodian_depth: Option<u32>,
    /// The custodian map (`--custodians`), as (path, name) pairs, when one was given: kept
    /// whole, so a later run applies it without the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custodian_map: Option<Vec<(String, String)>>,
}

/// One line of `skipped.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    /// Short stable code (`empty`, `binary`, ...), for counting and filtering.
    pub reason: String,
    /// Human-readable detail.
    pub detail: String,
}

pub fn read_meta(dir: &Path) -> Result<Option<Meta>> {
    let path = dir.join(META_FILE);
    match fs::read(&path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Writes `trawl.json` atomically (temp file and rename), so an interrupted run never leaves a
/// half-written file behind.
pub fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    let bytes = serde_json::to_vec_pretty(meta)?;
    fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    replace_durably(&tmp, &dir.join(META_FILE))
}

/// Reads `skipped.jsonl`; a missing file is an empty list.
pub fn read_skipped(dir: &Path) -> Result<Vec<SkippedFile>> {
    Ok(read_jsonl(&dir.join(SKIPPED_FILE))?.unwrap_or_default())
}

/// Replaces the entries under `root` in `skipped.jsonl` with `entries`, keeping other dumps' entries.
pub fn write_skipped(dir: &Path, root: &str, entries: &[SkippedFile]) -> Result<PathBuf> {
    let mut all: Vec<SkippedFile> = read_skipped(dir)?
        .into_iter()
        .filter(|s| !is_under(&s.path, Path::new(root)))
        .collect();
    all.extend_from_slice(entries);
    all.sort_by(|a, b| a.path.cmp(&b.path));
    write_jsonl(dir, SKIPPED_FILE, &all)?;
    Ok(dir.join(SKIPPED_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str) -> FileRecord {
        FileRecord {
            path: path.to_owned(),
            size: 1,
            mtime_ns: 1,
            sha256: None,
            format: Some("eml".into()),
            docs: 1,
            stated: None,
            read: None,
            failed: 0,
            skipped: None,
        }
    }

    fn paths(dir: &Path) -> Vec<String> {
        read_journal(dir, Path::new("/d"))
            .unwrap()
            .unwrap()
            .files
            .into_iter()
            .map(|r| r.path)
            .collect()
    }

    /// A run killed after writing records that no commit holds leaves them at the end of the
    /// journal. The next run's first mark must not vouch for them: their documents were never
    /// committed, and the run after would take the files for indexed and never read them
    /// again (documents missing after kill -9 and resume, found by the crash-safety test).
    #[test]
    fn a_resumed_run_does_not_mark_the_last_runs_uncommitted_records() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = JournalWriter::open(dir.path()).unwrap();
        j.push(&JournalLine::File(&record("/d/committed"))).unwrap();
        let upto = j.position();
        j.mark(upto).unwrap();
        j.push(&JournalLine::File(&record("/d/uncommitted")))
            .unwrap();
        j.out.flush().unwrap();
        drop(j);
        // And a line torn by the kill.
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL_FILE))
            .unwrap();
        f.write_all(br#"{"file":{"path":"/d/to"#).unwrap();
        drop(f);
        assert_eq!(paths(dir.path()), ["/d/committed"]);

        let mut j = JournalWriter::open(dir.path()).unwrap();
        j.push(&JournalLine::File(&record("/d/next"))).unwrap();
        let upto = j.position();
        j.mark(upto).unwrap();
        drop(j);
        assert_eq!(paths(dir.path()), ["/d/committed", "/d/next"]);
    }
}
