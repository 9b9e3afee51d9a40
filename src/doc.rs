//! The normalized document every input format turns into.
//!
//! Parsers in [`crate::ingest`] produce [`Doc`]s; the index writer turns them into tantivy documents
//! and nothing else. A `Doc` always says where it came from (path, byte range, content hash) so a
//! search hit can be traced back to the exact bytes in the dump.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of item a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An e-mail message (including one forwarded inside another, linked by `parent`).
    Email,
    /// One message of a chat export (Twitter/X DMs, Slack, Telegram, WhatsApp).
    Chat,
    /// A standalone document: text, HTML, CSV, PDF, DOCX, ODT.
    Document,
    /// A file attached to a message, with its text extracted; `parent` is the message.
    Attachment,
    /// A picture (JPEG, PNG, TIFF, HEIF, WebP, GIF, BMP): its EXIF metadata, and its text when
    /// it was read by OCR.
    Image,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Chat => "chat",
            Kind::Document => "document",
            Kind::Attachment => "attachment",
            Kind::Image => "image",
        }
    }
}

/// Where a document's date came from, strongest evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// A Date header, or a chat export's own timestamp.
    Header,
    /// The document's own metadata (PDF CreationDate, DOCX/ODT core properties).
    Metadata,
    /// When a picture was taken, by its EXIF (`DateTimeOriginal`, else `DateTimeDigitized`):
    /// the camera's clock, which nobody may have set right, in its own zone when EXIF gives
    /// the offset (`OffsetTimeOriginal`), else a wall-clock time flagged `local-time`.
    Exif,
    /// The file's modification time on disk: weak evidence, easily changed by copying.
    FileMtime,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Header => "header",
            DateSource::Metadata => "metadata",
            DateSource::Exif => "exif",
            DateSource::FileMtime => "file-mtime",
        }
    }
}

/// How much a document's date can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateQuality {
    /// Parsed from the Date header and plausible.
    Ok,
    /// The message has no Date header.
    Missing,
    /// A Date header is present but could not be read as a date.
    Unparseable,
    /// The header parsed, but to a date before 1980 or after the time of indexing.
    Absurd,
    /// The document carries no date of its own; all there is is the file's (or archive
    /// member's) modification time, kept in `file_date`. A copy or a clone resets it.
    #[serde(rename = "file-mtime")]
    FileMtime,
}

impl DateQuality {
    pub fn as_str(self) -> &'static str {
        match self {
            DateQuality::Ok => "ok",
            DateQuality::Missing => "missing",
            DateQuality::Unparseable => "unparseable",
            DateQuality::Absurd => "absurd",
            DateQuality::FileMtime => "file-mtime",
        }
    }
}

/// The flag of a document whose date is a wall-clock time in an unknown zone (WhatsApp, a
/// Telegram `date` without `date_unixtime`), stored as if it were UTC. Printers show it as
/// written and `--tz` leaves it alone: converting it would invent a zone.
pub const LOCAL_TIME: &str = "local-time";

/// The flag of a document whose text was read (wholly or in part) by OCR: the words are
/// Tesseract's reading of pixels, not text the author typed (query `has:ocr`).
pub const FLAG_OCR: &str = "ocr";
/// The flag of an image or a PDF without a text layer whose text was not read because OCR was
/// off or Tesseract is not installed (query `has:needs-ocr`; counted in the index summary).
pub const FLAG_NEEDS_OCR: &str = "needs-ocr";
/// The flag of an image or scan whose OCR failed (the tool crashed or ran past the time limit):
/// the document is indexed with its metadata only.
pub const FLAG_OCR_FAILED: &str = "ocr-failed";
/// The flag of a picture whose EXIF carries a GPS position (query `has:gps`).
pub const FLAG_GPS: &str = "gps";

/// What a picture's metadata (EXIF) says about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageMeta {
    /// Camera maker (EXIF `Make`), as written.
    pub camera_make: Option<String>,
    /// Camera model (EXIF `Model`), as written.
    pub camera_model: Option<String>,
    /// When it was taken, as EXIF writes it (`2008:10:22 16:28:39`, with the offset after it
    /// when there is one); the instant, when usable, is the document's `date`.
    pub taken: Option<String>,
    /// Where it was taken: the GPS position in decimal degrees.
    pub gps: Option<GpsPosition>,
    /// Size in pixels, when the metadata says.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A GPS position in decimal degrees (WGS 84): latitude north positive, longitude east
/// positive. Only finite values in range are ever built (see `ingest::image`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GpsPosition {
    pub lat: f64,
    pub lon: f64,
}

// The coordinates are never NaN (checked where they are read), so equality is an equivalence.
impl Eq for ImageMeta {}

impl ImageMeta {
    /// Make and model as one line (`Canon Canon EOS 40D`), when either is known.
    pub fn camera(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.camera_make, &self.camera_model]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// A mailbox: a normalized (lower-cased) address and an optional display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// Lower-cased address, or empty when the header held only a name. What queries, facets,
    /// pairs and people compare.
    pub address: String,
    pub name: Option<String>,
    /// The address as the source spelled it (`Dana.Reyes@Reyes2016.example.com`,
    /// `slack:U01DANA`), when that differs from `address`: what is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
}

impl Mailbox {
    /// A mailbox of `address` as written, normalized with `normalize` (the spelling kept
    /// when it differs), and `name`.
    pub fn new(written: &str, normalize: impl Fn(&str) -> String, name: Option<String>) -> Self {
        let address = normalize(written);
        let spelled = written.trim().trim_matches(['<', '>', '\'', '"']).trim();
        Mailbox {
            written: (spelled != address && spelled.to_lowercase() == address)
                .then(|| spelled.to_owned()),
            address,
            name,
        }
    }

    /// The address as written, else as normalized.
    pub fn shown_address(&self) -> &str {
        self.written.as_deref().unwrap_or(&self.address)
    }

    /// `Name <address>`, `address` or `Name`, the address as written, for display and for the
    /// name-word index.
    pub fn display(&self) -> String {
        match (&self.name, self.address.is_empty()) {
            (Some(n), false) => format!("{n} <{}>", self.shown_address()),
            (Some(n), true) => n.clone(),
            (None, _) => self.shown_address().to_owned(),
        }
    }
}

/// Sender and recipients as the index stores them (the `envelope` field), read back for
/// printing and export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    pub from: Option<Mailbox>,
    #[serde(default)]
    pub to: Vec<Mailbox>,
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    #[serde(default)]
    pub bcc: Vec<Mailbox>,
}

/// An attachment carried by a message: its name and MIME type, never its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: Option<String>,
    pub mime_type: String,
    pub size: u64,
}

/// Where a document came from, precisely enough to read its bytes back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
/// The model, and how the bytes are read back, are in [`crate::source`].
pub struct Provenance {
    /// The file's absolute path, encoded without loss ([`crate::source::encode_path`]), then
    /// for an archive member the members leading to it after `!/`.
    pub path: String,
    /// Where the unit the document was parsed from starts in that file or member: 0 for a
    /// whole file, the `From ` line of an mbox message, a chat message's JSON object.
    pub offset: u64,
    /// Length of that unit in bytes.
    pub length: u64,
    /// SHA-256 of exactly the bytes `show --raw` gives (the unit, or the part `item` names),
    /// lower-case hex; empty when there are none to give.
    pub sha256: String,
    /// Which part of the unit the document is: an attachment's or forwarded message's number
    /// among the message's parts (see `ingest::eml`); for a chat export whose messages could
    /// not be located in the file, the message number.
    pub item: Option<u64>,
}

/// One indexed item, whatever format it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    /// Stable id: derived from the source path, offset and item, so re-indexing the same dump
    /// gives the same ids. Printed as 16 hex digits (see [`format_id`]).
    pub id: u64,
    pub kind: Kind,
    pub source: Provenance,
    /// Format the document was read as (`eml`, `mbox`, `maildir`, `twitter-dm`, `slack`, `pdf`, ...).
    pub format: &'static str,
    /// Chat conversation or channel id (chat), so a conversation can be listed on its own.
    pub conversation: Option<String>,
    /// The mail folder the document was filed in, `/`-separated from the store's name, for a
    /// message of a mailbox store (PST, OST): `support/Sent Messages`.
    pub folder: Option<String>,
    /// The document this one was found inside: an attachment's message, a forwarded message's
    /// carrier.
    pub parent: Option<u64>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    /// The instant in UTC, when the document's own date is usable (quality `Ok`). Never set
    /// from the file system: date queries, facets and spans read this alone.
    pub date: Option<DateTime<Utc>>,
    /// The file's or archive member's modification time, when the document has no date of its
    /// own (quality `FileMtime`): it says when bytes were last written somewhere, not when the
    /// document was, so it is kept apart from `date` and counted only when asked for.
    pub file_date: Option<DateTime<Utc>>,
    /// The sender's UTC offset in minutes, as written in the Date header.
    pub tz_offset_minutes: Option<i32>,
    pub date_quality: DateQuality,
    /// Where `date` came from.
    pub date_source: DateSource,
    /// The Date header as written, kept for display when it could not be used.
    pub date_raw: Option<String>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    /// Size of the raw document in bytes.
    pub size: u64,
    /// Parser observations worth flagging to a reader (`truncated`, `encoding-problem`).
    pub flags: Vec<&'static str>,
    /// The charset a text, CSV or HTML document was decoded from (WHATWG name), declared or
    /// detected; None where the format fixes it or says it per part (mail, chat, office).
    pub charset: Option<String>,
    /// Who saved a document last, as its metadata says (office formats, RTF).
    pub last_modified_by: Option<String>,
    /// When a document's metadata says it was created and last modified, each kept when
    /// plausible; `date` is the first of them there is.
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    /// The top-level item of this document's family (the message an attachment or a forwarded
    /// message was found in, however deep); None for a top-level item. Set by
    /// [`crate::ingest::family::Families`] as documents leave their file's parser.
    pub root: Option<u64>,
    /// A picture's metadata (kind `image`).
    pub image: Option<ImageMeta>,
}

impl Doc {
    /// An empty document of `kind` from `source`, read as `format`; parsers fill in the rest.
    pub fn new(kind: Kind, format: &'static str, source: Provenance) -> Doc {
        Doc {
            id: match source.item {
                None => doc_id(&source.path, source.offset),
                Some(item) => item_id(&source.path, source.offset, item),
            },
            kind,
            size: source.length,
            source,
            format,
            conversation: None,
            folder: None,
            parent: None,
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            from: None,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            date: None,
            file_date: None,
            tz_offset_minutes: None,
            date_quality: DateQuality::Missing,
            date_source: DateSource::Header,
            date_raw: None,
            subject: String::new(),
            body: String::new(),
            attachments: Vec::new(),
            flags: Vec::new(),
            charset: None,
            last_modified_by: None,
            created: None,
            modified: None,
            root: None,
            image: None,
        }
    }

    /// All recipients: To, then Cc, then Bcc.
    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }

    /// What copies of one message share (issue #15): the same message saved in several
    /// mailboxes, or an export present twice. Its Message-ID (empty when it has none), and its
    /// content as a reader sees it: sender, date, subject, body and attachment names, with runs
    /// of ASCII white space made one, so that what a mailbox adds (`Status:`, `X-Folder:` and other
    /// headers, an mbox's `>From` quoting, line endings) does not part copies. None for
    /// documents and for parts of a message, which are not counted as messages.
    pub fn copy_key(&self) -> Option<u64> {
        if self.parent.is_some() || !matches!(self.kind, Kind::Email | Kind::Chat) {
            return None;
        }
        // Every field with its runs of ASCII white space made one space and its ends trimmed,
        // then a NUL: gathered into one buffer and hashed at once (hashing word by word cost
        // a tenth of the parse stage on mail).
        let mut buf = Vec::with_capacity(self.body.len() + self.subject.len() + 256);
        let mut field = |text: &str| push_collapsed(&mut buf, text.as_bytes());
        field(self.message_id.as_deref().unwrap_or(""));
        field(self.conversation.as_deref().unwrap_or(""));
        field(self.from.as_ref().map_or("", |m| m.address.as_str()));
        let date = self
            .date
            .map(|d| d.timestamp().to_string())
            .or_else(|| self.date_raw.clone())
            .unwrap_or_default();
        field(&date);
        field(&self.subject);
        field(&self.body);
        for a in &self.attachments {
            field(a.name.as_deref().unwrap_or(""));
        }
        let d = Sha256::digest(&buf);
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        Some(u64::from_be_bytes(first))
    }
}

/// Appends `text` with its ends trimmed and each run of ASCII white space made one space, then
/// a NUL: the words of `split_ascii_whitespace` joined by spaces, byte for byte, since copy keys
/// are kept in the index across runs. Copied a stretch at a time: a stretch runs on past a lone
/// space between words, so prose goes over in runs as long as its lines, not word by word.
fn push_collapsed(buf: &mut Vec<u8>, text: &[u8]) {
    let ws = |b: u8| b.is_ascii_whitespace();
    let n = text.len();
    let mut i = 0;
    let mut first = true;
    loop {
        while i < n && ws(text[i]) {
            i += 1;
        }
        if i == n {
            break;
        }
        let start = i;
        while i < n {
            if !ws(text[i]) {
                i += 1;
            } else if text[i] == b' ' && i + 1 < n && !ws(text[i + 1]) {
                i += 2;
            } else {
                break;
            }
        }
        if !first {
            buf.push(b' ');
        }
        first = false;
        buf.extend_from_slice(&text[start..i]);
    }
    buf.push(0);
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The stable document id for the item at `offset` in `path`: the first 64 bits of a SHA-256.
pub fn doc_id(path: &str, offset: u64) -> u64 {
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    h.update([0]);
    h.update(offset.to_le_bytes());
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first)
}

/// The id of item `item` inside the unit at `offset` in `path` (a chat message, an attachment).
pub fn item_id(path: &str, offset: u64, item: u64) -> u64 {
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    h.update([0]);
    h.update(offset.to_le_bytes());
    h.update([1]);
    h.update(item.to_le_bytes());
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first)
}

/// An id as users see and type it: 16 lower-case hex digits.
pub fn format_id(id: u64) -> String {
    format!("{id:016x}")
}

/// Reads an id typed by a user (hex, as printed by [`format_id`]).
pub fn parse_id(s: &str) -> Option<u64> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 16)
        .then(|| u64::from_str_radix(s, 16).ok())
        .flatten()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_differ_in_ascii_white_space_only() {
        let mail = |subject: &str, body: &str| Doc {
            message_id: Some("<a@x>".into()),
            subject: subject.into(),
            body: body.into(),
            ..Doc::new(Kind::Email, "eml", Provenance::default())
        };
        let key = |s: &str, b: &str| mail(s, b).copy_key().unwrap();
        let plain = key("Re: wire", "one two\nthree");
        assert_eq!(key("  Re:\twire ", "one  two\r\n three\n\n"), plain);
        assert_ne!(key("Re: wire", "one two three!"), plain);
        // Words do not run into the next field, nor across a NUL inside a field.
        assert_ne!(key("Re: wire one", "two\nthree"), plain);
        assert_ne!(key("Re: wire", "a\0 b"), key("Re: wire", "a\0b"));
        // Non-ASCII white space is text.
        assert_ne!(key("Re: wire", "one\u{a0}two\nthree"), plain);
        // Attachments and parts are not messages of their own.
        let part = Doc {
            parent: Some(1),
            ..mail("Re: wire", "one two\nthree")
        };
        assert_eq!(part.copy_key(), None);
    }

    /// Copy keys are kept in indexes across runs and versions: this one was worked out apart
    /// (SHA-256 of the NUL-ended fields, first eight bytes big-endian) and must not change.
    #[test]
    fn a_copy_key_is_what_indexes_already_hold() {
        let doc = Doc {
            message_id: Some("<a@x>".into()),
            from: Some(Mailbox::new("dana@example.com", str::to_lowercase, None)),
            date: DateTime::from_timestamp(1_000_000_000, 0),
            subject: " Re:  wire".into(),
            body: "one\r\ntwo three\n\n".into(),
            attachments: vec![Attachment {
                name: Some("report.pdf".into()),
                mime_type: "application/pdf".into(),
                size: 1,
            }],
            ..Doc::new(Kind::Email, "eml", Provenance::default())
        };
        assert_eq!(doc.copy_key(), Some(0xa199_204e_2c2a_09ab));
    }

    proptest::proptest! {
        /// Copy keys already in an index must not change: the fast collapse gives the bytes
        /// of the word-by-word one it replaced, for any text.
        #[test]
        fn white_space_collapses_as_word_by_word(
            text in proptest::collection::vec(
                proptest::sample::select(vec![b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c, 0, b'a', b'b', 0xc3, 0xa9]),
                0..64,
            ),
        ) {
            let text = String::from_utf8_lossy(&text).into_owned();
            let mut fast = Vec::new();
            push_collapsed(&mut fast, text.as_bytes());
            let mut slow = text.split_ascii_whitespace().collect::<Vec<_>>().join(" ").into_bytes();
            slow.push(0);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn a_mailbox_keeps_its_spelling_only_when_case_differs() {
        let m = Mailbox::new(
            " <Dana.Reyes@Example.com> ",
            |a| a.trim().trim_matches(['<', '>']).to_lowercase(),
            None,
        );
        assert_eq!(m.address, "dana.reyes@example.com");
        assert_eq!(m.written.as_deref(), Some("Dana.Reyes@Example.com"));
        assert_eq!(m.display(), "Dana.Reyes@Example.com");
        let plain = Mailbox::new("dana@example.com", str::to_lowercase, None);
        assert_eq!(plain.written, None);
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(doc_id("/a/b.mbox", 0), doc_id("/a/b.mbox", 0));
        assert_ne!(doc_id("/a/b.mbox", 0), doc_id("/a/b.mbox", 1));
        let id = doc_id("/x", 7);
        assert_eq!(format_id(id).len(), 16);
        assert_eq!(parse_id(&format_id(id)), Some(id));
        assert_eq!(parse_id("zz"), None);
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn mailbox_display() {
        let m = Mailbox {
            address: "a@b.example".into(),
            name: Some("A B".into()),
            written: None,
        };
        assert_eq!(m.display(), "A B <a@b.example>");
        let m = Mailbox {
            address: "a@b.example".into(),
            name: None,
            written: None,
        };
        assert_eq!(m.display(), "a@b.example");
    }
}
