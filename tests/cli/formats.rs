//! Chat exports, documents, attachments and archives in `sample_corpus/` (issue #5): the exact
//! documents, senders, recipients and dates each produces. Expected values come from the
//! "Chat exports, documents and archives" section of docs/sample_corpus.md.

use std::sync::OnceLock;

use crate::util::{sample_corpus, shared_corpora, Hit, TestIndex};

/// The sample corpus indexed with the user-supplied Twitter names.
fn named() -> &'static TestIndex {
    static IX: OnceLock<TestIndex> = OnceLock::new();
    IX.get_or_init(|| {
        let ix = TestIndex::empty();
        let names = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/twitter-names.json");
        let out = ix.run(&[
            "index",
            "--names",
            names.to_str().unwrap(),
            sample_corpus().to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ix
    })
}

fn hits(q: &str) -> Vec<Hit> {
    let mut h = named().search(q, &["--sort", "date"]).0;
    h.sort_by_key(|a| (a.date.clone(), a.id.clone()));
    h
}

fn addrs(list: &[crate::util::Mailbox]) -> Vec<&str> {
    list.iter().map(|m| m.address.as_str()).collect()
}

#[test]
fn twitter_dms_are_messages_between_named_accounts() {
    let dms = hits("path:chat/twitter-archive/data/direct-messages.js");
    assert_eq!(dms.len(), 14);
    assert!(dms
        .iter()
        .all(|h| h.kind == "chat" && h.conversation.as_deref() == Some("700000001-800000002")));
    let first = &dms[0];
    assert_eq!(first.date.as_deref(), Some("2016-09-20T17:30:00Z"));
    let from = first.from.clone().unwrap();
    // OpenVault's name comes from --names, Dana's from the archive's own account.js.
    assert_eq!(
        (from.address.as_str(), from.name.as_deref()),
        ("twitter:800000002", Some("OpenVault (@OpenVault)"))
    );
    assert_eq!(first.to[0].name.as_deref(), Some("Dana Reyes (@DanaReyes)"));
    assert_eq!(
        dms.iter()
            .filter(|h| h.from.as_ref().unwrap().address == "twitter:700000001")
            .count(),
        4
    );
    // The t.co link is expanded, so the real address is searchable.
    assert_eq!(
        named()
            .search("search.openvault.example.org kind:chat", &[])
            .1
            .total_hits,
        1
    );
    // between: and the timeline see DMs and e-mails alike.
    assert_eq!(
        named()
            .search("between:dana,openvault kind:chat", &[])
            .1
            .total_hits,
        14
    );
}

#[test]
fn twitter_group_recipients_follow_membership() {
    let group = hits("path:chat/twitter-archive/data/direct-messages-group.js");
    assert_eq!(group.len(), 5);
    assert_eq!(
        addrs(&group[0].to),
        ["twitter:700000004", "twitter:700000005"]
    );
    // Kelly (700000005) left before the last two messages.
    assert_eq!(addrs(&group[3].to), ["twitter:700000001"]);
    assert_eq!(addrs(&group[4].to), ["twitter:700000004"]);
}

#[test]
fn twitter_ids_without_names_stay_ids() {
    let ix = TestIndex::sample();
    let (h, _, _) = ix.search(
        "path:chat/twitter-archive from:twitter:800000002",
        &["--limit", "1"],
    );
    assert_eq!(h[0].from.as_ref().unwrap().name, None);
}

#[test]
fn slack_messages_bots_files_and_threads() {
    let all = hits("path:chat/slack-export");
    assert_eq!(all.len(), 12);
    assert_eq!(hits("path:chat/slack-export/general").len(), 9);
    assert_eq!(hits("path:chat/slack-export/comms").len(), 3);
    assert!(all.iter().all(|h| h.kind == "chat"));
    let bots: Vec<_> = all
        .iter()
        .filter(|h| h.from.as_ref().is_some_and(|m| m.address == "slack:b01bot"))
        .collect();
    assert_eq!(bots.len(), 2);
    let share = hits("filename:talking-points kind:chat");
    assert_eq!(share.len(), 1);
    assert_eq!(share[0].from.as_ref().unwrap().address, "slack:u04hana");
    // Recipients are the other members of the channel.
    let comms = hits("path:chat/slack-export/comms");
    for h in &comms {
        let sender = &h.from.as_ref().unwrap().address;
        assert!(!addrs(&h.to).contains(&sender.as_str()));
        assert_eq!(h.to.len(), 2, "comms has three members");
    }
}

#[test]
fn telegram_and_whatsapp() {
    let tg = hits("path:chat/telegram");
    assert_eq!(tg.len(), 7, "6 messages and one service message");
    assert!(tg
        .iter()
        .all(|h| h.conversation.as_deref() == Some("telegram:4400012345")));
    let android = hits("path:\"chat/whatsapp/WhatsApp Chat with Sam Ortiz.txt\"");
    assert_eq!(android.len(), 8);
    assert_eq!(android[0].date.as_deref(), Some("2016-10-20T21:15:00Z"));
    assert_eq!(
        android[0].from.as_ref().unwrap().address,
        "whatsapp:sam.ortiz"
    );
    assert_eq!(addrs(&android[0].to), ["whatsapp:brad.pham"]);
    assert_eq!(
        hits("path:\"chat/whatsapp/WhatsApp Chat with Kelly Brandt.txt\"").len(),
        5
    );
}

#[test]
fn documents_carry_title_author_and_date_source() {
    let pdf = hits("\"offshore consulting retainer\" kind:document");
    assert_eq!(pdf.len(), 1);
    assert_eq!(pdf[0].subject, "Opposition research memo");
    assert_eq!(
        pdf[0].from.as_ref().unwrap().name.as_deref(),
        Some("Brad Pham")
    );
    assert_eq!(pdf[0].date_source, "metadata");
    let docx = hits("\"zinger about infrastructure\"");
    assert_eq!((docx.len(), docx[0].subject.as_str()), (1, "Debate prep"));
    let odt = hits("\"canvass captains\"");
    assert_eq!(
        odt[0].from.as_ref().unwrap().name.as_deref(),
        Some("Kelly Brandt")
    );
    let html = hits("\"categorically false\"");
    assert_eq!(html[0].subject, "Statement on the OpenVault publications");
    assert!(
        hits("stylesheetmarker OR scriptmarker OR xyzzyanalytics").is_empty(),
        "no text from <style> or <script>"
    );
    assert_eq!(hits("\"Garner Victory Fund\"").len(), 1);
    // A text file has no metadata: its date is the file's mtime, flagged as such.
    let txt = hits("\"war room rota\"");
    assert_eq!(txt[0].date_source, "file-mtime");
}

#[test]
fn text_inside_an_attachment_points_to_its_message() {
    let found = hits("\"offshore consulting retainer\" kind:attachment");
    assert_eq!(found.len(), 1);
    let carrier = named()
        .search("id:20161028.bp-research@reyes2016.example.com", &[])
        .0;
    assert_eq!(found[0].parent.as_deref(), Some(carrier[0].id.as_str()));
    assert_eq!(found[0].subject, "oppo-research-memo.pdf");
    // Only the attachment holds the phrase, not the message's own text.
    assert!(hits("\"offshore consulting retainer\" kind:email").is_empty());
    let shown = String::from_utf8(named().run(&["show", &carrier[0].id]).stdout).unwrap();
    assert!(
        shown.contains(&format!(
            "Contains:   {} attachment oppo-research-memo.pdf",
            found[0].id
        )),
        "{shown}"
    );
    // The forwarded message inside Jordan's mail is a message of its own, linked to him.
    let inner = named()
        .search(
            "id:20160921.fwd-staff@reyes2016.example.com path:eml",
            &["--items"],
        )
        .0;
    assert_eq!(inner.len(), 1);
    assert!(inner[0].parent.is_some());
}

#[test]
fn archive_members_are_indexed_with_member_paths() {
    let note = hits("\"dead drop on Friday\"");
    assert_eq!(note.len(), 1);
    assert!(
        note[0]
            .path
            .ends_with("archives/leak-bundle.zip!/bundle/notes/handoff.txt"),
        "{}",
        note[0].path
    );
    let mail = named()
        .search("id:20161102.jk-handoff@kessler-family.example.org", &[])
        .0;
    assert_eq!(mail.len(), 1);
    assert!(mail[0]
        .path
        .ends_with("leak-bundle.zip!/bundle/mail/2016-11-02-handoff.eml"));
    assert_eq!(mail[0].kind, "email");
    assert_eq!(hits("\"contingency line item\"").len(), 1);
    let tar = hits("\"burner phone inventory\"");
    assert!(
        tar[0]
            .path
            .ends_with("old-notes.tar.gz!/notes/2016-09-30.txt"),
        "{}",
        tar[0].path
    );
}

#[test]
fn report_lists_every_file_with_its_outcome() {
    let out = named().run(&["report", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["files"], 57);
    assert_eq!(summary["skipped"], 3);
    assert_eq!(summary["by_format"]["whatsapp"], 2);
    assert_eq!(summary["by_format"]["export-metadata"], 3);
    let junk = lines
        .iter()
        .find(|l| l["path"].as_str().is_some_and(|p| p.ends_with("junk.bin")))
        .unwrap();
    assert_eq!(
        (junk["outcome"].as_str(), junk["reason"].as_str()),
        (Some("skipped"), Some("not-indexed-type"))
    );
    // Its head is a PNG's signature before a header no PNG has: named by its magic number
    // (issue #14), with its size, and not taken for a picture.
    assert_eq!(
        junk["detail"],
        "image/png (image .png), 512 bytes: not a readable image (its header is damaged)"
    );
    assert_eq!(summary["by_type"]["image/png"], 1);
    let text = String::from_utf8(named().run(&["report", "--skipped"]).stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("skipped  ")).count(),
        3
    );
}

/// Every message of the real Slack export in ../shared/corpora is accounted for.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_slack_export_indexes_every_message() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let export = corpora.join("edge-cases/slack-hfaran");
    let mut messages = 0;
    for e in walkdir::WalkDir::new(&export)
        .min_depth(2)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.path().extension().is_some_and(|x| x == "json") {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            messages += v
                .as_array()
                .map_or(0, |a| a.iter().filter(|m| m.is_object()).count());
        }
    }
    let ix = TestIndex::of(&export);
    assert_eq!(ix.search("kind:chat", &[]).1.total_hits, messages);
    assert_eq!(messages, 158);
    let report: Vec<serde_json::Value> = String::from_utf8(ix.run(&["report", "--json"]).stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(report.last().unwrap()["skipped"], 0, "{report:?}");
}

/// Every Apple Mail file of ../shared/corpora/formats/emlx is read as the message it holds
/// (issue #14), never as plain text: subjects and senders as the corpus README lists them.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_emlx_files_are_messages() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::of(&corpora.join("formats/emlx"));
    // Every file, copies included: 114892.eml and 114892.partial.emlx are one message, and
    // which copy stands for it depends on where the dump lies (ids hash the path).
    let mut found: Vec<(String, String, String)> = ix
        .search("kind:email", &["--copies"])
        .0
        .into_iter()
        .filter(|h| h.path.ends_with(".emlx"))
        .map(|h| {
            assert_eq!(h.format, "emlx");
            let name = h.path.rsplit('/').next().unwrap().to_owned();
            (
                name,
                h.subject,
                h.from.map(|m| m.address).unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("114862.emlx", "Lorem ipsum", "philipp@philippkatz.de"),
        (
            "114892.partial.emlx",
            "Fwd: Lorem ipsum",
            "philipp@philippkatz.de",
        ),
        ("11507.emlx", "REDACTED", ""),
        ("136153.partial.emlx", "Excel Tabelle", "sender@example.net"),
        ("207046.partial.emlx", "Bericht", "sender@example.com"),
        (
            "229417.partial.emlx",
            "komische Warnmeldung; Anhang",
            "sender@gmail.net",
        ),
        (
            "465622.partial.emlx",
            " 【151委員会】7/10(月)研究会での講演のご依頼",
            "jigyouka06@jsps.go.jp",
        ),
        (
            "testEMLX.emlx",
            "[jira] Commented: (TIKA-461) RFC822 messages not parsed",
            "jira@apache.org",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.trim().to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected);
    let all = ix.search("*", &[]).0;
    assert!(
        all.iter()
            .filter(|h| h.path.ends_with(".emlx") && h.item.is_none())
            .all(|h| h.format == "emlx"),
        "{all:?}"
    );
}

/// Encrypted and signed mail (issue #14): PGP/MIME, S/MIME and inline PGP are flagged and
/// found by `has:encryption` and `has:signature`; the readable text of a signed message is
/// indexed as any other.
#[test]
fn encrypted_and_signed_mail_is_flagged() {
    let dump = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crypto-mail/[Announce] GnuPG 2.1.20 released.eml");
    std::fs::copy(&fixture, dump.path().join("announce.eml")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dump.path().join(name), text).unwrap();
    write(
        "smime.eml",
        "From: a@x.example\nTo: b@x.example\nSubject: sealed\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\n",
    );
    write(
        "inline.eml",
        "From: a@x.example\nTo: b@x.example\nSubject: armoured\n\n-----BEGIN PGP MESSAGE-----\n\nhQEMA1\n-----END PGP MESSAGE-----\n",
    );
    write(
        "plain.eml",
        "From: a@x.example\nTo: b@x.example\nSubject: open\n\nquoting -----BEGIN PGP MESSAGE----- mid-line\n",
    );
    let ix = TestIndex::of(dump.path());
    let subjects = |q: &str| {
        let mut s: Vec<String> = ix.search(q, &[]).0.into_iter().map(|h| h.subject).collect();
        s.sort();
        s
    };
    assert_eq!(subjects("has:encryption"), ["armoured", "sealed"]);
    assert_eq!(
        subjects("has:signature"),
        ["[Announce] GnuPG 2.1.20 released"]
    );
    assert_eq!(
        subjects("has:signature \"Noteworthy changes in version 2.1.20\""),
        ["[Announce] GnuPG 2.1.20 released"]
    );
    let out = ix.run(&["search", "has:armour"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has:encryption, has:signature"));
}

/// The PGP/MIME and S/MIME mail of ../shared/corpora/formats/crypto-mail, as its README lists
/// it: which files are encrypted, which signed.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn real_encrypted_and_signed_mail_is_flagged() {
    let corpora = shared_corpora().expect("../shared/corpora");
    let ix = TestIndex::of(&corpora.join("formats/crypto-mail"));
    let files = |q: &str| {
        let mut f: Vec<String> = ix
            .search(q, &[])
            .0
            .into_iter()
            .map(|h| h.path.rsplit('/').next().unwrap().to_owned())
            .collect();
        f.sort();
        f.dedup();
        f
    };
    assert_eq!(
        files("has:encryption"),
        [
            "protonmail-repaired.eml",
            "rfc1847_encapsulation.eml",
            "thunderbird_encrypted_signed.eml",
            "thunderbird_encrypted_unsigned.eml",
        ]
    );
    assert_eq!(
        files("has:signature"),
        [
            "[Announce] GnuPG 2.1.20 released.eml",
            "mailinglist_dhl.eml",
            "schleuder.eml",
            "thunderbird-signed.txt",
            "thunderbird_signed_unencrypted.eml",
        ]
    );
}

/// Issue #14's mixed dump: every file of `../shared/corpora/formats` indexed together. No
/// office, Outlook, Apple Mail, archive or image file is left as `binary` (or an unread type),
/// and every container's counts add up: each failure it counts is listed under its path, and a
/// store's items are read or failed.
#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn a_mixed_dump_of_every_format_leaves_nothing_unread_or_uncounted() {
    let dump = shared_corpora().expect("../shared/corpora").join("formats");
    let ix = TestIndex::of(&dump);
    let out = ix.run(&["report", "--json"]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "file")
        .collect();
    let read_formats = [
        "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "pst", "ost",
        "msg", "emlx", "eml", "zip", "7z", "rar", "tar", "gz", "bz2", "xz", "tgz", "tbz2", "jpg",
        "jpeg", "png", "tif", "tiff", "heic", "heif", "webp", "gif", "bmp",
    ];
    for l in &lines {
        let path = l["path"].as_str().unwrap();
        let reason = l["reason"].as_str().unwrap_or("");
        if matches!(reason, "binary" | "not-indexed-type") {
            let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            assert!(!read_formats.contains(&ext.as_str()), "{path}: {l}");
        }
        let Some(stated) = l["stated"].as_u64() else {
            continue;
        };
        let failed = l["failed"].as_u64().unwrap();
        let listed = lines
            .iter()
            .filter(|s| s["outcome"] == "skipped")
            .filter_map(|s| s["path"].as_str())
            .filter(|p| p.starts_with(&format!("{path}!/")) || p.starts_with(&format!("{path}#")))
            .count() as u64;
        assert_eq!(failed, listed, "{path}: every failure listed: {l}");
        if let Some(read) = l["read"].as_u64() {
            assert!(read <= stated && failed >= stated - read, "{path}: {l}");
        }
    }
    let stores = lines
        .iter()
        .filter(|l| matches!(l["format"].as_str(), Some("pst" | "ost")))
        .count();
    assert_eq!(
        stores, 11,
        "every PST and OST of the corpus read as a store"
    );
}
