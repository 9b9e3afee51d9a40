//! Standalone documents (kind `document`): plain text, HTML, CSV, PDF, DOCX, ODT.
//!
//! [`sniff`] decides a file's [`DocFormat`] from its content first (PDF header, the entries of an
//! OOXML / OpenDocument zip, an HTML doctype) and from its name second; [`extract`] turns the
//! bytes into text and whatever metadata the format carries ([`Extracted`]).
//!
//! What is read:
//! - **Text**: UTF-8 (BOM stripped), UTF-16 with a BOM, otherwise windows-1252.
//! - **HTML**: `<title>`, `<meta name="author">`, and the text without scripts and styles. The
//!   charset is UTF-8 when the bytes are valid UTF-8, else the declared `charset=`, else
//!   windows-1252.
//! - **CSV/TSV**: each row's cells joined by ` | `, one row per line. The delimiter (comma, tab,
//!   semicolon or pipe) is guessed from the first lines; ragged rows are fine.
//! - **PDF**: the text layer (pdf-extract) and the Info dictionary's `Title`, `Author`,
//!   `CreationDate` and `ModDate`. Encrypted PDFs open only when the user password is empty.
//!   A PDF without text (a scan) is flagged `no-text-layer`.
//! - **DOCX**: body, footnotes, endnotes, comments, headers and footers; `docProps/core.xml` for
//!   title, creator and dates. Deleted tracked changes and field codes are left out.
//! - **ODT**: `content.xml` (tracked deletions left out); `meta.xml` for title, creator and dates.
//!
//! Limits against hostile input: at most [`MAX_ENTRY_BYTES`] are decompressed from any one zip
//! entry and [`MAX_PACKAGE_BYTES`] from one package (zip bombs), text is capped at
//! [`MAX_TEXT_BYTES`], and a panic inside the PDF parser becomes an error. What went wrong but
//! still left text is a flag on the result: `text-truncated` (a limit was hit), `damaged` (the
//! container or its XML broke off part-way; the text is what came before), `no-text-layer`.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{Cursor, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

/// Most bytes decompressed from a single zip entry.
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// Most bytes decompressed from all the entries of one DOCX/ODT package together.
pub const MAX_PACKAGE_BYTES: u64 = 256 << 20;
/// Most bytes of extracted text kept per document.
pub const MAX_TEXT_BYTES: usize = 16 << 20;
/// Most bytes of HTML or CSV source decoded (markup makes it larger than the text it holds).
const MAX_MARKUP_BYTES: usize = 4 * MAX_TEXT_BYTES;
/// How much of the file the text/binary and HTML checks look at.
const SNIFF_LEN: usize = 8192;

const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

/// Flag: a limit was hit and the text is incomplete.
pub const FLAG_TRUNCATED: &str = "text-truncated";
/// Flag: a PDF with no extractable text (typically a scan).
pub const FLAG_NO_TEXT_LAYER: &str = "no-text-layer";
/// Flag: the container or its XML is broken part-way; the text is what could be read.
pub const FLAG_DAMAGED: &str = "damaged";

/// Document formats trawl extracts text from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Text,
    Html,
    Csv,
    Pdf,
    Docx,
    Odt,
}

impl DocFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DocFormat::Text => "text",
            DocFormat::Html => "html",
            DocFormat::Csv => "csv",
            DocFormat::Pdf => "pdf",
            DocFormat::Docx => "docx",
            DocFormat::Odt => "odt",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            DocFormat::Text => "text/plain",
            DocFormat::Html => "text/html",
            DocFormat::Csv => "text/csv",
            DocFormat::Pdf => "application/pdf",
            DocFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocFormat::Odt => ODT_MIMETYPE,
        }
    }
}

/// What was extracted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub text: String,
    /// Oddities worth a flag on the document ("text-truncated", "no-text-layer", ...).
    pub flags: Vec<&'static str>,
}

impl Extracted {
    fn flag(&mut self, flag: &'static str) {
        if !self.flags.contains(&flag) {
            self.flags.push(flag);
        }
    }
}

/// Decides the format from content first (magic bytes: `%PDF-`; a zip whose entries include
/// `word/document.xml` → Docx, or a `mimetype` entry equal to
/// `application/vnd.oasis.opendocument.text` → Odt; `<!doctype html`/`<html` at the start → Html),
/// then from the name (`.csv`, `.tsv` → Csv; `.htm(l)` → Html; anything else with text-like
/// content → Text). `bytes` is the whole file (zip detection needs the central directory).
///
/// Returns None for binary content it does not know (images, executables, generic zips that are
/// not DOCX/ODT: archives are handled elsewhere). A zip too damaged to list but named `.docx` or
/// `.odt` is given that format, so that [`extract`] can say why it cannot be read.
pub fn sniff(bytes: &[u8], file_name: &str) -> Option<DocFormat> {
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if let Some(offset) = pdf_header_offset(bytes) {
        // Junk before the header is tolerated only when it is not text: a text file merely
        // mentioning "%PDF-" is not a PDF.
        let before = &bytes[..offset];
        if before.iter().all(u8::is_ascii_whitespace) || looks_binary(before) {
            return Some(DocFormat::Pdf);
        }
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return match ZipArchive::new(Cursor::new(bytes)) {
            Ok(mut zip) => zip_format(&mut zip),
            Err(_) => match ext.as_str() {
                "docx" => Some(DocFormat::Docx),
                "odt" => Some(DocFormat::Odt),
                _ => None,
            },
        };
    }
    if !looks_textual(bytes) {
        return None;
    }
    if looks_like_html(bytes) {
        return Some(DocFormat::Html);
    }
    Some(match ext.as_str() {
        "csv" | "tsv" => DocFormat::Csv,
        "htm" | "html" | "xhtml" => DocFormat::Html,
        _ => DocFormat::Text,
    })
}

/// Extracts text and metadata. Err(reason) with a short clear reason ("not a PDF: ...",
/// "DOCX without word/document.xml", "encrypted PDF", ...) for content that is not what `format`
/// says.
pub fn extract(bytes: &[u8], format: DocFormat) -> Result<Extracted, String> {
    let mut out = match format {
        DocFormat::Text => Ok(extract_text(bytes)),
        DocFormat::Html => Ok(extract_html(bytes)),
        DocFormat::Csv => Ok(extract_csv(bytes)),
        DocFormat::Pdf => extract_pdf(bytes),
        DocFormat::Docx => extract_docx(bytes),
        DocFormat::Odt => extract_odt(bytes),
    }?;
    if cap_text(&mut out.text, MAX_TEXT_BYTES) {
        out.flag(FLAG_TRUNCATED);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Sniffing

fn pdf_header_offset(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).position(|w| w == b"%PDF-")
}

/// NUL bytes, or many control characters, mean binary: the rule mail detection uses.
use super::detect::looks_binary;

fn looks_textual(bytes: &[u8]) -> bool {
    utf16_bom(bytes).is_some() || !looks_binary(&bytes[..bytes.len().min(SNIFF_LEN)])
}

/// `<!doctype html` or `<html` at the start, after whitespace and perhaps an XML declaration or
/// a comment.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = decode_text(&bytes[..bytes.len().min(1024)], usize::MAX).0;
    let head = head.to_ascii_lowercase();
    let trimmed = head.trim_start();
    let Some(at) = ["<!doctype html", "<html"]
        .iter()
        .filter_map(|needle| trimmed.find(needle))
        .min()
    else {
        return false;
    };
    at == 0 || trimmed.starts_with('<')
}

fn zip_format<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Option<DocFormat> {
    if zip.index_for_name("word/document.xml").is_some() {
        return Some(DocFormat::Docx);
    }
    let mut mimetype = Vec::new();
    let mut entry = zip.by_name("mimetype").ok()?;
    (&mut entry).take(256).read_to_end(&mut mimetype).ok()?;
    (String::from_utf8_lossy(&mimetype).trim() == ODT_MIMETYPE).then_some(DocFormat::Odt)
}

// ---------------------------------------------------------------------------------------------
// Text decoding

enum Utf16 {
    Le,
    Be,
}

fn utf16_bom(bytes: &[u8]) -> Option<Utf16> {
    match bytes {
        [0xff, 0xfe, ..] => Some(Utf16::Le),
        [0xfe, 0xff, ..] => Some(Utf16::Be),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], order: &Utf16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| match order {
            Utf16::Le => u16::from_le_bytes([pair[0], pair[1]]),
            Utf16::Be => u16::from_be_bytes([pair[0], pair[1]]),
        })
        .collect();
    String::from_utf16_lossy(&units)
}

fn decode_windows_1252(bytes: &[u8]) -> String {
    match mail_parser::decoders::charsets::map::charset_decoder(b"windows-1252") {
        Some(decode) => decode(bytes),
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Decodes at most `max_input` bytes of text: BOM-marked UTF-8 or UTF-16, else UTF-8 when valid,
/// else windows-1252. Returns the text and whether input was left undecoded.
fn decode_text(bytes: &[u8], max_input: usize) -> (String, bool) {
    decode_text_with(bytes, max_input, decode_windows_1252)
}

fn decode_text_with(
    bytes: &[u8],
    max_input: usize,
    fallback: impl FnOnce(&[u8]) -> String,
) -> (String, bool) {
    if let Some(order) = utf16_bom(bytes) {
        let body = &bytes[2..];
        let take = body.len().min(max_input.saturating_mul(2) & !1);
        return (decode_utf16(&body[..take], &order), take < body.len());
    }
    if let Some(body) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        let take = body.len().min(max_input);
        return (
            String::from_utf8_lossy(&body[..take]).into_owned(),
            take < body.len(),
        );
    }
    let take = bytes.len().min(max_input);
    let truncated = take < bytes.len();
    let head = &bytes[..take];
    match std::str::from_utf8(head) {
        Ok(s) => (s.to_owned(), truncated),
        // The cut split the last character: the rest is valid UTF-8.
        Err(e) if truncated && e.error_len().is_none() => (
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned(),
            true,
        ),
        Err(_) => (fallback(head), truncated),
    }
}

/// Cuts `text` to at most `max` bytes at a character boundary; true when it did.
fn cap_text(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

/// Collects text up to [`MAX_TEXT_BYTES`], remembering whether more was offered.
#[derive(Default)]
struct TextBuf {
    text: String,
    full: bool,
}

impl TextBuf {
    fn push_str(&mut self, s: &str) {
        if self.full {
            return;
        }
        self.text.push_str(s);
        if cap_text(&mut self.text, MAX_TEXT_BYTES) {
            self.full = true;
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }
}

// ---------------------------------------------------------------------------------------------
// Plain text, HTML, CSV

fn extract_text(bytes: &[u8]) -> Extracted {
    let (text, truncated) = decode_text(bytes, MAX_TEXT_BYTES);
    let mut out = Extracted {
        text,
        ..Extracted::default()
    };
    if truncated {
        out.flag(FLAG_TRUNCATED);
    }
    out
}

fn extract_html(bytes: &[u8]) -> Extracted {
    let (html, truncated) = decode_text_with(bytes, MAX_MARKUP_BYTES, |head| {
        declared_charset(head)
            .and_then(|cs| mail_parser::decoders::charsets::map::charset_decoder(cs.as_bytes()))
            .map_or_else(|| decode_windows_1252(head), |decode| decode(head))
    });
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = Extracted {
        title: html_title(&html, &lower),
        author: html_author(&html, &lower),
        text: mail_parser::decoders::html::html_to_text(&html),
        ..Extracted::default()
    };
    if truncated {
        out.flag(FLAG_TRUNCATED);
    }
    out
}

/// The `charset=` an HTML head declares (`<meta charset=...>` or the http-equiv form).
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

fn html_title(html: &str, lower: &str) -> Option<String> {
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start
        + lower[start..]
            .find("</title")
            .unwrap_or(lower.len() - start);
    clean_field(&mail_parser::decoders::html::html_to_text(
        &html[start..end],
    ))
}

fn html_author(html: &str, lower: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = lower[from..].find("<meta") {
        let start = from + found + "<meta".len();
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let attrs = html_attributes(&html[start..end]);
        let attr = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        if attr("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("author")) {
            if let Some(content) = attr("content") {
                return clean_field(&mail_parser::decoders::html::html_to_text(content));
            }
        }
        from = end;
    }
    None
}

/// `key=value` pairs of a tag's attribute text, values quoted or not.
fn html_attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut attrs = Vec::new();
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let key_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '/' | '>'))
            .unwrap_or(rest.len());
        if key_len == 0 {
            return attrs;
        }
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            attrs.push((key, ""));
            continue;
        };
        rest = after_eq.trim_start();
        let value;
        if let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let body = &rest[1..];
            let len = body.find(quote).unwrap_or(body.len());
            value = &body[..len];
            rest = body.get(len + 1..).unwrap_or("");
        } else {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = &rest[..len];
            rest = &rest[len..];
        }
        attrs.push((key, value));
    }
}

/// Trimmed, inner whitespace collapsed; None when nothing is left.
fn clean_field(s: &str) -> Option<String> {
    let cleaned = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

fn extract_csv(bytes: &[u8]) -> Extracted {
    let (source, truncated) = decode_text(bytes, MAX_MARKUP_BYTES);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(guess_delimiter(&source))
        .from_reader(source.as_bytes());
    let mut buf = TextBuf::default();
    let mut damaged = false;
    for record in reader.records() {
        let Ok(record) = record else {
            damaged = true;
            break;
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        for (i, cell) in record.iter().enumerate() {
            if i > 0 {
                buf.push_str(" | ");
            }
            buf.push_str(cell.trim());
        }
        buf.push('\n');
        if buf.full {
            break;
        }
    }
    let mut out = Extracted {
        text: buf.text,
        ..Extracted::default()
    };
    if truncated || buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    if damaged {
        out.flag(FLAG_DAMAGED);
    }
    out
}

/// The most frequent of comma, tab, semicolon and pipe outside quotes in the first lines; comma
/// when none occurs.
fn guess_delimiter(source: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut lines = 0;
    for &b in source.as_bytes().iter().take(SNIFF_LEN) {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines += 1;
                if lines == 10 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    if count == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

// ---------------------------------------------------------------------------------------------
// PDF

fn extract_pdf(bytes: &[u8]) -> Result<Extracted, String> {
    let offset = pdf_header_offset(bytes).ok_or("not a PDF: no %PDF- header")?;
    let data = &bytes[offset..];
    catch_quietly(|| extract_pdf_unguarded(data))
        .map_err(|panic| format!("unreadable PDF: parser failed ({panic})"))?
}

fn extract_pdf_unguarded(data: &[u8]) -> Result<Extracted, String> {
    use pdf_extract::{Document, Error};
    let mut doc = Document::load_mem(data).map_err(|e| match e {
        Error::Decryption(e) => format!("encrypted PDF: {e}"),
        e => format!("unreadable PDF: {e}"),
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err("encrypted PDF: a password is needed".into());
    }
    let mut out = Extracted::default();
    if let Some(info) = pdf_info(&doc) {
        let field = |key: &[u8]| {
            let obj = info.get(key).ok()?;
            let (_, obj) = doc.dereference(obj).ok()?;
            pdf_extract::decode_text_string(obj)
                .ok()
                .or_else(|| Some(String::from_utf8_lossy(obj.as_str().ok()?).into_owned()))
        };
        out.title = field(b"Title").as_deref().and_then(clean_field);
        out.author = field(b"Author").as_deref().and_then(clean_field);
        out.created = field(b"CreationDate").as_deref().and_then(parse_pdf_date);
        out.modified = field(b"ModDate").as_deref().and_then(parse_pdf_date);
    }
    let mut text = String::new();
    let mut output = pdf_extract::PlainTextOutput::new(&mut text);
    if let Err(e) = pdf_extract::output_doc(&doc, &mut output) {
        if text.trim().is_empty() {
            return Err(format!("unreadable PDF: {e}"));
        }
        out.flag(FLAG_DAMAGED);
    }
    if text.trim().is_empty() {
        out.flag(FLAG_NO_TEXT_LAYER);
    }
    out.text = text;
    Ok(out)
}

fn pdf_info(doc: &pdf_extract::Document) -> Option<&pdf_extract::Dictionary> {
    let info = doc.trailer.get(b"Info").ok()?;
    doc.dereference(info).ok()?.1.as_dict().ok()
}

/// `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional; no offset means UTC.
fn parse_pdf_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits < 4 {
        return None;
    }
    let num = |from: usize, len: usize, default: u32| -> u32 {
        s.get(from..from + len)
            .filter(|_| from + len <= digits)
            .and_then(|p| p.parse().ok())
            .unwrap_or(default)
    };
    let year = i32::try_from(num(0, 4, 0)).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(4, 2, 1), num(6, 2, 1))?;
    let local = date.and_hms_opt(num(8, 2, 0), num(10, 2, 0), num(12, 2, 0))?;
    let zone = &s[digits..];
    let offset_secs = match zone.as_bytes().first() {
        Some(&sign @ (b'+' | b'-')) => {
            let parts: Vec<i32> = zone[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .take(2)
                .map(|p| p.get(..2).unwrap_or(p).parse().unwrap_or(0))
                .collect();
            let secs = parts.first().copied().unwrap_or(0) * 3600
                + parts.get(1).copied().unwrap_or(0) * 60;
            if sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => 0,
    };
    let offset = chrono::FixedOffset::east_opt(offset_secs)?;
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

thread_local! {
    /// Set while a panic is expected and caught: the panic hook stays silent.
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into Err(its message) without printing it. The first call installs
/// a process-wide panic hook that defers to the previous one except while such a call is running
/// on the panicking thread.
fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET_PANICS.with(|q| q.set(self.0));
        }
    }
    let _restore = Restore(QUIET_PANICS.with(|q| q.replace(true)));
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .map(|s| s.lines().next().unwrap_or("").chars().take(120).collect())
            .unwrap_or_else(|| "panic".to_owned())
    })
}

// ---------------------------------------------------------------------------------------------
// Zip packages (DOCX, ODT)

/// A DOCX/ODT package, read under the per-entry and per-package limits.
struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    flags: Vec<&'static str>,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], kind: &str) -> Result<Self, String> {
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("not a {kind} (unreadable zip: {e})"))?;
        Ok(Package {
            zip,
            budget: MAX_PACKAGE_BYTES,
            flags: Vec::new(),
        })
    }

    fn names(&self, pick: impl Fn(&str) -> bool) -> Vec<String> {
        let mut names: Vec<String> = self
            .zip
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| pick(n))
            .map(Cow::into_owned)
            .collect();
        names.sort();
        names
    }

    /// The entry `name` as text: Ok(None) when absent, Err when it cannot be read at all. An
    /// entry over the limits or broken part-way gives what could be read, and a flag.
    fn read(&mut self, name: &str) -> Result<Option<String>, String> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let limit = MAX_ENTRY_BYTES.min(self.budget);
        let mut entry = self
            .zip
            .by_index(index)
            .map_err(|e| format!("{name} unreadable: {e}"))?;
        let mut data = Vec::new();
        let result = (&mut entry).take(limit + 1).read_to_end(&mut data);
        drop(entry);
        if let Err(e) = result {
            if data.is_empty() {
                return Err(format!("{name} unreadable: {e}"));
            }
            self.flags.push(FLAG_DAMAGED);
        }
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if len > limit {
            // Past the limit: a zip bomb, or a document too large to index whole.
            data.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            self.flags.push(FLAG_TRUNCATED);
        }
        self.budget = self.budget.saturating_sub(len);
        Ok(Some(match utf16_bom(&data) {
            Some(order) => decode_utf16(&data[2..], &order),
            None => String::from_utf8_lossy(&data).into_owned(),
        }))
    }

    /// Like [`read`](Self::read), for parts whose loss does not spoil the document.
    fn read_optional(&mut self, name: &str) -> Option<String> {
        self.read(name).unwrap_or_else(|_| {
            self.flags.push(FLAG_DAMAGED);
            None
        })
    }

    fn finish(self, mut out: Extracted) -> Extracted {
        for flag in self.flags {
            out.flag(flag);
        }
        out
    }
}

/// A quick-xml reader tolerant of the mismatched end tags of damaged files.
fn xml_reader(xml: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    reader
}

/// The text an event stands for: character data, CDATA or an entity reference.
fn event_text<'e>(event: &'e Event<'_>) -> Option<Cow<'e, str>> {
    match event {
        Event::Text(t) => Some(t.xml10_content()),
        Event::CData(t) => Some(t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Some(Cow::Owned(c.to_string())),
            Ok(None) => quick_xml::escape::resolve_predefined_entity(r.as_ref()).map(Cow::Borrowed),
            Err(_) => None,
        },
        _ => None,
    }
}

/// The text of the first element named (qualified) `names[i]`, for each i.
fn xml_fields(xml: &str, names: &[&str]) -> (Vec<Option<String>>, bool) {
    let mut values: Vec<Option<String>> = vec![None; names.len()];
    let mut current: Option<(usize, String)> = None;
    let mut reader = xml_reader(xml);
    let damaged = loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => break false,
            Ok(event) => event,
            Err(_) => break true,
        };
        match &event {
            Event::Start(e) => {
                current = names
                    .iter()
                    .position(|n| *n == e.name().as_ref())
                    .filter(|&i| values[i].is_none())
                    .map(|i| (i, String::new()));
            }
            Event::End(_) => {
                if let Some((i, text)) = current.take() {
                    values[i] = clean_field(&text);
                }
            }
            _ => {
                if let (Some((_, text)), Some(t)) = (current.as_mut(), event_text(&event)) {
                    if text.len() < 64 << 10 {
                        text.push_str(&t);
                    }
                }
            }
        }
    };
    (values, damaged)
}

/// W3CDTF (`2016-10-28T09:30:00Z`, fractions, offsets) or the zone-less form of ODF; no zone
/// means UTC.
fn parse_w3c_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), format) {
            return Some(dt.and_utc());
        }
    }
    let padded = match s.len() {
        4 => format!("{s}-01-01"),
        7 => format!("{s}-01"),
        _ => s.to_owned(),
    };
    let date = NaiveDate::parse_from_str(&padded, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}

fn extract_docx(bytes: &[u8]) -> Result<Extracted, String> {
    let mut pkg = Package::open(bytes, "DOCX")?;
    let body = pkg
        .read("word/document.xml")?
        .ok_or("DOCX without word/document.xml")?;
    let mut buf = TextBuf::default();
    if docx_text(&body, &mut buf) {
        pkg.flags.push(FLAG_DAMAGED);
    }
    drop(body);
    let parts = ["footnotes", "endnotes", "comments"]
        .iter()
        .map(|p| format!("word/{p}.xml"))
        .chain(pkg.names(|n| {
            let part = n.strip_prefix("word/").unwrap_or("");
            (part.starts_with("header") || part.starts_with("footer"))
                && part.ends_with(".xml")
                && !part.contains('/')
        }))
        .collect::<Vec<_>>();
    for part in parts {
        if buf.full {
            break;
        }
        let Some(xml) = pkg.read_optional(&part) else {
            continue;
        };
        let mut part_text = TextBuf::default();
        if docx_text(&xml, &mut part_text) {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let part_text = part_text.text.trim();
        if !part_text.is_empty() {
            buf.push('\n');
            buf.push_str(part_text);
            buf.push('\n');
        }
    }
    let mut out = Extracted::default();
    if let Some(core) = pkg.read_optional("docProps/core.xml") {
        let (fields, damaged) = xml_fields(
            &core,
            &[
                "dc:title",
                "dc:creator",
                "dcterms:created",
                "dcterms:modified",
            ],
        );
        if damaged {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let mut fields = fields.into_iter();
        out.title = fields.next().flatten();
        out.author = fields.next().flatten();
        out.created = fields.next().flatten().as_deref().and_then(parse_w3c_date);
        out.modified = fields.next().flatten().as_deref().and_then(parse_w3c_date);
    }
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// Appends the text of a WordprocessingML part; true when its XML broke off.
fn docx_text(xml: &str, buf: &mut TextBuf) -> bool {
    let mut reader = xml_reader(xml);
    let mut in_text = false;
    // Inside tab-stop definitions (`w:tabs`), or inside `mc:Fallback`, which repeats the text
    // boxes of `mc:Choice` for old readers.
    let mut skip_depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return false,
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tabs" | "Fallback" => skip_depth += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "tabs" | "Fallback" => skip_depth = skip_depth.saturating_sub(1),
                "p" if skip_depth == 0 => buf.push('\n'),
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => match e.local_name().as_ref() {
                "tab" | "ptab" => buf.push('\t'),
                "br" | "cr" | "p" => buf.push('\n'),
                "noBreakHyphen" => buf.push('-'),
                _ => {}
            },
            _ if in_text && skip_depth == 0 => {
                if let Some(t) = event_text(&event) {
                    buf.push_str(&t);
                }
            }
            _ => {}
        }
        if buf.full {
            return false;
        }
    }
}

fn extract_odt(bytes: &[u8]) -> Result<Extracted, String> {
    let mut pkg = Package::open(bytes, "ODT")?;
    let content = pkg.read("content.xml")?.ok_or("ODT without content.xml")?;
    let mut buf = TextBuf::default();
    if odt_text(&content, &mut buf) {
        pkg.flags.push(FLAG_DAMAGED);
    }
    drop(content);
    let mut out = Extracted::default();
    if let Some(meta) = pkg.read_optional("meta.xml") {
        let (fields, damaged) = xml_fields(
            &meta,
            &[
                "dc:title",
                "meta:initial-creator",
                "dc:creator",
                "meta:creation-date",
                "dc:date",
            ],
        );
        if damaged {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let mut fields = fields.into_iter();
        out.title = fields.next().flatten();
        let initial_creator = fields.next().flatten();
        let creator = fields.next().flatten();
        out.author = initial_creator.or(creator);
        out.created = fields.next().flatten().as_deref().and_then(parse_w3c_date);
        out.modified = fields.next().flatten().as_deref().and_then(parse_w3c_date);
    }
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// Appends the text of an ODF `content.xml`; true when its XML broke off.
fn odt_text(xml: &str, buf: &mut TextBuf) -> bool {
    let mut reader = xml_reader(xml);
    let mut para_depth = 0usize;
    // Inside tracked deletions, or the author/date of an annotation.
    let mut skip_depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return false,
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            Event::Start(e) => match e.name().as_ref() {
                "text:p" | "text:h" => para_depth += 1,
                n if odt_skipped(n) => skip_depth += 1,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "text:p" | "text:h" => {
                    para_depth = para_depth.saturating_sub(1);
                    if skip_depth == 0 {
                        buf.push('\n');
                    }
                }
                n if odt_skipped(n) => skip_depth = skip_depth.saturating_sub(1),
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => match e.name().as_ref() {
                "text:s" => {
                    for _ in 0..odt_space_count(e) {
                        buf.push(' ');
                    }
                }
                "text:tab" => buf.push('\t'),
                "text:line-break" | "text:p" | "text:h" => buf.push('\n'),
                _ => {}
            },
            _ if para_depth > 0 && skip_depth == 0 => {
                if let Some(t) = event_text(&event) {
                    buf.push_str(&t);
                }
            }
            _ => {}
        }
        if buf.full {
            return false;
        }
    }
}

fn odt_skipped(name: &str) -> bool {
    name == "text:tracked-changes" || name.starts_with("dc:")
}

/// `text:c` of a `text:s`: how many spaces it stands for (1 by default, at most 1000).
fn odt_space_count(e: &BytesStart<'_>) -> usize {
    e.try_get_attribute("text:c")
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .min(1000)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::{Duration, Instant};

    use super::*;

    fn utc(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            let method = if *name == "mimetype" {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    const DOCX_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<w:body>
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Offshore</w:t></w:r><w:r><w:t xml:space="preserve"> accounts &amp; trusts</w:t></w:r></w:p>
<w:p><w:r><w:t>Name</w:t><w:tab/><w:t>Amount</w:t><w:br/><w:t>Second line</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:instrText>PAGE</w:instrText><w:delText>removed words</w:delText><w:t>Kept&#233;</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:t>In a box</w:t></mc:Choice><mc:Fallback><w:p><w:r><w:t>In a box</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent></w:r></w:p>
</w:body></w:document>"#;

    const DOCX_CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Board  minutes</dc:title><dc:creator>Jane Roe</dc:creator><cp:lastModifiedBy>Someone Else</cp:lastModifiedBy>
<dcterms:created xsi:type="dcterms:W3CDTF">2016-10-28T09:30:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2016-10-29T12:00:00+02:00</dcterms:modified>
</cp:coreProperties>"#;

    const DOCX_FOOTER: &str =
        r#"<w:ftr xmlns:w="x"><w:p><w:r><w:t>Confidential footer</w:t></w:r></w:p></w:ftr>"#;

    fn docx_fixture() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", DOCX_BODY.as_bytes()),
            ("word/footer1.xml", DOCX_FOOTER.as_bytes()),
            ("docProps/core.xml", DOCX_CORE.as_bytes()),
        ])
    }

    const ODT_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:body><office:text>
<text:tracked-changes><text:changed-region><text:deletion><text:p>deleted secret</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:h text:outline-level="1">Wire transfers</text:h>
<text:p>From<text:s text:c="3"/>A<text:tab/>to <text:span>B &lt;bank&gt;</text:span><text:line-break/>next</text:p>
<text:p>Note<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2016-01-01</dc:date><text:p>check this</text:p></office:annotation></text:p>
</office:text></office:body></office:document-content>"#;

    const ODT_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:meta><dc:title>Transfers</dc:title><dc:creator>Last Editor</dc:creator><meta:initial-creator>First Author</meta:initial-creator>
<meta:creation-date>2015-03-01T10:11:12.123456789</meta:creation-date><dc:date>2015-03-02T08:00:00</dc:date></office:meta>
</office:document-meta>"#;

    fn odt_fixture() -> Vec<u8> {
        zip_of(&[
            ("mimetype", ODT_MIMETYPE.as_bytes()),
            ("content.xml", ODT_CONTENT.as_bytes()),
            ("meta.xml", ODT_META.as_bytes()),
        ])
    }

    /// A one-page PDF with a Helvetica text layer and an Info dictionary, xref offsets computed.
    fn pdf_fixture(text: &str) -> Vec<u8> {
        let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_owned(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
            "<< /Title (Quarterly tax returns) /Author (J. Doe) \
             /CreationDate (D:20161028093000+02'00') /ModDate (D:20161029120000Z) >>"
                .to_owned(),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    /// Every prefix of `bytes` (stepping by `step`) and some corruptions: must not panic.
    fn assert_survives_damage(bytes: &[u8], format: DocFormat, step: usize) {
        for len in (0..bytes.len()).step_by(step) {
            let _ = extract(&bytes[..len], format);
            let _ = sniff(&bytes[..len], "x");
        }
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20 {
            let mut damaged = bytes.to_vec();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let at = seed as usize % damaged.len();
                damaged[at] = (seed >> 8) as u8;
            }
            let _ = extract(&damaged, format);
        }
    }

    #[test]
    fn format_names() {
        assert_eq!(DocFormat::Docx.as_str(), "docx");
        assert_eq!(DocFormat::Pdf.mime_type(), "application/pdf");
        assert_eq!(DocFormat::Odt.mime_type(), ODT_MIMETYPE);
    }

    #[test]
    fn text_encodings() {
        let out = extract(b"\xef\xbb\xbfhello world", DocFormat::Text).unwrap();
        assert_eq!(out.text, "hello world");
        assert_eq!(out.title, None);
        assert!(out.flags.is_empty());

        let out = extract(b"caf\xe9 costs \x8020", DocFormat::Text).unwrap();
        assert_eq!(out.text, "café costs €20");

        let mut le = vec![0xff, 0xfe];
        le.extend("résumé".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(extract(&le, DocFormat::Text).unwrap().text, "résumé");
        let mut be = vec![0xfe, 0xff];
        be.extend("naïve".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(extract(&be, DocFormat::Text).unwrap().text, "naïve");
        assert_eq!(sniff(&be, "notes"), Some(DocFormat::Text));
    }

    #[test]
    fn text_is_capped_at_a_char_boundary() {
        let big = "é".repeat(MAX_TEXT_BYTES / 2 + 10);
        let out = extract(big.as_bytes(), DocFormat::Text).unwrap();
        assert!(out.text.len() <= MAX_TEXT_BYTES);
        assert!(out.text.chars().all(|c| c == 'é'));
        assert_eq!(out.flags, vec![FLAG_TRUNCATED]);

        // Cutting the input in the middle of a UTF-8 character does not make it windows-1252.
        let mut odd = "a".repeat(MAX_TEXT_BYTES - 1);
        odd.push_str("éé");
        let out = extract(odd.as_bytes(), DocFormat::Text).unwrap();
        assert!(out.text.ends_with('a'));
        assert!(out.flags.contains(&FLAG_TRUNCATED));
    }

    #[test]
    fn html_title_author_and_text() {
        let html = br#"<!DOCTYPE html>
<html><head><title>Payroll &amp; bonuses</title>
<META content="Ann Example" NAME="Author"><style>p { color: red }</style>
<script>var secret = "js";</script></head>
<body><h1>Bonus plan</h1><p>Paid via <b>shell</b> company.</p></body></html>"#;
        assert_eq!(sniff(html, "page.txt"), Some(DocFormat::Html));
        let out = extract(html, DocFormat::Html).unwrap();
        assert_eq!(out.title.as_deref(), Some("Payroll & bonuses"));
        assert_eq!(out.author.as_deref(), Some("Ann Example"));
        assert!(out.text.contains("Bonus plan"), "{:?}", out.text);
        assert!(
            out.text.contains("Paid via shell company."),
            "{:?}",
            out.text
        );
        assert!(!out.text.contains("secret") && !out.text.contains("color"));

        let latin =
            b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head></html>";
        assert_eq!(
            extract(latin, DocFormat::Html).unwrap().title.as_deref(),
            Some("Café")
        );
        assert_eq!(sniff(b"<p>fragment</p>", "a.htm"), Some(DocFormat::Html));
        assert_eq!(sniff(b"<p>fragment</p>", "a.txt"), Some(DocFormat::Text));
    }

    #[test]
    fn csv_rows_and_tsv() {
        let csv = b"name,amount,note\nAlice,100,\"with, comma\"\nBob,200\n\n";
        assert_eq!(sniff(csv, "ledger.csv"), Some(DocFormat::Csv));
        let out = extract(csv, DocFormat::Csv).unwrap();
        assert_eq!(
            out.text,
            "name | amount | note\nAlice | 100 | with, comma\nBob | 200\n"
        );
        assert_eq!(out.title, None);

        let tsv = b"a\tb, c\td\n1\t2\t3\t4\n";
        assert_eq!(sniff(tsv, "x.TSV"), Some(DocFormat::Csv));
        assert_eq!(
            extract(tsv, DocFormat::Csv).unwrap().text,
            "a | b, c | d\n1 | 2 | 3 | 4\n"
        );
        // An unterminated quote does not lose the rest or panic.
        assert!(extract(b"a,\"b\nc,d", DocFormat::Csv)
            .unwrap()
            .text
            .contains('c'));
    }

    #[test]
    fn pdf_text_and_info() {
        let pdf = pdf_fixture("Hello tax returns");
        assert_eq!(sniff(&pdf, "scan.bin"), Some(DocFormat::Pdf));
        let out = extract(&pdf, DocFormat::Pdf).unwrap();
        assert!(out.text.contains("Hello tax returns"), "{:?}", out.text);
        assert_eq!(out.title.as_deref(), Some("Quarterly tax returns"));
        assert_eq!(out.author.as_deref(), Some("J. Doe"));
        assert_eq!(out.created, utc("2016-10-28T07:30:00Z"));
        assert_eq!(out.modified, utc("2016-10-29T12:00:00Z"));
        assert!(out.flags.is_empty(), "{:?}", out.flags);
    }

    #[test]
    fn pdf_without_text_is_flagged() {
        let out = extract(&pdf_fixture(""), DocFormat::Pdf).unwrap();
        assert!(out.flags.contains(&FLAG_NO_TEXT_LAYER), "{out:?}");
    }

    #[test]
    fn fake_pdfs_err_cleanly() {
        let err = extract(b"just some text", DocFormat::Pdf).unwrap_err();
        assert!(err.starts_with("not a PDF"), "{err}");
        assert_eq!(
            sniff(b"just some text", "report.pdf"),
            Some(DocFormat::Text)
        );
        let fake = b"%PDF-1.7\nthis is not really a PDF at all";
        assert_eq!(sniff(fake, "report.pdf"), Some(DocFormat::Pdf));
        let err = extract(fake, DocFormat::Pdf).unwrap_err();
        assert!(err.starts_with("unreadable PDF"), "{err}");
        // Text that merely mentions the header is text.
        assert_eq!(
            sniff(b"see the %PDF- header", "notes"),
            Some(DocFormat::Text)
        );
    }

    #[test]
    fn panics_become_errors() {
        assert_eq!(catch_quietly(|| 7), Ok(7));
        assert_eq!(
            catch_quietly(|| -> u8 { panic!("boom") }),
            Err("boom".to_owned())
        );
        let n = 3;
        assert_eq!(
            catch_quietly(|| -> u8 { panic!("boom {n}") }),
            Err("boom 3".to_owned())
        );
        // The flag is restored: later panics on this thread are reported again.
        assert!(!QUIET_PANICS.with(Cell::get));
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(parse_pdf_date("D:2016"), utc("2016-01-01T00:00:00Z"));
        assert_eq!(
            parse_pdf_date("D:20161028093000-05'30'"),
            utc("2016-10-28T15:00:00Z")
        );
        assert_eq!(
            parse_pdf_date("20161028093000Z00'00'"),
            utc("2016-10-28T09:30:00Z")
        );
        assert_eq!(parse_pdf_date("D:20161399"), None);
        assert_eq!(parse_pdf_date("garbage"), None);
    }

    #[test]
    fn docx_text_and_core_properties() {
        let docx = docx_fixture();
        assert_eq!(sniff(&docx, "whatever.zip"), Some(DocFormat::Docx));
        let out = extract(&docx, DocFormat::Docx).unwrap();
        assert_eq!(
            out.text,
            "Offshore accounts & trusts\nName\tAmount\nSecond line\n\nKepté\nIn a box\n\n\
             Confidential footer\n"
        );
        assert_eq!(out.title.as_deref(), Some("Board minutes"));
        assert_eq!(out.author.as_deref(), Some("Jane Roe"));
        assert_eq!(out.created, utc("2016-10-28T09:30:00Z"));
        assert_eq!(out.modified, utc("2016-10-29T10:00:00Z"));
        assert!(out.flags.is_empty(), "{:?}", out.flags);
    }

    #[test]
    fn odt_text_and_meta() {
        let odt = odt_fixture();
        assert_eq!(sniff(&odt, "file"), Some(DocFormat::Odt));
        let out = extract(&odt, DocFormat::Odt).unwrap();
        assert_eq!(
            out.text,
            "Wire transfers\nFrom   A\tto B <bank>\nnext\nNotecheck this\n\n"
        );
        assert_eq!(out.title.as_deref(), Some("Transfers"));
        assert_eq!(out.author.as_deref(), Some("First Author"));
        assert_eq!(out.created, utc("2015-03-01T10:11:12.123456789Z"));
        assert_eq!(out.modified, utc("2015-03-02T08:00:00Z"));
    }

    #[test]
    fn zips_that_are_not_documents() {
        let plain = zip_of(&[("a.txt", b"hello")]);
        assert_eq!(sniff(&plain, "x.zip"), None);
        assert_eq!(sniff(&plain, "x.docx"), None);
        let err = extract(&plain, DocFormat::Docx).unwrap_err();
        assert_eq!(err, "DOCX without word/document.xml");
        let err = extract(&plain, DocFormat::Odt).unwrap_err();
        assert_eq!(err, "ODT without content.xml");
        let other_odf = zip_of(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_eq!(sniff(&other_odf, "x.ods"), None);
        // Broken zips named as documents are left to extract, which says why.
        assert_eq!(sniff(b"PK\x03\x04garbage", "x.docx"), Some(DocFormat::Docx));
        assert_eq!(sniff(b"PK\x03\x04garbage", "x.zip"), None);
        let err = extract(b"PK\x03\x04garbage", DocFormat::Docx).unwrap_err();
        assert!(err.starts_with("not a DOCX"), "{err}");
    }

    #[test]
    fn binary_content_is_not_sniffed() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.png"), None);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", "a.txt"), None);
        assert_eq!(sniff(b"hello\0world", "notes.txt"), None);
        assert_eq!(sniff(b"plain words", "README"), Some(DocFormat::Text));
        assert_eq!(sniff(b"# Title\n", "notes.md"), Some(DocFormat::Text));
    }

    /// A raw deflate stream of `chunk` repeated `times` times, built without compressing it
    /// all: each chunk is compressed alone and sync-flushed, so the pieces concatenate.
    fn repeated_deflate(head: &[u8], chunk: &[u8], times: usize) -> Vec<u8> {
        fn piece(data: &[u8]) -> Vec<u8> {
            let mut c = flate2::Compress::new(flate2::Compression::fast(), false);
            let mut out = Vec::with_capacity(data.len() + 1024);
            c.compress_vec(data, &mut out, flate2::FlushCompress::Sync)
                .unwrap();
            assert_eq!(c.total_in() as usize, data.len());
            out
        }
        let mut stream = piece(head);
        let body = piece(chunk);
        for _ in 0..times {
            stream.extend_from_slice(&body);
        }
        stream.extend_from_slice(&[0x03, 0x00]); // empty final block
        stream
    }

    /// A zip holding one deflated entry, assembled by hand (the CRC is left wrong: a bomb's
    /// reader must stop long before the end where it would be checked).
    fn zip_with_deflated(name: &str, deflated: &[u8], size: u32) -> Vec<u8> {
        let mut zip = Vec::new();
        let local = |zip: &mut Vec<u8>| {
            zip.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0]); // version, flags, method, time
            zip.extend_from_slice(&0u32.to_le_bytes()); // crc
            zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
            zip.extend_from_slice(&size.to_le_bytes());
            zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
            zip.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        zip.extend_from_slice(b"PK\x03\x04");
        local(&mut zip);
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(deflated);
        let central = zip.len();
        zip.extend_from_slice(b"PK\x01\x02\x14\x00");
        local(&mut zip);
        zip.extend_from_slice(&[0; 14]); // comment len, disk, attributes, local header offset
        zip.extend_from_slice(name.as_bytes());
        let central_len = zip.len() - central;
        zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        zip.extend_from_slice(&(central_len as u32).to_le_bytes());
        zip.extend_from_slice(&(central as u32).to_le_bytes());
        zip.extend_from_slice(&[0, 0]);
        zip
    }

    #[test]
    fn docx_zip_bomb_is_bounded() {
        let head = b"<w:document xmlns:w=\"x\"><w:body>";
        let chunk = b"<w:p><w:r><w:t>leaked</w:t></w:r></w:p>".repeat(1 << 15);
        let times = (MAX_ENTRY_BYTES as usize / chunk.len()) + 8;
        let size = (head.len() + chunk.len() * times) as u32;
        let deflated = repeated_deflate(head, &chunk, times);
        assert!(deflated.len() < 2 << 20);
        let bomb = zip_with_deflated("word/document.xml", &deflated, size);
        assert_eq!(sniff(&bomb, "bomb.docx"), Some(DocFormat::Docx));
        let started = Instant::now();
        match extract(&bomb, DocFormat::Docx) {
            Ok(out) => {
                assert!(out.flags.contains(&FLAG_TRUNCATED), "{:?}", out.flags);
                assert!(out.text.len() <= MAX_TEXT_BYTES);
                assert!(out.text.starts_with("leaked\nleaked\n"));
            }
            Err(e) => assert!(!e.is_empty()),
        }
        assert!(started.elapsed() < Duration::from_secs(120));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&docx_fixture(), DocFormat::Docx, 1);
        assert_survives_damage(&odt_fixture(), DocFormat::Odt, 1);
        assert_survives_damage(&pdf_fixture("Hello tax returns"), DocFormat::Pdf, 3);
        let html = b"<!doctype html><html><head><title>T</title><meta name=author content=\"A";
        assert_survives_damage(html, DocFormat::Html, 1);
        assert_survives_damage(b"a,\"b\"\"c\",d\n\"e", DocFormat::Csv, 1);
        assert_survives_damage(b"\xff\xfeh\0i\0\xc3", DocFormat::Text, 1);
        for format in [
            DocFormat::Text,
            DocFormat::Html,
            DocFormat::Csv,
            DocFormat::Pdf,
            DocFormat::Docx,
            DocFormat::Odt,
        ] {
            let _ = extract(b"", format);
            let _ = extract(&[0xff; 300], format);
        }
    }
}
