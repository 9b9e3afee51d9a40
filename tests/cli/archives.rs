//! Archives of issue #14: 7z, RAR 4 and 5, tar.bz2, tar.xz, single gz/bz2/xz files, split and
//! multi-volume sets, encrypted members and `--passwords`, checked on the copies in
//! `tests/fixtures/archives/` (licences in `tests/fixtures/README.md`) and on the real files in
//! `../shared/corpora/formats/archives/` when present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{json_lines, shared_corpora, TestIndex};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archives")
}

fn passwords() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archives-passwords.txt")
}

/// `dump` indexed, with `--passwords` when given.
fn indexed(dump: &Path, passwords: Option<&Path>) -> TestIndex {
    let ix = TestIndex::empty();
    let mut args = vec!["index", dump.to_str().unwrap()];
    if let Some(p) = passwords {
        args.extend(["--passwords", p.to_str().unwrap()]);
    }
    let out = ix.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ix
}

/// `trawl report --json`'s file lines by path relative to `dump`.
fn report(ix: &TestIndex, dump: &Path) -> BTreeMap<String, serde_json::Value> {
    let out = ix.run(&["report", "--json"]);
    let root = format!("{}/", dump.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "file")
        .map(|v| (v["path"].as_str().unwrap().replace(&root, ""), v))
        .collect()
}

/// What the report says of `path`: `format docs/stated/failed` or `skipped reason`.
fn outcome(r: &BTreeMap<String, serde_json::Value>, path: &str) -> String {
    let v = r
        .get(path)
        .unwrap_or_else(|| panic!("{path} not in {:?}", r.keys()));
    match v["reason"].as_str() {
        Some(reason) => format!("skipped {reason}"),
        None => format!(
            "{} {}/{}/{}",
            v["format"].as_str().unwrap(),
            v["docs"],
            v["stated"],
            v["failed"]
        ),
    }
}

fn bodies(ix: &TestIndex, query: &str) -> Vec<(String, String)> {
    let out = ix.run(&["search", "--json", "--limit", "100", query]);
    json_lines(&out.stdout)
        .into_iter()
        .filter_map(|l| match l {
            crate::util::Line::Hit(h) => Some((h.path.clone(), h.snippet.clone())),
            _ => None,
        })
        .collect()
}

/// `trawl verify --json` with `extra` flags: (changed, missing, same).
fn verify(ix: &TestIndex, extra: &[&str]) -> (u64, u64, u64) {
    let mut args = vec!["verify", "--json"];
    args.extend(extra);
    let out = ix.run(&args);
    let summary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["type"] == "summary")
        .unwrap();
    let n = |k: &str| summary[k].as_u64().unwrap();
    (n("changed"), n("missing"), n("same"))
}

#[test]
fn every_archive_kind_is_read_with_its_members() {
    let dump = fixtures();
    let ix = indexed(&dump, Some(&passwords()));
    let r = report(&ix, &dump);
    for (path, want) in [
        // Its legacy office members (doc, xls, ppt) are documents too.
        ("test-documents.7z", "7z 9/9/0"),
        ("test7Z_protected_passTika.7z", "7z 1/1/0"),
        ("split-protected.7z.001", "7z 1/1/0"),
        ("split-protected.7z.002", "skipped archive-part"),
        ("rar5-psw.rar", "rar 2/2/0"),
        ("rar3-solid.rar", "rar 2/2/0"),
        ("unicode.rar", "rar 2/2/0"),
        ("rar3-vols.part1.rar", "rar 2/2/0"),
        ("rar3-vols.part2.rar", "skipped archive-part"),
        ("rar3-vols.part3.rar", "skipped archive-part"),
        ("memo.tar.xz", "tar.xz 1/1/0"),
        ("wire.txt.xz", "xz 1/1/0"),
        ("test-bz2.txt.bz2", "bz2 1/1/0"),
        ("multiple.gz", "gz 1/1/0"),
    ] {
        assert_eq!(outcome(&r, path), want, "{path}");
    }
    let part = &r["rar3-vols.part2.rar"]["detail"];
    assert!(
        part.as_str()
            .unwrap()
            .contains("read with its first part rar3-vols.part1.rar"),
        "{part}"
    );
    // The legacy office members are read as documents, no longer only named by type.
    let members = ix.search("path:test-documents.7z", &[]).0;
    for (name, format) in [
        ("testWORD.doc", "doc"),
        ("testEXCEL.xls", "xls"),
        ("testPPT.ppt", "ppt"),
    ] {
        assert!(
            members
                .iter()
                .any(|h| h.path.ends_with(name) && h.format == format),
            "{name}"
        );
    }
    let text = String::from_utf8_lossy(&ix.run(&["report"]).stdout).into_owned();
    assert!(!text.contains("application/x-ole-storage"), "{text}");

    let found = |q: &str| {
        bodies(&ix, q)
            .into_iter()
            .map(|(p, _)| p.replace(&format!("{}/", dump.display()), ""))
            .collect::<Vec<_>>()
    };
    assert_eq!(found("ZX-4471"), ["wire.txt.xz!/wire.txt"]);
    assert_eq!(found("shipment"), ["memo.tar.xz!/memo/memo.txt"]);
    let mut tika = found("TIKA-1521");
    tika.sort();
    assert_eq!(
        tika,
        [
            "split-protected.7z.001!/text.txt",
            "test7Z_protected_passTika.7z!/text.txt"
        ]
    );
    let mut unicode = found("path:unicode.rar");
    unicode.sort();
    assert_eq!(
        unicode,
        ["unicode.rar!/уииоотивл.txt", "unicode.rar!/𝐀𝐁𝐁𝐂.txt"]
    );
    assert_eq!(found("\"Hello World\""), ["test-bz2.txt.bz2!/test-bz2.txt"]);
    assert_eq!(
        found("smallfile"),
        ["rar3-vols.part1.rar!/vols/smallfile.txt"]
    );

    // Every member reads back to its hash, through the set's first part and the passwords.
    let pw = passwords();
    assert_eq!(
        verify(&ix, &["--passwords", pw.to_str().unwrap()]),
        (0, 0, 23)
    );
}

#[test]
fn encrypted_members_without_their_password_are_listed_encrypted() {
    let dump = fixtures();
    let ix = indexed(&dump, None);
    let r = report(&ix, &dump);
    for path in [
        "rar5-psw.rar!/stest1.txt",
        "rar5-psw.rar!/stest2.txt",
        "test7Z_protected_passTika.7z!/text.txt",
        "split-protected.7z.001!/text.txt",
    ] {
        assert_eq!(outcome(&r, path), "skipped encrypted", "{path}");
    }
    assert_eq!(outcome(&r, "rar5-psw.rar"), "rar 0/2/2");
    assert!(bodies(&ix, "TIKA-1521").is_empty());
}

/// The real archives: member counts as 7z, lsar and tar list them (README of the corpus).
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_archives_hold_what_the_tools_list() {
    let dump = shared_corpora()
        .expect("../shared/corpora")
        .join("formats/archives")
        .canonicalize()
        .unwrap();
    let pw = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pw.path(), "password\nTika\nApacheTika\n").unwrap();
    let ix = indexed(&dump, Some(pw.path()));
    let r = report(&ix, &dump);
    for (path, stated) in [
        ("tika/test-documents.7z", 9),
        ("tika/test-documents.rar", 9),
        ("tika/test-documents-enc.rar", 9),
        ("tika/test-documents.tbz2", 9),
        ("tika/test-documents.tgz", 9),
        ("tika/full_encrypted.7z", 1),
        ("tika/test7Z_protected_passTika.7z", 1),
        ("tika/test-bz2.txt.bz2", 1),
        ("tika/multiple.gz", 1),
        ("rarfile/rar5-psw.rar", 2),
        ("rarfile/rar5-hpsw.rar", 2),
        ("rarfile/rar3-solid.rar", 2),
        ("rarfile/rar5-solid.rar", 2),
        ("rarfile/unicode.rar", 2),
        ("rarfile/rar5-vols.part1.rar", 2),
        ("rarfile/rar3-vols.part1.rar", 2),
        ("rarfile/rar3-subdirs.rar", 4),
        ("rarfile/rar5-subdirs.rar", 4),
    ] {
        assert_eq!(r[path]["stated"], stated, "{path}: {:?}", r[path]);
    }
    for part in [
        "rarfile/rar5-vols.part2.rar",
        "rarfile/rar5-vols.part3.rar",
        "tika/test-documents-spanned.z01",
    ] {
        assert_eq!(outcome(&r, part), "skipped archive-part", "{part}");
    }
    let spanned = &r["tika/test-documents-spanned.zip"];
    assert!(
        spanned["detail"].as_str().unwrap().contains("split zip"),
        "{spanned}"
    );
    assert_eq!(
        outcome(&r, "tika/testZipEncrypted.zip!/encrypted.txt"),
        "skipped encrypted"
    );
    let pw = pw.path().to_str().unwrap().to_owned();
    let (changed, missing, _) = verify(&ix, &["--passwords", &pw]);
    assert_eq!((changed, missing), (0, 0));
}
