//! The source model (issue #13): every document gives back the exact bytes it was parsed from,
//! whatever its kind; file names that are not UTF-8 stay distinct and openable; archive members
//! follow their archive; options that change documents are recorded; `trawl verify` finds a
//! changed byte.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::{copy_tree, sample_corpus, shared_corpora, Hit, TestIndex};

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every document of `ix`.
pub(crate) fn all(ix: &TestIndex) -> Vec<Hit> {
    ix.documents("*")
}

/// Runs `show --raw` on `h` and checks that the bytes hash as recorded, with nothing on stderr.
pub(crate) fn assert_raw_round_trip(ix: &TestIndex, h: &Hit) -> Vec<u8> {
    let out = ix.run(&["show", "--raw", &h.id]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{} {} {}: {stderr}",
        h.kind,
        h.format,
        h.path
    );
    assert!(stderr.is_empty(), "{} {}: {stderr}", h.kind, h.path);
    assert_eq!(
        sha256_hex(&out.stdout),
        h.sha256,
        "{} {} {} offset {} item {:?}",
        h.kind,
        h.format,
        h.path,
        h.offset,
        h.item
    );
    assert_eq!(
        out.stdout.len() as u64,
        h.length.min(out.stdout.len() as u64)
    );
    out.stdout
}

/// `trawl verify --json`'s summary line.
pub(crate) fn verify(
    ix: &TestIndex,
    query: &[&str],
) -> (i32, Vec<serde_json::Value>, serde_json::Value) {
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(query);
    let out = ix.run(&args);
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, problems) = lines.split_last().expect("a summary line");
    assert_eq!(summary["type"], "summary", "{lines:?}");
    (
        out.status.code().unwrap_or(-1),
        problems.to_vec(),
        summary.clone(),
    )
}

#[test]
fn every_sample_document_gives_back_the_bytes_it_was_parsed_from() {
    let ix = TestIndex::sample();
    let docs = all(&ix);
    assert_eq!(docs.len(), 109);
    for h in &docs {
        assert_raw_round_trip(&ix, h);
    }
    // Every kind of source is among them, so the loop above checked each way of reading back.
    let kinds: BTreeSet<&str> = docs.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["attachment", "chat", "document", "email"])
    );
    let formats: BTreeSet<&str> = docs.iter().map(|h| h.format.as_str()).collect();
    for f in [
        "slack",
        "telegram",
        "twitter-dm",
        "whatsapp",
        "mbox",
        "maildir",
        "pdf",
    ] {
        assert!(formats.contains(f), "no {f} document in {formats:?}");
    }
    assert!(docs.iter().any(|h| h.path.contains(".zip!/")));
    assert!(docs.iter().any(|h| h.path.contains(".tar.gz!/")));
    assert!(docs.iter().any(|h| h.item.is_some() && h.kind == "email"));
    assert!(docs
        .iter()
        .any(|h| h.item.is_some() && h.kind == "attachment"));
    // A chat message's bytes are its own JSON item, not the whole export.
    let slack = docs.iter().find(|h| h.format == "slack").unwrap();
    let raw = assert_raw_round_trip(&ix, slack);
    assert!(raw.starts_with(b"{") && raw.ends_with(b"}"), "{raw:?}");
    let file = std::fs::read(&slack.path).unwrap();
    assert!(raw.len() < file.len());

    let (code, problems, summary) = verify(&ix, &[]);
    assert_eq!((code, problems.len()), (0, 0), "{problems:?}");
    assert_eq!(summary["same"], 109);
}

/// The real Slack export and the MIME test collections of ../shared/corpora: every message,
/// attachment and forwarded part reads back to its recorded hash.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_corpora_give_back_every_document() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::of(&corpora.join("edge-cases"));
    let docs = all(&ix);
    assert!(docs.len() > 1000, "{}", docs.len());
    assert!(docs.iter().filter(|h| h.format == "slack").count() >= 158);
    assert!(docs.iter().any(|h| h.kind == "attachment"));
    let (code, problems, summary) = verify(&ix, &[]);
    assert_eq!(code, 0, "{problems:?}");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(summary["same"].as_u64(), Some(docs.len() as u64));
    // And by hand, one of each format through show --raw.
    let mut seen = BTreeSet::new();
    for h in &docs {
        if seen.insert((h.format.clone(), h.kind.clone(), h.item.is_some())) {
            assert_raw_round_trip(&ix, h);
        }
    }
}

const MAIL_A: &[u8] = b"From: a@x.example\r\nTo: b@x.example\r\nSubject: first\r\nDate: Mon, 3 Oct 2016 10:00:00 +0000\r\n\r\nalpha\r\n";
const MAIL_B: &[u8] = b"From: a@x.example\r\nTo: b@x.example\r\nSubject: second\r\nDate: Tue, 4 Oct 2016 10:00:00 +0000\r\n\r\nbravo\r\n";

#[test]
fn latin1_file_names_that_differ_in_one_byte_stay_two_openable_documents() {
    let dump = tempfile::tempdir().unwrap();
    let e9 = dump.path().join(OsStr::from_bytes(b"caf\xe9.eml"));
    let e8 = dump.path().join(OsStr::from_bytes(b"caf\xe8.eml"));
    std::fs::write(&e9, MAIL_A).unwrap();
    std::fs::write(&e8, MAIL_B).unwrap();
    let ix = TestIndex::of(dump.path());
    let docs = all(&ix);
    assert_eq!(docs.len(), 2);
    assert_ne!(docs[0].id, docs[1].id);
    let paths: BTreeSet<&str> = docs.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths.len(), 2);
    assert!(paths.iter().all(|p| !p.contains('\u{FFFD}')), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("caf\\xE9.eml")),
        "{paths:?}"
    );
    for h in &docs {
        assert_raw_round_trip(&ix, h);
    }
    // --paths to a pipe gives the names' own bytes: they open, as `xargs cat` would.
    let out = ix.run(&["search", "--paths", "*"]);
    let listed: Vec<&[u8]> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(listed.len(), 2);
    let mut contents: Vec<Vec<u8>> = listed
        .iter()
        .map(|l| std::fs::read(Path::new(OsStr::from_bytes(l))).unwrap())
        .collect();
    contents.sort();
    assert_eq!(contents, [MAIL_A.to_vec(), MAIL_B.to_vec()]);
    // A second run knows both files: nothing is parsed again.
    let stderr = ix.index(dump.path());
    assert!(stderr.contains("2 files unchanged"), "{stderr}");
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn archive_members_are_replaced_and_removed_with_their_archive() {
    let dump = tempfile::tempdir().unwrap();
    let zip = dump.path().join("leak.zip");
    std::fs::write(&zip, zip_of(&[("a.eml", MAIL_A), ("b.eml", MAIL_B)])).unwrap();
    let ix = TestIndex::of(dump.path());
    let members = |ix: &TestIndex| {
        let mut s: Vec<String> = ix
            .search("path:leak.zip", &[])
            .0
            .into_iter()
            .map(|h| h.subject)
            .collect();
        s.sort();
        s
    };
    assert_eq!(members(&ix), ["first", "second"]);
    for h in all(&ix) {
        assert_raw_round_trip(&ix, &h);
    }

    // The archive changes: b.eml goes, a.eml is rewritten.
    let changed = [MAIL_A, b"more\r\n"].concat();
    std::fs::write(&zip, zip_of(&[("a.eml", &changed)])).unwrap();
    ix.index(dump.path());
    assert_eq!(members(&ix), ["first"]);
    assert_eq!(all(&ix).len(), 1);
    let raw = assert_raw_round_trip(&ix, &all(&ix)[0]);
    assert_eq!(raw, changed);

    // The archive is deleted: its members go with it.
    std::fs::remove_file(&zip).unwrap();
    ix.index(dump.path());
    assert!(all(&ix).is_empty());
}

#[test]
fn a_zip_member_with_a_colon_in_its_name_is_indexed() {
    let dump = tempfile::tempdir().unwrap();
    std::fs::write(
        dump.path().join("mail.zip"),
        zip_of(&[("Re: budget.eml", MAIL_A), ("C:/Windows/evil.eml", MAIL_B)]),
    )
    .unwrap();
    let ix = TestIndex::of(dump.path());
    let docs = all(&ix);
    assert_eq!(docs.len(), 1);
    assert!(
        docs[0].path.ends_with("mail.zip!/Re: budget.eml"),
        "{}",
        docs[0].path
    );
    assert_eq!(assert_raw_round_trip(&ix, &docs[0]), MAIL_A);
    // The drive-letter name is the one refused.
    let report = String::from_utf8(ix.run(&["report", "--skipped"]).stdout).unwrap();
    assert!(report.contains("C:/Windows/evil.eml"), "{report}");
    assert!(!report.contains("Re: budget"), "{report}");
}

#[test]
fn verify_reports_exactly_the_document_whose_byte_changed() {
    let dump = tempfile::tempdir().unwrap();
    copy_tree(&sample_corpus(), dump.path());
    let ix = TestIndex::of(dump.path());
    let (code, problems, _) = verify(&ix, &[]);
    assert_eq!((code, problems.len()), (0, 0), "{problems:?}");

    let file = dump.path().join("eml/2016-10-19-elodie-qp.eml");
    let target: Vec<Hit> = ix
        .search("*", &[])
        .0
        .into_iter()
        .filter(|h| Path::new(&h.path) == file)
        .collect();
    assert_eq!(target.len(), 1);
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x20;
    std::fs::write(&file, bytes).unwrap();

    let (code, problems, summary) = verify(&ix, &[]);
    assert_eq!(code, 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["id"], target[0].id.as_str());
    assert_eq!(problems[0]["status"], "changed");
    assert_eq!(summary["changed"], 1);
    assert_eq!(summary["same"], 108);
    // show --raw gives the bytes as they are now, with a warning that they changed.
    let out = ix.run(&["show", "--raw", &target[0].id]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("changed since indexing"));

    // A query narrows what is checked; a file that is gone is reported as missing.
    std::fs::remove_file(dump.path().join("mbox/sam.mbox")).unwrap();
    let (code, problems, summary) = verify(&ix, &["path:mbox/sam.mbox"]);
    assert_eq!(code, 1);
    assert!(
        problems.iter().all(|p| p["status"] == "missing"),
        "{problems:?}"
    );
    assert_eq!(summary["missing"], summary["checked"]);
}

#[test]
fn names_given_on_a_later_run_are_applied() {
    let names = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/twitter-names.json");
    let names = names.to_str().unwrap();
    let sender_names = |ix: &TestIndex| -> BTreeSet<Option<String>> {
        ix.search("from:twitter:800000002", &[])
            .0
            .into_iter()
            .map(|h| h.from.unwrap().name)
            .collect()
    };
    let ix = TestIndex::sample();
    assert_eq!(sender_names(&ix), BTreeSet::from([None]));

    let out = ix.run(&["index", "--names", names, sample_corpus().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("re-read 2 files"), "{stderr}");
    assert!(stderr.contains("--names was given"), "{stderr}");
    assert_eq!(
        sender_names(&ix),
        BTreeSet::from([Some("OpenVault (@OpenVault)".to_owned())])
    );
    assert_eq!(all(&ix).len(), 109);

    // The same names again: nothing to do.
    let out = ix.run(&["index", "--names", names, sample_corpus().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("re-read"), "{stderr}");
    assert!(stderr.contains("indexed 0 documents"), "{stderr}");

    // --force reads everything again and changes nothing.
    let before = ix.exported();
    let out = ix.run(&[
        "index",
        "--force",
        "--names",
        names,
        sample_corpus().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("re-read 56 files whether changed or not: --force"),
        "{stderr}"
    );
    assert_eq!(ix.exported(), before);
}

/// `trawl report --json`'s file lines, by path relative to `dump`.
fn report(ix: &TestIndex, dump: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let out = ix.run(&["report", "--json"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "file")
        .map(|v| {
            let p = v["path"].as_str().unwrap();
            let rel = p.strip_prefix(dump.to_str().unwrap()).unwrap_or(p);
            (rel.trim_start_matches('/').to_owned(), v)
        })
        .collect()
}

#[test]
fn a_slack_export_with_a_truncated_users_file_is_read_and_reported_degraded() {
    let dump = tempfile::tempdir().unwrap();
    copy_tree(&sample_corpus().join("chat/slack-export"), dump.path());
    let users = dump.path().join("users.json");
    let full = std::fs::read(&users).unwrap();
    std::fs::write(&users, &full[..full.len() / 2]).unwrap();
    let ix = TestIndex::empty();
    let stderr = ix.index(dump.path());
    // Not "skipped 0 files": the broken table is listed, with what the export loses.
    assert!(
        stderr.contains("skipped 1 files (export-degraded 1)"),
        "{stderr}"
    );
    let files = report(&ix, dump.path());
    assert_eq!(files["users.json"]["outcome"], "skipped");
    assert_eq!(files["users.json"]["reason"], "export-degraded");
    let detail = files["users.json"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("without senders' and mentioned users' names"),
        "{detail}"
    );
    // The messages are still Slack messages (not raw JSON text dated by the file's mtime),
    // flagged as coming from a degraded export.
    let docs = all(&ix);
    assert_eq!(docs.len(), 12);
    assert!(docs.iter().all(|h| h.format == "slack" && h.kind == "chat"));
    assert!(docs
        .iter()
        .all(|h| h.date.as_deref().is_some_and(|d| d.starts_with("2016-10"))));
    let shown = ix.run(&["show", "--json", &docs[0].id]);
    let shown: serde_json::Value =
        serde_json::from_str(String::from_utf8(shown.stdout).unwrap().trim()).unwrap();
    assert_eq!(
        shown["flags"],
        serde_json::json!(["export-degraded"]),
        "{shown}"
    );
    for h in &docs {
        assert_raw_round_trip(&ix, h);
    }
}

#[test]
fn the_report_sets_what_a_container_holds_against_what_was_read() {
    let dump = tempfile::tempdir().unwrap();
    std::fs::write(
        dump.path().join("x.zip"),
        zip_of(&[
            ("a.eml", MAIL_A),
            ("../escape.eml", MAIL_B),
            ("b.eml", MAIL_B),
        ]),
    )
    .unwrap();
    std::fs::create_dir(dump.path().join("tg")).unwrap();
    std::fs::write(
        dump.path().join("tg/result.json"),
        r#"{"name": "Crew", "type": "private_group", "id": 7, "messages": [
            {"id": 1, "type": "message", "date": "2017-01-01T00:00:00", "date_unixtime": "1483228800",
             "from": "Ann", "from_id": "user1", "text": "one"},
            "not a message",
            {"id": 2, "type": "message", "date": "2017-01-01T00:01:00", "date_unixtime": "1483228860",
             "from": "Bob", "from_id": "user2", "text": "two"}]}"#,
    )
    .unwrap();
    let ix = TestIndex::of(dump.path());
    let files = report(&ix, dump.path());
    let zip = &files["x.zip"];
    assert_eq!(
        (
            zip["docs"].as_u64(),
            zip["stated"].as_u64(),
            zip["failed"].as_u64()
        ),
        (Some(2), Some(3), Some(1))
    );
    let tg = &files["tg/result.json"];
    assert_eq!(
        (tg["docs"].as_u64(), tg["stated"].as_u64()),
        (Some(2), Some(3))
    );
    let text = String::from_utf8(ix.run(&["report"]).stdout).unwrap();
    assert!(text.contains("zip (2 docs; holds 3, 1 failed)"), "{text}");
    assert!(text.contains("telegram (2 docs; holds 3)"), "{text}");
}

/// Outlook MSG files (issue #14): a message gives back its whole file, an attachment its own
/// bytes; a message attached to another is a storage of the compound file, not a run of bytes,
/// and is refused as such (verify counts it unverifiable, never changed or missing).
#[test]
fn msg_messages_and_attachments_give_back_their_bytes() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msg");
    let ix = TestIndex::of(&fixtures);
    let docs = all(&ix);
    let embedded: Vec<&Hit> = docs
        .iter()
        .filter(|h| h.kind == "email" && h.item.is_some())
        .collect();
    assert_eq!((docs.len(), embedded.len()), (6, 2), "{docs:?}");
    for h in docs.iter().filter(|h| h.item.is_none()) {
        assert_eq!(h.format, "msg");
        let raw = assert_raw_round_trip(&ix, h);
        assert!(raw.starts_with(b"\xD0\xCF\x11\xE0"));
    }
    let out = ix.run(&["show", "--raw", &embedded[0].id]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("attached to another"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, problems, summary) = verify(&ix, &[]);
    assert_eq!(summary["same"], 4, "{problems:?}");
    assert_eq!(summary["unverifiable"], 2, "{problems:?}");
    assert_eq!(
        (summary["changed"].as_u64(), summary["missing"].as_u64()),
        (Some(0), Some(0))
    );
}

/// Every MSG of ../shared/corpora/formats/msg is read as one, and each of its documents reads
/// back to its hash, attachments (PDFs of "Outer mail.msg") included.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_msg_files_give_back_every_document() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::of(&corpora.join("formats/msg"));
    let docs: Vec<Hit> = all(&ix)
        .into_iter()
        .filter(|h| h.path.ends_with(".msg"))
        .collect();
    let files: BTreeSet<&str> = docs.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(files.len(), 25);
    let attachments: Vec<&Hit> = docs.iter().filter(|h| h.kind == "attachment").collect();
    assert!(attachments.len() >= 4, "{attachments:?}");
    for h in &attachments {
        assert_raw_round_trip(&ix, h);
    }
    let embedded = docs
        .iter()
        .filter(|h| h.kind == "email" && h.item.is_some())
        .count();
    let (_, problems, summary) = verify(&ix, &[]);
    assert_eq!(summary["changed"], 0, "{problems:?}");
    assert_eq!(summary["missing"], 0, "{problems:?}");
    assert_eq!(
        summary["unverifiable"].as_u64(),
        Some(embedded as u64),
        "{problems:?}"
    );
}

/// Apple Mail `.emlx` (issue #14): the message inside is indexed, and its provenance is its
/// byte range in the file, so `show --raw` gives the RFC 822 message without the count line
/// and the property list, even when a partial file's count overshoots.
#[test]
fn emlx_messages_are_their_byte_range() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/emlx");
    let ix = TestIndex::of(&fixtures);
    let mut docs = all(&ix);
    // A message before the attachments found in it (same path, item after none).
    docs.sort_by(|a, b| (&a.path, a.item).cmp(&(&b.path, b.item)));
    let facts: Vec<(&str, &str, &str, u64, u64)> = docs
        .iter()
        .map(|h| {
            (
                h.format.as_str(),
                h.subject.as_str(),
                h.from.as_ref().map_or("", |m| m.address.as_str()),
                h.offset,
                h.length,
            )
        })
        .collect();
    assert_eq!(
        facts,
        [
            ("emlx", "Excel Tabelle", "sender@example.net", 11, 1748),
            (
                "text",
                "ReallyReallyReallyReallyReallyReallyReallyReallyReallyReallylong_filename.xls",
                "sender@example.net",
                11,
                1748
            ),
            (
                "emlx",
                "[jira] Commented: (TIKA-461) RFC822 messages not parsed",
                "jira@apache.org",
                5,
                1795
            ),
        ]
    );
    for h in &docs {
        let raw = assert_raw_round_trip(&ix, h);
        if h.item.is_none() {
            assert_eq!(raw.len() as u64, h.length);
            assert!(raw.starts_with(b"Return-Path:") || raw.starts_with(b"From:"));
        }
        assert!(!raw.windows(6).any(|w| w == b"<plist"), "{}", h.path);
    }
    let (code, problems, _) = verify(&ix, &[]);
    assert_eq!((code, problems.len()), (0, 0), "{problems:?}");
}
