//! Turning the files of a dump into [`Doc`]s.
//!
//! [`walk`] enumerates the dump (never following symlinks unless asked) and says up front which
//! entries cannot be indexed; [`ingest_path`] reads one file, and the format registry
//! ([`format`](mod@format): one [`Format`] type, one ordered table of sniff and read functions) decides
//! from its head and place which reader takes it. Parsers are pure functions over bytes.
//! Every file ends as documents or as a [`Skip`] with a reason: nothing is dropped silently.

pub mod archive;
pub mod chat;
pub mod crypto;
pub mod date;
pub mod detect;
pub mod document;
pub mod eml;
pub mod emlx;
pub mod family;
pub mod filetype;
pub mod format;
pub mod image;
pub mod maildir;
pub mod mbox;
pub mod msg;
pub mod ocr;
pub mod pst;
pub mod walk;

#[cfg(test)]
mod large_inputs;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::doc::{DateQuality, DateSource, Doc};
use eml::Origin;
use format::{Format, Sniff, SNIFF_LEN};

/// Why a file was not indexed. The `code` is stable and machine-readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Empty,
    Binary,
    NotMail,
    /// Under a maildir's `tmp/`: a delivery in progress, not a message yet.
    MaildirTmp,
    Symlink,
    NotRegularFile,
    Unreadable(String),
    /// An archive (or one of its members) that could not be read within the limits.
    Archive(String),
    /// An archive member whose name climbs out of the archive (`../x`, `/etc/x`).
    UnsafeArchivePath,
    /// An archive inside archives deeper than the limit.
    NestedTooDeep,
    /// Content of a known type that could not be extracted (a "PDF" that is not one, say).
    Unextractable(String),
    /// The parser panicked on this input; the panic message. The run goes on without it.
    ParserCrash(String),
    /// The parser ran past the time limit on this input and was abandoned.
    Timeout(String),
    /// Larger than the limit for a format that cannot be read as a stream, or a parser that
    /// needed more memory than its limit.
    TooLarge(String),
    /// A chat export's table of names or members that cannot be read: the export's messages
    /// are indexed without what it gives.
    DegradedExport(String),
    /// A file of an export that holds no messages (a Twitter/X archive's tweets or likes).
    NotMessages(String),
    /// Content locked by a password: an archive or member that no password given opened, an
    /// encrypted office document (what kind, and how that was told).
    Encrypted(String),
    /// A part of a split or multi-volume archive other than the first, which reads it.
    ArchivePart(String),
    /// Content of a type trawl does not index (an image, a font, audio, video, a program),
    /// named from its magic number: the MIME type, then what it is and its size.
    NotIndexedType(String),
}

impl Skip {
    pub fn code(&self) -> &'static str {
        match self {
            Skip::Empty => "empty",
            Skip::Binary => "binary",
            Skip::NotMail => "not-mail",
            Skip::MaildirTmp => "maildir-tmp",
            Skip::Symlink => "symlink",
            Skip::NotRegularFile => "not-a-regular-file",
            Skip::Unreadable(_) => "unreadable",
            Skip::Archive(_) => "archive",
            Skip::UnsafeArchivePath => "unsafe-archive-path",
            Skip::NestedTooDeep => "archive-too-deep",
            Skip::Unextractable(_) => "unextractable",
            Skip::ParserCrash(_) => "parser-crash",
            Skip::Timeout(_) => "timeout",
            Skip::TooLarge(_) => "too-large",
            Skip::DegradedExport(_) => "export-degraded",
            Skip::NotMessages(_) => "not-messages",
            Skip::Encrypted(_) => "encrypted",
            Skip::ArchivePart(_) => "archive-part",
            Skip::NotIndexedType(_) => "not-indexed-type",
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Empty => f.write_str("empty file"),
            Skip::Binary => f.write_str("binary content, not mail"),
            Skip::NotMail => f.write_str("text without mail headers"),
            Skip::MaildirTmp => f.write_str("in a maildir tmp/ folder (delivery in progress)"),
            Skip::Symlink => f.write_str("symbolic link, not followed (use --follow-symlinks)"),
            Skip::NotRegularFile => f.write_str("not a regular file"),
            Skip::Unreadable(e) => write!(f, "could not be read: {e}"),
            Skip::Archive(e) => write!(f, "archive: {e}"),
            Skip::UnsafeArchivePath => {
                f.write_str("archive member name leaves the archive (../ or absolute); not read")
            }
            Skip::NestedTooDeep => f.write_str("archive nested deeper than the limit"),
            Skip::Unextractable(e) => write!(f, "no text could be extracted: {e}"),
            Skip::ParserCrash(e) => write!(f, "the parser crashed on this input: {e}"),
            Skip::Timeout(e) => write!(f, "parsing took longer than the limit: {e}"),
            Skip::TooLarge(e) => write!(f, "too large: {e}"),
            Skip::DegradedExport(e) => write!(f, "export degraded: {e}"),
            Skip::NotMessages(e) => f.write_str(e),
            Skip::Encrypted(e) => write!(f, "encrypted: {e}"),
            Skip::ArchivePart(e) => f.write_str(e),
            Skip::NotIndexedType(e) => f.write_str(e),
        }
    }
}

/// What became of one unit of bytes parsed in memory (see [`ingest_bytes`]).
#[derive(Debug)]
pub enum Outcome {
    Indexed {
        format: &'static str,
        docs: Vec<Doc>,
    },
    Skipped(Skip),
}

/// Shared state for one indexing run: the time of indexing, user-supplied names, archive
/// limits, and per-export caches (a Slack workspace's users, a Twitter archive's accounts) so
/// each export's metadata is read once, not once per file.
pub struct Context {
    pub now: DateTime<Utc>,
    /// User-supplied account id → name (`trawl index --names FILE`), for chat exports that carry
    /// only numeric ids.
    pub names: HashMap<String, String>,
    pub limits: archive::Limits,
    /// Largest file read whole into memory; a larger one is read as a stream when its format
    /// streams (mbox), and listed as `too-large` otherwise.
    pub max_file_bytes: u64,
    /// Passwords to try on encrypted archives and members (`trawl index --passwords FILE`).
    pub passwords: Vec<String>,
    /// OCR of images and scanned PDFs, when asked for (`--ocr`) and Tesseract was found.
    pub ocr: Option<ocr::Ocr>,
    /// Images and scanned PDFs indexed without their text (flag `needs-ocr`) by this run.
    needs_ocr: std::sync::atomic::AtomicU64,
    slack: Mutex<HashMap<PathBuf, Arc<chat::slack::Workspace>>>,
    twitter: Mutex<HashMap<PathBuf, Arc<HashMap<String, String>>>>,
}

impl Context {
    pub fn new(now: DateTime<Utc>) -> Context {
        Context {
            now,
            names: HashMap::new(),
            limits: archive::Limits::default(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            passwords: Vec::new(),
            ocr: None,
            needs_ocr: Default::default(),
            slack: Mutex::new(HashMap::new()),
            twitter: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one more document flagged `needs-ocr`.
    pub(crate) fn count_needs_ocr(&self) {
        self.needs_ocr
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Documents flagged `needs-ocr` by this run so far.
    pub fn needs_ocr(&self) -> u64 {
        self.needs_ocr.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The Slack workspace whose export root is `root`, loaded once.
    fn slack_workspace(&self, root: &Path) -> Arc<chat::slack::Workspace> {
        let mut cache = self.slack.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(root.to_path_buf())
            .or_insert_with(|| Arc::new(chat::slack::Workspace::load(root)))
            .clone()
    }

    /// Account names of the Twitter archive whose `data/` folder is `dir`, with the user's
    /// names filling the gaps.
    fn twitter_names(&self, dir: &Path) -> Arc<HashMap<String, String>> {
        let mut cache = self.twitter.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let mut names = chat::twitter::load_archive_names(dir);
                for (k, v) in &self.names {
                    names.entry(k.clone()).or_insert_with(|| v.clone());
                }
                Arc::new(names)
            })
            .clone()
    }
}

/// What reading one file produced, besides the documents it emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Indexed {
        /// Format the file was read as: `eml`, `maildir`, `mbox`, `twitter-dm`, `slack`,
        /// `telegram`, `whatsapp`, `pdf`, `docx`, ..., `zip`, or `export-metadata` for the
        /// files of a chat export that hold no messages (they are read for names).
        format: &'static str,
        docs: u64,
        sha256: String,
        /// Archive members that could not be indexed: (provenance path, reason).
        member_skips: Vec<(String, Skip)>,
        /// How many items the file holds by its own account (a zip's entries, a chat
        /// export's JSON items, a PST's folders' messages), when its format says.
        stated: Option<u64>,
        /// Of the items stated, how many were read into documents, when the format counts
        /// them apart from their attachments (a PST): `stated` is `read` plus the items
        /// listed as failed.
        read: Option<u64>,
    },
    /// The content hash equals `previous_sha256`: nothing to re-index.
    Unchanged { sha256: String },
}

/// The version of what the parsers make of the same bytes. Raised when a release changes the
/// documents some input gives (new fields, new provenance, a parser fix); a run of a dump last
/// indexed by another version re-reads every file, as its documents would differ. 2: MSG, emlx,
/// encrypted and signed mail. 3: 7z, RAR, tar.bz2, tar.xz and compressed files are read, and
/// binary content is named by its type. 4: office documents (xlsx, xls, ods, pptx, ppt, odp,
/// doc, rtf) are one document each. 5: images are documents of kind `image` (EXIF, OCR), and a
/// PDF without a text layer is flagged `needs-ocr` or read by OCR. 6: text, CSV and HTML in
/// undeclared charsets and UTF-16 without a byte-order mark are decoded, and the charset
/// recorded; parts of messages know their family's root. 7: Outlook PST and OST stores. 8: the
/// copy key collapses ASCII white space only. 9: addresses keep the spelling they were written
/// in beside the lower-cased one. 10: a zip whose head holds `%PDF-` (a PDF stored as its first
/// member) is read as an archive, not as one PDF. 11: 7z through sevenz-rust2 0.25, which
/// rejects members whose decoded size differs from the header's and decodes some it did not;
/// the copy key no longer drops the white space after a NUL byte inside a field.
pub const PARSER_VERSION: u32 = 11;

/// Files larger than this are not read whole unless the user raises the limit
/// (`trawl index --max-file-size`).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 512 << 20;

/// Format name of the files of chat exports that carry names, not messages.
pub const EXPORT_METADATA: &str = Format::ExportMetadata.as_str();

/// Reads the file `entry` names, detects its format from content (and, for exports, from where
/// it sits) and emits its documents one at a time. An mbox streams, so a multi-gigabyte mbox is
/// parsed in the memory of two batches of messages (`parse_mbox_stream`), or of one
/// message larger than that. When `previous_sha256` is given and the content hash
/// equals it, nothing is parsed and `Unchanged` is returned. The size and modification time are
/// the walk's (see [`walk::stat`]): the file is not stat'ed a second time.
pub fn ingest_path(
    entry: &walk::FileEntry,
    ctx: &Context,
    previous_sha256: Option<&str>,
    mut emit: impl FnMut(Doc),
) -> Result<FileOutcome, Skip> {
    use std::io::Read;
    let mut families = family::Families::default();
    let mut emit = |mut d: Doc| {
        families.assign(&mut d);
        emit(d)
    };
    let path = entry.path.as_path();
    inject_fault(path);
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    let size = entry.size;
    let mtime =
        (entry.mtime_ns != 0).then(|| DateTime::<Utc>::from_timestamp_nanos(entry.mtime_ns));
    let path_str = crate::source::encode_path(path);

    let name = path_str.rsplit(['/', '!']).next().unwrap_or(&path_str);
    let sniff = Sniff {
        head: &head,
        name,
        real: Some(path),
        size,
        ctx,
    };

    // The one decision taken before the whole file is read: a format that streams (mbox).
    if let Some(stream) = format::streaming(&sniff) {
        return stream(path, ctx, previous_sha256, &mut emit);
    }

    // Decided from the head alone, before the rest is read: a file too large to hold, and
    // binary content that no reader takes, are listed without being loaded (a 3 GB disk image
    // once took 3 GB of memory to be called binary).
    if format::looks_binary(&head) && !format::claims_binary(&sniff) {
        return Err(format::unclaimed(&sniff));
    }
    if size > ctx.max_file_bytes {
        return Err(Skip::TooLarge(format!(
            "{:.1} MB, above the {:.1} MB that formats read whole may take (--max-file-size); \
             only mbox files are read as a stream",
            size as f64 / 1e6,
            ctx.max_file_bytes as f64 / 1e6
        )));
    }

    let mut bytes = head;
    // A head shorter than SNIFF_LEN already met the end of the file (most mail: one read and
    // one empty read in all). Otherwise read the rest through `take`, which skips the fstat and
    // lseek that `File::read_to_end` spends on a size hint we already have.
    if bytes.len() == SNIFF_LEN {
        bytes.reserve_exact((size as usize).saturating_sub(bytes.len()) + 1);
        (&mut file)
            .take(u64::MAX)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
    }
    let sha = crate::doc::sha256_hex(&bytes);
    if previous_sha256 == Some(sha.as_str()) {
        return Ok(FileOutcome::Unchanged { sha256: sha });
    }
    let mut docs = 0u64;
    let mut member_skips = Vec::new();
    let unit = Unit {
        bytes: &bytes,
        vpath: &path_str,
        real: Some(path),
        mtime,
        depth: 0,
        sha256: Some(&sha),
        stated: Default::default(),
        budget: None,
    };
    let format = ingest_unit(
        &unit,
        ctx,
        &mut |d| {
            docs += 1;
            emit(d)
        },
        &mut |p, s| member_skips.push((p, s)),
    )?;
    let stated = unit.stated.get();
    Ok(FileOutcome::Indexed {
        format: format.as_str(),
        docs,
        sha256: sha,
        member_skips,
        stated,
        read: None,
    })
}

/// With `TRAWL_FAULT=panic:NAME` (see [`crate::isolate::fault`]), reading a file named `NAME`
/// panics as a parser bug would.
fn inject_fault(path: &Path) {
    if let Some(name) = crate::isolate::fault().and_then(|f| f.strip_prefix("panic:")) {
        if path.file_name().is_some_and(|n| n == name) {
            panic!(
                "injected fault (TRAWL_FAULT) while reading {}",
                path.display()
            );
        }
    }
}

/// Bytes to ingest: a whole file or an archive member.
pub(crate) struct Unit<'a> {
    bytes: &'a [u8],
    /// Provenance path: the file's path, or `archive.zip!/member/path`.
    vpath: &'a str,
    /// The file on disk, when this is one (exports need to look at their neighbours).
    real: Option<&'a Path>,
    /// The file's or member's modification time.
    mtime: Option<DateTime<Utc>>,
    /// How many archives this unit sits in.
    depth: u32,
    /// SHA-256 of `bytes` (hex), when the caller has already computed it.
    sha256: Option<&'a str>,
    /// How many items the unit holds by its own account (a zip's entries, a chat export's
    /// JSON items), when its reader can tell; the report sets it against what was read.
    stated: std::cell::Cell<Option<u64>>,
    /// For an archive member: what is left of the decompression budget of the outermost
    /// archive it sits in (`Limits::max_total_bytes`), which an archive it is draws on.
    budget: Option<&'a std::cell::Cell<u64>>,
}

impl<'a> Unit<'a> {
    /// A unit of `bytes` at `vpath` that is no file of the dump and sits in no archive.
    #[cfg(test)]
    fn of(bytes: &'a [u8], vpath: &'a str) -> Self {
        Unit {
            bytes,
            vpath,
            real: None,
            mtime: None,
            depth: 0,
            sha256: None,
            stated: Default::default(),
            budget: None,
        }
    }

    /// The file or member name, without its folders or archive.
    fn name(&self) -> &'a str {
        self.vpath.rsplit(['/', '!']).next().unwrap_or(self.vpath)
    }

    /// What the registry's sniffs see of this unit.
    fn sniff<'s>(&'s self, ctx: &'s Context) -> Sniff<'s> {
        Sniff {
            head: &self.bytes[..self.bytes.len().min(SNIFF_LEN)],
            name: self.name(),
            real: self.real,
            size: self.bytes.len() as u64,
            ctx,
        }
    }

    /// Where a chat export's documents say they come from.
    fn chat_source<'s>(&'s self, ctx: &Context) -> chat::ChatSource<'s> {
        chat::ChatSource {
            path: self.vpath,
            now: ctx.now,
            stated: Some(&self.stated),
        }
    }
}

/// Emits the documents of what `unit` holds: the first entry of the registry
/// ([`format::TABLE`]) whose sniff matches reads it. Returns the format it was read as.
fn ingest_unit(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    crate::isolate::panic_on_marker(unit.bytes);
    let sniff = unit.sniff(ctx);
    match format::first(&sniff) {
        Some(entry) => {
            let read = (entry.read)(unit, ctx, emit, skip_member)?;
            debug_assert!(
                read == entry.format || format::REFINED.contains(&(read, entry.format)),
                "{:?} read as {read:?}",
                entry.format
            );
            Ok(read)
        }
        None => Err(format::unclaimed(&sniff)),
    }
}

/// The metadata date when there is one. Otherwise the file's mtime, kept apart in `file_date`
/// with the quality `file-mtime`: it is when the bytes were last written (a copy or a clone
/// makes it today), not when the document was, so it must not pass for a document date.
pub fn set_document_date(
    doc: &mut Doc,
    metadata: Option<DateTime<Utc>>,
    mtime: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    doc.date = None;
    doc.file_date = None;
    let (date, source) = match (metadata, mtime) {
        (Some(d), _) => (Some(d), DateSource::Metadata),
        (None, Some(m)) => (Some(m), DateSource::FileMtime),
        (None, None) => (None, DateSource::Metadata),
    };
    doc.date_source = source;
    doc.date_raw = date.map(|d| d.to_rfc3339());
    let assessed = date::assess(doc.date_raw.as_deref(), now);
    doc.date_quality = assessed.quality;
    if source == DateSource::FileMtime {
        doc.flags.push("date-from-file-mtime");
        // An absurd mtime (a zip entry from 1970, a clock in the future) stays `absurd`.
        if assessed.quality == DateQuality::Ok {
            doc.file_date = assessed.utc;
            doc.date_quality = DateQuality::FileMtime;
        }
    } else {
        doc.date = assessed.utc;
    }
}

/// Messages above this size are parsed one at a time across all threads: decoding one takes a
/// few times its size in memory, and two at once on a laptop is how an indexer gets killed.
pub const HUGE_MESSAGE_BYTES: usize = 32 << 20;

fn parse_bounded<T>(bytes: &[u8], parse: impl FnOnce(&[u8]) -> T) -> T {
    static HUGE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    if bytes.len() < HUGE_MESSAGE_BYTES {
        return parse(bytes);
    }
    let _one_at_a_time = HUGE.lock().unwrap_or_else(|e| e.into_inner());
    parse(bytes)
}

/// How many bytes of an mbox's messages are parsed at once, across the thread pool.
const MBOX_BATCH_BYTES: usize = 512 << 10;

/// Reads `stream`'s messages in order and parses them in batches of about `batch_bytes`,
/// spread over the rayon pool, while the next batch is read; emits their documents in file
/// order. One large mbox (a Google Takeout export, say) is one file, and parsing it message by
/// message on the thread that reads it left every other core idle. Two batches in flight bound
/// the memory it takes. In a pool of one thread, messages are parsed as they are read.
/// Returns the number of documents emitted.
fn parse_mbox_stream<R: std::io::BufRead + Send>(
    stream: &mut mbox::MboxStream<R>,
    origin: Origin<'_>,
    batch_bytes: usize,
    emit: &mut impl FnMut(Doc),
    skip: &mut impl FnMut(String, Skip),
) -> std::io::Result<u64> {
    use rayon::prelude::*;
    let mut docs = 0;
    let mut deliver = |offset: u64, parsed: Result<Vec<Doc>, Skip>| match parsed {
        Ok(parsed) => {
            for d in parsed {
                emit(d);
                docs += 1;
            }
        }
        Err(s) => skip(message_locator(origin.path, offset), s),
    };
    if rayon::current_num_threads() == 1 {
        // Nothing to spread over, and parsing each message as it is read keeps it in cache
        // (batches measured 12% slower on one thread).
        while let Some((offset, stored)) = stream.next_message()? {
            deliver(offset, parse_message_isolated(offset, &stored, origin));
        }
        return Ok(docs);
    }
    let mut batch = read_mbox_batch(stream, batch_bytes)?;
    while !batch.is_empty() {
        let (next, parsed) = rayon::join(
            || read_mbox_batch(stream, batch_bytes),
            || {
                batch
                    .par_iter()
                    .map(|(offset, stored)| {
                        (*offset, parse_message_isolated(*offset, stored, origin))
                    })
                    .collect::<Vec<_>>()
            },
        );
        for (offset, parsed) in parsed {
            deliver(offset, parsed);
        }
        batch = next?;
    }
    Ok(docs)
}

/// One message of an mbox, parsed so that a parser's panic costs that message only.
fn parse_message_isolated(
    offset: u64,
    stored: &[u8],
    origin: Origin<'_>,
) -> Result<Vec<Doc>, Skip> {
    crate::isolate::catch(|| {
        crate::isolate::panic_on_marker(stored);
        parse_bounded(stored, |b| mbox::parse_stored_tree(offset, b, origin))
    })
    .map_err(Skip::ParserCrash)
}

/// How a message inside an mbox is named in the skip list: the file and the message's byte
/// offset in it.
fn message_locator(path: &str, offset: u64) -> String {
    format!("{path}#{offset}")
}

/// The next messages of `stream` (offset and stored bytes), about `batch_bytes` of them, at
/// least one unless the mbox is at its end.
fn read_mbox_batch<R: std::io::BufRead>(
    stream: &mut mbox::MboxStream<R>,
    batch_bytes: usize,
) -> std::io::Result<Vec<(u64, Vec<u8>)>> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while bytes < batch_bytes {
        let Some((offset, stored)) = stream.next_message()? else {
            break;
        };
        bytes += stored.len();
        batch.push((offset, stored));
    }
    Ok(batch)
}

/// SHA-256 of a whole file, read in blocks.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut r = HashingReader::new(std::fs::File::open(path)?);
    std::io::copy(&mut r, &mut std::io::sink())?;
    Ok(r.finish())
}

/// A reader that hashes what passes through it.
struct HashingReader<R> {
    inner: R,
    hasher: sha2::Sha256,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        use sha2::Digest;
        HashingReader {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    fn finish(self) -> String {
        use sha2::Digest;
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Parses `bytes`, the content of the file at `path`, in memory, with a fresh [`Context`].
/// For benchmarks and tools; indexing goes through [`ingest_path`].
pub fn ingest_bytes(bytes: &[u8], path: &Path, now: DateTime<Utc>) -> Outcome {
    let ctx = Context::new(now);
    let vpath = crate::source::encode_path(path);
    let unit = Unit {
        bytes,
        vpath: &vpath,
        real: Some(path),
        mtime: None,
        depth: 0,
        sha256: None,
        stated: Default::default(),
        budget: None,
    };
    let mut docs = Vec::new();
    let mut families = family::Families::default();
    let mut emit = |mut d: Doc| {
        families.assign(&mut d);
        docs.push(d)
    };
    match ingest_unit(&unit, &ctx, &mut emit, &mut |_, _| {}) {
        Ok(format) => Outcome::Indexed {
            format: format.as_str(),
            docs,
        },
        Err(s) => Outcome::Skipped(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An mbox parsed in batches across the pool gives the documents of a message-by-message
    /// parse, in file order: every batch size from one message to the whole file.
    #[test]
    fn mbox_batches_parse_like_one_message_at_a_time() {
        let mut mbox = String::new();
        for i in 0..40 {
            mbox.push_str(&format!(
                "From sender{i}@x.example Mon Oct  3 10:00:00 2016\nFrom: sender{i}@x.example\n\
                 To: r@y.example\nSubject: message {i}\nDate: Mon, 3 Oct 2016 10:{:02}:00 +0000\n\n\
                 {}\n>From the escaped line {i}\n\n",
                i % 60,
                "body words ".repeat(i * 7),
            ));
        }
        let origin = Origin {
            path: "box.mbox",
            offset: 0,
            format: "mbox",
            now: Utc::now(),
        };
        let parse = |threads, batch_bytes| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut stream = mbox::MboxStream::new(mbox.as_bytes());
                let mut docs = Vec::new();
                let n = parse_mbox_stream(
                    &mut stream,
                    origin,
                    batch_bytes,
                    &mut |d| docs.push(d),
                    &mut |p, s| panic!("{p}: {s}"),
                )
                .unwrap();
                assert_eq!(n as usize, docs.len());
                docs
            })
        };
        // One thread: each message parsed as it is read.
        let one_by_one = parse(1, 1);
        assert_eq!(one_by_one.len(), 40);
        assert!(one_by_one
            .windows(2)
            .all(|w| w[0].source.offset < w[1].source.offset));
        assert!(one_by_one[39].body.contains("From the escaped line 39"));
        for batch_bytes in [1, 700, 5_000, usize::MAX] {
            assert_eq!(
                parse(3, batch_bytes),
                one_by_one,
                "batches of {batch_bytes} bytes"
            );
        }
    }

    /// Files on either side of the sniff length are read whole: the hash covers every byte and
    /// the body's last word arrives, whether the first read met the end of the file or not.
    #[test]
    fn reads_files_around_the_sniff_length_whole() {
        let dir = tempfile::tempdir().unwrap();
        let header =
            "From: a@x.example\nTo: b@x.example\nSubject: s\nDate: Mon, 3 Oct 2016 10:00:00 +0000\n\n";
        for size in [SNIFF_LEN - 1, SNIFF_LEN, SNIFF_LEN + 1, 3 * SNIFF_LEN + 5] {
            let mut text = header.to_string();
            while text.len() < size - 4 {
                text.push_str("word ");
            }
            text.truncate(size - 4);
            text.push_str(" end");
            assert_eq!(text.len(), size);
            let path = dir.path().join(format!("{size}.eml"));
            std::fs::write(&path, &text).unwrap();
            let mut docs = Vec::new();
            let outcome = ingest_path(&walk::stat(path), &Context::new(Utc::now()), None, |d| {
                docs.push(d)
            })
            .unwrap();
            let FileOutcome::Indexed {
                sha256, docs: n, ..
            } = outcome
            else {
                panic!("{size}: not indexed");
            };
            assert_eq!(sha256, crate::doc::sha256_hex(text.as_bytes()), "{size}");
            assert_eq!(n, 1);
            assert!(docs[0].body.trim_end().ends_with(" end"), "{size}");
        }
    }

    #[test]
    fn a_file_mtime_is_kept_apart_from_the_document_date() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let meta = Utc.with_ymd_and_hms(2016, 10, 1, 9, 0, 0).unwrap();
        let mtime = Utc.with_ymd_and_hms(2026, 4, 30, 12, 0, 0).unwrap();
        let blank = || Doc::new(crate::doc::Kind::Document, "text", Default::default());

        let mut d = blank();
        set_document_date(&mut d, Some(meta), Some(mtime), now);
        assert_eq!((d.date, d.file_date), (Some(meta), None));
        assert_eq!(
            (d.date_quality, d.date_source),
            (DateQuality::Ok, DateSource::Metadata)
        );

        let mut d = blank();
        set_document_date(&mut d, None, Some(mtime), now);
        assert_eq!((d.date, d.file_date), (None, Some(mtime)));
        assert_eq!(
            (d.date_quality, d.date_source),
            (DateQuality::FileMtime, DateSource::FileMtime)
        );
        assert_eq!(d.flags, ["date-from-file-mtime"]);

        let mut d = blank();
        let epoch = Utc.timestamp_opt(0, 0).unwrap();
        set_document_date(&mut d, None, Some(epoch), now);
        assert_eq!((d.date, d.file_date), (None, None));
        assert_eq!(d.date_quality, DateQuality::Absurd);

        let mut d = blank();
        set_document_date(&mut d, None, None, now);
        assert_eq!(
            (d.date, d.file_date, d.date_quality),
            (None, None, DateQuality::Missing)
        );
    }
}
