//! Standalone documents (kind `document`): plain text, HTML, CSV, PDF, RTF and office files
//! (DOCX, XLSX, PPTX, ODT, ODS, ODP, and Word, Excel and PowerPoint 97-2003).
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
//! - **ODT, ODS, ODP**: `content.xml` (tracked deletions left out; a spreadsheet's cells under
//!   each sheet's name; a presentation's slides and notes); `meta.xml` for title, creator and dates.
//! - **XLSX, XLS** (calamine): every sheet's cells, a row a line; core properties or
//!   `SummaryInformation`.
//! - **PPTX**: every slide's text then its notes, in show order; core properties.
//! - **DOC, PPT**: the Word piece table's text, PowerPoint's text atoms; `SummaryInformation`.
//! - **RTF**: the text, with `\'hh` escapes in the document's or font's code page and `\uN`;
//!   the `\info` group.
//!
//! Office metadata also gives who saved the document last ([`Extracted::last_modified_by`]).
//! Password-protected office files (an OOXML package inside an encrypted compound file, an ODF
//! manifest with encryption data, Word's `fEncrypted`, Excel's `FILEPASS`, PowerPoint's
//! encrypted `Current User`) are refused with [`ExtractError::Encrypted`], listed as `encrypted`.
//!
//! Each format's reader is its own file (`text.rs`, `html.rs`, `csv.rs`, `pdf.rs`, `rtf.rs`,
//! `docx.rs`, `pptx.rs`, `sheet.rs` for calamine's workbooks, `odf.rs` for the OpenDocument
//! family, `doc.rs`, `ppt.rs`), with its tests beside it; what several share is here and in
//! `decode.rs` (text decoding), `package.rs` (zip entries under limits), `ole.rs` (compound
//! files and their property sets) and `xml.rs` (quick-xml helpers, dates).
//!
//! Limits against hostile input: at most [`MAX_ENTRY_BYTES`] are decompressed from any one zip
//! entry and [`MAX_PACKAGE_BYTES`] from one package (zip bombs), text is capped at
//! [`MAX_TEXT_BYTES`], and a panic inside the PDF parser becomes an error. What went wrong but
//! still left text is a flag on the result: `text-truncated` (a limit was hit), `damaged` (the
//! container or its XML broke off part-way; the text is what came before), `no-text-layer`.

mod csv;
mod decode;
mod doc;
mod docx;
mod html;
mod odf;
mod ole;
mod package;
mod pdf;
mod ppt;
mod pptx;
mod rtf;
mod sheet;
mod text;
mod xml;

use std::io::{Cursor, Read};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use zip::ZipArchive;

/// NUL bytes, or many control characters, mean binary: the rule mail detection uses.
use super::detect::looks_binary;
use super::format::{self, Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::{Doc, Kind, Mailbox, Provenance};
use crate::sandbox;
use decode::{utf16_bom, utf16_unmarked};

/// Most bytes decompressed from a single zip entry, or read from one stream of a compound file.
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// Most bytes decompressed from all the entries of one office package together.
pub const MAX_PACKAGE_BYTES: u64 = 256 << 20;
/// Most bytes of extracted text kept per document.
pub const MAX_TEXT_BYTES: usize = 16 << 20;
/// Most bytes of HTML or CSV source decoded (markup makes it larger than the text it holds).
const MAX_MARKUP_BYTES: usize = 4 * MAX_TEXT_BYTES;
/// How much of the file the text/binary and HTML checks look at.
const SNIFF_LEN: usize = 8192;

const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";
const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODP_MIMETYPE: &str = "application/vnd.oasis.opendocument.presentation";

/// Flag: a limit was hit and the text is incomplete.
pub const FLAG_TRUNCATED: &str = "text-truncated";
/// Flag: a PDF with no extractable text (typically a scan).
pub const FLAG_NO_TEXT_LAYER: &str = "no-text-layer";
/// Flag: the container or its XML is broken part-way; the text is what could be read.
pub const FLAG_DAMAGED: &str = "damaged";
/// Every flag an [`Extracted`] can carry.
/// The text came from poppler's `pdftotext` (installed), not from the built-in PDF reader.
pub const FLAG_PDFTOTEXT: &str = "text-by-pdftotext";
const FLAGS: [&str; 4] = [
    FLAG_TRUNCATED,
    FLAG_NO_TEXT_LAYER,
    FLAG_DAMAGED,
    FLAG_PDFTOTEXT,
];

/// Document formats trawl extracts text from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Text,
    Html,
    Csv,
    Pdf,
    Docx,
    Odt,
    Xlsx,
    Ods,
    Pptx,
    Odp,
    Rtf,
    /// Word 97-2003 (and Word 6/95) binary.
    Doc,
    /// Excel 97-2003 (and BIFF5, Excel 95) binary.
    Xls,
    /// PowerPoint 97-2003 binary.
    Ppt,
}

impl DocFormat {
    pub fn as_str(self) -> &'static str {
        self.format().as_str()
    }

    /// The registry's name for it.
    pub fn format(self) -> Format {
        match self {
            DocFormat::Text => Format::Text,
            DocFormat::Html => Format::Html,
            DocFormat::Csv => Format::Csv,
            DocFormat::Pdf => Format::Pdf,
            DocFormat::Docx => Format::Docx,
            DocFormat::Odt => Format::Odt,
            DocFormat::Xlsx => Format::Xlsx,
            DocFormat::Ods => Format::Ods,
            DocFormat::Pptx => Format::Pptx,
            DocFormat::Odp => Format::Odp,
            DocFormat::Rtf => Format::Rtf,
            DocFormat::Doc => Format::Doc,
            DocFormat::Xls => Format::Xls,
            DocFormat::Ppt => Format::Ppt,
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
            DocFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DocFormat::Ods => ODS_MIMETYPE,
            DocFormat::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            DocFormat::Odp => ODP_MIMETYPE,
            DocFormat::Rtf => "application/rtf",
            DocFormat::Doc => "application/msword",
            DocFormat::Xls => "application/vnd.ms-excel",
            DocFormat::Ppt => "application/vnd.ms-powerpoint",
        }
    }
}

/// What was extracted. Serializable: it is what the extraction child answers (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub title: Option<String>,
    pub author: Option<String>,
    /// Who saved the document last, when its metadata says (office formats).
    #[serde(default)]
    pub last_modified_by: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub text: String,
    /// Oddities worth a flag on the document ("text-truncated", "no-text-layer", ...).
    #[serde(deserialize_with = "known_flags")]
    pub flags: Vec<&'static str>,
    /// The charset the text was decoded from, for formats that do not fix one (text, CSV,
    /// HTML): its WHATWG name, declared or detected.
    #[serde(default)]
    pub charset: Option<String>,
}

/// Flags read back as the consts they were written from; a name that is not one is dropped.
fn known_flags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    Ok(names
        .iter()
        .filter_map(|n| FLAGS.iter().find(|f| **f == n.as_str()).copied())
        .collect())
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
/// An OLE compound file is a DOC, XLS or PPT by its streams; one holding an encrypted package
/// is given the format its name says, so that [`extract`] says it is encrypted. `{\rtf` is RTF.
///
/// Returns None for binary content it does not know (images, executables, generic zips that are
/// not office packages: archives are handled elsewhere; compound files that are not office
/// files). A zip too damaged to list but named as an office package is given that format, so
/// that [`extract`] can say why it cannot be read.
pub fn sniff(bytes: &[u8], file_name: &str) -> Option<DocFormat> {
    let ext = Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if pdf_at_start(bytes) {
        return Some(DocFormat::Pdf);
    }
    if bytes.starts_with(ole::MAGIC) {
        return match ole::kind(bytes) {
            Ok(format) => Some(format),
            // Locked: the format its name gives, so that extracting it says it is encrypted.
            Err(ExtractError::Encrypted(_)) => Some(match ext.as_str() {
                "docx" | "docm" | "dotx" => DocFormat::Docx,
                "xlsx" | "xlsm" | "xltx" => DocFormat::Xlsx,
                "pptx" | "pptm" | "ppsx" => DocFormat::Pptx,
                "xls" | "xlt" => DocFormat::Xls,
                "ppt" | "pps" | "pot" => DocFormat::Ppt,
                _ => DocFormat::Doc,
            }),
            // Not an office file (an Outlook message, say).
            Err(_) => None,
        };
    }
    if rtf::sniff(bytes) {
        return Some(DocFormat::Rtf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return match ZipArchive::new(Cursor::new(bytes)) {
            Ok(mut zip) => zip_format(&mut zip),
            Err(_) => match ext.as_str() {
                "docx" => Some(DocFormat::Docx),
                "odt" => Some(DocFormat::Odt),
                "xlsx" => Some(DocFormat::Xlsx),
                "ods" => Some(DocFormat::Ods),
                "pptx" => Some(DocFormat::Pptx),
                "odp" => Some(DocFormat::Odp),
                _ => None,
            },
        };
    }
    if !looks_textual(bytes) {
        return None;
    }
    if html::looks_like_html(bytes) {
        return Some(DocFormat::Html);
    }
    Some(match ext.as_str() {
        "csv" | "tsv" => DocFormat::Csv,
        "htm" | "html" | "xhtml" => DocFormat::Html,
        _ => DocFormat::Text,
    })
}

/// The registry's sniff for a PDF: `%PDF-` in the first KiB, after nothing or after binary
/// junk (a text file merely mentioning "%PDF-" is not a PDF).
pub(crate) fn sniff_pdf(s: &Sniff) -> bool {
    pdf_at_start(s.head)
}

/// The registry's sniff for HTML: text that opens with a doctype or `<html>`, or is named so.
pub(crate) fn sniff_html(s: &Sniff) -> bool {
    text_unit(s)
        && (html::looks_like_html(s.head)
            || matches!(ext(s.name).as_str(), "htm" | "html" | "xhtml"))
}

/// The registry's sniff for CSV/TSV: text named `.csv` or `.tsv`.
pub(crate) fn sniff_csv(s: &Sniff) -> bool {
    text_unit(s) && matches!(ext(s.name).as_str(), "csv" | "tsv")
}

/// The registry's sniff for plain text: anything textual (UTF-16 with a byte-order mark
/// included) that is not blank from end to end.
pub(crate) fn sniff_text(s: &Sniff) -> bool {
    text_unit(s)
}

fn text_unit(s: &Sniff) -> bool {
    !format::blank(s) && looks_textual(s.head)
}

fn ext(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The registry's sniff for RTF: `{\rtf` at the start.
pub(crate) fn sniff_rtf(s: &Sniff) -> bool {
    rtf::sniff(s.head)
}

/// The registry's reader for RTF.
pub(crate) fn read_rtf(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, DocFormat::Rtf)
}

/// The registry's sniff for legacy office files: an OLE compound file whose first directory
/// sector (when the head holds it) names a Word, Excel or PowerPoint stream, or one named as an
/// office file. Other compound files (Outlook messages) are left alone.
pub(crate) fn sniff_ole(s: &Sniff) -> bool {
    ole::claims(s.head, &ext(s.name))
}

/// The registry's reader for legacy office files: the streams say which format (`doc`, `xls`,
/// `ppt`), and an encrypted OOXML package is listed as `encrypted`.
pub(crate) fn read_ole(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let format = ole::kind(unit.bytes).map_err(Skip::from)?;
    read_as(unit, ctx, emit, format)
}

/// The registry's reader for a PDF.
pub(crate) fn read_pdf(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, DocFormat::Pdf)
}

/// The registry's reader for HTML.
pub(crate) fn read_html(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, DocFormat::Html)
}

/// The registry's reader for CSV/TSV.
pub(crate) fn read_csv(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, DocFormat::Csv)
}

/// The registry's reader for plain text.
pub(crate) fn read_text(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_as(unit, ctx, emit, DocFormat::Text)
}

/// Extracts `unit` as a document of `format` and emits it.
pub(crate) fn read_as(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    format: DocFormat,
) -> Result<Format, Skip> {
    let extracted = extract(unit.bytes, format).map_err(Skip::from)?;
    let mut doc = document_doc(unit, format, extracted, ctx);
    if format == DocFormat::Pdf && doc.flags.contains(&FLAG_NO_TEXT_LAYER) {
        read_scan(&mut doc, unit.bytes, ctx);
    }
    emit(doc);
    Ok(format.format())
}

/// A PDF without a text layer (a scan): its pages read by OCR when it is on and poppler's
/// `pdftoppm` is there to render them ([`super::ocr`]); otherwise flagged `needs-ocr`. Only a
/// PDF with no text at all counts as a scan: the image-only pages of a PDF that has text on
/// others are not read.
fn read_scan(doc: &mut Doc, pdf: &[u8], ctx: &Context) {
    use super::ocr;
    let Some(engine) = ctx.ocr.as_ref().filter(|o| o.pdftoppm.is_some()) else {
        doc.flags.push(ocr::FLAG_NEEDS_OCR);
        ctx.count_needs_ocr();
        return;
    };
    match engine.pdf_text(pdf) {
        Ok((text, truncated)) => {
            engine.stats.count(true);
            doc.flags.push(ocr::FLAG_OCR);
            if truncated {
                doc.flags.push(ocr::FLAG_OCR_TRUNCATED);
            }
            doc.body = text;
        }
        Err(_) => {
            engine.stats.count(false);
            doc.flags.push(ocr::FLAG_OCR_FAILED);
        }
    }
}

/// A standalone document: title (or file name) as subject, author as sender, its own metadata
/// date, or else the file's modification time, flagged as the weaker evidence it is.
fn document_doc(unit: &Unit<'_>, format: DocFormat, x: Extracted, ctx: &Context) -> Doc {
    let source = Provenance {
        path: unit.vpath.to_owned(),
        offset: 0,
        length: unit.bytes.len() as u64,
        sha256: crate::doc::sha256_hex(unit.bytes),
        item: None,
    };
    let mut doc = Doc::new(Kind::Document, format.as_str(), source);
    let name = unit.name();
    doc.subject = x
        .title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| name.to_owned());
    doc.from = x.author.filter(|a| !a.trim().is_empty()).map(|a| Mailbox {
        address: String::new(),
        name: Some(a),
        written: None,
    });
    super::set_document_date(&mut doc, x.created.or(x.modified), unit.mtime, ctx.now);
    doc.body = x.text;
    doc.flags.extend(x.flags);
    doc.charset = x.charset;
    doc.last_modified_by = x.last_modified_by.filter(|a| !a.trim().is_empty());
    let plausible = |d: Option<DateTime<Utc>>| {
        crate::ingest::date::assess(d.map(|d| d.to_rfc3339()).as_deref(), ctx.now).utc
    };
    doc.created = plausible(x.created);
    doc.modified = plausible(x.modified);
    doc
}

/// Why a document gave no text. Each variant carries a short reason for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ExtractError {
    /// Content that is not what the format says, or that its parser refuses ("not a PDF: ...",
    /// "DOCX without word/document.xml", "encrypted PDF: ...").
    #[error("{0}")]
    Unextractable(String),
    /// The parser panicked (the panic message) or its process died (how).
    #[error("{0}")]
    Crash(String),
    /// The parser ran past its time limit and was stopped.
    #[error("{0}")]
    Timeout(String),
    /// The parser needed more memory than its limit, or its output was over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// The document is locked by a password: what kind of document, and how that was told.
    #[error("{0}")]
    Encrypted(String),
}

impl From<ExtractError> for Skip {
    fn from(e: ExtractError) -> Skip {
        match e {
            ExtractError::Unextractable(e) => Skip::Unextractable(e),
            ExtractError::Crash(e) => Skip::ParserCrash(e),
            ExtractError::Timeout(e) => Skip::Timeout(e),
            ExtractError::TooLarge(e) => Skip::TooLarge(e),
            ExtractError::Encrypted(e) => Skip::Encrypted(e),
        }
    }
}

/// Extracts text and metadata. Errs with a short clear reason for content that is not what
/// `format` says ([`ExtractError::Unextractable`]) or a parser that panicked
/// ([`ExtractError::Crash`]).
///
/// PDFs go to a child process when [`sandbox::configure`] enabled it: pdf-extract is
/// third-party code with no bound on its time or memory, and the child's limits turn a hang
/// into [`ExtractError::Timeout`] and an allocation past the limit into
/// [`ExtractError::TooLarge`]. Otherwise, and for every other format, extraction runs here
/// ([`extract_in_process`]).
pub fn extract(bytes: &[u8], format: DocFormat) -> Result<Extracted, ExtractError> {
    if format == DocFormat::Pdf {
        // Poppler first, with or without the extraction child (it runs in processes of its
        // own either way), so the library and the command read PDFs alike.
        let limits = sandbox::current().unwrap_or_default();
        let read = match pdf::by_poppler(bytes, &limits) {
            Some(out) => Ok(out),
            None if limits.enabled => pdf::extract_in_child(bytes, &limits),
            None => extract_in_process(bytes, format),
        };
        let mut out = read?;
        if cap_text(&mut out.text, MAX_TEXT_BYTES) {
            out.flag(FLAG_TRUNCATED);
        }
        return Ok(out);
    }
    extract_in_process(bytes, format)
}

/// [`extract`] in this process whatever the sandbox setting: what the extraction child runs.
pub fn extract_in_process(bytes: &[u8], format: DocFormat) -> Result<Extracted, ExtractError> {
    let unextractable = ExtractError::Unextractable;
    // A password-protected OOXML package is a compound file, whatever its name says.
    let office = matches!(
        format,
        DocFormat::Docx
            | DocFormat::Xlsx
            | DocFormat::Pptx
            | DocFormat::Doc
            | DocFormat::Xls
            | DocFormat::Ppt
    );
    // The compound file is checked by `cfb` first, as a file's is by the registry: a FAT that
    // points past the end is refused here, before calamine's own reader, which asks for
    // allocations of gigabytes on such files (found by the `document_xls` fuzz target).
    if office && bytes.starts_with(ole::MAGIC) {
        ole::kind(bytes)?;
    }
    // Third-party readers (calamine, cfb, quick-xml, lopdf) panic on some hostile files: a
    // panic costs this document, not the message it is attached to or the archive it is in.
    let read = || match format {
        DocFormat::Text => Ok(text::extract(bytes)),
        DocFormat::Html => Ok(html::extract(bytes)),
        DocFormat::Csv => Ok(csv::extract(bytes)),
        DocFormat::Pdf => pdf::extract(bytes),
        DocFormat::Docx => docx::extract(bytes).map_err(unextractable),
        DocFormat::Odt => odf::extract(bytes, "ODT"),
        DocFormat::Ods => odf::extract(bytes, "ODS"),
        DocFormat::Odp => odf::extract(bytes, "ODP"),
        DocFormat::Xlsx => sheet::extract_xlsx(bytes),
        DocFormat::Xls => sheet::extract_xls(bytes),
        DocFormat::Pptx => pptx::extract(bytes),
        DocFormat::Rtf => Ok(rtf::extract(bytes)),
        DocFormat::Doc => doc::extract(bytes),
        DocFormat::Ppt => ppt::extract(bytes),
    };
    let mut out = crate::isolate::catch(read).map_err(|panic| {
        ExtractError::Crash(format!("{} reader panicked: {panic}", format.as_str()))
    })??;
    if cap_text(&mut out.text, MAX_TEXT_BYTES) {
        out.flag(FLAG_TRUNCATED);
    }
    Ok(out)
}

/// `%PDF-` in the first KiB, after nothing but whitespace or after binary junk: junk before
/// the header is tolerated only when it is not text (a text file merely mentioning "%PDF-" is
/// not a PDF).
fn pdf_at_start(bytes: &[u8]) -> bool {
    pdf::header_offset(bytes).is_some_and(|offset| {
        let before = &bytes[..offset];
        before.iter().all(u8::is_ascii_whitespace) || looks_binary(before)
    })
}

/// Text: a UTF-16 byte-order mark, UTF-16 without one, or a head that does not look binary.
pub(crate) fn looks_textual(bytes: &[u8]) -> bool {
    utf16_bom(bytes).is_some()
        || !looks_binary(&bytes[..bytes.len().min(SNIFF_LEN)])
        || utf16_unmarked(&bytes[..bytes.len().min(SNIFF_LEN)]).is_some()
}

fn zip_format<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Option<DocFormat> {
    if zip.index_for_name("word/document.xml").is_some() {
        return Some(DocFormat::Docx);
    }
    if zip.index_for_name("xl/workbook.xml").is_some() {
        return Some(DocFormat::Xlsx);
    }
    if zip.index_for_name("ppt/presentation.xml").is_some() {
        return Some(DocFormat::Pptx);
    }
    let mut mimetype = Vec::new();
    let mut entry = zip.by_name("mimetype").ok()?;
    (&mut entry).take(256).read_to_end(&mut mimetype).ok()?;
    match String::from_utf8_lossy(&mimetype).trim() {
        ODT_MIMETYPE => Some(DocFormat::Odt),
        ODS_MIMETYPE => Some(DocFormat::Ods),
        ODP_MIMETYPE => Some(DocFormat::Odp),
        _ => None,
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

/// Trimmed, inner whitespace collapsed; None when nothing is left.
fn clean_field(s: &str) -> Option<String> {
    let cleaned = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    pub(super) fn utc(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    pub(super) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
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

    /// Every prefix of `bytes` (stepping by `step`) and some corruptions: must not panic.
    pub(super) fn assert_survives_damage(bytes: &[u8], format: DocFormat, step: usize) {
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
    fn zips_that_are_not_documents() {
        let plain = zip_of(&[("a.txt", b"hello")]);
        assert_eq!(sniff(&plain, "x.zip"), None);
        assert_eq!(sniff(&plain, "x.docx"), None);
        let err = extract(&plain, DocFormat::Docx).unwrap_err();
        assert_eq!(
            err,
            ExtractError::Unextractable("DOCX without word/document.xml".into())
        );
        let err = extract(&plain, DocFormat::Odt).unwrap_err();
        assert_eq!(
            err,
            ExtractError::Unextractable("ODT without content.xml".into())
        );
        let other_odf = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.graphics")]);
        assert_eq!(sniff(&other_odf, "x.odg"), None);
        // Broken zips named as documents are left to extract, which says why.
        assert_eq!(sniff(b"PK\x03\x04garbage", "x.docx"), Some(DocFormat::Docx));
        assert_eq!(sniff(b"PK\x03\x04garbage", "x.zip"), None);
        let err = extract(b"PK\x03\x04garbage", DocFormat::Docx).unwrap_err();
        assert!(
            matches!(&err, ExtractError::Unextractable(e) if e.starts_with("not a DOCX")),
            "{err}"
        );
    }

    #[test]
    fn extracted_round_trips_through_json() {
        let x = Extracted {
            title: Some("T".into()),
            author: None,
            last_modified_by: Some("L".into()),
            created: utc("2016-10-28T09:30:00.123456789Z"),
            modified: None,
            text: "body é\n".into(),
            flags: FLAGS.to_vec(),
            charset: Some("KOI8-R".into()),
        };
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(serde_json::from_str::<Extracted>(&json).unwrap(), x);
        let answer: Result<Extracted, ExtractError> = Err(ExtractError::Timeout("slow".into()));
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            serde_json::from_str::<Result<Extracted, ExtractError>>(&json).unwrap(),
            answer
        );
    }

    /// What attachments go through: sniffed from all their bytes, then extracted.
    #[test]
    fn compound_files_and_rtf_are_sniffed_from_their_bytes() {
        use super::ole::tests::compound;
        let locked = compound(&[("EncryptionInfo", b"x"), ("EncryptedPackage", b"y")]);
        assert_eq!(sniff(&locked, "budget.xlsx"), Some(DocFormat::Xlsx));
        let err = extract(&locked, DocFormat::Xlsx).unwrap_err();
        assert!(matches!(err, ExtractError::Encrypted(_)), "{err}");
        let msg = compound(&[("__substg1.0_0037001F", b"s\0")]);
        assert_eq!(sniff(&msg, "mail.msg"), None);
        assert_eq!(sniff(b"{\\rtf1 hi}", "x.txt"), Some(DocFormat::Rtf));
        assert_eq!(extract(b"{\\rtf1 hi}", DocFormat::Rtf).unwrap().text, "hi");
    }

    #[test]
    fn binary_content_is_not_sniffed() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.png"), None);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0", "a.txt"), None);
        assert_eq!(sniff(b"hello\0world", "notes.txt"), None);
        assert_eq!(sniff(b"plain words", "README"), Some(DocFormat::Text));
        assert_eq!(sniff(b"# Title\n", "notes.md"), Some(DocFormat::Text));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        // Each format's own damaged inputs are tried beside its reader.
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
