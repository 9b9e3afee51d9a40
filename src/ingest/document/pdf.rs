//! PDF: the text layer (pdf-extract) and the Info dictionary's `Title`, `Author`, `CreationDate`
//! and `ModDate`. Encrypted PDFs open only when the user password is empty. A PDF without text (a
//! scan) is flagged `no-text-layer`; a text layer that breaks off part-way is flagged `damaged`.
//! Left out: XMP metadata, annotations, form fields, attachments, and the text of images (no OCR).
//!
//! pdf-extract is third-party code that panics on some malformed files: a panic is caught and
//! becomes [`ExtractError::Crash`] ([`crate::isolate::catch`]). Time and memory are bounded only when it
//! runs in a child process ([`extract_in_child`], see [`crate::sandbox`]). There, when
//! poppler's `pdfinfo` and `pdftotext` are installed, they read first (each in its own process
//! under the same limits); pdf-extract reads what they cannot, and every PDF on a machine
//! without them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{
    clean_field, ExtractError, Extracted, FLAG_DAMAGED, FLAG_NO_TEXT_LAYER, FLAG_PDFTOTEXT,
};
use crate::sandbox::{self, SandboxError};

/// The job name of the PDF reader in the extraction child (`trawl __extract pdf`).
const JOB: &str = "pdf";

/// Where `%PDF-` starts within the first KiB (some writers put junk before it).
pub(super) fn header_offset(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).position(|w| w == b"%PDF-")
}

/// The PDF reader, in this process: a panic of the parser is caught and becomes
/// [`ExtractError::Crash`], but nothing bounds its time or memory.
pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let offset = header_offset(bytes)
        .ok_or_else(|| ExtractError::Unextractable("not a PDF: no %PDF- header".to_owned()))?;
    let data = &bytes[offset..];
    crate::isolate::catch(|| extract_pdf_unguarded(data))
        .map_err(|panic| ExtractError::Crash(format!("PDF parser panicked: {panic}")))?
        .map_err(ExtractError::Unextractable)
}

/// The PDF reader in a child process (`trawl __extract pdf`), under `cfg`'s time and memory
/// limits. What the in-process reader would answer comes back as it is; a child that ran out of
/// time or memory, or died, becomes the matching error.
pub(super) fn extract_in_child(
    bytes: &[u8],
    cfg: &sandbox::Config,
) -> Result<Extracted, ExtractError> {
    // Not worth a process: this answer needs no parser.
    if header_offset(bytes).is_none() {
        return extract(bytes);
    }
    match sandbox::run_json::<Result<Extracted, ExtractError>>(cfg, JOB, bytes) {
        Ok(answer) => answer,
        Err(e @ SandboxError::Timeout { .. }) => Err(ExtractError::Timeout(e.to_string())),
        Err(e @ (SandboxError::TooLarge { .. } | SandboxError::OutputTooLarge { .. })) => {
            Err(ExtractError::TooLarge(e.to_string()))
        }
        Err(e) => Err(ExtractError::Crash(e.to_string())),
    }
}

/// Poppler's `pdfinfo` and `pdftotext`, when both are installed, read first: the reference
/// reader, faster per page than pdf-extract and sturdier on odd fonts. Under the same limits as
/// every reader: the Info dictionary's title, author and dates (`-rawdates`, read as
/// pdf-extract's are), and the text, flagged [`FLAG_PDFTOTEXT`]. None when either is missing
/// or fails (a password, a file poppler refuses): pdf-extract then has its turn.
pub(super) fn by_poppler(bytes: &[u8], cfg: &sandbox::Config) -> Option<Extracted> {
    // Not worth a process: this answer needs no reader.
    header_offset(bytes)?;
    static TOOLS: std::sync::OnceLock<Option<(std::path::PathBuf, std::path::PathBuf)>> =
        std::sync::OnceLock::new();
    let (pdfinfo, pdftotext) = TOOLS
        .get_or_init(|| {
            let which = crate::ingest::ocr::which;
            Some((which("pdfinfo")?, which("pdftotext")?))
        })
        .as_ref()?;
    let run = |program: &std::path::Path, args: &[&str], job: &str| {
        let mut cmd = std::process::Command::new(program);
        cmd.args(args);
        sandbox::run_command(cmd, job, bytes, cfg.timeout, cfg.memory_limit).ok()
    };
    let info = run(pdfinfo, &["-rawdates", "-enc", "UTF-8", "-"], "pdfinfo")?;
    let text = run(pdftotext, &["-q", "-enc", "UTF-8", "-", "-"], "pdftotext")?;
    let mut out = Extracted {
        text: String::from_utf8_lossy(&text).into_owned(),
        ..Extracted::default()
    };
    for line in String::from_utf8_lossy(&info).lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "Title" => out.title = clean_field(value),
            "Author" => out.author = clean_field(value),
            "CreationDate" => out.created = parse_pdf_date(value),
            "ModDate" => out.modified = parse_pdf_date(value),
            _ => {}
        }
    }
    out.flag(FLAG_PDFTOTEXT);
    if out.text.trim().is_empty() {
        out.flag(FLAG_NO_TEXT_LAYER);
    }
    Some(out)
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

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_survives_damage, utc};
    use super::super::{extract, sniff, DocFormat, ExtractError, FLAG_NO_TEXT_LAYER};
    use super::parse_pdf_date;

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
        // Read by poppler when it is installed, which says so; the built-in reader alike.
        assert!(
            out.flags.iter().all(|f| *f == super::FLAG_PDFTOTEXT),
            "{:?}",
            out.flags
        );
        let builtin = super::extract(&pdf).unwrap();
        assert!(builtin.flags.is_empty(), "{:?}", builtin.flags);
        assert_eq!(
            (
                &builtin.title,
                &builtin.author,
                builtin.created,
                builtin.modified
            ),
            (&out.title, &out.author, out.created, out.modified)
        );
        assert!(builtin.text.contains("Hello tax returns"));
    }

    #[test]
    fn pdf_without_text_is_flagged() {
        let out = extract(&pdf_fixture(""), DocFormat::Pdf).unwrap();
        assert!(out.flags.contains(&FLAG_NO_TEXT_LAYER), "{out:?}");
    }

    #[test]
    fn fake_pdfs_err_cleanly() {
        let err = extract(b"just some text", DocFormat::Pdf).unwrap_err();
        assert!(
            matches!(&err, ExtractError::Unextractable(e) if e.starts_with("not a PDF")),
            "{err}"
        );
        assert_eq!(
            sniff(b"just some text", "report.pdf"),
            Some(DocFormat::Text)
        );
        let fake = b"%PDF-1.7\nthis is not really a PDF at all";
        assert_eq!(sniff(fake, "report.pdf"), Some(DocFormat::Pdf));
        let err = extract(fake, DocFormat::Pdf).unwrap_err();
        assert!(
            matches!(&err, ExtractError::Unextractable(e) if e.starts_with("unreadable PDF")),
            "{err}"
        );
        // Text that merely mentions the header is text.
        assert_eq!(
            sniff(b"see the %PDF- header", "notes"),
            Some(DocFormat::Text)
        );
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
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&pdf_fixture("Hello tax returns"), DocFormat::Pdf, 3);
    }
}
