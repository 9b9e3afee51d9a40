//! Turning the files of a dump into [`Doc`]s.
//!
//! [`walk`] enumerates the dump (never following symlinks unless asked) and says up front which
//! entries cannot be indexed; [`ingest_file`] reads one file, [`detect`]s its format from its
//! content, and hands it to the parser for that format. Parsers are pure functions over bytes.
//! Every file ends as documents or as a [`Skip`] with a reason: nothing is dropped silently.

pub mod chat;
pub mod date;
pub mod document;
pub mod detect;
pub mod eml;
pub mod maildir;
pub mod mbox;
pub mod walk;

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::doc::Doc;
use detect::Format;
use eml::Origin;

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
        }
    }
}

/// What became of one file (in-memory parsing, see [`ingest_bytes`]).
#[derive(Debug)]
pub enum Outcome {
    Indexed { format: Format, docs: Vec<Doc> },
    Skipped(Skip),
}

/// What streaming one file produced, besides the documents it emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Indexed {
        format: Format,
        docs: u64,
        sha256: String,
    },
    /// The content hash equals `previous_sha256`: nothing to re-index.
    Unchanged { sha256: String },
}

use detect::SNIFF_LEN;

/// Reads the file at `path`, detects its format and emits its documents one at a time, so a
/// multi-gigabyte mbox is parsed in the memory of one message. When `previous_sha256` is given
/// and the file's content hash equals it, nothing is parsed and `Unchanged` is returned.
pub fn ingest_path(
    path: &Path,
    now: DateTime<Utc>,
    previous_sha256: Option<&str>,
    mut emit: impl FnMut(Doc),
) -> Result<FileOutcome, Skip> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let detected = match detect::detect(&head) {
        Err(Skip::Empty) if size > head.len() as u64 => Err(Skip::NotMail),
        other => other,
    }?;
    let path_str = path.to_string_lossy();
    let format = match detected {
        Format::Message if maildir::is_maildir_message(path) => Format::Maildir,
        f => f,
    };
    let origin = Origin {
        path: &path_str,
        offset: 0,
        format: format.as_str(),
        now,
    };
    match format {
        Format::Mbox => {
            if let Some(prev) = previous_sha256 {
                let sha = hash_file(path).map_err(unreadable)?;
                if sha == prev {
                    return Ok(FileOutcome::Unchanged { sha256: sha });
                }
            }
            let file = std::fs::File::open(path).map_err(unreadable)?;
            let mut hashing = HashingReader::new(file);
            let mut stream =
                mbox::MboxStream::new(std::io::BufReader::with_capacity(1 << 16, &mut hashing));
            let mut docs = 0;
            while let Some((offset, stored)) = stream.next_message().map_err(unreadable)? {
                emit(parse_bounded(&stored, |b| {
                    mbox::parse_stored(offset, b, origin)
                }));
                docs += 1;
            }
            drop(stream);
            Ok(FileOutcome::Indexed {
                format,
                docs,
                sha256: hashing.finish(),
            })
        }
        Format::Message | Format::Maildir => {
            let mut bytes = head;
            bytes.reserve_exact((size as usize).saturating_sub(bytes.len()) + 1);
            file.read_to_end(&mut bytes).map_err(unreadable)?;
            let sha = crate::doc::sha256_hex(&bytes);
            if previous_sha256 == Some(sha.as_str()) {
                return Ok(FileOutcome::Unchanged { sha256: sha });
            }
            emit(parse_bounded(&bytes, |b| eml::parse_message(b, origin)));
            Ok(FileOutcome::Indexed {
                format,
                docs: 1,
                sha256: sha,
            })
        }
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

/// Reads and parses the file at `path` in memory.
pub fn ingest_file(path: &Path, now: DateTime<Utc>) -> Outcome {
    match std::fs::read(path) {
        Ok(bytes) => ingest_bytes(&bytes, path, now),
        Err(e) => Outcome::Skipped(Skip::Unreadable(e.to_string())),
    }
}

/// Parses `bytes`, the content of the file at `path`.
pub fn ingest_bytes(bytes: &[u8], path: &Path, now: DateTime<Utc>) -> Outcome {
    let format = match detect::detect(bytes) {
        Ok(f) => f,
        Err(skip) => return Outcome::Skipped(skip),
    };
    let path_str = path.to_string_lossy();
    let format = match format {
        Format::Message if maildir::is_maildir_message(path) => Format::Maildir,
        f => f,
    };
    let origin = Origin {
        path: &path_str,
        offset: 0,
        format: format.as_str(),
        now,
    };
    let docs = match format {
        Format::Mbox => mbox::parse(bytes, origin),
        Format::Message | Format::Maildir => vec![eml::parse_message(bytes, origin)],
    };
    Outcome::Indexed { format, docs }
}
