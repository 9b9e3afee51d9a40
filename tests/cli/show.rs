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
