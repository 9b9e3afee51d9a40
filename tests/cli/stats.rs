use crate::util::TestIndex;

#[test]
fn stats_json_counts_the_sample_corpus() {
    let ix = TestIndex::sample();
    let out = ix.run(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 45 e-mails (42 files' worth, a forwarded message of its own, the mail with a PDF, the mail
    // in the zip), 51 chat messages, 10 documents, 3 attachments with text.
    assert_eq!(s["documents"], 109);
    assert_eq!(
        s["by_kind"],
        serde_json::json!([
            ["chat", 51],
            ["email", 45],
            ["document", 10],
            ["attachment", 3]
        ])
    );
    assert_eq!(s["by_year"]["2017"], 2);
    // No date, a bad date, 1970 and 2050.
    assert_eq!(s["undated"], 4);
    assert_eq!(s["first_date"], "2016-09-19T21:02:00Z");
    // OpenVault's Twitter account sent the most: ten DMs.
    assert_eq!(
        s["top_senders"][0],
        serde_json::json!(["twitter:800000002", 10])
    );
    assert_eq!(s["skipped_files"], 3);
    assert_eq!(s["skipped_by_reason"]["binary"], 1);
}

#[test]
fn stats_text_is_readable() {
    let ix = TestIndex::sample();
    let out = ix.run(&["stats"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("documents: 109\n"), "{text}");
    assert!(text.contains("top senders:"));
    assert!(text.contains("dm@openvault.example.org"));
}
