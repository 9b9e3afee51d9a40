//! Custodians and copies (issue #15, part 2): whose files each copy of a message sits in
//! (`--custodian-depth`, the `custodian:` field and facet), `show` listing every copy and
//! `--paths` printing every copy's file when a message counts once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::search::sample;
use crate::util::{json_lines, sample_corpus, Line, TestIndex};

/// The sample corpus indexed with custodians two levels down: `maildir/kelly/...` is Kelly's.
fn by_person() -> &'static TestIndex {
    static IX: OnceLock<TestIndex> = OnceLock::new();
    IX.get_or_init(|| {
        let ix = TestIndex::empty();
        index(&ix, &["--custodian-depth", "2"]);
        ix
    })
}

/// Runs `trawl index` of the sample corpus with `flags`; returns its stderr.
fn index(ix: &TestIndex, flags: &[&str]) -> String {
    let mut args = vec!["index"];
    args.extend_from_slice(flags);
    let corpus = sample_corpus();
    args.push(corpus.to_str().unwrap());
    let out = ix.run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stderr
}

fn count(ix: &TestIndex, query: &str, flags: &[&str]) -> u64 {
    ix.count(query, flags)
}

/// The custodian facet over every message, as value → count.
fn facet(ix: &TestIndex) -> BTreeMap<String, u64> {
    let out = ix.run(&[
        "search",
        "--json",
        "--limit",
        "0",
        "--facet",
        "custodian:100",
        "*",
    ]);
    json_lines(&out.stdout)
        .into_iter()
        .find_map(|l| match l {
            Line::Facet(f) => Some(f),
            _ => None,
        })
        .expect("a facet line")
        .values
        .into_iter()
        .map(|v| (v.value, v.count))
        .collect()
}

const FORWARD: &str = "subject:\"OpenVault made contact\" from:dana kind:email";

#[test]
fn the_custodian_is_the_first_directory_by_default() {
    let f = facet(sample());
    // The sample is laid out by format, so by default the formats are the custodians.
    for dir in ["maildir", "mbox", "eml", "chat", "archives", "enron-style"] {
        assert!(f.contains_key(dir), "{dir} missing from {f:?}");
    }
    assert!(!f.contains_key("kelly"), "{f:?}");
    // An archive's members are the archive holder's.
    let members = sample().documents("path:leak-bundle.zip");
    assert!(!members.is_empty());
    assert!(
        members
            .iter()
            .all(|h| h.custodian.as_deref() == Some("archives")),
        "{members:?}"
    );
    assert_eq!(
        count(sample(), "custodian:maildir", &[]),
        f["maildir"],
        "the query field and the facet count the same messages"
    );
}

#[test]
fn custodian_depth_names_the_mailbox_of_each_copy() {
    let ix = by_person();
    let f = facet(ix);
    assert!(f.contains_key("kelly") && f.contains_key("dana"), "{f:?}");
    // A message counts for every custodian holding a copy, not only for the copy that
    // stands for it among the hits (the forward's stand-in is Sam's mbox copy).
    for who in ["kelly", "dana"] {
        assert_eq!(f[who], count(ix, &format!("custodian:{who}"), &[]), "{who}");
    }
    // A file less deep than the rule (mbox/sam.mbox) has no custodian.
    let (hits, _, _) = ix.search("from:sam", &["--copies"]);
    assert!(hits
        .iter()
        .any(|h| h.path.ends_with("mbox/sam.mbox") && h.custodian.is_none()));
    // Dana's forward to the staff: one message with two copies (Kelly's maildir, Sam's mbox),
    // one of them Kelly's; and Jordan's forward of it to Hana (in `eml/`, no custodian).
    assert_eq!(count(ix, FORWARD, &[]), 2);
    assert_eq!(count(ix, FORWARD, &["--copies"]), 3);
    assert_eq!(count(ix, &format!("{FORWARD} custodian:kelly"), &[]), 1);
    assert_eq!(count(ix, &format!("{FORWARD} custodian:dana"), &[]), 0);
    // Values are the directory's name, exactly.
    assert_eq!(count(ix, "custodian:Kelly", &[]), 0);
}

#[test]
fn the_rule_is_kept_by_later_runs_and_another_rule_reindexes() {
    let ix = TestIndex::empty();
    index(&ix, &["--custodian-depth", "2"]);
    let kelly = count(&ix, "custodian:kelly", &[]);
    assert!(kelly > 0);
    // A later run without the flag keeps the rule and reads nothing again.
    let again = index(&ix, &[]);
    assert!(again.contains("indexed 0 documents"), "{again}");
    assert_eq!(count(&ix, "custodian:kelly", &[]), kelly);
    // Another depth re-reads the dump, so no document keeps the old rule's custodian.
    let other = index(&ix, &["--custodian-depth", "1"]);
    assert!(
        other.contains("--custodian-depth 1 differs from the last run's (2)"),
        "{other}"
    );
    assert_eq!(count(&ix, "custodian:kelly", &[]), 0);
    assert!(count(&ix, "custodian:maildir", &[]) > 0);
    // Depth 0: no custodians at all.
    index(&ix, &["--custodian-depth", "0"]);
    assert!(facet(&ix).is_empty());
}

#[test]
fn paths_print_the_file_of_every_copy() {
    let out = sample().run(&["search", "--paths", "--all", FORWARD]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let paths: Vec<&str> = text.lines().collect();
    // Both copies of Dana's forward, and Jordan's forward of it.
    assert_eq!(paths.len(), 3, "{text}");
    assert!(paths.iter().any(|p| p.ends_with("mbox/sam.mbox")), "{text}");
    assert!(paths.iter().any(|p| p.ends_with("jordan-fwd-to-hana.eml")));
    assert!(
        paths.iter().any(|p| p.contains("/maildir/kelly/cur/")),
        "{text}"
    );
    // While the count counts the message once.
    assert_eq!(count(sample(), FORWARD, &[]), 2);
}

#[test]
fn show_lists_every_location_of_a_copied_message() {
    let ix = by_person();
    let (hits, _, _) = ix.search(FORWARD, &[]);
    let copied: Vec<_> = hits.iter().filter(|h| h.copies == 2).collect();
    assert_eq!(copied.len(), 1, "{hits:?}");
    let id = &copied[0].id;
    let out = ix.run(&["show", id]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Copies:     2 in the index"), "{text}");
    assert!(text.contains("custodian kelly"), "{text}");
    assert!(text.contains("mbox/sam.mbox (offset"), "{text}");
    let out = ix.run(&["show", "--json", id]);
    let shown: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    let locations = shown["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 2);
    let custodians: Vec<Option<&str>> = locations.iter().map(|l| l["custodian"].as_str()).collect();
    assert_eq!(custodians, [Some("kelly"), None]);
    // A message with one copy lists none.
    let (single, _, _) = ix.search("subject:\"worth a look\"", &[]);
    let out = ix.run(&["show", "--json", &single[0].id]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("\"locations\":[]"));
}

/// A map names custodians where the layout does not; it is kept with the index, and another
/// map re-reads the dump.
#[test]
fn a_custodian_map_names_mailboxes_and_is_kept_by_later_runs() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("custodians.tsv");
    std::fs::write(
        &map,
        "# path under the dump<TAB>custodian\nmaildir/kelly\tKelly Brandt\nmbox/sam.mbox\tSam Ortiz\n",
    )
    .unwrap();
    let ix = TestIndex::empty();
    index(&ix, &["--custodians", map.to_str().unwrap()]);
    let f = facet(&ix);
    assert_eq!(
        f.get("Kelly Brandt"),
        Some(&count(&ix, "custodian:\"Kelly Brandt\"", &[]))
    );
    assert!(f.contains_key("Sam Ortiz"), "{f:?}");
    // Paths no line covers take the depth rule (the first directory by default).
    // (`mbox/press-crlf.mbox` stays `mbox`'s; `mbox/sam.mbox` is Sam's.)
    assert!(f.contains_key("chat") && f.contains_key("mbox"), "{f:?}");
    assert_eq!(count(&ix, "path:sam.mbox custodian:mbox", &[]), 0);
    assert!(count(&ix, "path:sam.mbox custodian:\"Sam Ortiz\"", &[]) > 0);
    // Both copies of Dana's forward are now somebody's.
    assert_eq!(
        count(&ix, &format!("{FORWARD} custodian:\"Sam Ortiz\""), &[]),
        count(&ix, &format!("{FORWARD} custodian:\"Kelly Brandt\""), &[])
    );
    // Kept without the flag; another map re-reads everything.
    let again = index(&ix, &[]);
    assert!(again.contains("indexed 0 documents"), "{again}");
    assert!(facet(&ix).contains_key("Sam Ortiz"));
    std::fs::write(&map, "mbox\tthe press office\n").unwrap();
    let other = index(&ix, &["--custodians", map.to_str().unwrap()]);
    assert!(other.contains("--custodians maps other paths"), "{other}");
    let f = facet(&ix);
    assert!(
        f.contains_key("the press office") && !f.contains_key("Sam Ortiz"),
        "{f:?}"
    );
    // A malformed map is refused before anything is written.
    std::fs::write(&map, "no tab\n").unwrap();
    let out = ix.run(&[
        "index",
        "--custodians",
        map.to_str().unwrap(),
        sample_corpus().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1: expected PATH<TAB>NAME"));
}
