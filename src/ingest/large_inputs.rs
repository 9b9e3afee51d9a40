//! Inputs at the sizes and depths a hostile dump reaches, through the whole dispatch
//! ([`super::ingest_bytes`]): long (a 10 MB header line, a 20 MB line of HTML), deep (MIME and
//! forwarded messages nested hundreds of levels, JSON nested past serde's limit, archives
//! inside archives) and many (thousands of MIME parts, a hundred thousand mbox messages). Each
//! must come back with documents or a skip, never a panic, a stack overflow or unbounded
//! memory. The 40-character property tests elsewhere cannot reach any of this.

use std::io::Write;
use std::path::Path;

use chrono::Utc;

use super::{ingest_bytes, Outcome, Skip};
use crate::doc::Doc;

fn ingest(bytes: &[u8], name: &str) -> Outcome {
    ingest_bytes(bytes, Path::new(name), Utc::now())
}

fn docs(bytes: &[u8], name: &str) -> Vec<Doc> {
    match ingest(bytes, name) {
        Outcome::Indexed { docs, .. } => docs,
        Outcome::Skipped(s) => panic!("{name}: skipped: {s}"),
    }
}

const HEAD: &str = "From: a@x.example\nTo: b@x.example\nDate: Mon, 3 Oct 2016 10:00:00 +0000\n";

#[test]
fn a_ten_megabyte_header_line() {
    let mut m = String::from(HEAD);
    m.push_str("Subject: ");
    m.push_str(&"long words ".repeat(1_000_000));
    m.push_str("\nX-Other: ");
    m.push_str(&"=?utf-8?q?=C3=A9?= ".repeat(200_000));
    m.push_str("\n\nbody\n");
    let d = docs(m.as_bytes(), "long.eml");
    assert_eq!(d.len(), 1);
    assert!(d[0].body.contains("body"));
}

#[test]
fn five_thousand_mime_parts() {
    let mut m = format!("{HEAD}Subject: parts\nContent-Type: multipart/mixed; boundary=B\n\n");
    for i in 0..5000 {
        m.push_str(&format!(
            "--B\nContent-Type: text/plain\nContent-Disposition: attachment; filename=p{i}.txt\n\npart {i}\n"
        ));
    }
    m.push_str("--B--\n");
    let d = docs(m.as_bytes(), "parts.eml");
    assert!(!d.is_empty());
}

#[test]
fn mime_nested_a_thousand_deep() {
    let mut m = format!("{HEAD}Subject: deep\n");
    for i in 0..1000 {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=B{i}\n\n--B{i}\n"
        ));
    }
    m.push_str("Content-Type: text/plain\n\ninnermost\n");
    for i in (0..1000).rev() {
        m.push_str(&format!("--B{i}--\n"));
    }
    let _ = docs(m.as_bytes(), "deep.eml");
}

#[test]
fn forwarded_messages_nested_three_hundred_deep() {
    let mut m = String::new();
    for i in 0..300 {
        m.push_str(&format!(
            "{HEAD}Subject: fwd {i}\nContent-Type: message/rfc822\n\n"
        ));
    }
    m.push_str(&format!("{HEAD}Subject: original\n\nthe original text\n"));
    let _ = docs(m.as_bytes(), "fwd.eml");
}

#[test]
fn a_hundred_thousand_mbox_messages() {
    let mut m = Vec::new();
    for i in 0..100_000 {
        write!(
            m,
            "From a@x.example Mon Oct  3 10:00:00 2016\n{HEAD}Subject: m{i}\n\nbody {i}\n\n"
        )
        .unwrap();
    }
    assert_eq!(docs(&m, "big.mbox").len(), 100_000);
}

#[test]
fn json_nested_past_serdes_limit_in_every_chat_shape() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let shapes = [
        (
            format!(r#"{{"name": "x", "type": "personal_chat", "id": 1, "messages": {deep}}}"#),
            "result.json",
        ),
        (
            format!("window.YTD.direct_messages.part0 = {deep}"),
            "direct-messages.js",
        ),
        (deep.clone(), "plain.json"),
    ];
    for (text, name) in shapes {
        let _ = ingest(text.as_bytes(), name);
    }
}

#[test]
fn html_nested_a_million_tags_on_one_line() {
    let html = format!(
        "<!DOCTYPE html><html><title>t</title><body>{}text{}</body></html>",
        "<div>".repeat(1_000_000),
        "</div>".repeat(1_000_000)
    );
    let d = docs(html.as_bytes(), "deep.html");
    assert!(d[0].body.contains("text"));
}

#[test]
fn zips_nested_past_the_depth_limit() {
    let mut inner = format!("{HEAD}Subject: inside\n\nthe innermost message\n").into_bytes();
    let mut name = "m.eml".to_string();
    for level in 0..8 {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&inner).unwrap();
        inner = w.finish().unwrap().into_inner();
        name = format!("level{level}.zip");
    }
    match ingest(&inner, "outer.zip") {
        Outcome::Indexed { docs, .. } => assert!(docs.is_empty()),
        Outcome::Skipped(s) => assert_eq!(s, Skip::NestedTooDeep),
    }
}

#[test]
fn a_hundred_thousand_whatsapp_lines() {
    let mut t = String::new();
    for i in 0..100_000 {
        t.push_str(&format!(
            "03/10/2016, 10:{:02} - Sam Ortiz: line {i}\n",
            i % 60
        ));
    }
    let d = docs(t.as_bytes(), "WhatsApp Chat with Sam Ortiz.txt");
    assert_eq!(d.len(), 100_000);
}

/// Found by the chat fuzz targets (timeouts, before the recipient cap): group chats whose every
/// message listed every member, quadratic in time and memory. The inputs are the minimized
/// ones libFuzzer kept; each must parse with no message listing more than the cap.
#[test]
fn fuzz_found_quadratic_recipient_lists() {
    use crate::ingest::chat::{self, ChatSource};
    let fixture = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fuzz")
                .join(name),
        )
        .unwrap()
    };
    let src = |path: &'static str| ChatSource {
        path,
        now: Utc::now(),
        stated: None,
    };
    let check = |docs: Result<Vec<Doc>, String>| {
        if let Ok(docs) = docs {
            assert!(docs.iter().all(|d| d.to.len() <= chat::MAX_RECIPIENTS));
        }
    };
    check(chat::telegram::parse(
        &fixture("telegram-quadratic-recipients"),
        &src("result.json"),
    ));
    check(chat::whatsapp::parse(
        &fixture("whatsapp-quadratic-recipients"),
        &src("WhatsApp Chat with Sam Ortiz.txt"),
        "Sam Ortiz",
    ));
    check(chat::twitter::parse(
        &fixture("twitter-quadratic-recipients"),
        &src("data/direct-messages.js"),
        &std::collections::HashMap::new(),
    ));
}

/// Found by the `mail` and `ingest` fuzz targets: MIME that trips mail-parser's internal
/// "Invalid part ID" debug assertion. The message still parses (as in release builds, and in
/// debug builds since the assertion is off for that crate).
#[test]
fn fuzz_found_mail_parser_invalid_part_id() {
    for name in [
        "mail-mailparser-invalid-part-id",
        "ingest-mailparser-invalid-part-id",
    ] {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fuzz")
                .join(name),
        )
        .unwrap();
        // The ingest target's first byte selects the file name; the rest is the file.
        let bytes = if name.starts_with("ingest") {
            &bytes[1..]
        } else {
            &bytes[..]
        };
        let _ = ingest(bytes, "x.eml");
    }
}

/// Found by the `ingest` fuzz target (2026-12-01): a zip end record ahead of a PDF. The zip
/// entry claimed the file and handed it to the PDF reader because the document sniffer saw
/// `%PDF-` in its head, a format the zip entry may not answer (a debug assertion; in release,
/// a zip read as a PDF). The same path read a real zip whose first member is a PDF stored
/// uncompressed as one PDF, its other members lost. A zip now goes to the document reader
/// only when it is an office package.
#[test]
fn fuzz_found_a_zip_is_read_as_a_pdf_only_if_it_is_none() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/ingest-zip-end-record-before-pdf"),
    )
    .unwrap();
    // The ingest target's first byte selects the file name (here `x.pdf`); the rest is the file.
    let _ = ingest(&bytes[1..], "x.pdf");

    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample_corpus/documents/oppo-research-memo.pdf"),
    )
    .unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("memo.pdf", &pdf[..]),
        ("notes.txt", b"dead drop on Friday" as &[u8]),
    ] {
        w.start_file(name, stored).unwrap();
        std::io::Write::write_all(&mut w, data).unwrap();
    }
    let zip = w.finish().unwrap().into_inner();
    match ingest(&zip, "bundle.zip") {
        Outcome::Indexed { format, docs } => {
            assert_eq!(format, "zip");
            let paths: Vec<&str> = docs.iter().map(|d| d.source.path.as_str()).collect();
            assert!(paths.iter().any(|p| p.ends_with("!/memo.pdf")), "{paths:?}");
            assert!(
                paths.iter().any(|p| p.ends_with("!/notes.txt")),
                "{paths:?}"
            );
        }
        Outcome::Skipped(s) => panic!("skipped: {s}"),
    }
}

/// Found by the `document_xls` fuzz target: a compound file whose sector chain points past the
/// end makes calamine index out of bounds (`calamine-0.38.0/src/cfb.rs:320`). The file is now
/// refused before calamine reads it, and any reader's panic costs its document (a crash);
/// attached to a message, the attachment alone, not the message it came with.
#[test]
fn fuzz_found_calamine_panic_costs_the_attachment_only() {
    use crate::ingest::document::{extract, DocFormat, ExtractError};
    let xls = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/document_xls-calamine-cfb-sector-index"),
    )
    .unwrap();
    // Refused by the compound-file check now; a reader's panic would be a crash.
    assert!(matches!(
        extract(&xls, DocFormat::Xls),
        Err(ExtractError::Unextractable(_) | ExtractError::Crash(_))
    ));
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for (i, chunk) in xls.chunks(3).enumerate() {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (j, &b)| n | u32::from(b) << (16 - 8 * j));
        for k in 0..4 {
            encoded.push(if k <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize])
            } else {
                '='
            });
        }
        if i % 19 == 18 {
            encoded.push_str("\r\n");
        }
    }
    let mail = format!(
        "From: a@x.example\r\nTo: b@y.example\r\nSubject: the ledger\r\n\
         Date: Mon, 3 Oct 2016 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nsee the ledger attached\r\n--b\r\n\
         Content-Type: application/vnd.ms-excel; name=ledger.xls\r\n\
         Content-Disposition: attachment; filename=ledger.xls\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b--\r\n"
    );
    let docs = docs(mail.as_bytes(), "x.eml");
    assert!(
        docs.iter()
            .any(|d| d.subject == "the ledger" && d.body.contains("ledger attached")),
        "{:?}",
        docs.iter().map(|d| &d.subject).collect::<Vec<_>>()
    );
}

/// Found by the `document_xls` fuzz target (48 inputs): compound files whose FAT claims more
/// sectors than the file has, on which calamine asks for allocations past libFuzzer's 2 GB
/// limit. They are refused by the compound-file check before calamine sees them, as an
/// attachment as well as a file.
#[test]
fn fuzz_found_calamine_huge_allocation_is_refused_first() {
    use crate::ingest::document::{extract, DocFormat, ExtractError};
    let xls = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/document_xls-calamine-huge-allocation"),
    )
    .unwrap();
    match extract(&xls, DocFormat::Xls) {
        Err(ExtractError::Unextractable(e)) => assert!(e.contains("FAT"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// Found by the `document_xls` fuzz target (2 inputs, 2026-12-01): workbooks whose DIMENSIONS
/// record declares billions of cells, for which calamine reserves room (83 GB) before reading
/// any, an allocation that aborts the process; and one whose few cells lie rows apart, which
/// calamine lays out densely (6 GB). They are refused as too large first.
#[test]
fn fuzz_found_calamine_dimensions_reservation_is_refused_first() {
    use crate::ingest::document::{extract, DocFormat, ExtractError};
    for name in [
        "document_xls-calamine-dimensions-reserve",
        "document_xls-calamine-dimensions-reserve-2",
        "document_xls-calamine-sparse-span",
    ] {
        let xls = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fuzz")
                .join(name),
        )
        .unwrap();
        match extract(&xls, DocFormat::Xls) {
            Err(ExtractError::TooLarge(e)) => assert!(e.contains("cells"), "{name}: {e}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Found by the `archive` fuzz target (2026-12-01): a 7z header whose file count is forged made
/// sevenz-rust2 0.20.2 (`read_files_info`) allocate a vector of that many entries up front,
/// 5.2e18 bytes here. An allocation failure aborts the process rather than panicking, so
/// `isolate::catch` could not contain it and `trawl index` ended with exit 134. sevenz-rust2
/// 0.24.2 bounds every header count by the input's size; trawl also passes it a memory limit.
#[test]
fn fuzz_found_a_forged_7z_file_count_costs_the_file_only() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/fuzz/archive-7z-forged-file-count"),
    )
    .unwrap();
    // The archive target's first byte selects the format; the rest is the file.
    match ingest(&bytes[1..], "x.7z") {
        Outcome::Skipped(_) => {}
        Outcome::Indexed { format, .. } => assert_eq!(format, "7z"),
    }
}
