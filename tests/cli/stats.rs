use crate::util::{sample_corpus, TestIndex};

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
    assert_eq!(s["skipped_by_reason"]["not-indexed-type"], 1);
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

/// Issue #13: a file's modification time is not a document date. Copied (or cloned) files
/// carry today's mtime; stats must not report a date span that reaches this year because of
/// them, yet still account for the documents dated only by the file system.
#[test]
fn issue_13_file_mtimes_stay_out_of_the_stats_date_span() {
    use chrono::Datelike;
    let tmp = tempfile::tempdir().unwrap();
    let dump = tmp.path().join("dump");
    crate::util::copy_tree(&sample_corpus(), &dump);
    let ix = TestIndex::of(&dump);
    let this_year = chrono::Utc::now().year().to_string();

    let out = ix.run(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let last = s["last_date"].as_str().unwrap();
    assert!(!last.starts_with(&this_year), "date span ends {last}");
    assert!(s["by_year"].get(&this_year).is_none(), "{}", s["by_year"]);
    assert_eq!(s["first_date"], "2016-09-19T21:02:00Z");
    // Four loose files without metadata dates and two archive members: dated only by mtime,
    // counted apart from the undated ones.
    assert_eq!(s["file_dated"], 6);
    assert_eq!(s["undated"], 4);
    assert!(
        s["date_quality"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["file-mtime", 6])),
        "{}",
        s["date_quality"]
    );

    let text = String::from_utf8(ix.run(&["stats"]).stdout).unwrap();
    let span = text.lines().find(|l| l.starts_with("date span:")).unwrap();
    assert!(!span.contains(&this_year), "{span}");
    assert!(text.contains("only a file date"), "{text}");

    // Asked for, the copies' dates count: the span then ends this year.
    let out = ix.run(&["--file-dates", "stats", "--json"]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["last_date"].as_str().unwrap().starts_with(&this_year));
    assert_eq!(s["by_year"][&this_year], 4);
    assert_eq!(
        (&s["file_dated"], &s["file_dates_counted"]),
        (&6.into(), &true.into())
    );
}
