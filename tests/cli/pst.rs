//! Outlook PST and OST stores (issue #14): every item of every folder a document with its
//! folder, counts that add up (items stated = read + failed) in the summary and `trawl report`,
//! attachments that give back their bytes and messages refused by `show --raw`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::provenance::{all, assert_raw_round_trip, verify};
use crate::util::{shared_corpora, Hit, TestIndex};

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pst")
}

/// `trawl report --json`'s file lines, by file name.
fn report(ix: &TestIndex) -> BTreeMap<String, serde_json::Value> {
    String::from_utf8(ix.run(&["report", "--json"]).stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "file" && v["outcome"] == "indexed")
        .map(|v| {
            let name = v["path"].as_str().unwrap().rsplit('/').next().unwrap();
            (name.to_owned(), v)
        })
        .collect()
}

/// (stated, read, failed) of a file's report line.
fn counts(line: &serde_json::Value) -> (u64, u64, u64) {
    (
        line["stated"].as_u64().unwrap(),
        line["read"].as_u64().unwrap(),
        line["failed"].as_u64().unwrap(),
    )
}

fn subjects(hits: &[Hit], file: &str) -> Vec<String> {
    let mut s: Vec<String> = hits
        .iter()
        .filter(|h| h.kind == "email" && h.path.ends_with(file))
        .map(|h| h.subject.clone())
        .collect();
    s.sort();
    s
}

/// The stores of `tests/fixtures/pst`: counts as readpst and pffexport find them, folders,
/// senders, subjects and attachments.
#[test]
fn pst_items_are_messages_with_their_folders() {
    let ix = TestIndex::of(&fixtures());
    let hits = all(&ix);
    // support.pst: readpst writes 17 .eml and pffexport exports 17 messages.
    let support: Vec<&Hit> = hits
        .iter()
        .filter(|h| h.kind == "email" && h.path.ends_with("support.pst"))
        .collect();
    assert_eq!(support.len(), 17);
    assert!(support.iter().all(|h| h.format == "pst"));
    assert!(support.iter().all(|h| h
        .from
        .as_ref()
        .is_some_and(|m| m.address.starts_with("support@hackingteam."))));
    let folders: std::collections::BTreeSet<&str> = support
        .iter()
        .map(|h| h.folder.as_deref().unwrap())
        .collect();
    assert_eq!(
        folders.into_iter().collect::<Vec<_>>(),
        ["support/Drafts", "support/Sent Messages"]
    );
    let shown = ix.run(&["show", &support[0].id]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("\nFolder:     support/"));
    assert_eq!(ix.mail_ids("folder:drafts").len(), 6);
    assert_eq!(ix.mail_ids("folder:\"sent messages\"").len(), 11);
    assert_eq!(ix.mail_ids("folder:support").len(), 17);
    assert_eq!(
        subjects(&hits, "support.pst")
            .iter()
            .filter(|s| s.as_str() == "Release 9.5.2")
            .count(),
        2
    );
    // Its two attachments sit on one message; pffexport counts the same two.
    let carrier: Vec<&&Hit> = support
        .iter()
        .filter(|h| !h.attachments.is_empty())
        .collect();
    assert_eq!(carrier.len(), 1);
    assert_eq!(carrier[0].attachments.len(), 2);
    assert!(carrier[0]
        .subject
        .starts_with("IMPORTANT: Support portal downtime"));

    // testPST_variousBodyTypes.pst: readpst and pffexport find 4 messages, in Inbox/tmp; the
    // subjects lose the stored prefix marker.
    assert_eq!(
        subjects(&hits, "testPST_variousBodyTypes.pst"),
        [
            "FW: original email",
            "FW: original email",
            "FW: original email",
            "original email"
        ]
    );
    assert_eq!(ix.mail_ids("folder:tmp").len(), 4);
    assert_eq!(
        ix.mail_ids("folder:\"outlook data file/inbox/tmp\"").len(),
        4
    );

    let lines = report(&ix);
    assert_eq!(counts(&lines["support.pst"]), (17, 17, 0));
    assert_eq!(counts(&lines["testPST_variousBodyTypes.pst"]), (4, 4, 0));
    assert_eq!(counts(&lines["Empty.pst"]), (0, 0, 0));
    // submessage.pst: its one message is read; the message attached to it is an attachment
    // outlook-pst cannot open, listed as failed (never dropped).
    assert_eq!(counts(&lines["submessage.pst"]), (1, 1, 1));
    let out = ix.run(&["report"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("pst (1 docs; holds 1: 1 read, 0 failed; 1 attachments not read)"),
        "{text}"
    );
}

/// The index summary says, per store, what its folders hold and what became of it.
#[test]
fn the_summary_counts_each_store() {
    let ix = TestIndex::empty();
    let stderr = ix.index(&fixtures());
    assert!(
        stderr.contains("support.pst: 17 items in its folders, 17 read, 0 failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "submessage.pst: 1 items in its folders, 1 read, 0 failed (1 attachments not read)"
        ),
        "{stderr}"
    );
}

/// An attachment gives back its own bytes; a message of a store is a node, not bytes, and is
/// refused: verify counts it as not checkable, never changed or missing.
#[test]
fn pst_attachments_give_back_their_bytes_and_messages_are_refused() {
    let ix = TestIndex::of(&fixtures());
    let hits = all(&ix);
    let attachments: Vec<&Hit> = hits.iter().filter(|h| h.kind == "attachment").collect();
    assert_eq!(attachments.len(), 2, "{attachments:?}");
    for h in &attachments {
        assert_raw_round_trip(&ix, h);
    }
    let message = hits.iter().find(|h| h.kind == "email").unwrap();
    let out = ix.run(&["show", "--raw", &message.id]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a node of the store"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, problems, summary) = verify(&ix, &[]);
    assert_eq!(summary["same"], 2, "{problems:?}");
    assert_eq!(summary["changed"], 0, "{problems:?}");
    assert_eq!(summary["missing"], 0, "{problems:?}");
    assert_eq!(
        summary["unverifiable"].as_u64(),
        Some(hits.len() as u64 - 2)
    );
}

/// Every PST and OST of ../shared/corpora/formats: items as readpst (`-j 0 -D -r -e`) writes
/// them and pffexport exports them, each one read or listed as failed.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_stores_account_for_every_item() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let dump = tempfile::tempdir().unwrap();
    for dir in ["pst", "ost"] {
        crate::util::copy_tree(&corpora.join("formats").join(dir), &dump.path().join(dir));
    }
    let ix = TestIndex::of(dump.path());
    let lines = report(&ix);
    let expected: [(&str, &str, (u64, u64, u64)); 11] = [
        // readpst: 1 .ics; pffexport: 1 Appointment.
        ("32-bit.pst", "pst", (1, 1, 0)),
        // readpst 17 .eml, pffexport 17 Message.
        ("support.pst", "pst", (17, 17, 0)),
        // readpst and pffexport write nothing: the one item of each is an IPM.Post ("Post",
        // "Test"), which neither exports. Indexed all the same.
        ("test_ansi.pst", "pst", (1, 1, 0)),
        ("test_unicode.pst", "pst", (2, 2, 0)),
        // readpst 1 .eml, pffexport 1 Message.
        ("sample1.pst", "pst", (1, 1, 0)),
        // readpst 1 .eml, pffexport 1 Message; its attached message is not read (1 failed).
        ("submessage.pst", "pst", (1, 1, 1)),
        ("Empty.pst", "pst", (0, 0, 0)),
        // readpst 7 .eml, pffexport 7 Message; its one attachment is not read.
        ("testPST.pst", "pst", (7, 7, 1)),
        ("testPST_variousBodyTypes.pst", "pst", (4, 4, 0)),
        // readpst 87 .eml + 5 .ics; pffexport 81 Message + 6 Meeting + 5 Appointment: 92.
        // 13 of its 37 attachments are not read by outlook-pst.
        ("SampleOstFile.ost", "ost", (92, 92, 13)),
        // A PST named .ost: readpst 18 .vcf, pffexport 18 Contact. outlook-pst opens one; the
        // 17 contacts without a sub-node tree are listed as failed.
        ("test.ost", "pst", (18, 1, 17)),
    ];
    for (name, format, want) in expected {
        let line = &lines[name];
        assert_eq!(line["format"], format, "{name}");
        assert_eq!(counts(line), want, "{name}");
    }
    let hits = all(&ix);
    assert_eq!(
        subjects(&hits, "testPST.pst").len(),
        7,
        "{:?}",
        subjects(&hits, "testPST.pst")
    );
    assert_eq!(ix.mail_ids("folder:\"hong-thai.nguyen\"").len(), 7);
    // The 17 contacts of test.ost that outlook-pst cannot open are still found by name, from
    // their rows of the folder's contents table (and counted as failed above).
    assert_eq!(ix.mail_ids("folder:myinbox").len(), 18);
    assert_eq!(ix.mail_ids("\"wichert kroos\"").len(), 3);
    let (_, problems, summary) = verify(&ix, &[]);
    assert_eq!(summary["changed"], 0, "{problems:?}");
    assert_eq!(summary["missing"], 0, "{problems:?}");
}
