//! One RFC 5322 message, from raw bytes to a [`Doc`].
//!
//! MIME decoding (multipart, quoted-printable, base64, RFC 2047 words, charsets, HTML to text) is
//! mail-parser's job; this module decides what of the parsed message goes into the index:
//! addresses normalized to lower case, Enron-style `X-From`/`X-To`/`X-cc` display names where the
//! standard headers carry bare addresses, dates judged by [`super::date::assess`], the text of
//! forwarded `message/rfc822` parts appended to the carrier's body, and attachment names and types.
//! Every container format (single file, maildir, mbox) comes through [`parse_message`].

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use mail_parser::{
    Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType,
};

use super::date;
use super::format::{Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::{sha256_hex, Attachment, Doc, Kind, Mailbox, Provenance};

/// Where a message sits: which file, at which byte range, read as which format.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub path: &'a str,
    pub offset: u64,
    pub format: &'static str,
    /// The time of indexing, against which dates in the future are judged absurd.
    pub now: DateTime<Utc>,
}

/// Body text kept per message. Real message text is far smaller; beyond this it is a pasted
/// dump or a text attachment gone inline, and indexing more would only cost memory.
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// Forwarded messages nest; past this depth their text is not appended (mail bombs nest deeper).
const MAX_FORWARD_DEPTH: usize = 8;

/// The MIME parser, built once. It parses what [`fill_from_message`] reads as values: the MIME
/// headers (body decoding needs them), addresses, message ids and the subject. Every other
/// header is skipped over and kept only as a byte range, which is all [`raw_header`] reads
/// (`Date`, judged by our own parser, and Enron's `X-From`/`X-To`). mail-parser's default would
/// also parse dates, `Received` chains and every `X-` header into strings nobody reads.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_mime_headers()
        .with_address_headers()
        .with_message_ids()
        .header_text(HeaderName::Subject)
        .default_header_ignore()
});

/// Parses `raw` as one message. Never fails: mail-parser is best-effort, and a message it cannot
/// make sense of still yields a `Doc` with its provenance and whatever headers were readable.
pub fn parse_message(raw: &[u8], origin: Origin<'_>) -> Doc {
    parse_stored_message(raw, raw, origin)
}

/// Like [`parse_message`] for a message stored in a container that escapes it (mbox `>From`):
/// `stored` is the exact byte range in the file, which provenance (length, hash) describes, and
/// `message` the unescaped message that is parsed.
pub fn parse_stored_message(stored: &[u8], message: &[u8], origin: Origin<'_>) -> Doc {
    // The tree always starts with the message itself.
    parse_message_tree(stored, message, origin, None)
        .into_iter()
        .next()
        .unwrap_or_else(|| Doc::new(Kind::Email, origin.format, Provenance::default()))
}

/// The registry's sniff: the head is an RFC 5322 header block.
pub(crate) fn sniff(s: &Sniff) -> bool {
    super::detect::looks_like_message(s.head)
}

/// The registry's reader: one message, its attachments and forwarded messages.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, Format::Eml)
}

/// One message read as `format` (`eml`, or `maildir` for a message in a maildir).
pub(crate) fn read_as(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    format: Format,
) -> Result<Format, Skip> {
    let origin = Origin {
        path: unit.vpath,
        offset: 0,
        format: format.as_str(),
        now: ctx.now,
    };
    let docs = super::parse_bounded(unit.bytes, |b| {
        parse_message_tree(b, b, origin, unit.sha256)
    });
    docs.into_iter().for_each(emit);
    Ok(format)
}

/// The message and the documents found inside it: each forwarded `message/rfc822` part as a
/// message of its own, and each attachment whose text can be extracted (text, HTML, CSV, PDF,
/// DOCX, ODT) as an `attachment` document. Children point to their carrier through `parent`
/// and share its path and offset, told apart by `item`. The message always comes first.
/// `stored_sha256` is the hash of `stored` when the caller already has it (a message that is a
/// whole file was hashed as the file).
pub fn parse_message_tree(
    stored: &[u8],
    message: &[u8],
    origin: Origin<'_>,
    stored_sha256: Option<&str>,
) -> Vec<Doc> {
    debug_assert!(stored_sha256.is_none_or(|h| h == sha256_hex(stored)));
    let source = Provenance {
        path: origin.path.to_owned(),
        offset: origin.offset,
        length: stored.len() as u64,
        sha256: stored_sha256.map_or_else(|| sha256_hex(stored), str::to_owned),
        item: None,
    };
    let mut doc = Doc::new(Kind::Email, origin.format, source);
    let (raw, flag) = prepare(message);
    doc.flags.extend(flag);
    let Some(msg) = PARSER.parse(&raw) else {
        doc.flags.push("unparsed");
        return vec![doc];
    };
    fill_from_message(&mut doc, &msg, origin.now);
    let mut out = vec![doc];
    children(&msg, 0, 0, origin, &mut out);
    out
}

/// The bytes the MIME parser is given for `message`, and the flag that says what was wrong
/// with them: leading blank lines dropped (they would read as an empty header block), a header
/// block that runs into the body repaired (`no-header-separator`), or none (`truncated`).
fn prepare(message: &[u8]) -> (Cow<'_, [u8]>, Option<&'static str>) {
    let raw = &message[message
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(message.len())..];
    match repair_header_end(raw) {
        Some(fixed) => (Cow::Owned(fixed), Some("no-header-separator")),
        None if !has_header_body_separator(raw) => (Cow::Borrowed(raw), Some("truncated")),
        None => (Cow::Borrowed(raw), None),
    }
}

/// The contents of the part numbered `item` (as [`parse_message_tree`] numbers attachments and
/// forwarded messages) of the message stored as `stored` in a file read as `format`: an
/// attachment's contents decoded from their transfer encoding (text parts also from their
/// charset), a forwarded message's bytes. What `trawl show --raw` gives for such documents.
pub fn stored_part_contents(stored: &[u8], format: &str, item: u64) -> Option<Vec<u8>> {
    let message = if format == Format::Mbox.as_str() {
        super::mbox::message_of_stored(stored)
    } else {
        Cow::Borrowed(stored)
    };
    let (raw, _) = prepare(&message);
    let msg = PARSER.parse(&raw)?;
    find_part(&msg, 0, item)
}

/// Walks the parts of `msg` as [`children`] does, to the one numbered `item`.
fn find_part(msg: &Message<'_>, base: u64, item: u64) -> Option<Vec<u8>> {
    if base >= MAX_ITEM_BASE || item < base {
        return None;
    }
    for (n, part) in msg.attachments().filter(|p| !is_inline_text(p)).enumerate() {
        let this = base + n as u64;
        if this == item {
            return Some(part.contents().to_vec());
        }
        if let Some(inner) = part.message() {
            if let Some(found) = find_part(inner, (this + 1) * 1000, item) {
                return Some(found);
            }
        }
    }
    None
}

/// Forwarded messages number their parts from `(item + 1) * 1000`; past this, deeper
/// forwards are not read as documents.
const MAX_ITEM_BASE: u64 = 1000u64.pow(3);

/// Appends the children of `msg` (whose document is `out[parent_index]`) to `out`. Items are
/// numbered `base + n`; a forwarded message's own children get `(item + 1) * 1000 + m`.
fn children(
    msg: &Message<'_>,
    parent_index: usize,
    base: u64,
    origin: Origin<'_>,
    out: &mut Vec<Doc>,
) {
    if base >= MAX_ITEM_BASE {
        return;
    }
    let parent_id = out[parent_index].id;
    // Every part points at the range of the message it was found in (the root's), and its
    // item says which part; its hash is of its own contents, which is what `show --raw` gives.
    let carrier_length = out[0].source.length;
    for (n, part) in msg.attachments().filter(|p| !is_inline_text(p)).enumerate() {
        let item = base + n as u64;
        let bytes = part.contents();
        let source = Provenance {
            path: origin.path.to_owned(),
            offset: origin.offset,
            length: carrier_length,
            sha256: sha256_hex(bytes),
            item: Some(item),
        };
        if let Some(inner) = part.message() {
            let mut d = Doc::new(Kind::Email, origin.format, source);
            d.size = bytes.len() as u64;
            d.parent = Some(parent_id);
            d.flags.push("forwarded");
            fill_from_message(&mut d, inner, origin.now);
            out.push(d);
            let idx = out.len() - 1;
            children(inner, idx, (item + 1) * 1000, origin, out);
            continue;
        }
        let name = part.attachment_name().unwrap_or("attachment");
        if let Some(d) = attachment_doc(&out[parent_index], source, name, bytes) {
            out.push(d);
        }
    }
}

/// The `attachment` document of a file named `name` carried by the message `carrier`, with
/// the text extracted from `bytes` (the file's contents, as `source` hashes them), or none
/// when the file is of no format whose text trawl extracts (an image, an executable). It takes
/// the carrier's sender, recipients and date: the date it was sent is the date it is known by.
pub(crate) fn attachment_doc(
    carrier: &Doc,
    source: Provenance,
    name: &str,
    bytes: &[u8],
) -> Option<Doc> {
    let format = super::document::sniff(bytes, name)?;
    let mut d = Doc::new(Kind::Attachment, format.as_str(), source);
    d.size = bytes.len() as u64;
    d.parent = Some(carrier.id);
    d.subject = name.to_owned();
    d.from = carrier.from.clone();
    d.to = carrier.to.clone();
    d.cc = carrier.cc.clone();
    d.bcc = carrier.bcc.clone();
    d.date = carrier.date;
    d.date_quality = carrier.date_quality;
    d.date_raw = carrier.date_raw.clone();
    d.tz_offset_minutes = carrier.tz_offset_minutes;
    match super::document::extract(bytes, format) {
        Ok(x) => {
            d.body = x.text;
            d.flags.extend(x.flags);
        }
        Err(super::document::ExtractError::Encrypted(_)) => d.flags.push("encrypted"),
        Err(_) => d.flags.push("unextractable"),
    }
    Some(d)
}

fn fill_from_message(doc: &mut Doc, msg: &Message<'_>, now: DateTime<Utc>) {
    doc.message_id = msg.message_id().map(clean_id);
    doc.in_reply_to = ids(msg.in_reply_to());
    doc.references = ids(msg.references());
    doc.from = msg.from().and_then(|a| mailboxes(a).into_iter().next());
    doc.to = msg.all_to().flat_map(mailboxes).collect();
    doc.cc = msg.all_cc().flat_map(mailboxes).collect();
    doc.bcc = msg.all_bcc().flat_map(mailboxes).collect();
    fill_enron_names(doc, msg);

    let raw_date = raw_header(msg, HeaderName::Date);
    let assessed = date::assess(raw_date.as_deref(), now);
    doc.date = assessed.utc;
    doc.tz_offset_minutes = assessed.offset_minutes;
    doc.date_quality = assessed.quality;
    doc.date_raw = raw_date;

    doc.subject = msg
        .subject()
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let mut body = String::new();
    append_body(&mut body, msg, 0);
    if body.len() > MAX_BODY_BYTES {
        let mut cut = MAX_BODY_BYTES;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        doc.flags.push("body-truncated");
    }
    doc.body = body;
    doc.attachments = attachments(msg);
    if msg.parts.iter().any(|p| p.is_encoding_problem) {
        doc.flags.push("encoding-problem");
    }
    doc.flags.extend(super::crypto::flags(msg));
}

/// A header's value as written, unfolded, or `None` when absent.
fn raw_header(msg: &Message<'_>, name: HeaderName<'static>) -> Option<String> {
    let raw = msg.header_raw(name)?.trim();
    // Unfold: each line break and the whitespace around it become one space.
    let mut out = String::with_capacity(raw.len());
    for line in raw.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    (!out.is_empty()).then_some(out)
}

fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![clean_id(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| clean_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn mailboxes(a: &Address<'_>) -> Vec<Mailbox> {
    a.iter()
        .filter_map(|addr| {
            let mut mailbox = Mailbox::new(addr.address().unwrap_or(""), normalize_address, None);
            mailbox.name = addr
                .name()
                .map(|n| n.trim().trim_matches(['"', '\'']).trim().to_owned())
                .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&mailbox.address));
            (!mailbox.address.is_empty() || mailbox.name.is_some()).then_some(mailbox)
        })
        .collect()
}

/// Addresses compare case-insensitively in practice (RFC 5321 leaves the local part to the host;
/// no host of note honours case), so the index keeps them lower-cased.
pub fn normalize_address(a: &str) -> String {
    a.trim()
        .trim_matches(['<', '>', '\'', '"'])
        .trim()
        .to_lowercase()
}

/// Enron's release (and Exchange exports like it) put bare addresses in `From`/`To` and the
/// display names in `X-From`/`X-To`/`X-cc`/`X-bcc`. Fill names that the standard headers lack.
fn fill_enron_names(doc: &mut Doc, msg: &Message<'_>) {
    if let Some(from) = doc.from.as_mut().filter(|m| m.name.is_none()) {
        if let Some(name) = x_names(msg, "X-From").into_iter().next() {
            from.name = Some(name);
        }
    }
    for (header, list) in [
        ("X-To", &mut doc.to),
        ("X-cc", &mut doc.cc),
        ("X-bcc", &mut doc.bcc),
    ] {
        if list.iter().all(|m| m.name.is_some()) {
            continue;
        }
        let names = x_names(msg, header);
        if !names.is_empty() {
            assign_names(list, &names);
        }
    }
}

/// Reads an `X-To`-style header into display names. Entries look like `Name </O=ORG/CN=X>`,
/// `Name <addr>`, `addr` or `Last, First </O=...>`; commas inside a name end only where an
/// entry is closed by `>` or is a bare address.
fn x_names(msg: &Message<'_>, header: &str) -> Vec<String> {
    let Some(raw) = raw_header(msg, HeaderName::Other(Cow::Owned(header.to_owned()))) else {
        return Vec::new();
    };
    split_x_list(&raw)
}

fn split_x_list(raw: &str) -> Vec<String> {
    let structured = raw.contains('<') || raw.contains('@');
    // Entries are ranges of `raw`: `start` is where the current one begins, `pos` where the
    // next comma-separated piece begins. Empty pieces before an entry's first text are skipped.
    let mut entries: Vec<&str> = Vec::new();
    let (mut start, mut pos) = (0, 0);
    for piece in raw.split(',') {
        let end = pos + piece.len();
        if start == pos && piece.is_empty() {
            start = end + 1;
        } else if !structured || piece.contains('>') || piece.contains('@') {
            entries.push(&raw[start..end]);
            start = end + 1;
        }
        pos = end + 1;
    }
    if let Some(rest) = raw.get(start..).filter(|r| !r.trim().is_empty()) {
        entries.push(rest);
    }
    entries.iter().filter_map(|e| entry_name(e)).collect()
}

/// The display name of one X-list entry (`Name <addr>`, `Name`, `"Name" </O=...>`); none for a
/// bare address or an empty name.
fn entry_name(entry: &str) -> Option<String> {
    let name = match entry.find('<') {
        Some(i) => &entry[..i],
        None if entry.contains('@') => "",
        None => entry,
    };
    let name = name.trim().trim_matches('"').trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Gives each unnamed mailbox the X-header name whose words contain all the words of its
/// address's local part (`grace.rodriguez` ↔ `Rodriguez, Grace`); when that finds nothing and the
/// counts agree, pairs them by position, which is how the Enron export wrote them.
fn assign_names(list: &mut [Mailbox], names: &[String]) {
    assign_names_indexed_above(list, names, 256);
}

/// [`assign_names`], with the names indexed by word when there are more than `index_above`
/// (unnamed address, name) pairs to try. Enron lists run to hundreds of names and addresses,
/// where a scan of every name per address is quadratic; most messages have a handful, where a
/// scan costs less than building the index. Either way the first name in order that contains
/// all of an address's words wins.
fn assign_names_indexed_above(list: &mut [Mailbox], names: &[String], index_above: usize) {
    let words_of: Vec<Vec<Cow<'_, str>>> = names.iter().map(|n| name_words(n)).collect();
    let unnamed = list.iter().filter(|m| m.name.is_none()).count();
    let mut by_word: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    if unnamed * names.len() > index_above {
        for (i, words) in words_of.iter().enumerate() {
            for w in words {
                let ids = by_word.entry(w.as_ref()).or_default();
                if ids.last() != Some(&i) {
                    ids.push(i);
                }
            }
        }
    }
    let mut matched = false;
    for m in list.iter_mut().filter(|m| m.name.is_none()) {
        let local = m.address.split('@').next().unwrap_or_default();
        let local_words = name_words(local);
        let Some((first, rest)) = local_words.split_first() else {
            continue;
        };
        let has_all = |i: &usize| rest.iter().all(|w| words_of[*i].contains(w));
        let found = if by_word.is_empty() {
            (0..names.len()).find(|i| words_of[*i].contains(first) && has_all(i))
        } else {
            by_word
                .get(first.as_ref())
                .and_then(|ids| ids.iter().copied().find(has_all))
        };
        if let Some(i) = found {
            m.name = Some(names[i].clone());
            matched = true;
        }
    }
    if !matched && list.len() == names.len() {
        for (m, n) in list.iter_mut().zip(names) {
            if m.name.is_none() {
                m.name = Some(n.clone());
            }
        }
    }
}

/// The lower-cased words of a name or an address's local part, one-letter words left out.
/// Words already in lower-case ASCII (all of an address, most of a name) are borrowed.
fn name_words(s: &str) -> Vec<Cow<'_, str>> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                Cow::Borrowed(w)
            } else {
                Cow::Owned(w.to_lowercase())
            }
        })
        .collect()
}

/// Appends the message's text bodies, then the headers and text of each forwarded message.
fn append_body(out: &mut String, msg: &Message<'_>, depth: usize) {
    for i in 0..msg.text_body_count() {
        if let Some(t) = msg.body_text(i) {
            push_paragraph(out, t.trim_end());
        }
    }
    if msg.text_body_count() == 0 {
        for i in 0..msg.html_body_count() {
            if let Some(PartType::Html(h)) = msg.html_part(i as u32).map(|p| &p.body) {
                push_paragraph(out, mail_parser::decoders::html::html_to_text(h).trim_end());
            }
        }
    }
    // Unnamed inline text parts that mail-parser files as attachments (a second text/plain part
    // of a multipart/mixed, say) are part of what the sender wrote.
    for part in msg.attachments().filter(|p| is_inline_text(p)) {
        match &part.body {
            PartType::Text(t) => push_paragraph(out, t.trim_end()),
            PartType::Html(h) => {
                push_paragraph(out, mail_parser::decoders::html::html_to_text(h).trim_end())
            }
            _ => {}
        }
    }
    if depth >= MAX_FORWARD_DEPTH {
        return;
    }
    for part in msg.attachments() {
        if let Some(inner) = part.message() {
            let mut header = String::from("---------- Forwarded message ----------");
            for (label, value) in [
                (
                    "From",
                    inner
                        .from()
                        .and_then(|a| mailboxes(a).into_iter().next())
                        .map(|m| m.display()),
                ),
                ("Date", raw_header(inner, HeaderName::Date)),
                ("Subject", inner.subject().map(str::to_owned)),
                (
                    "To",
                    Some(
                        inner
                            .all_to()
                            .flat_map(mailboxes)
                            .map(|m| m.display())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ),
            ] {
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    header.push_str(&format!("\n{label}: {v}"));
                }
            }
            push_paragraph(out, &header);
            append_body(out, inner, depth + 1);
        }
    }
}

fn push_paragraph(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(text);
}

/// A text part with no file name and no `Content-Disposition: attachment`: body text, not a file.
fn is_inline_text(part: &mail_parser::MessagePart<'_>) -> bool {
    part.is_text()
        && part.attachment_name().is_none()
        && !part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
}

fn attachments(msg: &Message<'_>) -> Vec<Attachment> {
    msg.attachments()
        .filter(|p| !is_inline_text(p))
        .map(|part| {
            let mime_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .map(|t| t.to_ascii_lowercase())
                .unwrap_or_else(|| {
                    if part.is_message() {
                        "message/rfc822"
                    } else {
                        "application/octet-stream"
                    }
                    .into()
                });
            let name = part.attachment_name().map(str::to_owned).or_else(|| {
                part.message()
                    .and_then(|m| m.subject())
                    .map(|s| format!("{s}.eml"))
            });
            Attachment {
                name,
                mime_type,
                size: part.len() as u64,
            }
        })
        .collect()
}

/// When the header block runs into the body without the blank line RFC 5322 requires (the Enron
/// release has such messages), returns a copy with the blank line inserted before the first line
/// that is not a header, so the body is not swallowed as broken headers.
fn repair_header_end(raw: &[u8]) -> Option<Vec<u8>> {
    let mut pos = 0;
    let mut headers = 0;
    while pos < raw.len() {
        let end = raw[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            return None;
        }
        let is_header = content.starts_with(b" ")
            || content.starts_with(b"\t")
            || content
                .iter()
                .position(|&b| b == b':')
                .is_some_and(|i| super::detect::is_field_name(&content[..i]));
        if !is_header {
            if headers < 2 {
                return None;
            }
            let eol: &[u8] = if line.ends_with(b"\r\n") {
                b"\r\n"
            } else {
                b"\n"
            };
            let mut fixed = Vec::with_capacity(raw.len() + 2);
            fixed.extend_from_slice(&raw[..pos]);
            fixed.extend_from_slice(eol);
            fixed.extend_from_slice(&raw[pos..]);
            return Some(fixed);
        }
        headers += 1;
        pos = end;
    }
    None
}

/// True when the headers end: a blank line (LF or CRLF) occurs. A message cut off inside its
/// headers lacks one; it is indexed best-effort and flagged `truncated`.
fn has_header_body_separator(raw: &[u8]) -> bool {
    // Searched whole messages (CRLF ones twice): memmem, not a byte-by-byte window.
    memchr::memmem::find(raw, b"\n\n").is_some() || memchr::memmem::find(raw, b"\r\n\r\n").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DateQuality;
    use chrono::TimeZone;

    /// The string-building [`split_x_list`] (its splitting; each entry's name is read by the
    /// shared [`entry_name`]) and the scan-every-name [`assign_names`] this module had before
    /// they were made to allocate less; the faster ones must agree with them.
    fn split_x_list_reference(raw: &str) -> Vec<String> {
        let structured = raw.contains('<') || raw.contains('@');
        let mut entries = Vec::new();
        let mut current = String::new();
        for piece in raw.split(',') {
            if !current.is_empty() {
                current.push(',');
            }
            current.push_str(piece);
            if !structured || piece.contains('>') || piece.contains('@') {
                entries.push(std::mem::take(&mut current));
            }
        }
        if !current.trim().is_empty() {
            entries.push(current);
        }
        entries.iter().filter_map(|e| entry_name(e)).collect()
    }

    fn assign_names_reference(list: &mut [Mailbox], names: &[String]) {
        fn words(s: &str) -> Vec<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 1)
                .map(str::to_lowercase)
                .collect()
        }
        let name_words: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
        let mut matched = false;
        for m in list.iter_mut().filter(|m| m.name.is_none()) {
            let local = m.address.split('@').next().unwrap_or_default();
            let local_words = words(local);
            if local_words.is_empty() {
                continue;
            }
            if let Some(i) = name_words
                .iter()
                .position(|nw| local_words.iter().all(|w| nw.contains(w)))
            {
                m.name = Some(names[i].clone());
                matched = true;
            }
        }
        if !matched && list.len() == names.len() {
            for (m, n) in list.iter_mut().zip(names) {
                if m.name.is_none() {
                    m.name = Some(n.clone());
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(3000))]

        /// X-To style lists built from names, addresses, Exchange paths, quotes and stray
        /// commas split into the same names as before.
        #[test]
        fn x_list_split_agrees_with_the_reference(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Rodriguez", " Grace", "\"Tim Belden\"", " <tim.belden@enron.com>", "",
                    " ", "a@b.example", "</O=ENRON/OU=NA/CN=RECIPIENTS/CN=GRODRIG>", "Émile",
                    "Mike Swerzbin", "<", ">", "@",
                ]),
                0..8,
            ),
        ) {
            let raw = pieces.join(",");
            proptest::prop_assert_eq!(split_x_list(&raw), split_x_list_reference(&raw));
        }

        /// Addresses and names with shared, repeated, accented and upper-case words get the
        /// same names as the scan over every name gave them.
        #[test]
        fn name_assignment_agrees_with_the_reference(
            addresses in proptest::collection::vec(
                proptest::sample::select(vec![
                    "grace.rodriguez@enron.com", "tim.belden@enron.com", "tim@enron.com",
                    "x@enron.com", "émile.zola@ex.fr", "mike_swerzbin@enron.com", "@enron.com",
                    "belden.tim.belden@x", "ISTANBUL@x",
                ]),
                0..6,
            ),
            named in proptest::collection::vec(proptest::bool::ANY, 6),
            names in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Rodriguez, Grace", "Tim Belden", "Belden, Tim", "Tim", "Émile Zola",
                    "EMILE ZOLA", "Swerzbin, Mike", "İstanbul", "a b", "Grace Rodriguez-Tim",
                ]),
                0..6,
            ),
        ) {
            let list: Vec<Mailbox> = addresses
                .iter()
                .zip(&named)
                .map(|(a, &n)| Mailbox {
                    address: a.to_lowercase(),
                    name: n.then(|| "Given".to_owned()),
                    written: None,
                })
                .collect();
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let mut reference = list.clone();
            assign_names_reference(&mut reference, &names);
            // Both ways of finding the name: scanning the names, and the index by word.
            for index_above in [usize::MAX, 0] {
                let mut fast = list.clone();
                assign_names_indexed_above(&mut fast, &names, index_above);
                proptest::prop_assert_eq!(&fast, &reference);
            }
        }
    }

    fn origin() -> Origin<'static> {
        Origin {
            path: "/dump/x.eml",
            offset: 0,
            format: "eml",
            now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn enron_x_headers_fill_display_names() {
        let raw = b"Message-ID: <1.JavaMail.evans@thyme>\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\nFrom: phillip.allen@enron.com\nTo: tim.belden@enron.com, grace.rodriguez@enron.com\nSubject: Hi\nX-From: Phillip K Allen\nX-To: Belden, Tim </O=ENRON/OU=NA/CN=RECIPIENTS/CN=Tbelden>, Rodriguez, Grace </O=ENRON/OU=NA/CN=RECIPIENTS/CN=Grodriq>\nX-cc: \n\nBody here\n";
        let d = parse_message(raw, origin());
        assert_eq!(
            d.from.as_ref().unwrap().name.as_deref(),
            Some("Phillip K Allen")
        );
        assert_eq!(d.to[0].name.as_deref(), Some("Belden, Tim"));
        assert_eq!(d.to[1].name.as_deref(), Some("Rodriguez, Grace"));
        assert_eq!(d.message_id.as_deref(), Some("1.JavaMail.evans@thyme"));
        assert_eq!(d.date_quality, DateQuality::Ok);
        assert_eq!(d.tz_offset_minutes, Some(-420));
    }

    #[test]
    fn x_list_splitting() {
        assert_eq!(
            split_x_list(
                "jlakin@okc.example, Motley, Matt </O=ENRON/CN=MMOTLEY>, Bryan Fried <b@x.example>"
            ),
            vec!["Motley, Matt", "Bryan Fried"]
        );
        assert_eq!(
            split_x_list("Tim Belden, Mike Swerzbin"),
            vec!["Tim Belden", "Mike Swerzbin"]
        );
        assert!(split_x_list("  ").is_empty());
    }

    #[test]
    fn addresses_are_lowercased_and_names_kept() {
        let raw = b"From: \"Ortiz, Sam\" <Sam.Ortiz@Reyes2016.Example.com>\nTo: Undisclosed recipients:;\nCc: a@b.example\nSubject: =?ISO-8859-1?Q?demand=E9?=\n\nx\n";
        let d = parse_message(raw, origin());
        let from = d.from.unwrap();
        assert_eq!(from.address, "sam.ortiz@reyes2016.example.com");
        assert_eq!(from.name.as_deref(), Some("Ortiz, Sam"));
        assert_eq!(d.subject, "demandé");
        assert_eq!(d.cc[0].address, "a@b.example");
        assert_eq!(d.date_quality, DateQuality::Missing);
    }

    #[test]
    fn truncated_headers_are_flagged_not_fatal() {
        let d = parse_message(
            b"From: a@b.example\nSubject: Budget\nContent-Type: multipart/mixed; bound",
            origin(),
        );
        assert!(d.flags.contains(&"truncated"));
        assert_eq!(d.subject, "Budget");
    }

    #[test]
    fn forwarded_message_text_is_part_of_the_carrier() {
        let raw = b"From: j@k.example\nTo: h@k.example\nSubject: Fwd\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nsee below\n--XX\nContent-Type: message/rfc822\n\nFrom: d@k.example\nSubject: Inner\nDate: Wed, 21 Sep 2016 10:00:00 -0400\n\ninner words here\n--XX--\n";
        let d = parse_message(raw, origin());
        assert!(d.body.contains("see below"));
        assert!(d.body.contains("inner words here"), "{}", d.body);
        assert!(d.body.contains("Subject: Inner"));
        assert_eq!(d.attachments.len(), 1);
        assert_eq!(d.attachments[0].mime_type, "message/rfc822");
    }

    #[test]
    fn leading_blank_lines_are_skipped() {
        let d = parse_message(
            b"\r\n\nFrom: a@b.example\nSubject: Hello\n\nbody\n",
            origin(),
        );
        assert_eq!(d.subject, "Hello");
        assert_eq!(
            d.source.length, 42,
            "provenance covers the stored bytes, blank lines included"
        );
    }

    #[test]
    fn headers_running_into_the_body_are_repaired() {
        let raw = b"Date: Mon, 10 Dec 2001 14:59:55 -0800 (PST)\nFrom: brad.jones@enron.com\nSubject: Gas P&L by day\nAttached is the information you have requested.\n\nThanks,\nBrad\n";
        let d = parse_message(raw, origin());
        assert_eq!(d.subject, "Gas P&L by day");
        assert!(
            d.body.starts_with("Attached is the information"),
            "{:?}",
            d.body
        );
        assert!(d.flags.contains(&"no-header-separator"));
        assert_eq!(d.source.length, raw.len() as u64);
        assert_eq!(d.source.sha256, sha256_hex(raw));
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = b"From: a@b.example\nContent-Type: text/html\n\n<html><style>p{color:red}</style><p>quarterly &amp; donor</p></html>\n";
        let d = parse_message(raw, origin());
        assert!(d.body.contains("quarterly & donor"), "{:?}", d.body);
        assert!(!d.body.contains("color"));
    }
}
