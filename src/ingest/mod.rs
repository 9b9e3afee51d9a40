//! Turning the files of a dump into [`Doc`]s.
//!
//! [`walk`] enumerates the dump (never following symlinks unless asked) and says up front which
//! entries cannot be indexed; [`ingest_file`] reads one file, [`detect`]s its format from its
//! content, and hands it to the parser for that format. Parsers are pure functions over bytes.
//! Every file ends as documents or as a [`Skip`] with a reason: nothing is dropped silently.

pub mod date;
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

/// What became of one file.
#[derive(Debug)]
pub enum Outcome {
    Indexed { format: Format, docs: Vec<Doc> },
    Skipped(Skip),
}

/// Reads and parses the file at `path`. `now` is the time of indexing (for absurd-date checks).
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
