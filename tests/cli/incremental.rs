//! Re-indexing a dump that changed: new, modified, deleted, touched and renamed files.

use std::path::Path;

use crate::util::TestIndex;

fn message(id: &str, subject: &str, body: &str) -> String {
    format!("Message-ID: <{id}>\nFrom: a@x.example\nTo: b@x.example\nDate: Mon, 3 Oct 2016 10:00:00 +0000\nSubject: {subject}\n\n{body}\n")
}

fn set_mtime(path: &Path, secs_ago: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago))
        .unwrap();
}

#[test]
fn incremental_reindex_tracks_every_kind_of_change() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(dump.join("mbox")).unwrap();
    for i in 0..5 {
        std::fs::write(
            dump.join(format!("m{i}.eml")),
            message(&format!("m{i}@x"), &format!("note {i}"), "alpha"),
        )
        .unwrap();
    }
    let mbox = format!(
        "From a@x.example Mon Oct  3 10:00:00 2016\n{}\nFrom a@x.example Mon Oct  3 11:00:00 2016\n{}",
        message("b1@x", "box one", "bravo"),
        message("b2@x", "box two", "bravo")
    );
    std::fs::write(dump.join("mbox/box.mbox"), &mbox).unwrap();
    let ix = TestIndex::empty();
    let first = ix.index(&dump);
    assert!(
        first.contains("indexed 7 documents from 6 of 6 files"),
        "{first}"
    );
    assert_eq!(ix.search("*", &[]).1.total_hits, 7);

    // Nothing changed: nothing is read, nothing indexed twice.
    let second = ix.index(&dump);
    assert!(
        second.contains("indexed 0 documents from 0 of 6 files"),
        "{second}"
    );
    assert!(
        second.contains("6 files unchanged since the last run, 0 removed"),
        "{second}"
    );
    assert_eq!(ix.search("*", &[]).1.total_hits, 7);

    // Touched without change (new mtime, same bytes): read and hashed, not re-indexed.
    set_mtime(&dump.join("m0.eml"), 3600);
    let touched = ix.index(&dump);
    assert!(touched.contains("indexed 0 documents"), "{touched}");
    assert_eq!(ix.search("*", &[]).1.total_hits, 7);

    // Added, modified, deleted, renamed, and an mbox that grew.
    std::fs::write(dump.join("new.eml"), message("new@x", "fresh", "charlie")).unwrap();
    std::fs::write(
        dump.join("m1.eml"),
        message("m1@x", "note 1 edited", "delta"),
    )
    .unwrap();
    std::fs::remove_file(dump.join("m2.eml")).unwrap();
    std::fs::rename(dump.join("m3.eml"), dump.join("renamed.eml")).unwrap();
    std::fs::write(
        dump.join("mbox/box.mbox"),
        format!(
            "{mbox}\nFrom a@x.example Mon Oct  3 12:00:00 2016\n{}",
            message("b3@x", "box three", "bravo")
        ),
    )
    .unwrap();
    let third = ix.index(&dump);
    assert!(
        third.contains("2 removed"),
        "deleted and renamed-away paths: {third}"
    );
    let ids = |q: &str| ix.ids(q);
    assert_eq!(
        ids("*").len(),
        8,
        "5 eml - 1 deleted + 1 new, and 3 mbox messages"
    );
    assert_eq!(ids("charlie"), ["new@x"]);
    assert_eq!(ids("delta"), ["m1@x"]);
    assert!(ids("alpha").iter().all(|id| id != "m1@x" && id != "m2@x"));
    assert_eq!(ids("bravo"), ["b1@x", "b2@x", "b3@x"]);
    let (hits, _, _) = ix.search("id:m3@x", &[]);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].path.ends_with("renamed.eml"));

    // A file that turns into junk loses its documents and is reported as skipped.
    std::fs::write(dump.join("m4.eml"), [0u8, 1, 2, 3, 0, 0, 9]).unwrap();
    ix.index(&dump);
    assert!(ids("id:m4@x").is_empty());
    let skipped = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap();
    assert!(
        skipped.contains("m4.eml") && skipped.contains("binary"),
        "{skipped}"
    );
    assert_eq!(ids("*").len(), 7);
}

#[test]
fn two_dumps_share_one_index_and_keep_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (d, n) in [(&a, 3), (&b, 2)] {
        std::fs::create_dir_all(d).unwrap();
        for i in 0..n {
            let id = format!("{}{i}@x", d.file_name().unwrap().to_str().unwrap());
            std::fs::write(d.join(format!("{i}.eml")), message(&id, "s", "words")).unwrap();
        }
    }
    let ix = TestIndex::empty();
    ix.index(&a);
    ix.index(&b);
    let files = || std::fs::read_to_string(ix.path.join("files.jsonl")).unwrap();
    assert_eq!(files().lines().count(), 5, "{}", files());

    // An unchanged re-run of one dump leaves the manifest as it was, byte for byte.
    let before = files();
    ix.index(&a);
    assert_eq!(files(), before);

    // Changing one dump rewrites its records and keeps the other dump's.
    std::fs::remove_file(a.join("0.eml")).unwrap();
    let out = ix.index(&a);
    assert!(out.contains("1 removed"), "{out}");
    let after = files();
    assert_eq!(after.lines().count(), 4, "{after}");
    assert_eq!(after.matches("/b/").count(), 2, "{after}");
    assert!(!ix.path.join("files.jsonl.tmp").exists());
    let mut ids = ix.ids("*");
    ids.sort();
    assert_eq!(ids, ["a1@x", "a2@x", "b0@x", "b1@x"]);
}

/// Each run that changes something commits at least one small segment; once eight gather, the
/// capped merge policy folds them together before the run ends, and nothing is lost or doubled.
#[test]
fn small_segments_of_incremental_runs_are_merged() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let ix = TestIndex::empty();
    let mut most = 0;
    for i in 0..10 {
        std::fs::write(
            dump.join(format!("m{i}.eml")),
            message(&format!("m{i}@x"), &format!("note {i}"), "alpha"),
        )
        .unwrap();
        ix.index(&dump);
        most = most.max(ix.segments());
    }
    assert!(most >= 7, "every run should add a segment (at most {most})");
    assert!(
        ix.segments() < most,
        "ten runs left {} segments",
        ix.segments()
    );
    assert_eq!(ix.search("alpha", &[]).1.total_hits, 10);
}

fn zip_of(members: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in members {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// An archive's members are documents with their own paths (`bundle.zip!/a.eml`): changing the
/// archive replaces them, deleting it removes them. Before, the delete by the archive's own
/// path missed them, and old members stayed searchable.
#[test]
fn a_changed_then_deleted_archive_takes_its_members_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let bundle = dump.join("bundle.zip");
    // A neighbour whose name extends the archive's: its documents must survive.
    std::fs::write(
        dump.join("bundle.zip.eml"),
        message("n@x", "neighbour", "stays"),
    )
    .unwrap();
    std::fs::write(
        &bundle,
        zip_of(&[
            ("a.eml", message("a@x", "first", "alpha")),
            ("b.eml", message("b@x", "second", "bravo")),
        ]),
    )
    .unwrap();
    let ix = TestIndex::empty();
    ix.index(&dump);
    assert_eq!(ix.search("*", &[]).1.total_hits, 3);
    std::fs::write(
        &bundle,
        zip_of(&[("c.eml", message("c@x", "third", "charlie"))]),
    )
    .unwrap();
    set_mtime(&bundle, 10);
    ix.index(&dump);
    assert_eq!(ix.search("alpha OR bravo", &[]).1.total_hits, 0);
    assert_eq!(ix.search("charlie", &[]).1.total_hits, 1);
    assert_eq!(ix.search("*", &[]).1.total_hits, 2);
    std::fs::remove_file(&bundle).unwrap();
    ix.index(&dump);
    assert_eq!(ix.search("*", &[]).1.total_hits, 1);
    assert_eq!(ix.search("stays", &[]).1.total_hits, 1);
}
