//! Outlook `.msg` files: one message saved from Outlook, a compound file (CFB/OLE2, read by the
//! `cfb` crate) whose storages hold MAPI properties ([MS-OXMSG]; `props.rs` reads them).
//!
//! A message becomes an `email` document: sender and recipients (display names, and SMTP
//! addresses where the file has them: `PR_SENDER_SMTP_ADDRESS`, a recipient's
//! `PR_SMTP_ADDRESS`, else an e-mail address that is one), the date it was sent
//! (`PR_CLIENT_SUBMIT_TIME`, else `PR_MESSAGE_DELIVERY_TIME`), subject, Message-ID and the ids
//! it replies to, and its body: plain text, else HTML turned into text, else the compressed RTF
//! body decompressed (`rtf.rs`). ANSI strings are decoded with the message's code page
//! (`PR_MESSAGE_CODEPAGE`, else `PR_INTERNET_CPID`, else the locale's, else windows-1252).
//!
//! Attachments are numbered in the order of their storages, from 0; those whose text trawl
//! extracts become `attachment` documents, and an attached message (`ATTACH_EMBEDDED_MSG`) an
//! `email` document of its own whose attachments are numbered from `(item + 1) * 1000`, as
//! forwarded parts of mail are (see [`super::eml`]). `show --raw` gives an attachment's bytes
//! ([`part_contents`]); an attached message is a storage inside the file, not a run of bytes,
//! so it is refused, pointing at the file.
//!
//! Legacy Office files (`.doc`, `.xls`, `.ppt`) are compound files too: the sniff claims only
//! files whose directory shows Outlook's streams or class id, or, when the directory lies past
//! the head, files named `.msg`.

mod props;
mod rtf;

use std::cell::RefCell;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::format::{Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::{sha256_hex, Attachment, DateSource, Doc, Kind, Mailbox, Provenance};
pub(crate) use props::{clean_string, filetime};
use props::{File, Props};

/// The magic number of a compound file.
pub(crate) const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The class id Outlook gives a message's root storage (`{00020D0B-0000-0000-C000-000000000046}`),
/// as stored.
const MSG_CLSID: [u8; 16] = [
    0x0b, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];

/// Names of the streams and storages only an Outlook message has.
const MSG_NAMES: [&str; 5] = [
    "__substg1.0_",
    "__properties_version1.0",
    "__nameid_version1.0",
    "__recip_version1.0_",
    "__attach_version1.0_",
];

// MAPI property ids.
const PR_MESSAGE_CLASS: u16 = 0x001A;
const PR_SUBJECT: u16 = 0x0037;
const PR_CLIENT_SUBMIT_TIME: u16 = 0x0039;
const PR_SENT_REPRESENTING_NAME: u16 = 0x0042;
const PR_SENT_REPRESENTING_EMAIL: u16 = 0x0065;
const PR_TRANSPORT_MESSAGE_HEADERS: u16 = 0x007D;
const PR_RECIPIENT_TYPE: u16 = 0x0C15;
const PR_SENDER_NAME: u16 = 0x0C1A;
const PR_SENDER_EMAIL: u16 = 0x0C1F;
const PR_MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
const PR_BODY: u16 = 0x1000;
const PR_RTF_COMPRESSED: u16 = 0x1009;
const PR_HTML: u16 = 0x1013;
const PR_INTERNET_MESSAGE_ID: u16 = 0x1035;
const PR_INTERNET_REFERENCES: u16 = 0x1039;
const PR_IN_REPLY_TO_ID: u16 = 0x1042;
const PR_DISPLAY_NAME: u16 = 0x3001;
const PR_EMAIL_ADDRESS: u16 = 0x3003;
pub(crate) const PR_ATTACH_DATA: u16 = 0x3701;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_ATTACH_METHOD: u16 = 0x3705;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_MIME_TAG: u16 = 0x370E;
const PR_SMTP_ADDRESS: u16 = 0x39FE;
const PR_INTERNET_CPID: u16 = 0x3FDE;
const PR_MESSAGE_LOCALE_ID: u16 = 0x3FF1;
const PR_MESSAGE_CODEPAGE: u16 = 0x3FFD;
const PR_SENDER_SMTP_ADDRESS: u16 = 0x5D01;
const PR_SENT_REPRESENTING_SMTP_ADDRESS: u16 = 0x5D02;

pub(crate) const ATTACH_EMBEDDED_MSG: i32 = 5;

/// Attached messages nest; past this depth their messages are reported, not read (the item
/// numbers of a deeper one would pass [`MAX_ITEM_BASE`]).
pub(crate) const MAX_ITEM_BASE: u64 = 1000u64.pow(3);

/// The registry's sniff: a compound file that shows itself to be an Outlook message.
pub(crate) fn sniff(s: &Sniff) -> bool {
    if !s.head.starts_with(CFB_MAGIC) {
        return false;
    }
    match directory_in_head(s.head) {
        Some(looks) => looks,
        None => s.name.to_ascii_lowercase().ends_with(".msg"),
    }
}

/// Whether the first directory sector, when it lies in `head`, shows an Outlook message: the
/// root's class id, or a name only MSG files use. None when the sector is not in the head.
fn directory_in_head(head: &[u8]) -> Option<bool> {
    let shift = u16::from_le_bytes([*head.get(0x1E)?, *head.get(0x1F)?]);
    if !(7..=16).contains(&shift) {
        return Some(false);
    }
    let sector = 1usize << shift;
    let first = u32::from_le_bytes(head.get(0x30..0x34)?.try_into().ok()?) as usize;
    let start = first.checked_add(1)?.checked_mul(sector)?;
    let dir = head.get(start..start.checked_add(sector)?)?;
    if dir.get(80..96) == Some(&MSG_CLSID[..]) {
        return Some(true);
    }
    Some(dir.chunks_exact(128).any(|entry| {
        let len = (u16::from_le_bytes([entry[64], entry[65]]) as usize).min(64);
        let units: Vec<u16> = entry[..len]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let name = String::from_utf16_lossy(&units);
        MSG_NAMES.iter().any(|n| name.starts_with(n))
    }))
}

/// The registry's reader: the message, its attachments and attached messages.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let file = open(unit.bytes)?;
    let source = Provenance {
        path: unit.vpath.to_owned(),
        offset: 0,
        length: unit.bytes.len() as u64,
        sha256: unit
            .sha256
            .map_or_else(|| sha256_hex(unit.bytes), str::to_owned),
        item: None,
    };
    let reader = Reader {
        file: &file,
        path: unit.vpath,
        length: unit.bytes.len() as u64,
        now: ctx.now,
    };
    let mut out = Vec::new();
    reader.message(Path::new("/"), 32, source, None, 0, &mut out, skip);
    out.into_iter().for_each(emit);
    Ok(Format::Msg)
}

/// The compound file in `bytes`, if it is an Outlook message.
fn open(bytes: &[u8]) -> Result<File<'_>, Skip> {
    let cf = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| Skip::Unextractable(format!("not a readable compound file: {e}")))?;
    if !cf.is_stream("/__properties_version1.0") {
        return Err(Skip::Unextractable(
            "a compound file without the property stream of an Outlook message".into(),
        ));
    }
    Ok(RefCell::new(cf))
}

/// The bytes `show --raw` gives for the part numbered `item` of the MSG file `bytes`: an
/// attachment's contents. An attached message is a storage, not a run of bytes: refused.
pub fn part_contents(bytes: &[u8], item: u64) -> Result<Vec<u8>, PartError> {
    let file = open(bytes).map_err(|_| PartError::NotThere)?;
    let mut storage = PathBuf::from("/");
    let mut base = 0u64;
    let mut header = 32;
    loop {
        if item < base {
            return Err(PartError::NotThere);
        }
        let props = Props::read(&file, &storage, header);
        let attachments = props.children("__attach_version1.0_#");
        // The attachment whose number is `item`, or the attached message whose parts hold it.
        let mut next = None;
        for (n, a) in attachments.iter().enumerate() {
            let this = base + n as u64;
            let a = Props::read(&file, a, 8);
            let embedded = a.object(PR_ATTACH_DATA);
            if this == item {
                return match embedded {
                    Some(_) => Err(PartError::Embedded),
                    None => a.binary(PR_ATTACH_DATA).ok_or(PartError::NotThere),
                };
            }
            let inner_base = (this + 1) * 1000;
            if let Some(inner) = embedded {
                if item >= inner_base && item < inner_base.saturating_mul(1000) {
                    next = Some((inner, inner_base));
                }
            }
        }
        let (inner, inner_base) = next.ok_or(PartError::NotThere)?;
        storage = inner;
        base = inner_base;
        header = 24;
    }
}

/// Why a part of an MSG file cannot be given.
#[derive(Debug, PartialEq, Eq)]
pub enum PartError {
    NotThere,
    /// The part is an attached message: a storage of the file, not bytes.
    Embedded,
}

/// Reads messages out of one compound file.
struct Reader<'f, 'a> {
    file: &'f File<'a>,
    path: &'f str,
    /// Length of the whole file: every part's provenance points at this range.
    length: u64,
    now: DateTime<Utc>,
}

impl Reader<'_, '_> {
    /// Appends the message in `storage` (whose property header is `header` bytes), then its
    /// attachments and attached messages, to `out`. `base` numbers its attachments.
    #[allow(clippy::too_many_arguments)]
    fn message(
        &self,
        storage: &Path,
        header: usize,
        source: Provenance,
        parent: Option<u64>,
        base: u64,
        out: &mut Vec<Doc>,
        skip: &mut dyn FnMut(String, Skip),
    ) {
        let mut props = Props::read(self.file, storage, header);
        props.ansi = ansi_encoding(&props);
        let mut doc = Doc::new(Kind::Email, Format::Msg.as_str(), source);
        doc.parent = parent;
        if parent.is_some() {
            doc.flags.push("forwarded");
        }
        fill(&mut doc, &props, self.now);
        let attachments = props.children("__attach_version1.0_#");
        let index = out.len();
        let mut parts = Vec::new();
        for (n, storage) in attachments.iter().enumerate() {
            let mut a = Props::read(self.file, storage, 8);
            a.ansi = props.ansi;
            let item = base + n as u64;
            let name = attachment_name(&a);
            let embedded = is_embedded(&a).then(|| a.object(PR_ATTACH_DATA)).flatten();
            let data = if embedded.is_none() {
                a.binary(PR_ATTACH_DATA)
            } else {
                None
            };
            doc.attachments.push(attachment_entry(
                &a,
                name.clone(),
                embedded.is_some(),
                data.as_ref().map_or(0, |d| d.len() as u64),
            ));
            parts.push((item, name, embedded, data));
        }
        out.push(doc);
        for (item, name, embedded, data) in parts {
            let source = |sha256: String| Provenance {
                path: self.path.to_owned(),
                offset: 0,
                length: self.length,
                sha256,
                item: Some(item),
            };
            let carrier_id = out[index].id;
            if let Some(inner) = embedded {
                let inner_base = (item + 1) * 1000;
                if inner_base >= MAX_ITEM_BASE {
                    skip(format!("{}#{item}", self.path), Skip::NestedTooDeep);
                    continue;
                }
                // An attached message is a storage, not bytes: nothing to hash (see
                // `part_contents`).
                self.message(
                    &inner,
                    24,
                    source(String::new()),
                    Some(carrier_id),
                    inner_base,
                    out,
                    skip,
                );
                continue;
            }
            let Some(data) = data else { continue };
            let name = name.unwrap_or_else(|| "attachment".into());
            let src = source(sha256_hex(&data));
            if let Some(d) = super::eml::attachment_doc(&out[index], src, &name, &data) {
                out.push(d);
            }
        }
    }
}

/// The MAPI properties of one message, attachment or recipient, wherever they are stored: the
/// streams of an MSG file (`props.rs`) or a node of a PST (`super::pst`). Both readers fill a
/// [`Doc`] through the one mapping below ([`fill`]), so a message reads the same from either.
pub(crate) trait Mapi {
    /// A string property, Unicode or ANSI (decoded with the message's code page), without
    /// trailing NULs and whitespace; none when absent or empty.
    fn string(&self, id: u16) -> Option<String>;
    /// A 32-bit integer property.
    fn long(&self, id: u16) -> Option<i32>;
    /// A FILETIME property in UTC; zero and out-of-range are none.
    fn time(&self, id: u16) -> Option<DateTime<Utc>>;
    /// A binary property.
    fn binary(&self, id: u16) -> Option<Vec<u8>>;
    /// A string or binary property as bytes, as stored (HTML bodies are either).
    fn bytes(&self, id: u16) -> Option<Vec<u8>>;
    /// The message's recipients, in the order stored.
    fn recipients(&self) -> Vec<Recipient>;
}

/// One row of a message's recipient table, as [`fill`] needs it.
pub(crate) struct Recipient {
    /// `PR_RECIPIENT_TYPE`: 1 To, 2 Cc, 3 Bcc.
    pub kind: Option<i32>,
    pub name: Option<String>,
    /// `PR_SMTP_ADDRESS`.
    pub smtp: Option<String>,
    /// `PR_EMAIL_ADDRESS`: SMTP, or an Exchange (X.500) address.
    pub email: Option<String>,
}

impl Recipient {
    /// The recipient described by the properties `r` of its row.
    pub(crate) fn of(r: &impl Mapi) -> Recipient {
        Recipient {
            kind: r.long(PR_RECIPIENT_TYPE),
            name: r.string(PR_DISPLAY_NAME),
            smtp: r.string(PR_SMTP_ADDRESS),
            email: r.string(PR_EMAIL_ADDRESS),
        }
    }
}

impl Mapi for Props<'_, '_> {
    fn string(&self, id: u16) -> Option<String> {
        Props::string(self, id)
    }
    fn long(&self, id: u16) -> Option<i32> {
        Props::long(self, id)
    }
    fn time(&self, id: u16) -> Option<DateTime<Utc>> {
        Props::time(self, id)
    }
    fn binary(&self, id: u16) -> Option<Vec<u8>> {
        Props::binary(self, id)
    }
    fn bytes(&self, id: u16) -> Option<Vec<u8>> {
        Props::bytes(self, id)
    }
    fn recipients(&self) -> Vec<Recipient> {
        self.children("__recip_version1.0_#")
            .iter()
            .map(|storage| {
                let mut r = Props::read(self.file, storage, 8);
                r.ansi = self.ansi;
                Recipient::of(&r)
            })
            .collect()
    }
}

/// The name an attachment is shown by: its long file name, else its short one, else its
/// display name.
pub(crate) fn attachment_name(a: &impl Mapi) -> Option<String> {
    a.string(PR_ATTACH_LONG_FILENAME)
        .or_else(|| a.string(PR_ATTACH_FILENAME))
        .or_else(|| a.string(PR_DISPLAY_NAME))
}

/// The entry of a message's attachment list for an attachment named `name`, of `size` bytes:
/// an attached message, or a file of its stated MIME type.
pub(crate) fn attachment_entry(
    a: &impl Mapi,
    name: Option<String>,
    embedded: bool,
    size: u64,
) -> Attachment {
    Attachment {
        name,
        mime_type: match (embedded, a.string(PR_ATTACH_MIME_TAG)) {
            (true, _) => "application/vnd.ms-outlook".into(),
            (false, Some(m)) => m.to_ascii_lowercase(),
            (false, None) => "application/octet-stream".into(),
        },
        size,
    }
}

/// Whether an attachment's method says it is an attached message.
pub(crate) fn is_embedded(a: &impl Mapi) -> bool {
    a.long(PR_ATTACH_METHOD) == Some(ATTACH_EMBEDDED_MSG)
}

/// The encoding of the message's ANSI strings.
pub(crate) fn ansi_encoding(props: &impl Mapi) -> &'static encoding_rs::Encoding {
    [
        props.long(PR_MESSAGE_CODEPAGE),
        props.long(PR_INTERNET_CPID).filter(|&cp| cp != 65001),
        props
            .long(PR_MESSAGE_LOCALE_ID)
            .and_then(props::codepage_of_locale),
    ]
    .into_iter()
    .flatten()
    .find_map(props::encoding_of)
    .unwrap_or(encoding_rs::WINDOWS_1252)
}

/// Fills the envelope, date, subject and body of `doc` from the message's properties.
pub(crate) fn fill(doc: &mut Doc, props: &impl Mapi, now: DateTime<Utc>) {
    let subject = props.string(PR_SUBJECT).unwrap_or_default();
    // A stored subject may open with a marker: U+0001, then one character that gives the
    // length of its prefix ("FW: "). Neither is text.
    let subject = match subject.strip_prefix('\u{1}') {
        Some(rest) => rest.chars().skip(1).collect(),
        None => subject,
    };
    doc.subject = subject.trim().to_owned();
    let headers = props.string(PR_TRANSPORT_MESSAGE_HEADERS);
    doc.message_id = props
        .string(PR_INTERNET_MESSAGE_ID)
        .map(|s| clean_id(&s))
        .filter(|s| !s.is_empty());
    doc.in_reply_to = props
        .string(PR_IN_REPLY_TO_ID)
        .map(|s| ids(&s))
        .unwrap_or_default();
    doc.references = props
        .string(PR_INTERNET_REFERENCES)
        .map(|s| ids(&s))
        .unwrap_or_default();

    let sender_name = props
        .string(PR_SENDER_NAME)
        .or_else(|| props.string(PR_SENT_REPRESENTING_NAME));
    let sender_address = [
        props.string(PR_SENDER_SMTP_ADDRESS),
        props.string(PR_SENT_REPRESENTING_SMTP_ADDRESS),
        props.string(PR_SENDER_EMAIL).filter(|a| is_smtp(a)),
        props
            .string(PR_SENT_REPRESENTING_EMAIL)
            .filter(|a| is_smtp(a)),
        headers.as_deref().and_then(header_from),
    ]
    .into_iter()
    .flatten()
    .next();
    doc.from = mailbox(sender_address.as_deref(), sender_name);

    for r in props.recipients() {
        let address = r.smtp.or_else(|| r.email.filter(|a| is_smtp(a)));
        let Some(m) = mailbox(address.as_deref(), r.name) else {
            continue;
        };
        match r.kind.map(|t| t & 0xF) {
            Some(2) => doc.cc.push(m),
            Some(3) => doc.bcc.push(m),
            _ => doc.to.push(m),
        }
    }

    let sent = props
        .time(PR_CLIENT_SUBMIT_TIME)
        .or_else(|| props.time(PR_MESSAGE_DELIVERY_TIME));
    doc.date_source = DateSource::Header;
    doc.date_raw = sent.map(|d| d.to_rfc3339());
    let assessed = super::date::assess(doc.date_raw.as_deref(), now);
    doc.date = assessed.utc;
    doc.date_quality = assessed.quality;
    doc.tz_offset_minutes = assessed.offset_minutes;

    let (body, flags) = body(props);
    let (encrypted, mut signed) = super::crypto::inline(&body);
    doc.body = body;
    doc.flags.extend(flags);
    if let Some(class) = props.string(PR_MESSAGE_CLASS) {
        let class = class.to_ascii_uppercase();
        if !class.starts_with("IPM.NOTE") {
            doc.flags.push("not-a-note");
        }
        // Outlook's class for a message saved with its multipart/signed MIME as an attachment.
        signed |= class.starts_with("IPM.NOTE.SMIME.MULTIPARTSIGNED");
    }
    if encrypted {
        doc.flags.push(super::crypto::ENCRYPTED);
    }
    if signed {
        doc.flags.push(super::crypto::SIGNED);
    }
}

/// The body text: plain, else HTML as text, else the compressed RTF's text; capped.
fn body(props: &impl Mapi) -> (String, Vec<&'static str>) {
    let max = super::eml::MAX_BODY_BYTES;
    let mut flags = Vec::new();
    let mut text = if let Some(t) = props.string(PR_BODY) {
        t
    } else if let Some(html) = props.bytes(PR_HTML) {
        let encoding = props
            .long(PR_INTERNET_CPID)
            .and_then(props::encoding_of_internet)
            .unwrap_or(encoding_rs::UTF_8);
        let html = encoding.decode(&html).0;
        mail_parser::decoders::html::html_to_text(&html)
    } else if let Some(rtf) = props
        .binary(PR_RTF_COMPRESSED)
        .and_then(|c| rtf::decompress(&c, max * 4))
    {
        match rtf::content(&rtf, max) {
            rtf::Content::Html(h) => mail_parser::decoders::html::html_to_text(&h),
            rtf::Content::Text(t) => t,
        }
    } else {
        String::new()
    };
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        flags.push("body-truncated");
    }
    (text.trim_end().to_owned(), flags)
}

fn is_smtp(a: &str) -> bool {
    a.contains('@') && !a.starts_with('/')
}

fn mailbox(address: Option<&str>, name: Option<String>) -> Option<Mailbox> {
    let mut mailbox = Mailbox::new(address.unwrap_or(""), super::eml::normalize_address, None);
    mailbox.name = name
        .map(|n| n.trim().trim_matches(['"', '\'']).trim().to_owned())
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&mailbox.address));
    (!mailbox.address.is_empty() || mailbox.name.is_some()).then_some(mailbox)
}

/// The address of the `From:` header among the message's transport headers, when the message
/// names its sender only by an Exchange address.
fn header_from(headers: &str) -> Option<String> {
    let msg = mail_parser::MessageParser::new()
        .with_address_headers()
        .parse_headers(headers.as_bytes())?;
    msg.from()?.first()?.address().map(str::to_owned)
}

fn clean_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

fn ids(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .map(clean_id)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest_bytes, Outcome};

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/msg")
                .join(name),
        )
        .unwrap()
    }

    fn docs(name: &str) -> Vec<Doc> {
        let bytes = fixture(name);
        match ingest_bytes(&bytes, Path::new(name), chrono::Utc::now()) {
            Outcome::Indexed { format, docs } => {
                assert_eq!(format, "msg");
                docs
            }
            Outcome::Skipped(s) => panic!("{name}: {s}"),
        }
    }

    /// ANSI strings in code page 932, stated only by the Japanese locale and an ISO-2022-JP
    /// internet code page (HiraokaHyperTools/msgreader `test/nonUnicodeCP932.msg`).
    #[test]
    fn ansi_strings_are_decoded_with_the_message_code_page() {
        let d = docs("nonUnicodeCP932.msg");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].subject, "日本語 Non Unicode タイトル");
        assert_eq!(d[0].body, "日本語 Non Unicode 本文");
        assert_eq!(d[0].to[0].address, "xmailuser2@xmailserver.test");
        assert_eq!(
            d[0].date.unwrap().to_rfc3339(),
            "2021-11-05T10:25:17.315+00:00"
        );
        assert_eq!(d[0].source.item, None);
    }

    /// The submit time is the date; the sender's SMTP address and name are kept.
    #[test]
    fn sender_and_submit_time() {
        let d = docs("sent.msg");
        let from = d[0].from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("xmailuser@xmailserver.test", Some("xmailuser"))
        );
        assert_eq!(d[0].subject, "Sent time");
        assert_eq!(d[0].body, "Test mail");
        assert_eq!(
            d[0].date.unwrap().to_rfc3339(),
            "2021-02-15T08:19:04.974725500+00:00"
        );
    }

    /// Messages attached to messages become messages of their own, numbered as forwarded
    /// parts of mail are; an attachment's bytes are given back, an attached message refused.
    #[test]
    fn attached_messages_nest() {
        let bytes = fixture("msgInMsgInMsg.msg");
        let d = docs("msgInMsgInMsg.msg");
        let summary: Vec<(Kind, Option<u64>, &str)> = d
            .iter()
            .map(|d| (d.kind, d.source.item, d.subject.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (Kind::Email, None, "I have sub attachments!"),
                (Kind::Email, Some(0), "I have attachments!"),
                (
                    Kind::Email,
                    Some(1000),
                    "Microsoft Outlook テスト メッセージ"
                ),
            ]
        );
        assert_eq!(d[1].parent, Some(d[0].id));
        assert_eq!(d[2].parent, Some(d[1].id));
        let names = |d: &Doc| {
            d.attachments
                .iter()
                .map(|a| a.name.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&d[0]), ["I have attachments!", "blue.png"]);
        assert_eq!(
            names(&d[1]),
            ["Microsoft Outlook テスト メッセージ", "green.png"]
        );
        let from = d[2].from.as_ref().unwrap();
        assert_eq!(from.address, "xmailuser@xmailserver.test");
        assert_eq!(from.name.as_deref(), Some("Microsoft Outlook"));
        assert_eq!(d[2].date.unwrap().to_rfc3339(), "2020-05-12T05:45:17+00:00");
        assert!(d[2].body.starts_with("この電子メール メッセージは"));

        let blue = part_contents(&bytes, 1).unwrap();
        assert_eq!(blue.len(), 134);
        assert!(blue.starts_with(b"\x89PNG"));
        let green = part_contents(&bytes, 1001).unwrap();
        assert_eq!(green.len(), 134);
        assert_eq!(part_contents(&bytes, 0), Err(PartError::Embedded));
        assert_eq!(part_contents(&bytes, 1000), Err(PartError::Embedded));
        assert_eq!(part_contents(&bytes, 2), Err(PartError::NotThere));
        assert_eq!(part_contents(&bytes, 1_001_000), Err(PartError::NotThere));
    }

    /// A compound file whose directory shows no Outlook stream (a Word file) is left to the
    /// entries after this one, whatever its name; one whose directory lies past the head is
    /// claimed by its name.
    #[test]
    fn only_outlook_compound_files_are_claimed() {
        let ctx = Context::new(chrono::Utc::now());
        let sniffs = |head: &[u8], name: &str| {
            sniff(&Sniff {
                head,
                name,
                real: None,
                size: 1 << 20,
                ctx: &ctx,
            })
        };
        let msg = fixture("sent.msg");
        let head = &msg[..8192];
        assert!(sniffs(head, "anything"));
        let mut word = head.to_vec();
        let dir = 1024;
        word[dir + 80..dir + 96].fill(0);
        for (n, name) in ["Root Entry", "WordDocument", "1Table", "Data"]
            .iter()
            .enumerate()
        {
            let e = dir + n * 128;
            word[e..e + 64].fill(0);
            for (k, u) in name.encode_utf16().enumerate() {
                word[e + 2 * k..e + 2 * k + 2].copy_from_slice(&u.to_le_bytes());
            }
            let len = (name.len() as u16 + 1) * 2;
            word[e + 64..e + 66].copy_from_slice(&len.to_le_bytes());
        }
        assert!(!sniffs(&word, "letter.doc"));
        assert!(!sniffs(&word, "letter.msg"));
        // The directory's first sector past the head: the name decides.
        let mut far = head.to_vec();
        far[0x30..0x34].copy_from_slice(&100u32.to_le_bytes());
        assert!(sniffs(&far, "saved.MSG"));
        assert!(!sniffs(&far, "letter.doc"));
        assert!(!sniffs(b"\xD0\xCF\x11\xE0", "short.msg"));
    }

    /// Broken compound files are refused with a reason, never a panic.
    #[test]
    fn broken_files_are_refused() {
        let msg = fixture("sent.msg");
        for cut in [8, 512, 1024, 4096, msg.len() / 2] {
            let r = ingest_bytes(&msg[..cut], Path::new("cut.msg"), chrono::Utc::now());
            if let Outcome::Skipped(s) = r {
                assert!(matches!(s, Skip::Unextractable(_) | Skip::Binary), "{s:?}");
            }
        }
    }
}
