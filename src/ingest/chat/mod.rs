//! Chat exports as messages (kind `chat`): Twitter/X DMs, Slack, Telegram, WhatsApp.
//!
//! Each parser turns one export file into one [`Doc`] per message, whose source is the message's
//! own bytes in the file (its JSON object, located by [`json_span`]; its lines of a WhatsApp
//! export), so ids are unique within the file and stable across re-indexing, and `show --raw`
//! gives the message as written. Senders and recipients are chat accounts, written as `<service>:<id>` in the
//! address slot of a [`Mailbox`] (never an invented e-mail address), with the human name beside
//! it. The pieces every parser shares live here: [`ChatSource`], [`chat_doc`], date judgement and
//! a few helpers for hostile JSON and file names.
//!
//! - [`twitter`]: `direct-messages.js` / `direct-messages-group.js` from a Twitter/X archive.
//! - [`slack`]: a Slack workspace export (`users.json`, `channels.json`, `<channel>/<day>.json`).
//! - [`telegram`]: Telegram Desktop's `result.json` (one chat, or a full export).
//! - [`whatsapp`]: WhatsApp's "Export chat" text files.

pub mod slack;
pub mod telegram;
pub mod twitter;
pub mod whatsapp;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

use crate::doc::{sha256_hex, DateQuality, DateSource, Doc, Kind, Mailbox, Provenance};
use crate::ingest::format::{Format, Sniff};
use crate::ingest::{Context, Skip, Unit};

/// The file a chat export came from, and the time of indexing (to judge absurd dates).
#[derive(Debug, Clone, Copy)]
pub struct ChatSource<'a> {
    /// The file's path, as given by the caller; it goes into every document's provenance.
    pub path: &'a str,
    /// The time of indexing: a message dated more than a day after it is absurd.
    pub now: DateTime<Utc>,
    /// Where a parser adds the number of items the export states (the elements of its message
    /// arrays), for the report to set against the messages read; `None` when nobody asks.
    pub stated: Option<&'a std::cell::Cell<Option<u64>>>,
}

impl ChatSource<'_> {
    /// Adds `n` items to what the export states.
    pub fn state(&self, n: usize) {
        if let Some(c) = self.stated {
            c.set(Some(c.get().unwrap_or(0) + n as u64));
        }
    }
}

/// Where one message's own bytes lie in its export file: their offset, and the bytes (its JSON
/// item as written, or its text lines).
pub type Span<'a> = (u64, &'a [u8]);

/// An empty chat document for message number `item` of `src`, read as `format`, whose own bytes
/// are at `span` of the file. Its source is that byte range, so `show --raw` gives back the
/// message as it stands in the file. Without a span (the file parsed, but its items could not
/// be located), the source is the message number, and `show --raw` refuses.
pub fn chat_doc(src: &ChatSource, format: &'static str, item: u64, span: Option<Span<'_>>) -> Doc {
    let source = match span {
        Some((offset, raw)) => Provenance {
            path: src.path.to_owned(),
            offset,
            length: raw.len() as u64,
            sha256: sha256_hex(raw),
            item: None,
        },
        None => Provenance {
            path: src.path.to_owned(),
            offset: 0,
            length: 0,
            sha256: String::new(),
            item: Some(item),
        },
    };
    let mut doc = Doc::new(Kind::Chat, format, source);
    doc.date_source = DateSource::Header;
    doc
}

/// Locating the items of a JSON export in its file. serde_json's `RawValue` borrows each value's
/// text from the input, so the place of a value is where its text starts in the file: the
/// parsers read values as they always did, and take their byte ranges from here.
pub(crate) mod json_span {
    use std::collections::HashMap;

    use serde_json::value::RawValue;

    /// The whole JSON text `json` as a raw value, when it is valid JSON.
    pub fn root(json: &[u8]) -> Option<&RawValue> {
        serde_json::from_str(std::str::from_utf8(json).ok()?).ok()
    }

    /// The value of `key` in the object `v` (the last one, as `serde_json::Value` keeps).
    pub fn field<'a>(v: &'a RawValue, key: &str) -> Option<&'a RawValue> {
        let map: HashMap<String, &'a RawValue> = serde_json::from_str(v.get()).ok()?;
        map.get(key).copied()
    }

    /// The elements of the array `v`, in order.
    pub fn items(v: &RawValue) -> Option<Vec<&RawValue>> {
        serde_json::from_str(v.get()).ok()
    }

    /// Where `v`, borrowed from `file`, lies in it.
    pub fn span<'f>(file: &'f [u8], v: &RawValue) -> Option<super::Span<'f>> {
        let start = (v.get().as_ptr() as usize).checked_sub(file.as_ptr() as usize)?;
        let bytes = file.get(start..start + v.get().len())?;
        Some((start as u64, bytes))
    }

    /// The spans of the elements of the array `v`.
    pub fn item_spans<'f>(file: &'f [u8], v: Option<&RawValue>) -> Option<Vec<super::Span<'f>>> {
        items(v?)?.into_iter().map(|i| span(file, i)).collect()
    }
}

/// Dates before this year are absurd, as for mail (1970 is what broken tools write for "none").
const EARLIEST_YEAR: i32 = 1980;

/// Records a message's date on `doc`: `raw` is the timestamp as written in the export (`None` or
/// blank when there was none) and `parsed` what it means in UTC (`None` when it could not be
/// read). Sets `date`, `date_raw` and `date_quality`; a date before 1980 or more than a day after
/// `now` is kept out of `date` and marked absurd.
pub(crate) fn set_date(
    doc: &mut Doc,
    raw: Option<&str>,
    parsed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    doc.date_source = DateSource::Header;
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    doc.date_raw = raw.map(str::to_owned);
    let Some(_) = raw else {
        doc.date = None;
        doc.date_quality = DateQuality::Missing;
        return;
    };
    match parsed {
        None => {
            doc.date = None;
            doc.date_quality = DateQuality::Unparseable;
        }
        Some(utc) => {
            let earliest = Utc.with_ymd_and_hms(EARLIEST_YEAR, 1, 1, 0, 0, 0).single();
            if earliest.is_some_and(|e| utc < e) || utc > now + Duration::days(1) {
                doc.date = None;
                doc.date_quality = DateQuality::Absurd;
            } else {
                doc.date = Some(utc);
                doc.date_quality = DateQuality::Ok;
            }
        }
    }
}

/// A chat account: `<service>:<id>` lower-cased in the address slot, the human name beside it.
/// Spaces inside the id become dots, so the address stays one token for queries and facets
/// (`whatsapp:sam.ortiz`).
/// Conversations with more participants than this list no recipients on each message: a
/// message to a channel of ten thousand members is not a message to each of them, and copying
/// every member into every message took memory and index space in the square of the members
/// (a 0.9 MB Telegram export with 1,000 writers took 461 MB to index). Such messages carry the
/// flag [`FLAG_RECIPIENTS_OMITTED`]; the conversation id still ties them to their channel.
pub const MAX_RECIPIENTS: usize = 50;
/// Flag: the conversation was too large to list its members as each message's recipients.
pub const FLAG_RECIPIENTS_OMITTED: &str = "recipients-omitted";

/// The recipients of a message in a conversation of `participants` accounts (its sender among
/// them): `list()`, or none and the flag when there are more than [`MAX_RECIPIENTS`] others.
pub(crate) fn recipients(
    participants: usize,
    doc: &mut Doc,
    list: impl FnOnce() -> Vec<Mailbox>,
) -> Vec<Mailbox> {
    if participants > MAX_RECIPIENTS + 1 {
        doc.flags.push(FLAG_RECIPIENTS_OMITTED);
        Vec::new()
    } else {
        list()
    }
}

pub(crate) fn account(service: &str, id: &str, name: Option<String>) -> Mailbox {
    let id = id.split_whitespace().collect::<Vec<_>>().join(".");
    Mailbox::new(
        &format!("{service}:{id}"),
        str::to_lowercase,
        name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
    )
}

/// Strips a UTF-8 byte order mark and leading whitespace.
/// The registry's sniff for the files of an export that hold names, not messages: Twitter's
/// `window.YTD.*` files other than direct messages, a Slack export's `.json` files at its root.
pub(crate) fn sniff_metadata(s: &Sniff) -> bool {
    s.head.starts_with(b"window.YTD.") || s.real.is_some_and(slack::is_metadata_file)
}

/// The registry's reader for export metadata: nothing to emit (the names are read when the
/// export's messages are). What the export loses when one cannot be read is said here, once
/// per file, so the run's summary and `trawl report` show it: the file is listed as
/// `export-degraded`. Twitter/X archive files that hold neither messages nor names (tweets,
/// likes, followers) are listed as `not-messages`, not booked as indexed.
pub(crate) fn read_metadata(
    unit: &Unit<'_>,
    _ctx: &Context,
    _emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let name = unit.name();
    if trim_start_bytes(unit.bytes).starts_with(b"window.YTD.") {
        if name != twitter::ACCOUNT_FILE {
            return Err(Skip::NotMessages(
                "Twitter/X archive data other than direct messages (tweets, likes, \
                 followers, ...): not indexed"
                    .into(),
            ));
        }
        return twitter::check_account(unit.bytes)
            .map(|()| Format::ExportMetadata)
            .map_err(|e| {
                Skip::DegradedExport(format!(
                    "{name} cannot be read ({e}): the archive's direct messages are indexed \
                     without its account names"
                ))
            });
    }
    if let Some((_, gives)) = slack::TABLES.iter().find(|(t, _)| *t == name) {
        slack::check_table(unit.bytes).map_err(|e| {
            Skip::DegradedExport(format!(
                "{name} is {e}: the export's messages are indexed without {gives}"
            ))
        })?;
    }
    Ok(Format::ExportMetadata)
}

pub(crate) fn trim_start_bytes(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// A string field of a JSON object, when present and a string.
pub(crate) fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// A JSON scalar used as an identifier (exports write ids as strings or as numbers), as a string.
pub(crate) fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The last path segment of a file path or URL (without query string or fragment).
pub(crate) fn file_name_of(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A MIME type guessed from a file name's extension; `application/octet-stream` when unknown.
pub(crate) fn mime_from_name(name: &str) -> String {
    let ext = match file_name_of(name).rsplit_once('.') {
        Some((_, ext)) => ext.to_ascii_lowercase(),
        None => return "application/octet-stream".into(),
    };
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "3gp" => "video/3gpp",
        "opus" | "ogg" => "audio/ogg",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "vcf" => "text/vcard",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
    .into()
}

/// Decodes the HTML entities chat exports escape text with (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&#39;`), leaving anything else untouched.
pub(crate) fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn chat_doc_fills_provenance() {
        let src = ChatSource {
            path: "/dump/x.json",
            now: now(),
            stated: None,
        };
        let a = chat_doc(&src, "slack", 0, Some((10, b"abc")));
        let b = chat_doc(&src, "slack", 1, Some((20, b"abc")));
        assert_eq!(a.kind, Kind::Chat);
        assert_eq!(a.source.item, None);
        assert_eq!((a.source.offset, a.source.length), (10, 3));
        assert_eq!(a.size, 3);
        assert_eq!(
            a.source.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(a.id, b.id);
        // Not located in the file: the message number tells it apart, and there is no hash.
        let c = chat_doc(&src, "slack", 2, None);
        let d = chat_doc(&src, "slack", 3, None);
        assert_eq!((c.source.item, c.source.sha256.as_str()), (Some(2), ""));
        assert_ne!(c.id, d.id);
    }

    #[test]
    fn set_date_judges_quality() {
        let src = ChatSource {
            path: "p",
            now: now(),
            stated: None,
        };
        let mut d = chat_doc(&src, "slack", 0, None);
        let t = Utc.with_ymd_and_hms(2016, 9, 20, 17, 30, 0).unwrap();
        set_date(&mut d, Some("x"), Some(t), now());
        assert_eq!((d.date, d.date_quality), (Some(t), DateQuality::Ok));
        set_date(&mut d, Some("x"), None, now());
        assert_eq!((d.date, d.date_quality), (None, DateQuality::Unparseable));
        set_date(&mut d, None, None, now());
        assert_eq!(d.date_quality, DateQuality::Missing);
        let old = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        set_date(&mut d, Some("0"), Some(old), now());
        assert_eq!((d.date, d.date_quality), (None, DateQuality::Absurd));
    }

    #[test]
    fn export_metadata_that_cannot_be_read_or_holds_no_messages_is_listed() {
        use crate::ingest::{ingest_bytes, Outcome};
        let read = |bytes: &[u8], path: &str| ingest_bytes(bytes, Path::new(path), now());
        let code = |o: Outcome| match o {
            Outcome::Skipped(s) => s.code(),
            Outcome::Indexed { format, .. } => format,
        };
        let tweets = b"window.YTD.tweets.part0 = [ {\"tweet\": {\"full_text\": \"hi\"}} ]";
        assert_eq!(code(read(tweets, "/x/data/tweets.js")), "not-messages");
        let account = b"window.YTD.account.part0 = [ {\"account\": {\"accountId\": \"1\"}} ]";
        assert_eq!(code(read(account, "/x/data/account.js")), "export-metadata");
        let Outcome::Skipped(s) = read(&account[..40], "/x/data/account.js") else {
            panic!("a truncated account.js is not listed")
        };
        assert_eq!(s.code(), "export-degraded");
        assert!(s.to_string().contains("without its account names"), "{s}");
    }

    #[test]
    fn helpers() {
        assert_eq!(file_name_of("https://x/y/z.jpg?a=1"), "z.jpg");
        assert_eq!(mime_from_name("IMG-1.JPG"), "image/jpeg");
        assert_eq!(mime_from_name("noext"), "application/octet-stream");
        assert_eq!(unescape_html("a &amp;lt; b"), "a &lt; b");
        assert_eq!(trim_start_bytes(b"\xEF\xBB\xBF  x"), b"x");
        assert_eq!(
            account("slack", "U1AB", Some(" A ".into())).address,
            "slack:u1ab"
        );
    }
}
