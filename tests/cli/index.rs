use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{sample_corpus, shared_corpora, TestIndex};

/// Path → (SHA-256, length, mtime) of every file under `root`.
fn fingerprint(root: &Path) -> BTreeMap<String, (String, u64, std::time::SystemTime)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let meta = e.metadata().unwrap();
            (
                e.path().display().to_string(),
                (
                    trawl::doc::sha256_hex(&bytes),
                    meta.len(),
                    meta.modified().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn the_dump_is_byte_for_byte_unchanged() {
    let before = fingerprint(&sample_corpus());
    let _ix = TestIndex::sample();
    assert_eq!(before, fingerprint(&sample_corpus()));
}

#[test]
fn skipped_files_are_reported_with_reasons() {
    let ix = TestIndex::sample();
    let report = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap();
    let root = sample_corpus().canonicalize().unwrap();
    let mut got: Vec<(String, String)> = report
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let p = Path::new(v["path"].as_str().unwrap())
                .strip_prefix(&root)
                .unwrap()
                .display()
                .to_string();
            (p, v["reason"].as_str().unwrap().to_owned())
        })
        .collect();
    got.sort();
    // malformed/notes.txt is plain text: a document now, not a skipped file.
    let want: Vec<(String, String)> = [
        (
            "maildir/dana/tmp/1477076520.M999P4999.trawlhost",
            "maildir-tmp",
        ),
        ("malformed/empty.eml", "empty"),
        ("malformed/junk.bin", "not-indexed-type"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn summary_goes_to_stderr_and_counts_everything() {
    let ix = TestIndex::empty();
    let out = ix.run(&["index", sample_corpus().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "stdout is for data only");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("indexed 109 documents from 54 of 57 files"),
        "{err}"
    );
    assert!(
        err.contains("files by format: csv 1, docx 1, eml 15, export-metadata 3, html 1, maildir 17, mbox 2, odt 1, pdf 1, slack 3, tar.gz 1, telegram 1, text 2, twitter-dm 2, whatsapp 2, zip 1"),
        "{err}"
    );
    assert!(
        err.contains("skipped 3 files (empty 1, maildir-tmp 1, not-indexed-type 1)"),
        "{err}"
    );
}

#[test]
fn reindexing_replaces_instead_of_duplicating() {
    let ix = TestIndex::sample();
    let first = ix.search("from:openvault", &[]).1.total_hits;
    let out = ix.run(&["index", "--quiet", sample_corpus().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "--quiet prints nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ix.search("from:openvault", &[]).1.total_hits, first);
    assert_eq!(ix.documents("*").len(), 109);
}

#[test]
fn thread_count_does_not_change_answers() {
    let one = TestIndex::empty();
    assert!(one
        .run(&["index", "-j", "1", sample_corpus().to_str().unwrap()])
        .status
        .success());
    let two = TestIndex::empty();
    assert!(two
        .run(&["index", "-j", "2", sample_corpus().to_str().unwrap()])
        .status
        .success());
    for q in ["from:openvault", "date:2016-10", "tax OR donor"] {
        let a = one.run(&["search", "--sort", "date", q]).stdout;
        let b = two.run(&["search", "--sort", "date", q]).stdout;
        assert_eq!(a, b, "{q}");
    }
}

#[test]
fn an_index_inside_the_dump_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.eml"),
        "From: a@b.example\nSubject: x\n\nhello\n",
    )
    .unwrap();
    let out = crate::util::trawl()
        .arg("--index")
        .arg(dir.path().join(".trawl"))
        .args(["index", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("inside the dump"));
}

#[test]
fn a_foreign_directory_is_not_used_as_an_index() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "data").unwrap();
    let out = crate::util::trawl()
        .arg("--index")
        .arg(dir.path())
        .args(["index", sample_corpus().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not a trawl index"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn default_index_location_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let ix = dir.path().join("ix");
    let status = crate::util::trawl()
        .env("TRAWL_INDEX", &ix)
        .args(["index", "-q", sample_corpus().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(ix.join("trawl.json").is_file());
    let out = crate::util::trawl()
        .current_dir(dir.path())
        .args(["--index", "ix", "search", "tax"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// Every file of the real edge-case corpora is indexed or skipped with a reason, and nothing
/// panics. Ignored, with the reason, when `../shared/corpora` is absent.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_edge_case_corpora_are_fully_accounted_for() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let dump = corpora.join("edge-cases");
    let ix = TestIndex::empty();
    let out = ix.run(&["index", dump.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let files = walkdir::WalkDir::new(&dump)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .count();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ix.path.join("trawl.json")).unwrap()).unwrap();
    let run = &meta["runs"][0];
    let skipped: u64 = run["skipped"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(run["files_seen"].as_u64().unwrap(), files as u64);
    assert_eq!(
        run["files_indexed"].as_u64().unwrap() + skipped,
        files as u64
    );
    // The sakai mbox alone holds over a thousand messages, its last one truncated.
    let (_, summary, _) = ix.search("stephen", &[]);
    assert!(summary.total_hits > 0);
}

/// `trawl index FILE` indexes one mailbox or archive without a folder around it (issue #16):
/// its documents, a re-run that finds it unchanged, its bytes read back, the file untouched.
#[test]
fn a_single_file_is_a_dump() {
    let corpus = sample_corpus();
    for (file, query, documents) in [
        ("mbox/sam.mbox", "*", None),
        (
            "archives/leak-bundle.zip",
            "\"dead drop on Friday\"",
            Some(1),
        ),
    ] {
        let path = corpus.join(file);
        let before = std::fs::read(&path).unwrap();
        let ix = TestIndex::of(&path);
        let (hits, _, _) = ix.search(query, &["--items", "--copies"]);
        assert!(!hits.is_empty(), "{file}");
        if let Some(n) = documents {
            assert_eq!(hits.len(), n, "{file}");
        }
        assert!(hits
            .iter()
            .all(|h| h.path.starts_with(path.to_str().unwrap())));
        let again = ix.index(&path);
        assert!(again.contains("1 files unchanged"), "{again}");
        let raw = ix.run(&["show", "--raw", &hits[0].id]);
        assert!(
            raw.status.success(),
            "{}",
            String::from_utf8_lossy(&raw.stderr)
        );
        assert!(!raw.stdout.is_empty());
        assert_eq!(std::fs::read(&path).unwrap(), before, "{file} changed");
    }
}
