//! The `--json` wire format: JSON Lines, one object per line, each tagged with `type`.
//!
//! `trawl search --json` prints, in order:
//!
//! - one `{"type":"hit", ...}` per hit, in the requested order, with the fields of [`Hit`]:
//!   `id` (16 hex digits, stable across re-indexing), `kind`, `date` (the document's own date,
//!   RFC 3339 UTC, or `null`), `date_local` (`true` when `date` is a wall-clock time of unknown
//!   zone, stored as if UTC), `file_date` (the file's modification time when the document has no
//!   date of its own, else `null`), `tz_offset_minutes` (the sender's offset, or `null`),
//!   `date_quality` (`ok`, `missing`, `unparseable`, `absurd`, `file-mtime`), `date_raw` (the
//!   header as written), `from` (`{address, name}` or `null`), `to`/`cc`/`bcc` (lists of
//!   `{address, name}`), `subject`, `message_id`, `path` (absolute, archive members after `!/`,
//!   bytes that are not UTF-8 as `\xHH`), `offset` and `length` (the byte range in that file or
//!   member), `item` (the MIME part inside that range, or `null`), `sha256` (of the bytes
//!   `show --raw` gives), `format` (what it was read as), `attachments` (file names), `score`,
//!   `snippet` (plain text), `highlights` (byte ranges `[start, end)` of matched words within
//!   `snippet`), `parent` (id of the message an attachment or forwarded message was found in),
//!   `conversation` (chat), `folder` (a PST/OST item's mail folder; absent otherwise),
//!   `date_source` (`header`, `metadata`, `exif`, `file-mtime`), `ocr`
//!   (`true` when some or all of the text was read from pixels by OCR), `needs_ocr` (`true` for
//!   an image or scanned PDF whose text was not read: OCR was off or Tesseract missing),
//!   `image` (for kind `image`: `{camera_make, camera_model, taken, gps: {lat, lon} or null,
//!   width, height}`, `taken` as the EXIF writes it; else `null`), `charset` (what a text, CSV
//!   or HTML document was decoded from: `utf-8`, `shift_jis`, ..., or `null`),
//!   `last_modified_by`, `created` and `modified` (a document's own metadata, or `null`),
//!   `matched_in` (the parts a message matched through) and `copies` (how many copies it
//!   stands for);
//!   (`gap_seconds`, the time since the previous hit, is added in timeline output);
//! - with `--facet NAME`, one `{"type":"facet","name":"from","values":[{"value","count"}]}` per
//!   facet, counted over all hits; values of the `from`, `to`, `participant` and `person`
//!   facets carry a `name` (the best display name of their person) when one is known;
//! - with `--histogram UNIT`, one `{"type":"histogram","unit":"month","time_zone":"UTC",
//!   "buckets":[{"period":"2016-10","start":"2016-10-01T00:00:00Z","count":19}],"undated":N,
//!   "file_dated":M,"file_dates_counted":false}`, every period from the first to the last, empty
//!   ones included (`file_dated` hits are in the buckets only with `--file-dates`);
//! - with `--pairs`, one `{"type":"pair","from","to","count","first","last"}` per pair, with
//!   `from_name` and `to_name` when known; with `--by-person`, `from` and `to` are person ids;
//! - a last `{"type":"summary","query":...,"total_hits":N,"shown":M,"elapsed_ms":T}`.
//!
//! Addresses are lower-cased (`address`, what queries match), with the spelling the source used in
//! `written` when it differs; names are as written. Strings are not sanitized for terminals: JSON
//! escaping already makes control characters inert.

use std::io::Write;

use serde::Serialize;

use crate::doc::{ImageMeta, Mailbox};

/// One search hit, as printed by both printers.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    /// The document's own date (RFC 3339 UTC), never a file date.
    pub date: Option<String>,
    /// `date` is a wall-clock time of unknown zone (WhatsApp, Telegram without
    /// `date_unixtime`), written with a `Z` only because the index stores it as if UTC.
    pub date_local: bool,
    /// The file's modification time, for a document with no date of its own (quality
    /// `file-mtime`); `null` otherwise.
    pub file_date: Option<String>,
    pub tz_offset_minutes: Option<i64>,
    pub date_quality: String,
    pub date_raw: Option<String>,
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub message_id: Option<String>,
    pub path: String,
    pub offset: u64,
    pub length: u64,
    /// The part of the message at that range that this document is (an attachment, a
    /// forwarded message), or `null`; see [`crate::source`].
    pub item: Option<u64>,
    pub sha256: String,
    /// The format the document was read as (`eml`, `mbox`, `slack`, `pdf`, ...).
    pub format: String,
    pub attachments: Vec<String>,
    pub score: Option<f32>,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    /// Id of the document this one was found in (an attachment's message, a forwarded
    /// message's carrier), or `null`.
    pub parent: Option<String>,
    /// Chat conversation or channel, or `null`.
    pub conversation: Option<String>,
    /// The mail folder of a PST/OST item (`support/Sent Messages`); absent for other formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// Whose files the document sits in (see `trawl index --custodian-depth`); absent when it
    /// has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    /// Where the date came from: `header`, `metadata`, `exif` or `file-mtime` (then in
    /// `file_date`).
    pub date_source: String,
    /// The charset a text, CSV or HTML document was read in (declared or detected), or `null`.
    pub charset: Option<String>,
    /// Who saved the document last, when its metadata says, or `null`.
    pub last_modified_by: Option<String>,
    /// Creation and last-modification dates from the document's own metadata (RFC 3339,
    /// UTC), or `null`.
    pub created: Option<String>,
    pub modified: Option<String>,
    /// When the hit is a message that matched only through some of its parts (attachments,
    /// forwarded messages): those parts. Empty otherwise, and with `--items`.
    pub matched_in: Vec<PartRef>,
    /// How many copies of this message matched (the same Message-ID and content in several
    /// mailboxes or files), itself included: 1 unless copies were counted once.
    pub copies: u32,
    /// Some or all of the text was read by OCR: Tesseract's reading of pixels.
    pub ocr: bool,
    /// An image or scanned PDF whose text was not read (OCR off, or Tesseract missing).
    pub needs_ocr: bool,
    /// A picture's metadata, for kind `image`.
    pub image: Option<ImageMeta>,
    /// Seconds since the previous hit, in timeline output only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap_seconds: Option<i64>,
    /// With `--context`, on a `{"type":"context"}` line: the hit this message is shown around.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_of: Option<String>,
}

/// A part of a message that a query matched in.
#[derive(Debug, Clone, Serialize)]
pub struct PartRef {
    pub id: String,
    /// `attachment` or `email` (a forwarded message).
    pub kind: String,
    /// The attachment's file name, or the forwarded message's subject.
    pub name: String,
}

/// One `--facet`.
#[derive(Debug, Clone, Serialize)]
pub struct FacetOut {
    pub name: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub value: String,
    /// The best display name of the value's person (address facets, `person`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub count: u64,
}

/// A `--histogram`.
#[derive(Debug, Clone, Serialize)]
pub struct HistogramOut {
    pub unit: String,
    pub time_zone: String,
    pub buckets: Vec<HistogramBucket>,
    /// Hits without a usable date, not even a file date, which no bucket counts.
    pub undated: u64,
    /// Hits whose only date is their file's modification time.
    pub file_dated: u64,
    /// Whether the buckets count those by their file date (`--file-dates`).
    pub file_dates_counted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistogramBucket {
    /// `2016`, `2016-10`, `2016-W42` or `2016-10-21`, in the histogram's time zone.
    pub period: String,
    /// The UTC instant the period starts.
    pub start: Option<String>,
    pub count: u64,
}

/// The closing line of `search --json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub query: String,
    pub total_hits: usize,
    pub shown: usize,
    pub elapsed_ms: f64,
}

/// Writes `value` as one line tagged `"type": kind`.
pub fn write_line<W: Write + ?Sized, T: Serialize>(
    out: &mut W,
    kind: &str,
    value: &T,
) -> std::io::Result<()> {
    let mut v = serde_json::to_value(value).map_err(std::io::Error::other)?;
    if let serde_json::Value::Object(map) = &mut v {
        let mut tagged = serde_json::Map::with_capacity(map.len() + 1);
        tagged.insert("type".into(), kind.into());
        tagged.append(map);
        v = serde_json::Value::Object(tagged);
    }
    // A closed pipe must stay a `BrokenPipe` error, which ends output quietly (`main.rs`).
    serde_json::to_writer(&mut *out, &v).map_err(|e| match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    })?;
    out.write_all(b"\n")
}
