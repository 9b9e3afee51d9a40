use crate::search::sample;

#[test]
fn show_prints_headers_body_and_provenance() {
    let out = sample().run(&["show", "20161021.ov4@openvault.example.org"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("From:       OpenVault <dm@openvault.example.org>\n"),
        "{text}"
    );
    assert!(text.contains("Date:       2016-10-21 18:21 UTC (sender's offset -04:00)"));
    assert!(text.contains("Leak us one or more of your father's"));
    assert!(text.contains("SHA-256:    "));
    // The same document by its id.
    let (hits, _, _) = sample().search("id:20161021.ov4@openvault.example.org", &[]);
    let by_id = sample().run(&["show", &hits[0].id]);
    assert_eq!(String::from_utf8(by_id.stdout).unwrap(), text);
}

#[test]
fn show_lists_attachments_and_both_copies_of_a_duplicate() {
    let text = String::from_utf8(
        sample()
            .run(&["show", "20161005.kb-donors@reyes2016.example.com"])
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("Attachment: donors-q3.csv (text/csv)"),
        "{text}"
    );
    let dup = String::from_utf8(
        sample()
            .run(&["show", "20160921.fwd-staff@reyes2016.example.com"])
            .stdout,
    )
    .unwrap();
    // Kelly's maildir, Sam's mbox, and inside Jordan's forward to Hana.
    assert_eq!(dup.matches("Source:").count(), 3);
}

#[test]
fn show_raw_returns_the_original_bytes() {
    let (hits, _, _) = sample().search("id:20161005.kb-donors@reyes2016.example.com", &[]);
    let h = &hits[0];
    let out = sample().run(&["show", "--raw", &h.id]);
    let file = std::fs::read(&h.path).unwrap();
    assert_eq!(
        out.stdout,
        &file[h.offset as usize..(h.offset + h.length) as usize]
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn show_escapes_hostile_text_and_reports_unknown_ids() {
    let text = String::from_utf8(
        sample()
            .run(&["show", "20161026.hh-weird@reyes2016.example.com"])
            .stdout,
    )
    .unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'));
    let out = sample().run(&["show", "nope@nowhere"]);
    assert_eq!(out.status.code(), Some(1));
}

/// Issue #13: a WhatsApp time is the phone's wall clock in a zone nobody recorded. It is shown as
/// written and marked, whatever `--tz` says.
#[test]
fn issue_13_local_times_are_marked_and_not_shifted_by_tz() {
    let (hits, _, _) = sample().search("path:\"WhatsApp Chat with Sam Ortiz.txt\" binder", &[]);
    let h = &hits[0];
    assert_eq!(
        (h.date.as_deref(), h.date_local),
        (Some("2016-10-20T21:15:00Z"), true)
    );
    for tz in ["UTC", "Asia/Tokyo", "America/New_York"] {
        let text = String::from_utf8(sample().run(&["--tz", tz, "show", &h.id]).stdout).unwrap();
        assert!(
            text.contains("\nDate:       2016-10-20 21:15 (local time, zone unknown)\n"),
            "{tz}: {text}"
        );
        let line = String::from_utf8(
            sample()
                .run(&["--tz", tz, "search", "path:whatsapp binder"])
                .stdout,
        )
        .unwrap();
        assert!(
            line.starts_with("2016-10-20 21:15 (local time, zone unknown)  Sam Ortiz"),
            "{tz}: {line}"
        );
        // The day is the day on the phone in every zone.
        let on_the_day = sample().ids_tz("path:whatsapp date:2016-10-20", tz);
        assert_eq!(on_the_day.len(), 4, "{tz}");
        let out = sample().run(&[
            "--tz",
            tz,
            "search",
            "--json",
            "--limit",
            "0",
            "--histogram",
            "day",
            "path:whatsapp",
        ]);
        let days: Vec<(String, u64)> = crate::util::json_lines(&out.stdout)
            .into_iter()
            .filter_map(|l| match l {
                crate::util::Line::Histogram(h) => Some(h),
                _ => None,
            })
            .flat_map(|h| h.buckets)
            .map(|b| (b.period, b.count))
            .collect();
        assert_eq!(
            days,
            [("2016-10-20".to_string(), 4), ("2016-10-21".to_string(), 9)],
            "{tz}"
        );
    }
    // A mail's date is an instant: --tz moves it.
    let text = String::from_utf8(
        sample()
            .run(&[
                "--tz",
                "Asia/Tokyo",
                "show",
                "20161021.ov4@openvault.example.org",
            ])
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("Date:       2016-10-22 03:21 Asia/Tokyo"),
        "{text}"
    );
}
