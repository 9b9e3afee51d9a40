//! Images and OCR (issue #14, point 6): pictures are documents of kind `image` with their EXIF
//! date, GPS position and camera; with `--ocr` and Tesseract, the text of images and of PDFs
//! without a text layer is read and flagged; without them, such files are flagged `needs-ocr`
//! and the summary says once how to get their text. The small files in `tests/fixtures/images/`
//! (Apache Tika's, Apache-2.0) run everywhere, OCR where Tesseract is installed
//! (`trawl_tesseract`, see build.rs); `../shared/corpora/formats/{exif,ocr}` when present.

use std::path::{Path, PathBuf};

use crate::util::{shared_corpora, Gps, Hit, TestIndex};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images")
}

/// Every hit of `query`, by file name.
fn by_name(ix: &TestIndex, query: &str) -> Vec<(String, Hit)> {
    let mut hits: Vec<(String, Hit)> = ix
        .search(query, &[])
        .0
        .into_iter()
        .map(|h| (h.path.rsplit('/').next().unwrap_or("").to_owned(), h))
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0));
    hits
}

fn names(ix: &TestIndex, query: &str) -> Vec<String> {
    by_name(ix, query).into_iter().map(|(n, _)| n).collect()
}

/// The one document of the file named `name`.
fn document(ix: &TestIndex, name: &str) -> Hit {
    let hits: Vec<Hit> = by_name(ix, "*")
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, h)| h)
        .collect();
    assert_eq!(hits.len(), 1, "{name}: {hits:?}");
    hits.into_iter().next().unwrap()
}

/// `trawl report --json`'s file lines: (file name, format or skip code).
fn report(ix: &TestIndex) -> Vec<(String, String)> {
    let out = ix.run(&["report", "--json"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "file")
        .map(|v| {
            let path = v["path"].as_str().unwrap_or_default();
            let what = v["format"].as_str().or(v["reason"].as_str()).unwrap_or("");
            (
                path.rsplit('/').next().unwrap_or("").to_owned(),
                what.to_owned(),
            )
        })
        .collect()
}

fn close(gps: Option<Gps>, lat: f64, lon: f64) -> bool {
    gps.is_some_and(|g| (g.lat - lat).abs() < 1e-5 && (g.lon - lon).abs() < 1e-5)
}

#[test]
fn images_are_documents_with_their_exif() {
    let ix = TestIndex::empty();
    let stderr = ix.index(&fixtures());
    let mut formats = report(&ix);
    formats.sort();
    assert_eq!(
        formats,
        [
            ("testHEIF.heic".to_owned(), "heif".to_owned()),
            ("testJPEG_GEO.jpg".into(), "jpeg".into()),
            ("testOCR.jpg".into(), "jpeg".into()),
            ("testOCR.pdf".into(), "pdf".into()),
            ("testTIFF.tif".into(), "tiff".into()),
        ],
        "no image is binary or of a type not indexed"
    );

    for name in ["testJPEG_GEO.jpg", "testHEIF.heic"] {
        let h = document(&ix, name);
        assert_eq!(h.kind, "image", "{name}");
        // exiftool: DateTimeOriginal 2009:08:11 09:09:45, no offset: a wall-clock time.
        assert_eq!(h.date.as_deref(), Some("2009-08-11T09:09:45Z"), "{name}");
        assert!(h.date_local, "{name}");
        assert_eq!(h.date_source, "exif");
        let image = h.image.unwrap();
        assert_eq!(image.camera_make.as_deref(), Some("Canon"));
        assert_eq!(image.camera_model.as_deref(), Some("Canon EOS 40D"));
        assert_eq!(image.taken.as_deref(), Some("2009:08:11 09:09:45"));
        assert!(
            close(image.gps, 12.54321, -54.1234),
            "{name}: {:?}",
            image.gps
        );
    }
    let tiff = document(&ix, "testTIFF.tif");
    assert_eq!((tiff.kind.as_str(), tiff.date.as_deref()), ("image", None));
    assert_eq!(tiff.image.unwrap().gps, None);

    assert_eq!(names(&ix, "has:gps"), ["testHEIF.heic", "testJPEG_GEO.jpg"]);
    assert_eq!(
        names(&ix, "camera:canon"),
        ["testHEIF.heic", "testJPEG_GEO.jpg"]
    );
    assert_eq!(
        names(&ix, "date-source:exif date:2009-08-11"),
        ["testHEIF.heic", "testJPEG_GEO.jpg"]
    );
    assert_eq!(names(&ix, "kind:image").len(), 4);
    // Without --ocr, images Tesseract can read and the scanned PDF are listed as needing it
    // (HEIF is not: Tesseract cannot decode it), and the summary says so once.
    assert_eq!(
        names(&ix, "has:needs-ocr"),
        [
            "testJPEG_GEO.jpg",
            "testOCR.jpg",
            "testOCR.pdf",
            "testTIFF.tif"
        ]
    );
    assert!(names(&ix, "has:ocr").is_empty());
    let pdf = document(&ix, "testOCR.pdf");
    assert!(pdf.needs_ocr && !pdf.ocr && pdf.kind == "document");
    assert_eq!(stderr.matches("needs-ocr").count(), 1, "{stderr}");
    assert!(
        stderr.contains("4 images and scanned PDFs indexed without their text (needs-ocr)"),
        "{stderr}"
    );

    let shown = ix.run(&["show", &document(&ix, "testJPEG_GEO.jpg").id]);
    let shown = String::from_utf8(shown.stdout).unwrap();
    for line in [
        "Camera:     Canon Canon EOS 40D",
        "Taken:      2009:08:11 09:09:45 (EXIF, as written)",
        "GPS:        12.543210, -54.123400",
    ] {
        assert!(shown.contains(line), "{line} in {shown}");
    }

    // The bytes `show --raw` gives are the file, and hash to the document's sha256.
    let out = ix.run(&["verify", "--json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(summary["same"], 5, "{summary}");
    let raw = ix.run(&["show", "--raw", &document(&ix, "testJPEG_GEO.jpg").id]);
    assert_eq!(
        raw.stdout,
        std::fs::read(fixtures().join("testJPEG_GEO.jpg")).unwrap()
    );
}

/// `--ocr` without Tesseract: one warning, the documents indexed with their metadata, one hint
/// that names the package.
#[test]
fn without_tesseract_the_summary_says_how_to_install_it() {
    let ix = TestIndex::empty();
    let empty = tempfile::tempdir().unwrap();
    let out = ix
        .cmd(&["index", "--ocr", fixtures().to_str().unwrap()])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr
            .matches("Tesseract (the tesseract command) is not installed")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("apt-get install tesseract-ocr").count(),
        1,
        "{stderr}"
    );
    assert_eq!(names(&ix, "has:needs-ocr").len(), 4);
}

#[test]
#[cfg_attr(
    not(trawl_tesseract),
    ignore = "needs tesseract (with eng) and pdftoppm, absent at build time"
)]
fn ocr_reads_images_and_scanned_pdfs() {
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&["index", "--ocr", fixtures().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("OCR read the text of 4 images and scanned PDFs"),
        "{stderr}"
    );
    assert!(!stderr.contains("needs-ocr"), "{stderr}");
    assert_eq!(names(&ix, "\"Apache Tika OCR Testing\""), ["testOCR.jpg"]);
    assert_eq!(names(&ix, "\"happy new year\""), ["testOCR.pdf"]);
    let jpg = document(&ix, "testOCR.jpg");
    assert!(jpg.ocr && !jpg.needs_ocr, "{jpg:?}");
    assert_eq!(
        names(&ix, "has:ocr"),
        [
            "testJPEG_GEO.jpg",
            "testOCR.jpg",
            "testOCR.pdf",
            "testTIFF.tif"
        ]
    );
    assert!(names(&ix, "has:needs-ocr").is_empty());
}

/// An index made without OCR is completed by a run with it: the images and scans are read
/// again although they have not changed; a run without --ocr after that keeps their text.
#[test]
#[cfg_attr(
    not(trawl_tesseract),
    ignore = "needs tesseract (with eng) and pdftoppm, absent at build time"
)]
fn a_run_with_ocr_reads_what_was_indexed_without_it() {
    let ix = TestIndex::of(&fixtures());
    assert!(names(&ix, "\"OCR testing\"").is_empty());
    let out = ix
        .cmd(&["index", "--ocr", fixtures().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("re-read 5 files"), "{stderr}");
    assert!(stderr.contains("--ocr was given"), "{stderr}");
    assert_eq!(names(&ix, "\"OCR testing\""), ["testOCR.jpg"]);
    let stderr = ix.index(&fixtures());
    assert!(!stderr.contains("re-read"), "{stderr}");
    assert_eq!(names(&ix, "\"OCR testing\""), ["testOCR.jpg"]);
}

/// Pixels Tesseract cannot read (a JPEG cut after its first bytes) cost the text, not the
/// document: it is indexed with its metadata, flagged `ocr-failed`, and counted.
#[test]
#[cfg_attr(
    not(trawl_tesseract),
    ignore = "needs tesseract (with eng) and pdftoppm, absent at build time"
)]
fn a_broken_image_under_ocr_is_indexed_and_flagged() {
    let dump = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixtures().join("testJPEG_GEO.jpg")).unwrap();
    std::fs::write(dump.path().join("cut.jpg"), &whole[..whole.len() / 2]).unwrap();
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&["index", "--ocr", dump.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let h = document(&ix, "cut.jpg");
    assert_eq!(h.kind, "image");
    // The EXIF sits at the start of the file: still read.
    assert_eq!(h.date.as_deref(), Some("2009-08-11T09:09:45Z"));
    let shown = String::from_utf8(ix.run(&["show", &h.id]).stdout).unwrap();
    assert!(shown.contains("ocr-failed") && !h.ocr, "{shown}");
    assert!(stderr.contains("(1 failed: flag ocr-failed)"), "{stderr}");
}

#[test]
#[cfg_attr(
    not(trawl_tesseract),
    ignore = "needs tesseract (with eng) and pdftoppm, absent at build time"
)]
fn an_uninstalled_ocr_language_is_refused() {
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&[
            "index",
            "--ocr-lang",
            "eng+zzz",
            fixtures().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no data for the language \"zzz\""),
        "{stderr}"
    );
}

/// Every picture of ../shared/corpora/formats/exif: the EXIF date, GPS position and camera
/// that exiftool gives (its README), and none listed as binary.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_exif_dates_positions_and_cameras() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::of(&corpora.join("formats/exif"));
    // (file, date in UTC, local time?, GPS, make, model)
    type Expected = (
        &'static str,
        Option<&'static str>,
        bool,
        Option<(f64, f64)>,
        Option<&'static str>,
        Option<&'static str>,
    );
    let expected: [Expected; 13] = [
        (
            "Canon_40D.jpg",
            Some("2008-05-30T15:56:01Z"),
            true,
            None,
            Some("Canon"),
            Some("Canon EOS 40D"),
        ),
        (
            "DSCN0010.jpg",
            Some("2008-10-22T16:28:39Z"),
            true,
            Some((43.467448, 11.885127)),
            Some("NIKON"),
            Some("COOLPIX P6000"),
        ),
        (
            "DSCN0021.jpg",
            Some("2008-10-22T16:38:20Z"),
            true,
            Some((43.467082, 11.884538)),
            Some("NIKON"),
            Some("COOLPIX P6000"),
        ),
        (
            "DSCN0042.jpg",
            Some("2008-10-22T17:00:07Z"),
            true,
            Some((43.464455, 11.881478)),
            Some("NIKON"),
            Some("COOLPIX P6000"),
        ),
        (
            "IMG_1034.heic",
            Some("2018-02-05T15:11:44Z"),
            true,
            Some((23.177917, 113.394317)),
            Some("Apple"),
            Some("iPhone 8"),
        ),
        // This iPhone wrote its offset (-05:00): 15:47:53 local is 20:47:53 UTC.
        (
            "IMG_5195.HEIC",
            Some("2021-04-11T20:47:53Z"),
            false,
            Some((39.051344, -94.288772)),
            Some("Apple"),
            Some("iPhone 11 Pro Max"),
        ),
        // A trail camera: no Make or Model in EXIF, and the date exiftool gives is in
        // Reconyx's maker note, which trawl does not read: the file's date stands in.
        ("Reconyx_HC500_Hyperfire.jpg", None, false, None, None, None),
        (
            "nikon-e950.jpg",
            Some("2001-04-06T11:51:40Z"),
            true,
            None,
            Some("NIKON"),
            Some("E950"),
        ),
        ("samplefilehub.heif", None, false, None, None, None),
        (
            "testHEIF.heic",
            Some("2009-08-11T09:09:45Z"),
            true,
            Some((12.54321, -54.1234)),
            Some("Canon"),
            Some("Canon EOS 40D"),
        ),
        (
            "testJPEG_EXIF.jpg",
            Some("2009-08-11T09:09:45Z"),
            true,
            None,
            Some("Canon"),
            Some("Canon EOS 40D"),
        ),
        (
            "testJPEG_GEO.jpg",
            Some("2009-08-11T09:09:45Z"),
            true,
            Some((12.54321, -54.1234)),
            Some("Canon"),
            Some("Canon EOS 40D"),
        ),
        ("testTIFF.tif", None, false, None, None, None),
    ];
    let hits = by_name(&ix, "kind:image");
    assert_eq!(hits.len(), expected.len());
    for ((name, h), (want, date, local, gps, make, model)) in hits.iter().zip(expected) {
        assert_eq!(name, want);
        assert_eq!(h.date.as_deref(), date, "{name}");
        assert_eq!(h.date_local, local, "{name}");
        if date.is_some() {
            assert_eq!(h.date_source, "exif", "{name}");
        }
        let image = h.image.as_ref().unwrap();
        match gps {
            Some((lat, lon)) => assert!(close(image.gps, lat, lon), "{name}: {:?}", image.gps),
            None => assert_eq!(image.gps, None, "{name}"),
        }
        assert_eq!(image.camera_make.as_deref(), make, "{name}");
        assert_eq!(image.camera_model.as_deref(), model, "{name}");
    }
    assert!(
        report(&ix)
            .iter()
            .all(|(_, f)| !matches!(f.as_str(), "binary" | "not-indexed-type")),
        "{:?}",
        report(&ix)
    );
}

/// A word of each OCR image and of the image-only PDF of ../shared/corpora/formats/ocr, as
/// tesseract reads it (its README). `testRotated+10.png`, a page turned by ten degrees, gives
/// Tesseract no text: it is read, flagged `ocr`, with no word to find.
#[test]
#[cfg_attr(
    not(all(trawl_corpora, trawl_tesseract)),
    ignore = "needs ../shared/corpora and tesseract (with eng) and pdftoppm, absent at build time"
)]
fn real_ocr_a_word_from_each_image() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&[
            "index",
            "--ocr",
            corpora.join("formats/ocr").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for (file, word) in [
        ("phototest.tif", "\"12 point text\""),
        ("eurotext.tif", "\"brown fox\""),
        ("8071_093.3B.tif", "puppy"),
        ("phototest-rotated-R.png", "\"quick brown dog\""),
        ("testOCR.jpg", "\"Apache Tika OCR Testing\""),
        ("testOCR.png", "\"contains some words\""),
        ("testOCR_spacing.png", "\"quick brown fox\""),
        ("testOCR.pdf", "\"Happy New Year 2003\""),
    ] {
        // The companion .txt files (expected outputs) hold the words too: only has:ocr counts.
        let found = names(&ix, &format!("{word} has:ocr"));
        assert!(
            found.iter().any(|n| n == file),
            "{word} in {file}: {found:?}"
        );
    }
    assert_eq!(names(&ix, "has:ocr").len(), 9);
}
