use crate::util::TestIndex;

#[test]
fn stats_json_counts_the_sample_corpus() {
    let ix = TestIndex::sample();
    let out = ix.run(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["documents"], 42);
    assert_eq!(s["by_kind"][0], serde_json::json!(["email", 42]));
    assert_eq!(s["by_year"]["2016"], 37);
    assert_eq!(s["by_year"]["2017"], 1);
    // No date, a bad date, 1970 and 2050.
    assert_eq!(s["undated"], 4);
    assert_eq!(s["first_date"], "2016-09-19T21:02:00Z");
    assert_eq!(
        s["top_senders"][0],
        serde_json::json!(["dm@openvault.example.org", 7])
    );
    assert_eq!(s["skipped_files"], 5);
    assert_eq!(s["skipped_by_reason"]["not-mail"], 2);
}

#[test]
fn stats_text_is_readable() {
    let ix = TestIndex::sample();
    let out = ix.run(&["stats"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("documents: 42\n"), "{text}");
    assert!(text.contains("top senders:"));
    assert!(text.contains("dm@openvault.example.org"));
}
