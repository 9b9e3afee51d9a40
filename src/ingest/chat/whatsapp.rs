//! WhatsApp "Export chat" text files (format `whatsapp`).
//!
//! One message starts each line that begins with a timestamp; the variants differ by phone and
//! locale:
//!
//! ```text
//! [20/09/2016, 13:30:05] Sam Ortiz: text                   iOS, day first, 24-hour
//! [9/20/16, 1:30:05 PM] Sam Ortiz: text                    iOS, US
//! 20/09/2016, 13:30 - Sam Ortiz: text                      Android
//! 9/20/16, 1:30 PM - Sam Ortiz: text                       Android, US
//! 20.09.16, 13:30 - Sam Ortiz: text                        Android, dotted dates
//! ```
//!
//! Lines may start with invisible marks (U+200E, U+202A..U+202E, U+2066..U+2069) and a narrow
//! no-break space (U+202F) or no-break space may stand before AM/PM. Any line that does not start
//! with a timestamp continues the previous message (multi-line messages, blank lines included).
//!
//! **System lines are skipped**: a timestamped line with no `Name:` after it ("Sam added Ann",
//! "Messages and calls are end-to-end encrypted...", "You changed this group's icon"), and the
//! iOS form of the encryption notices that is attributed to the chat (`Sam Ortiz: ‎Messages and
//! calls are end-to-end encrypted...`), together with any lines that continue them.
//!
//! The order of day and month is decided once per file: a first number above 12 anywhere means
//! day first, else a second number above 12 means month first; when nothing decides, day first
//! is assumed and every document gets the flag `ambiguous-date-order`. Two-digit years are
//! 20xx. Timestamps are the phone's local time in an unknown zone: they are stored as if UTC with
//! no offset and the flag `local-time`. Attachments are read from `<attached: NAME>` and
//! `NAME (file attached)`; `<Media omitted>` (and iOS `image omitted` etc.) gives the flag
//! `media-omitted`. Messages are numbered in file order; the recipients of a message are all the
//! other senders seen in the file.

use chrono::{NaiveDate, NaiveTime};

use super::{account, chat_doc, mime_from_name, set_date, ChatSource};
use crate::doc::{Attachment, Doc, Mailbox};
use crate::ingest::format::{Format, Sniff};
use crate::ingest::{Context, Skip, Unit};

/// The format name documents carry.
pub const FORMAT: &str = "whatsapp";

/// Whether the first non-empty line of `head` starts with a WhatsApp export timestamp.
pub fn looks_like(head: &str) -> bool {
    head.trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !strip_marks(l).trim().is_empty())
        .is_some_and(|l| parse_header(l).is_some())
}

/// The registry's sniff: a head of UTF-8 text whose first line is a message header.
pub(crate) fn sniff(s: &Sniff) -> bool {
    std::str::from_utf8(s.head).is_ok_and(looks_like)
}

/// The registry's reader: the chat is named after the file.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let chat_name = chat_name_from_file(unit.name());
    let docs =
        parse(unit.bytes, &unit.chat_source(ctx), &chat_name).map_err(Skip::Unextractable)?;
    docs.into_iter().for_each(emit);
    Ok(Format::WhatsApp)
}

/// The chat's name from the export's file name: `WhatsApp Chat with Sam Ortiz.txt` → `Sam Ortiz`
/// (also `WhatsApp Chat - Name`, and a few translations); other names give their stem.
pub fn chat_name_from_file(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base
        .strip_suffix(".txt")
        .or_else(|| base.strip_suffix(".TXT"))
        .or_else(|| base.strip_suffix(".zip"))
        .unwrap_or(base);
    const PREFIXES: [&str; 7] = [
        "WhatsApp Chat with ",
        "WhatsApp Chat - ",
        "WhatsApp-Chat mit ",
        "Chat de WhatsApp con ",
        "Conversa do WhatsApp com ",
        "Discussion WhatsApp avec ",
        "Chat WhatsApp con ",
    ];
    let name = PREFIXES
        .iter()
        .find_map(|p| stem.strip_prefix(p))
        .unwrap_or(stem);
    name.trim().to_owned()
}

/// Invisible direction marks WhatsApp sprinkles into exports.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{feff}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn strip_marks(s: &str) -> String {
    s.chars().filter(|c| !is_mark(*c)).collect()
}

/// The timestamp that starts a message line, and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    /// First and second number of the date; which is the day is decided per file.
    first: u32,
    second: u32,
    year: i32,
    hour: u32,
    minute: u32,
    second_of_minute: u32,
    /// `Some(true)` for PM, `Some(false)` for AM, `None` for a 24-hour clock.
    pm: Option<bool>,
    /// The timestamp as written (`20/09/2016, 13:30:05`).
    raw: String,
    /// The rest of the line after `] ` or ` - `.
    rest: String,
}

/// A cursor over a line, for the small hand-written header grammar.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, set: &[char]) -> Option<char> {
        let c = self.peek().filter(|c| set.contains(c))?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Spaces, no-break and narrow no-break spaces.
    fn spaces(&mut self) -> usize {
        let mut n = 0;
        while self
            .eat_any(&[' ', '\u{a0}', '\u{202f}', '\u{2009}'])
            .is_some()
        {
            n += 1;
        }
        n
    }

    /// Between `min` and `max` ASCII digits, as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let digits = self.s[self.pos..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits < min || digits > max {
            return None;
        }
        let n = self.s[self.pos..self.pos + digits].parse().ok()?;
        self.pos += digits;
        Some((n, digits))
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }
}

fn parse_header(line: &str) -> Option<Header> {
    let line = strip_marks(line);
    let mut c = Cursor { s: &line, pos: 0 };
    c.spaces();
    let bracketed = c.eat('[');
    let start = c.pos;
    let (first, _) = c.number(1, 2)?;
    let sep = c.eat_any(&['/', '.', '-'])?;
    let (second, _) = c.number(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let (year, year_digits) = c.number(2, 4)?;
    if year_digits == 3 {
        return None;
    }
    let year = if year_digits == 2 { 2000 + year } else { year };
    let comma = c.eat(',');
    if c.spaces() == 0 && !comma {
        return None;
    }
    let (hour, _) = c.number(1, 2)?;
    if !c.eat(':') {
        return None;
    }
    let (minute, _) = c.number(2, 2)?;
    let second_of_minute = if c.eat(':') { c.number(2, 2)?.0 } else { 0 };
    let before_ampm = c.pos;
    c.spaces();
    let rest = c.rest().to_ascii_lowercase();
    let pm = if rest.starts_with("am") || rest.starts_with("a.m.") {
        c.pos += if rest.starts_with("am") { 2 } else { 4 };
        Some(false)
    } else if rest.starts_with("pm") || rest.starts_with("p.m.") {
        c.pos += if rest.starts_with("pm") { 2 } else { 4 };
        Some(true)
    } else {
        c.pos = before_ampm;
        None
    };
    let raw = line[start..c.pos].to_owned();
    if bracketed {
        if !c.eat(']') {
            return None;
        }
        c.spaces();
    } else {
        c.spaces();
        c.eat_any(&['-', '\u{2013}'])?;
        if c.spaces() == 0 && !c.rest().is_empty() {
            return None;
        }
    }
    Some(Header {
        first,
        second,
        year: i32::try_from(year).ok()?,
        hour,
        minute,
        second_of_minute,
        pm,
        raw,
        rest: c.rest().to_owned(),
    })
}

/// Splits `Name: text` after a timestamp; `None` for a system line.
fn split_sender(rest: &str) -> Option<(&str, &str)> {
    let (name, text) = match rest.find(": ") {
        Some(i) => (&rest[..i], &rest[i + 2..]),
        None => (rest.strip_suffix(':')?, ""),
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return None;
    }
    Some((name, text))
}

/// iOS attributes the encryption notices to the chat as if they were messages.
const SYSTEM_NOTICES: [&str; 4] = [
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured with end-to-end encryption",
    "Messages to this chat and calls are now secured with end-to-end encryption",
    "Messages you send to this chat and calls are now secured with end-to-end encryption",
];

/// A sender as an account: a phone number by its digits, a display name lower-cased.
fn sender_mailbox(display: &str) -> Mailbox {
    let cleaned: String = strip_marks(display)
        .replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
    let phone_like = digits.len() >= 5
        && cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let id = if phone_like {
        if cleaned.starts_with('+') {
            format!("+{digits}")
        } else {
            digits
        }
    } else {
        cleaned.clone()
    };
    account("whatsapp", &id, Some(cleaned))
}

/// A message being collected: its header and lines, and its byte range in the file.
struct Pending {
    header: Header,
    sender: String,
    lines: Vec<String>,
    start: usize,
    end: usize,
}

/// Parses an exported chat. `chat_name` names the conversation (see [`chat_name_from_file`]).
pub fn parse(bytes: &[u8], src: &ChatSource, chat_name: &str) -> Result<Vec<Doc>, String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("WhatsApp export is UTF-16, expected UTF-8".into());
    }
    let mut messages: Vec<Pending> = Vec::new();
    // Whether continuation lines currently belong to `messages.last()` (false after a system line).
    let mut open = false;
    let mut seen_header = false;
    let mut orders: Vec<(u32, u32)> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| pos + i);
        let line_bytes = bytes[pos..end]
            .strip_suffix(b"\r")
            .unwrap_or(&bytes[pos..end]);
        let line_start = pos;
        pos = end + 1;
        let line = String::from_utf8_lossy(line_bytes);
        let line = line.trim_start_matches('\u{feff}');
        if let Some(header) = parse_header(line) {
            seen_header = true;
            orders.push((header.first, header.second));
            let sender = split_sender(&header.rest).and_then(|(name, text)| {
                let notice = strip_marks(text);
                let notice = notice.trim_start();
                (!SYSTEM_NOTICES.iter().any(|p| notice.starts_with(p)))
                    .then(|| (name.to_owned(), text.to_owned()))
            });
            match sender {
                Some((name, text)) => {
                    messages.push(Pending {
                        header,
                        sender: name,
                        lines: vec![text],
                        start: line_start,
                        end: line_start + line_bytes.len(),
                    });
                    open = true;
                }
                None => open = false,
            }
        } else if !seen_header {
            if strip_marks(line).trim().is_empty() {
                continue;
            }
            return Err("not a WhatsApp chat export: the first line has no timestamp".into());
        } else if open {
            if let Some(m) = messages.last_mut() {
                m.lines.push(line.to_owned());
                if !line.trim().is_empty() {
                    m.end = line_start + line_bytes.len();
                }
            }
        }
    }
    if !seen_header {
        return Err("not a WhatsApp chat export: no timestamped lines".into());
    }

    let day_first = orders.iter().any(|(a, _)| *a > 12);
    let month_first = !day_first && orders.iter().any(|(_, b)| *b > 12);
    let ambiguous = !day_first && !month_first;

    let mut participants: Vec<Mailbox> = Vec::new();
    for m in &messages {
        let mb = sender_mailbox(&m.sender);
        if !participants.iter().any(|p| p.address == mb.address) {
            participants.push(mb);
        }
    }

    let mut docs = Vec::with_capacity(messages.len());
    for (item, m) in messages.iter().enumerate() {
        let span = (m.start as u64, &bytes[m.start..m.end.max(m.start)]);
        let mut doc = chat_doc(src, FORMAT, item as u64, Some(span));
        let from = sender_mailbox(&m.sender);
        doc.to = super::recipients(participants.len(), &mut doc, || {
            participants
                .iter()
                .filter(|p| p.address != from.address)
                .cloned()
                .collect()
        });
        doc.from = Some(from);
        doc.conversation = Some(format!("whatsapp:{chat_name}"));
        doc.subject = chat_name.to_owned();
        doc.message_id = Some(format!("whatsapp:{chat_name}:{item}"));
        let h = &m.header;
        let (day, month) = if month_first {
            (h.second, h.first)
        } else {
            (h.first, h.second)
        };
        let hour = match h.pm {
            None => Some(h.hour),
            Some(_) if h.hour == 0 || h.hour > 12 => None,
            Some(pm) => Some(h.hour % 12 + if pm { 12 } else { 0 }),
        };
        let parsed = NaiveDate::from_ymd_opt(h.year, month, day)
            .zip(hour.and_then(|hr| NaiveTime::from_hms_opt(hr, h.minute, h.second_of_minute)))
            .map(|(d, t)| d.and_time(t).and_utc());
        set_date(&mut doc, Some(&h.raw), parsed, src.now);
        doc.tz_offset_minutes = None;
        doc.flags.push(crate::doc::LOCAL_TIME);
        if ambiguous {
            doc.flags.push("ambiguous-date-order");
        }

        let body = strip_marks(&m.lines.join("\n"));
        let body = body.trim_end();
        for line in body.lines() {
            let line = line.trim();
            let mut rest = line;
            while let Some(i) = rest.find("<attached: ") {
                let after = &rest[i + "<attached: ".len()..];
                let Some(close) = after.find('>') else { break };
                push_attachment(&mut doc, &after[..close]);
                rest = &after[close + 1..];
            }
            if let Some(name) = line.strip_suffix("(file attached)") {
                push_attachment(&mut doc, name);
            }
            let lower = line.to_lowercase();
            let omitted = lower == "<media omitted>"
                || (lower.ends_with(" omitted") && lower.split_whitespace().count() <= 3);
            if omitted && !doc.flags.contains(&"media-omitted") {
                doc.flags.push("media-omitted");
            }
        }
        doc.body = body.to_owned();
        docs.push(doc);
    }
    Ok(docs)
}

fn push_attachment(doc: &mut Doc, name: &str) {
    let name = name.trim();
    if name.is_empty() {
        return;
    }
    doc.attachments.push(Attachment {
        name: Some(name.to_owned()),
        mime_type: mime_from_name(name),
        size: 0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DateQuality;
    use chrono::{DateTime, TimeZone, Utc};

    fn src() -> ChatSource<'static> {
        ChatSource {
            path: "/dump/WhatsApp Chat with Sam Ortiz.txt",
            now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            stated: None,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap())
    }

    const IOS: &str = "\u{feff}[20/09/2016, 13:30:05] Sam Ortiz: \u{200e}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\r\n\
[20/09/2016, 13:30:05] Sam Ortiz: Are you there?\r\n\
[20/09/2016, 13:31:10] Ann Lee: Yes: listening.\r\n\
Second line\r\n\
\r\n\
third after blank\r\n\
[01/10/2016, 09:00:00] \u{200e}+1 (555) 010-9999: \u{200e}<attached: 00000012-PHOTO-2016-10-01.jpg>\r\n";

    const ANDROID: &str = "20/09/2016, 13:30 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
20/09/2016, 13:30 - Sam Ortiz: hi
20/09/2016, 13:31 - Sam Ortiz added Ann Lee
which is a continuation of a system line
21/09/2016, 08:05 - Ann Lee: \u{200e}IMG-20161001-WA0003.jpg (file attached)
caption here
21/09/2016, 08:06 - Ann Lee: <Media omitted>
";

    const US: &str = "9/20/16, 1:30\u{202f}PM - Sam Ortiz: afternoon
9/20/16, 12:05 AM - Ann Lee: midnight
[9/21/16, 1:30:05 PM] Sam Ortiz: bracketed
";

    #[test]
    fn chat_names() {
        assert_eq!(
            chat_name_from_file("WhatsApp Chat with Sam Ortiz.txt"),
            "Sam Ortiz"
        );
        assert_eq!(chat_name_from_file("/x/y/WhatsApp Chat - Crew.zip"), "Crew");
        assert_eq!(chat_name_from_file("_chat.txt"), "_chat");
    }

    #[test]
    fn detects_variants() {
        assert!(looks_like(IOS));
        assert!(looks_like(ANDROID));
        assert!(looks_like(US));
        assert!(looks_like("\n\n20.09.16, 13:30 - A: b"));
        assert!(!looks_like("Hello\n20/09/2016, 13:30 - A: b"));
        assert!(!looks_like("2016-09-20 13:30 A: b"));
        assert!(!looks_like(""));
    }

    #[test]
    fn ios_export() {
        let docs = parse(IOS.as_bytes(), &src(), "Sam Ortiz").unwrap();
        assert_eq!(docs.len(), 3);
        let a = &docs[0];
        assert_eq!(a.format, "whatsapp");
        // Its source is its own line of the file.
        let own = &IOS[a.source.offset as usize..(a.source.offset + a.source.length) as usize];
        assert!(
            own.starts_with("[20/09/2016, 13:3") && own.contains("Are you there?"),
            "{own}"
        );
        assert_eq!(a.body, "Are you there?");
        assert_eq!(a.conversation.as_deref(), Some("whatsapp:Sam Ortiz"));
        assert_eq!(a.subject, "Sam Ortiz");
        assert_eq!(a.message_id.as_deref(), Some("whatsapp:Sam Ortiz:0"));
        let from = a.from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("whatsapp:sam.ortiz", Some("Sam Ortiz"))
        );
        let to: Vec<_> = a.to.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(to, ["whatsapp:ann.lee", "whatsapp:+15550109999"]);
        assert_eq!(a.date, utc(2016, 9, 20, 13, 30, 5));
        assert_eq!(a.date_raw.as_deref(), Some("20/09/2016, 13:30:05"));
        assert_eq!(a.tz_offset_minutes, None);
        assert_eq!(a.flags, ["local-time"]);
        assert_eq!(
            a.source.length as usize,
            "[20/09/2016, 13:30:05] Sam Ortiz: Are you there?".len()
        );

        let b = &docs[1];
        assert_eq!(b.body, "Yes: listening.\nSecond line\n\nthird after blank");
        assert_eq!(b.from.as_ref().unwrap().name.as_deref(), Some("Ann Lee"));
        let raw = "[20/09/2016, 13:31:10] Ann Lee: Yes: listening.\r\nSecond line\r\n\r\nthird after blank";
        assert_eq!(b.source.length as usize, raw.len());
        assert_eq!(b.source.sha256, crate::doc::sha256_hex(raw.as_bytes()));

        let c = &docs[2];
        let from = c.from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("whatsapp:+15550109999", Some("+1 (555) 010-9999"))
        );
        assert_eq!(c.date, utc(2016, 10, 1, 9, 0, 0));
        assert_eq!(c.attachments.len(), 1);
        assert_eq!(
            c.attachments[0].name.as_deref(),
            Some("00000012-PHOTO-2016-10-01.jpg")
        );
        assert_eq!(c.attachments[0].mime_type, "image/jpeg");
        assert_eq!(c.body, "<attached: 00000012-PHOTO-2016-10-01.jpg>");
    }

    #[test]
    fn android_export() {
        let docs = parse(ANDROID.as_bytes(), &src(), "Sam Ortiz").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].body, "hi");
        assert_eq!(docs[0].date, utc(2016, 9, 20, 13, 30, 0));
        assert_eq!(docs[0].date_raw.as_deref(), Some("20/09/2016, 13:30"));
        assert_eq!(docs[0].to.len(), 1);
        assert_eq!(docs[0].to[0].address, "whatsapp:ann.lee");
        assert_eq!(
            docs[1].body,
            "IMG-20161001-WA0003.jpg (file attached)\ncaption here"
        );
        assert_eq!(
            docs[1].attachments[0].name.as_deref(),
            Some("IMG-20161001-WA0003.jpg")
        );
        assert_eq!(docs[1].to[0].address, "whatsapp:sam.ortiz");
        assert_eq!(docs[2].flags, ["local-time", "media-omitted"]);
        assert!(docs[2].attachments.is_empty());
    }

    #[test]
    fn us_export_month_first_and_twelve_hour_clock() {
        let docs = parse(US.as_bytes(), &src(), "x").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].date, utc(2016, 9, 20, 13, 30, 0));
        assert_eq!(docs[0].date_raw.as_deref(), Some("9/20/16, 1:30\u{202f}PM"));
        assert_eq!(docs[1].date, utc(2016, 9, 20, 0, 5, 0));
        assert_eq!(docs[2].date, utc(2016, 9, 21, 13, 30, 5));
        assert!(docs
            .iter()
            .all(|d| !d.flags.contains(&"ambiguous-date-order")));
    }

    #[test]
    fn undecidable_order_is_flagged() {
        let txt = "01/02/2016, 10:00 - A: one\n03/04/16, 25:00 - B: bad hour\n";
        let docs = parse(txt.as_bytes(), &src(), "x").unwrap();
        assert_eq!(docs[0].date, utc(2016, 2, 1, 10, 0, 0));
        assert_eq!(docs[0].flags, ["local-time", "ambiguous-date-order"]);
        assert_eq!(docs[1].date_quality, DateQuality::Unparseable);
        assert_eq!(docs[1].date, None);
        assert_eq!(docs[1].date_raw.as_deref(), Some("03/04/16, 25:00"));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(parse(b"", &src(), "x").is_err());
        assert!(parse(b"\n\n", &src(), "x").is_err());
        assert!(parse(b"hello world\n20/09/2016, 13:30 - A: b", &src(), "x").is_err());
        assert!(parse(b"\xFF\xFE2\x000\x00", &src(), "x").is_err());
        // Only system lines: a valid export with no messages.
        assert_eq!(
            parse(b"20/09/2016, 13:30 - A added B\n", &src(), "x")
                .unwrap()
                .len(),
            0
        );
        // Invalid UTF-8 in a message is replaced, not fatal.
        let docs = parse(b"20/09/2016, 13:30 - A: \xFF\xFE ok\n", &src(), "x").unwrap();
        assert_eq!(docs[0].body, "\u{fffd}\u{fffd} ok");
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for fixture in [IOS, ANDROID, US] {
            let b = fixture.as_bytes();
            for end in 0..=b.len() {
                let _ = parse(&b[..end], &src(), "x");
                let _ = parse(&b[end..], &src(), "x");
                if let Ok(s) = std::str::from_utf8(&b[..end]) {
                    let _ = looks_like(s);
                }
            }
        }
        for junk in [
            "[",
            "[1",
            "[1/",
            "[1/2/",
            "[1/2/3, 4:5",
            "1/2/2016,",
            "1/2/2016, 1:00 -",
            "99/99/9999, 99:99 - A: b",
            "1/2/2016, 1:00 PM",
            "[1/2/2016, 0:00 AM] A:",
            "1-2-2016 1:00 - :",
            "\u{200e}\u{202f}",
        ] {
            let _ = parse(junk.as_bytes(), &src(), "x");
            let _ = looks_like(junk);
        }
        let docs = parse("[1/2/2016, 0:00 AM] A:".as_bytes(), &src(), "x").unwrap();
        assert_eq!(docs[0].date_quality, DateQuality::Unparseable);
        let mut x: u32 = 7;
        for _ in 0..300 {
            let junk: Vec<u8> = (0..48)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    b"0123456789/:,[] -APM\n"[(x >> 16) as usize % 21]
                })
                .collect();
            let _ = parse(&junk, &src(), "x");
        }
    }
}
