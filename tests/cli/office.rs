//! Office documents (issue #14, point 4): workbooks, presentations, Word files and RTF are one
//! document each, with their text and metadata; OOXML and ODF packages are never unpacked as
//! archives; password-protected files are listed as `encrypted`. The small files in
//! `tests/fixtures/office/` (Apache Tika's test documents, Apache-2.0) run everywhere; the rest
//! of `../shared/corpora/formats/office` and `formats/rtf` when present.

use std::path::{Path, PathBuf};

use crate::util::{shared_corpora, Hit, TestIndex};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office")
}

/// The one document of the file whose path ends with `file`.
fn document(ix: &TestIndex, file: &str) -> Hit {
    let (hits, _, _) = ix.search(&format!("path:{file}"), &[]);
    let hits: Vec<Hit> = hits
        .into_iter()
        .filter(|h| h.path.ends_with(file))
        .collect();
    assert_eq!(hits.len(), 1, "{file}: {hits:?}");
    hits.into_iter().next().unwrap()
}

/// `phrase` finds the document of `file`.
fn finds(ix: &TestIndex, file: &str, phrase: &str) {
    let (hits, _, _) = ix.search(&format!("\"{phrase}\""), &[]);
    assert!(
        hits.iter().any(|h| h.path.ends_with(file)),
        "{phrase:?} does not find {file}: {:?}",
        hits.iter().map(|h| &h.path).collect::<Vec<_>>()
    );
}

/// `trawl report --json`'s file lines: (path, format or skip code).
fn report(ix: &TestIndex) -> Vec<(String, String)> {
    let out = ix.run(&["report", "--json"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "file")
        .map(|v| {
            let path = v["path"].as_str().unwrap_or_default().to_owned();
            let what = v["format"]
                .as_str()
                .or(v["reason"].as_str())
                .unwrap_or_default()
                .to_owned();
            (path, what)
        })
        .collect()
}

/// `trawl verify`: every document's bytes read back to their hash.
fn verifies(ix: &TestIndex, documents: u64) {
    let out = ix.run(&["verify", "--json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(summary["same"], documents, "{summary}");
}

#[test]
fn office_fixtures_are_one_document_each() {
    let ix = TestIndex::of(&fixtures());
    let mut formats = report(&ix);
    formats.sort();
    let names: Vec<(&str, &str)> = formats
        .iter()
        .map(|(p, f)| (p.rsplit('/').next().unwrap(), f.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("LibreOfficeCalc_ods_1.3.ods", "ods"),
            ("LibreOfficeImpress_odp_1.3.odp", "odp"),
            ("testEXCEL.xls", "xls"),
            ("testEXCEL.xlsx", "xlsx"),
            ("testEXCEL_protected_passtika.xlsx", "encrypted"),
            ("testPPT.ppt", "ppt"),
            ("testPPT.pptx", "pptx"),
            ("testRTF-ms932.rtf", "rtf"),
            ("testWORD_various.doc", "doc"),
        ]
    );

    // A cell of each workbook, with the title, author and metadata date.
    let xls = document(&ix, "testEXCEL.xls");
    assert_eq!(
        (xls.kind.as_str(), xls.format.as_str()),
        ("document", "xls")
    );
    assert_eq!(xls.subject, "Simple Excel document");
    assert_eq!(
        xls.from.as_ref().and_then(|f| f.name.as_deref()),
        Some("Keith Bennett")
    );
    assert_eq!(xls.date.as_deref(), Some("2007-10-01T16:13:56Z"));
    assert_eq!(
        (xls.date_quality.as_str(), xls.date_source.as_str()),
        ("ok", "metadata")
    );
    finds(&ix, "testEXCEL.xls", "Numbers and their Squares");
    // Who saved it last and both metadata dates, as exiftool reads them.
    assert_eq!(
        (
            xls.last_modified_by.as_deref(),
            xls.created.as_deref(),
            xls.modified.as_deref()
        ),
        (
            Some("RIBEN9"),
            Some("2007-10-01T16:13:56Z"),
            Some("2007-10-01T16:31:43Z")
        )
    );
    let xlsx = document(&ix, "testEXCEL.xlsx");
    assert_eq!(xlsx.last_modified_by.as_deref(), Some("garribas"));
    assert_eq!(xlsx.modified.as_deref(), Some("2008-12-11T16:02:17Z"));
    let saved_by = |q: &str| {
        let mut names: Vec<String> = ix
            .search(q, &[])
            .0
            .iter()
            .map(|h| h.path.rsplit('/').next().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(saved_by("modified-by:garribas"), ["testEXCEL.xlsx"]);
    // Created in 2007, last saved in 2008: `date:` (the creation) says 2007, `modified:` 2008.
    assert_eq!(saved_by("modified:2008"), ["testEXCEL.xlsx"]);
    assert_eq!(
        saved_by("created:2007-10"),
        ["testEXCEL.xls", "testEXCEL.xlsx"]
    );
    assert_eq!(
        saved_by("modified:2017 kind:document"),
        ["testWORD_various.doc"]
    );
    assert_eq!(xlsx.subject, "Simple Excel document");
    assert_eq!(xlsx.date.as_deref(), Some("2007-10-01T16:13:56Z"));
    finds(&ix, "testEXCEL.xlsx", "Numbers and their Squares");
    finds(&ix, "LibreOfficeCalc_ods_1.3.ods", "example spreadsheet");
    assert_eq!(
        document(&ix, "LibreOfficeCalc_ods_1.3.ods").date.as_deref(),
        Some("2022-08-24T16:22:45Z")
    );

    // Slide text of each deck.
    let pptx = document(&ix, "testPPT.pptx");
    assert_eq!(pptx.subject, "Attachment Test");
    finds(&ix, "testPPT.pptx", "Watershed");
    let ppt = document(&ix, "testPPT.ppt");
    assert_eq!(ppt.subject, "Sample Powerpoint Slide");
    assert_eq!(ppt.date.as_deref(), Some("2007-09-14T17:33:12Z"));
    finds(&ix, "testPPT.ppt", "Powerpoint X for Mac");
    let odp = document(&ix, "LibreOfficeImpress_odp_1.3.odp");
    assert_eq!(odp.subject, "Beehive");
    finds(
        &ix,
        "LibreOfficeImpress_odp_1.3.odp",
        "An example Impress file",
    );

    // Words of the Word file, Japanese included, and of the RTF in code page 932.
    let doc = document(&ix, "testWORD_various.doc");
    assert_eq!(
        doc.from.as_ref().and_then(|f| f.name.as_deref()),
        Some("Michael McCandless")
    );
    finds(&ix, "testWORD_various.doc", "Here is a numbered list");
    finds(&ix, "testWORD_various.doc", "Keyword1");
    let rtf = document(&ix, "testRTF-ms932.rtf");
    assert_eq!(rtf.subject, "タイトル");
    assert_eq!(
        rtf.from.as_ref().and_then(|f| f.name.as_deref()),
        Some("shinsuke")
    );
    finds(&ix, "testRTF-ms932.rtf", "こんにちは");

    // Nothing inside a package became a document of its own.
    assert_eq!(ix.search("path:xl", &[]).0.len(), 0);
    assert_eq!(ix.search("kind:document", &[]).0.len(), 8);
    verifies(&ix, 8);
}

/// Every office and RTF file of the corpora: each read as its format or listed as encrypted,
/// with a fact from each.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_office_files_give_their_text() {
    let corpora = shared_corpora().expect("../shared/corpora").join("formats");
    let ix = TestIndex::of(&corpora.join("office"));
    let encrypted: Vec<String> = report(&ix)
        .into_iter()
        .filter(|(_, what)| what == "encrypted")
        .map(|(p, _)| p.rsplit('/').next().unwrap().to_owned())
        .collect();
    let mut encrypted = encrypted;
    encrypted.sort();
    assert_eq!(
        encrypted,
        [
            "testEXCEL_protected_passtika.xls",
            "testEXCEL_protected_passtika.xlsx",
            "testODTEncrypted.odt",
            "testPPT_protected_passtika.ppt",
            "testPPT_protected_passtika.pptx",
            "testWORD_protected_passtika.doc",
            "testWORD_protected_passtika.docx",
        ]
    );
    for (file, format, phrase) in [
        ("xls/testEXCEL.xls", "xls", "Sample Excel Worksheet"),
        ("xls/testEXCEL_95.xls", "xls", "Foglio1"),
        ("xls/testEXCEL_embeded.xls", "xls", "Special characters"),
        ("xlsx/testEXCEL.xlsx", "xlsx", "Sample Excel Worksheet"),
        ("xlsx/testEXCEL.strict.xlsx", "xlsx", "yellow background"),
        ("xlsx/testEXCEL_embeded.xlsx", "xlsx", "SKIP1"),
        (
            "ods/LibreOfficeCalc_ods_1.3.ods",
            "ods",
            "example spreadsheet",
        ),
        ("ods/testFooter.ods", "ods", "Data 3"),
        ("ods/testODSMacro.ods", "ods", "Sheet1"),
        ("ppt/testPPT.ppt", "ppt", "Service Release 1"),
        (
            "ppt/testPPT_various.ppt",
            "ppt",
            "Suddenly some Japanese text",
        ),
        ("ppt/testPPT_embeded.ppt", "ppt", "quick brown fox"),
        (
            "pptx/testPPT.pptx",
            "pptx",
            "Different words to test against",
        ),
        ("pptx/testPPT_various.pptx", "pptx", "Here is a text box"),
        ("pptx/testPPT_embeded.pptx", "pptx", "quick brown fox"),
        ("odp/LibreOfficeImpress_odp_1.3.odp", "odp", "Impress"),
        ("doc/testWORD6.doc", "doc", "quick brown fox"),
        (
            "doc/testWORD_various.doc",
            "doc",
            "Suddenly some Japanese text",
        ),
        ("doc/testWORD_embeded.doc", "doc", "Alfresco logo"),
        ("doc/test_recursive_embedded.doc", "doc", "embed_0"),
        (
            "odt/testOpenOffice2.odt",
            "odt",
            "sample Open Office document",
        ),
    ] {
        assert_eq!(document(&ix, file).format, format, "{file}");
        finds(&ix, file, phrase);
    }
    // Japanese text of a PowerPoint 97 deck, UTF-16 in its text atoms.
    finds(&ix, "ppt/testPPT_various.ppt", "ゾルゲと尾崎");
    // Excel 95 names only who saved it last; the sheet is otherwise an image.
    let xls95 = document(&ix, "xls/testEXCEL_95.xls");
    assert_eq!(xls95.date.as_deref(), Some("2012-01-03T09:10:24Z"));
    let indexed = ix.search("kind:document", &[]).0.len() as u64;
    assert_eq!(indexed, 38 - 10);
    verifies(&ix, indexed);

    let ix = TestIndex::of(&corpora.join("rtf"));
    assert_eq!(report(&ix).len(), 10);
    assert!(report(&ix).iter().all(|(_, f)| f == "rtf"));
    for (file, phrase) in [
        ("testRTF.rtf", "indexation Word"),
        ("testRTF-ms932.rtf", "テスト"),
        ("testRTFJapanese.rtf", "ゾルゲと尾崎"),
        ("testRTFWindowsCodepage1250.rtf", "zażółć gęślą jaźń"),
        ("testRTFWord2010CzechCharacters.rtf", "Článek týdne"),
        ("testRTFUnicodeGothic.rtf", "𐌲𐌿𐍄𐌹𐍃𐌺"),
        ("testRTFListMicrosoftWord.rtf", "short unordered list"),
        ("testRTFVarious.rtf", "This is a footnote"),
        ("testRTFHyperlink.rtf", "Outlook 2003"),
    ] {
        finds(&ix, file, phrase);
    }
    assert_eq!(
        document(&ix, "testRTFJapanese.rtf").subject,
        "ゾルゲと尾崎、淡々と最期"
    );
    verifies(&ix, 10);
}

/// An office file inside a zip is a member document, read back through the archive.
#[test]
fn office_files_inside_an_archive_are_members() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut zip =
        zip::ZipWriter::new(std::fs::File::create(dir.path().join("bundle.zip")).unwrap());
    for name in ["testEXCEL.xlsx", "testPPT.ppt"] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(fixtures().join(name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let ix = TestIndex::of(dir.path());
    let xlsx = document(&ix, "bundle.zip!/testEXCEL.xlsx");
    assert_eq!(xlsx.format, "xlsx");
    assert_eq!(document(&ix, "bundle.zip!/testPPT.ppt").format, "ppt");
    finds(
        &ix,
        "bundle.zip!/testEXCEL.xlsx",
        "Numbers and their Squares",
    );
    verifies(&ix, 2);
}
