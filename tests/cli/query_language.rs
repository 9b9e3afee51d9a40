//! Every operator of the query language over `sample_corpus/`, checked against exact answer sets.

use crate::search::sample;
use crate::util::sorted;

const FWD: &str = "20160921.fwd-staff@reyes2016.example.com";

#[test]
fn cc_and_bcc_are_separate_fields() {
    // Messages with a Cc header (manifest 8a); cc: matches only those.
    let with_cc = [
        "20160919.bp-sched@reyes2016.example.com",
        "20160928.hh-reunion@reyes2016.example.com",
        "20161005.kb-donors@reyes2016.example.com",
        "20161006.em2@presse.example.org",
        "20161014.dr-link@reyes2016.example.com",
    ];
    let cc_any = sample().mail_ids("cc:example");
    assert_eq!(cc_any, sorted(&with_cc));
    for id in &cc_any {
        assert!(sample().mail_ids("to:example").contains(id));
    }
    let bcc = sample().mail_ids("bcc:example");
    assert!(!bcc.is_empty(), "the corpus has a Bcc message");
    assert!(bcc
        .iter()
        .all(|id| !with_cc.contains(&id.as_str()) || cc_any.contains(id)));
}
#[test]
fn participant_is_sender_or_recipient() {
    let p = sample().mail_ids("participant:yuki@tokyo-desk.example.com");
    assert_eq!(p, sorted(&["20161013.yt1@tokyo-desk.example.com"]));
    let mut either = sample().mail_ids("from:jordan OR to:jordan");
    either.sort();
    assert_eq!(sample().mail_ids("participant:jordan"), either);
}

#[test]
fn a_bare_domain_means_every_address_at_or_below_it() {
    let s = sample();
    let staff = [
        "brad.pham",
        "kelly.brandt",
        "dana.reyes",
        "sam.ortiz",
        "hana.hollis",
    ];
    let union = staff
        .iter()
        .map(|n| format!("from:{n}@reyes2016.example.com"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let mut expected = s.mail_ids(&union);
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(s.mail_ids("from:reyes2016.example.com"), expected);
    assert_eq!(s.mail_ids("from:@reyes2016.example.com"), expected);
    assert_eq!(s.mail_ids("from:REYES2016.example.com"), expected);
    // A parent domain takes in its subdomains, and nothing that merely ends the same way.
    let parent = s.mail_ids("from:example.com");
    assert!(expected.iter().all(|id| parent.contains(id)));
    assert!(parent.len() > expected.len());
    assert!(s.mail_ids("from:ample.com").is_empty());
    // participant: covers recipients too.
    let mut p = s.mail_ids("from:tokyo-desk.example.com OR to:tokyo-desk.example.com");
    p.sort();
    assert_eq!(s.mail_ids("participant:tokyo-desk.example.com"), p);
    // It runs over the domain column; the same rules hold there.
    let mut all = s.mail_ids("from:example.com OR to:example.com");
    all.sort();
    assert!(all.len() > p.len());
    assert_eq!(s.mail_ids("participant:example.com"), all);
    assert_eq!(s.mail_ids("participant:@EXAMPLE.com"), all);
    assert!(s.mail_ids("participant:ample.com").is_empty());
}

#[test]
fn between_finds_both_directions_only() {
    let ids = sample().mail_ids("between:dana,openvault");
    assert_eq!(
        ids,
        sorted(&[
            "20160920.ov1@openvault.example.org",
            "20160921.dr1@reyes2016.example.com",
            "20161003.ov2@openvault.example.org",
            "20161003.dr2@reyes2016.example.com",
            "20161012.ov3@openvault.example.org",
            "20161021.ov4@openvault.example.org",
            "20161108.ov5@openvault.example.org",
            "20161216.ov6@openvault.example.org",
            "20170711.ov7@openvault.example.org",
        ])
    );
    assert_eq!(
        sample().mail_ids("between:dm@openvault.example.org,dana.reyes@reyes2016.example.com"),
        ids
    );
    assert_eq!(sample().mail_ids("between:openvault,dana"), ids);
    let out = sample().run(&["search", "between:dana"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn domain_kind_has_filename_path_and_id() {
    assert_eq!(
        sample().mail_ids("domain:tokyo-desk.example.com"),
        sorted(&["20161013.yt1@tokyo-desk.example.com"])
    );
    assert_eq!(sample().mail_ids("domain:@Tokyo-Desk.example.com").len(), 1);
    assert_eq!(sample().mail_ids("kind:email").len(), 45);
    assert!(sample().mail_ids("kind:chat").is_empty());
    let attached = sorted(&[
        "20160921.jk-fwd@kessler-family.example.org",
        "20161005.kb-donors@reyes2016.example.com",
        "20161028.bp-research@reyes2016.example.com",
    ]);
    assert_eq!(sample().mail_ids("has:attachment"), attached);
    assert_eq!(
        sample().mail_ids("filename:csv"),
        sorted(&["20161005.kb-donors@reyes2016.example.com"])
    );
    // "memo pdf" as a phrase: memo.pdf and oppo-research-memo.pdf.
    assert_eq!(
        sample().mail_ids("filename:memo.pdf"),
        sorted(&[
            "20161005.kb-donors@reyes2016.example.com",
            "20161028.bp-research@reyes2016.example.com"
        ])
    );
    assert_eq!(sample().mail_ids("path:maildir/kelly").len(), 5);
    assert_eq!(sample().mail_ids("path:mbox/sam.mbox").len(), 8);
    let abs = crate::util::sample_corpus()
        .canonicalize()
        .unwrap()
        .join("maildir/dana");
    assert_eq!(
        sample().mail_ids(&format!("path:{}", abs.display())).len(),
        12
    );
    assert!(
        sample().mail_ids("path:maildir/dan").is_empty(),
        "path matches whole components"
    );
    assert_eq!(sample().mail_ids(&format!("id:<{FWD}>")).len(), 3);
    let out = sample().run(&["search", "has:wings"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn proximity_prefix_and_fuzzy() {
    // "unusual idea" are adjacent; "have ... idea" are two positions apart.
    assert!(sample().mail_ids("\"have idea\"").is_empty());
    assert_eq!(
        sample().mail_ids("\"have idea\"~2"),
        sorted(&["20161021.ov4@openvault.example.org"])
    );
    assert_eq!(
        sample().mail_ids("reconcil*"),
        sample().mail_ids("reconciliation")
    );
    assert!(!sample().mail_ids("reconcil*").is_empty());
    assert_eq!(
        sample().mail_ids("from:opnvault~1"),
        sample().mail_ids("from:openvault")
    );
    assert!(sample().mail_ids("from:opnvault").is_empty());
}

#[test]
fn date_unknown_and_open_ranges() {
    let unknown = sample().mail_ids("date:unknown");
    assert_eq!(
        unknown.len(),
        4,
        "no date, a bad date, 1970 and 2050: {unknown:?}"
    );
    let dated = sample().search("date:1980..2030", &[]).1.total_hits;
    let all_unknown = sample().search("date:unknown", &[]).1.total_hits;
    assert_eq!(dated + all_unknown, sample().search("*", &[]).1.total_hits);
    assert_eq!(
        sample().mail_ids("date:2017-01-01.."),
        sorted(&["20170711.ov7@openvault.example.org"])
    );
    let before = sample().search("date:..2016-09-20", &[]).1.total_hits;
    let after = sample().search("date:2016-09-21..", &[]).1.total_hits;
    let dated = sample().search("date:1900..", &[]).1.total_hits;
    assert_eq!(before + after, dated);
    assert_eq!(
        sample().mail_ids("date:2016-10-21T18:00..2016-10-21T18:30"),
        sorted(&["20161021.ov4@openvault.example.org"])
    );
}

#[test]
fn time_zones_move_day_boundaries_for_queries_and_display() {
    // Yuki's 08:00 +0900 on Oct 13 is Oct 13 in Tokyo and Oct 12 in UTC.
    let yuki = sorted(&["20161013.yt1@tokyo-desk.example.com"]);
    assert_eq!(
        sample().ids_tz("date:2016-10-13 kind:email", "Asia/Tokyo"),
        yuki
    );
    assert!(!sample()
        .ids_tz("date:2016-10-12 kind:email", "Asia/Tokyo")
        .contains(&yuki[0]));
    // 22:30 -0700 on Oct 10 is Oct 10 in Los Angeles, Oct 11 in UTC.
    let la = sample().ids_tz("date:2016-10-10", "America/Los_Angeles");
    assert!(la.contains(&"20161010.bp-pdt@reyes2016.example.com".to_string()));
    let out = sample().run(&["--tz", "Asia/Tokyo", "search", "from:yuki kind:email"]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("2016-10-13 08:00"));
    let out = sample().run(&["--tz", "Mars/Olympus", "search", "from:yuki"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `from:@DanaReyes`, the handle as the output shows it (`Dana Reyes (@DanaReyes)`), finds the
/// account's messages (issue #16); `from:@reyes2016.example.com` is still a domain.
#[test]
fn a_handle_finds_its_account() {
    let ix = sample();
    let handle = ix.count("from:@DanaReyes", &[]);
    assert!(handle > 0);
    assert_eq!(handle, ix.count("from:danareyes", &[]));
    assert!(ix.count("to:@DanaReyes", &[]) > 0);
    assert!(ix.count("from:@reyes2016.example.com", &[]) > handle);
}

/// `between:"dana reyes",openvault`: a quoted party is a name (issue #16); it was a syntax
/// error while `trawl timeline "Dana Reyes" OpenVault` worked.
#[test]
fn between_takes_quoted_names() {
    let ix = sample();
    let plain = ix.count("between:dana,openvault", &[]);
    assert!(plain > 0);
    assert_eq!(ix.count("between:\"dana reyes\",openvault", &[]), plain);
    assert_eq!(ix.count("between:\"Dana Reyes\",\"OpenVault\"", &[]), plain);
    let out = ix.run(&["search", "between:dana,\"open"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unclosed `\"`"));
}
