use std::sync::OnceLock;

use crate::util::{sorted, TestIndex};

/// One index of the sample corpus shared by the read-only tests in this module.
pub fn sample() -> &'static TestIndex {
    static IX: OnceLock<TestIndex> = OnceLock::new();
    IX.get_or_init(TestIndex::sample)
}

const OPENVAULT: [&str; 7] = [
    "20160920.ov1@openvault.example.org",
    "20161003.ov2@openvault.example.org",
    "20161012.ov3@openvault.example.org",
    "20161021.ov4@openvault.example.org",
    "20161108.ov5@openvault.example.org",
    "20161216.ov6@openvault.example.org",
    "20170711.ov7@openvault.example.org",
];

#[test]
fn from_name_word_and_exact_address() {
    assert_eq!(sample().mail_ids("from:openvault"), sorted(&OPENVAULT));
    assert_eq!(sample().mail_ids("from:OpenVault"), sorted(&OPENVAULT));
    assert_eq!(
        sample().mail_ids("from:dm@openvault.example.org"),
        sorted(&OPENVAULT)
    );
    assert_eq!(
        sample().mail_ids("from:DM@OpenVault.Example.org"),
        sorted(&OPENVAULT)
    );
    // An exact address does not match a mere word of it.
    assert!(sample().mail_ids("from:dm@openvault.example").is_empty());
}

#[test]
fn from_word_matches_names_and_addresses_including_the_duplicate() {
    // The forward to the staff is stored twice (Kelly's maildir, Sam's mbox) and also travels
    // inside Jordan's forward to Hana as a message/rfc822 part: three documents.
    let ids = sample().mail_ids("from:dana");
    assert_eq!(
        ids,
        sorted(&[
            "20160921.dr1@reyes2016.example.com",
            "20160921.fwd-staff@reyes2016.example.com",
            "20160921.fwd-staff@reyes2016.example.com",
            "20160921.fwd-staff@reyes2016.example.com",
            "20161003.dr2@reyes2016.example.com",
            "20161014.dr-link@reyes2016.example.com",
        ])
    );
    // The same message stored twice is two documents, with two provenances and one hash.
    let hits = sample().documents("id:20160921.fwd-staff@reyes2016.example.com");
    assert_eq!(hits.len(), 3);
    assert_ne!(hits[0].path, hits[1].path);
    assert_eq!(hits[0].sha256.len(), 64);
}

#[test]
fn to_covers_to_cc_and_bcc() {
    let expected = sorted(&[
        "epoch.jk-photos@kessler-family.example.org",
        "20160920.ov1@openvault.example.org",
        "20161003.ov2@openvault.example.org",
        "20161005.kb-donors@reyes2016.example.com",
        "20161006.em2@presse.example.org",
        "20161012.ov3@openvault.example.org",
        "20161013.yt1@tokyo-desk.example.com",
        "20161017.kb-dana@reyes2016.example.com",
        "20161021.ov4@openvault.example.org",
        "20161026.hh-weird@reyes2016.example.com",
        "20161108.ov5@openvault.example.org",
        "20161216.ov6@openvault.example.org",
        "20170711.ov7@openvault.example.org",
        "future.db-renewal@dailybrief.example.com",
    ]);
    assert_eq!(
        sample().mail_ids("to:dana.reyes@reyes2016.example.com"),
        expected
    );
    assert_eq!(
        sample().mail_ids("to:Dana.Reyes@Reyes2016.Example.com"),
        expected
    );
}

#[test]
fn enron_style_x_from_names_are_searchable() {
    let ids = sample().mail_ids("from:\"sam ortiz\" conference");
    assert_eq!(
        ids,
        sorted(&[
            "20160922.so-enron1.JavaMail.sam@reyes2016.example.com",
            "20161024.so-debate@reyes2016.example.com"
        ])
    );
    let (hits, _, _) = sample().search(
        "id:20160922.so-enron1.JavaMail.sam@reyes2016.example.com",
        &[],
    );
    let from = hits[0].from.clone().unwrap();
    assert_eq!(
        (from.address.as_str(), from.name.as_deref()),
        ("sam.ortiz@reyes2016.example.com", Some("Sam Ortiz"))
    );
    assert!(
        hits[0].to.iter().all(|m| m.name.is_some()),
        "{:?}",
        hits[0].to
    );
}

#[test]
fn phrases_and_words() {
    assert_eq!(
        sample().mail_ids("\"tax returns\""),
        sorted(&["20161021.ov4@openvault.example.org"])
    );
    assert_eq!(
        sample().mail_ids("conference"),
        sorted(&[
            "20160922.so-enron1.JavaMail.sam@reyes2016.example.com",
            "20161024.so-debate@reyes2016.example.com"
        ])
    );
    // No stemming: "confer" is not "conference".
    assert!(sample().mail_ids("confer").is_empty());
    // HTML-only body, converted to text.
    assert_eq!(
        sample().mail_ids("\"quarterly donor reconciliation\""),
        sorted(&["20161018.kb-html@reyes2016.example.com"])
    );
}

#[test]
fn encoded_words_charsets_and_accent_folding() {
    let entretien = sorted(&[
        "20160929.em1@presse.example.org",
        "20161004.em-fu@presse.example.org",
    ]);
    assert_eq!(sample().mail_ids("subject:demandé"), entretien);
    assert_eq!(sample().mail_ids("subject:DEMANDE"), entretien);
    assert_eq!(
        sample().mail_ids("from:élodie"),
        sorted(&[
            "20160929.em1@presse.example.org",
            "20161004.em-fu@presse.example.org",
            "20161006.em2@presse.example.org",
            "20161019.em3@presse.example.org",
        ])
    );
}

#[test]
fn forwarded_message_text_belongs_to_the_carrier() {
    // Jordan forwarded Dana's forward as message/rfc822: its text is searchable in the carrier.
    let ids = sample().mail_ids("from:jordan stopreyes");
    assert_eq!(ids, sorted(&["20160921.jk-fwd@kessler-family.example.org"]));
    let (hits, _, _) = sample().search("id:20160921.jk-fwd@kessler-family.example.org", &[]);
    assert_eq!(hits[0].attachments.len(), 1);
}

#[test]
fn utc_day_boundaries() {
    // Yuki wrote at 08:00 +0900 on Oct 13, which is Oct 12 23:00 UTC.
    assert_eq!(
        sample().mail_ids("date:2016-10-12"),
        sorted(&[
            "20161012.ov3@openvault.example.org",
            "20161013.yt1@tokyo-desk.example.com"
        ])
    );
    let (hits, summary, code) = sample().search("date:2016-10-13 kind:email", &[]);
    assert!(hits.is_empty());
    assert_eq!((summary.total_hits, code), (0, 1));
    // 22:30 -0700 on Oct 10 is Oct 11 UTC.
    assert_eq!(
        sample().mail_ids("date:2016-10-11"),
        sorted(&[
            "20161010.so-westcoast@reyes2016.example.com",
            "20161010.bp-pdt@reyes2016.example.com"
        ])
    );
    let (hits, _, _) = sample().search("id:20161013.yt1@tokyo-desk.example.com", &[]);
    assert_eq!(hits[0].date.as_deref(), Some("2016-10-12T23:00:00Z"));
    assert_eq!(hits[0].tz_offset_minutes, Some(540));
}

#[test]
fn month_and_range_queries() {
    // 20 in the manifest plus the truncated message in malformed/, indexed best-effort.
    let october = sample().mail_ids("date:2016-10");
    assert_eq!(october.len(), 21);
    assert!(october.contains(&"20161004.budget@reyes2016.example.com".to_string()));
    // 36 in the manifest, the truncated message, the forward inside Jordan's mail, the mail in
    // archives/leak-bundle.zip.
    assert_eq!(sample().mail_ids("date:2016-09..2016-11").len(), 39);
    assert_eq!(
        sample().mail_ids("after:2016-11 before:2016-12"),
        sample().mail_ids("date:2016-11")
    );
    assert_eq!(
        sample().mail_ids("after:2017"),
        sorted(&["20170711.ov7@openvault.example.org"])
    );
}

#[test]
fn bad_dates_are_flagged_never_invented() {
    let (hits, _, _) = sample().search(
        "from:kessler OR from:dailybrief OR subject:date",
        &["--sort", "date"],
    );
    let quality = |id: &str| {
        hits.iter()
            .find(|h| h.message_id.as_deref().is_some_and(|m| m.starts_with(id)))
            .map(|h| (h.date_quality.clone(), h.date.clone()))
    };
    assert_eq!(quality("epoch."), Some(("absurd".into(), None)));
    assert_eq!(quality("future."), Some(("absurd".into(), None)));
    // Nothing in the corpus is dated 1970 or 2050.
    assert!(sample().mail_ids("date:1970").is_empty());
    assert!(sample().mail_ids("date:2050").is_empty());
}

#[test]
fn sort_orders_are_chronological_and_deterministic() {
    let (hits, _, _) = sample().search("from:openvault", &["--sort", "date"]);
    let dates: Vec<_> = hits.iter().map(|h| h.date.clone().unwrap()).collect();
    let mut sorted_dates = dates.clone();
    sorted_dates.sort();
    assert_eq!(dates, sorted_dates);
    let (desc, _, _) = sample().search("from:openvault", &["--sort", "-date"]);
    assert_eq!(
        desc.first().and_then(|h| h.date.clone()),
        dates.last().cloned()
    );
    let (limited, summary, _) =
        sample().search("from:openvault", &["--limit", "2", "--sort", "date"]);
    assert_eq!((limited.len(), summary.total_hits), (2, 7));
}

#[test]
fn json_hits_carry_provenance() {
    let (hits, _, _) = sample().search("\"unusual idea\" kind:email", &[]);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert!(h
        .path
        .ends_with("maildir/dana/new/1477074067.M108P4108.trawlhost"));
    let bytes = std::fs::read(&h.path).unwrap();
    assert_eq!(h.length as usize, bytes.len());
    assert_eq!(h.sha256, trawl::doc::sha256_hex(&bytes));
    assert!(!h.highlights.is_empty());
    let [s, e] = h.highlights[0];
    assert_eq!(h.snippet[s..e].to_lowercase(), "unusual");
    assert_eq!(h.kind, "email");
    assert_eq!(h.id.len(), 16);
}

#[test]
fn mbox_offsets_point_at_the_from_line() {
    let (hits, _, _) = sample().search("id:20161005.kb-donors@reyes2016.example.com", &[]);
    let h = &hits[0];
    assert_eq!(h.offset, 3226);
    let bytes = std::fs::read(&h.path).unwrap();
    let stored = &bytes[h.offset as usize..(h.offset + h.length) as usize];
    assert!(stored.starts_with(b"From "));
    assert_eq!(h.sha256, trawl::doc::sha256_hex(stored));
    let mut names = h.attachments.clone();
    names.sort();
    assert_eq!(names, ["donors-q3.csv", "memo.pdf"]);
}

#[test]
fn mboxrd_from_lines_are_unescaped() {
    // sam.mbox stores a body line as ">From what I hear"; the index has the original text.
    let (hits, _, _) = sample().search("\"from what i hear\"", &[]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.path.ends_with("sam.mbox")));
}

#[test]
fn text_output_is_sanitized_and_uncoloured_when_piped() {
    let out = sample().run(&["search", "subject:strange"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "raw escape reached the terminal: {text:?}"
    );
    assert!(!text.contains('\u{202e}'));
    assert!(text.contains("\\x1b[31m"));
    assert!(text.contains("Strange text in our comment threads"));
    let colored = sample().run(&["--color", "always", "search", "subject:strange"]);
    let colored = String::from_utf8(colored.stdout).unwrap();
    assert!(colored.contains("\x1b[1m"));
    assert!(
        colored.contains("\\x1b[31m"),
        "dump text must stay escaped even with colour"
    );
}

#[test]
fn exit_codes_and_one_line_syntax_errors() {
    assert_eq!(sample().run(&["search", "tax"]).status.code(), Some(0));
    assert_eq!(
        sample().run(&["search", "xylophone"]).status.code(),
        Some(1)
    );
    let out = sample().run(&["search", "from:dana \"tax"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("trawl: query error at column 11: unclosed `\"`"),
        "{err}"
    );
    let out = sample().run(&["search", "fromm:dana"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("did you mean `from:`"));
    let out = sample().run(&["search", "date:2016-13"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn negation_and_or() {
    let all_ov = sample().mail_ids("from:openvault");
    let without = sample().mail_ids("from:openvault -\"tax returns\"");
    assert_eq!(without.len(), all_ov.len() - 1);
    let either = sample().mail_ids("\"tax returns\" OR \"quarterly donor reconciliation\"");
    assert_eq!(either.len(), 2);
}

#[test]
fn missing_index_is_an_error() {
    let ix = TestIndex::empty();
    let out = ix.run(&["search", "tax"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no index at"));
}

#[test]
fn every_inline_text_part_is_body_text() {
    // malformed/broken-boundary.eml: two text/plain parts, closing boundary missing.
    assert_eq!(
        sample().mail_ids("\"phone bank shifts\""),
        sorted(&["20161027.so-broken@reyes2016.example.com"])
    );
    assert_eq!(
        sample().mail_ids("canvassers"),
        sorted(&["20161027.so-broken@reyes2016.example.com"])
    );
}

/// A page of hits ranked in the same pass as the count (any query but a lone term) gives the
/// count `--count` gives and the first hits of the full list, in relevance and in date order.
#[test]
fn a_page_counted_in_its_ranking_pass_agrees_with_count_and_the_full_list() {
    use crate::util::{json_lines, Line};
    let queries = [
        "\"tax returns\"",
        "tax returns",
        "from:openvault \"tax returns\"",
        "date:2016-10",
        "retur*",
        "retrns~1",
        "NOT date:2016",
        "tax",
        "*",
    ];
    for q in queries {
        let counted: usize =
            String::from_utf8(sample().run(&["search", "--count", "--", q]).stdout)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
        for sort in [&[][..], &["--sort", "date"][..]] {
            let (all, _, _) = sample().search(q, sort);
            let mut args = vec!["search", "--json", "--limit", "3"];
            args.extend_from_slice(sort);
            args.extend(["--", q]);
            let lines = json_lines(&sample().run(&args).stdout);
            let page: Vec<String> = lines
                .iter()
                .filter_map(|l| match l {
                    Line::Hit(h) => Some(h.id.clone()),
                    _ => None,
                })
                .collect();
            let total = lines
                .iter()
                .find_map(|l| match l {
                    Line::Summary(s) => Some(s.total_hits),
                    _ => None,
                })
                .expect("a summary line");
            assert_eq!(total, counted, "{q} {sort:?}");
            let first: Vec<String> = all.iter().take(3).map(|h| h.id.clone()).collect();
            assert_eq!(page, first, "{q} {sort:?}");
        }
    }
}

/// The sample corpus copied with every file's mtime set to 2020-06-15 12:00 UTC: what a copy
/// does to the dates of loose files, with a known day in place of today.
fn file_dated() -> &'static TestIndex {
    static IX: OnceLock<TestIndex> = OnceLock::new();
    IX.get_or_init(|| {
        let ix = TestIndex::empty();
        let dump = ix.path.parent().unwrap().join("dump");
        crate::util::copy_tree(&crate::util::sample_corpus(), &dump);
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_592_222_400);
        crate::util::set_mtimes(&dump, t);
        ix.index(&dump);
        ix
    })
}

const FILE_DATE: &str = "2020-06-15T12:00:00Z";

/// Issue #13: a file's modification time is not a document date. It is kept apart, found by
/// `date-source:file`, and counts in date ranges, order, histograms and facets only with
/// `--file-dates`.
#[test]
fn issue_13_file_dates_count_only_when_asked_for() {
    let ix = file_dated();
    let (hits, _, code) = ix.search("date:2020", &[]);
    assert_eq!((hits.len(), code), (0, 1));
    assert_eq!(ix.search("after:2018", &[]).0.len(), 0);

    // Four loose files and two archive members (dated by the archive's own entry times).
    let (by_file, _, _) = ix.search("date-source:file", &[]);
    assert_eq!(by_file.len(), 6);
    for h in &by_file {
        assert_eq!(h.date, None, "{}", h.path);
        assert_eq!(
            (h.date_quality.as_str(), h.date_source.as_str()),
            ("file-mtime", "file-mtime")
        );
        assert!(h.file_date.is_some(), "{}", h.path);
    }
    let copied = by_file
        .iter()
        .filter(|h| h.file_date.as_deref() == Some(FILE_DATE))
        .count();
    assert_eq!(copied, 4);
    assert_eq!(ix.search("date-source:metadata", &[]).0.len(), 4);
    assert!(ix.search("date-source:header kind:email", &[]).0.len() > 40);
    // No document date, so `date:unknown` holds them, unless file dates count.
    assert_eq!(ix.search("date:unknown", &[]).0.len(), 10);
    assert_eq!(ix.search("date:unknown", &["--file-dates"]).0.len(), 4);

    let (hits, _, _) = ix.search("date:2020-06-15", &["--file-dates"]);
    assert_eq!(hits.len(), 4);
    assert!(hits
        .iter()
        .all(|h| h.date.is_none() && h.file_date.as_deref() == Some(FILE_DATE)));
    assert_eq!(ix.search("after:2018", &["--file-dates"]).0.len(), 4);
    assert_eq!(
        ix.search("date:2016", &["--file-dates"]).0.len(),
        ix.search("date:2016", &[]).0.len() + 2
    );

    // Newest first: the 2017 mail without the flag, the copied files with it.
    let (hits, _, _) = ix.search("*", &["--sort", "-date", "--limit", "5"]);
    assert!(hits[0].date.as_deref().unwrap().starts_with("2017-07"));
    let (hits, _, _) = ix.search("*", &["--file-dates", "--sort", "-date", "--limit", "5"]);
    let firsts: Vec<_> = hits.iter().map(|h| h.file_date.as_deref()).collect();
    assert_eq!(firsts[..4], [Some(FILE_DATE); 4]);
    assert!(hits[4].date.as_deref().unwrap().starts_with("2017-07"));

    // Text hits show the file date, marked as one.
    let out = ix.run(&["search", "date-source:file path:donors.csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("file 2020-06-15 12:00  "), "{text}");
}

#[test]
fn issue_13_histograms_and_facets_leave_file_dates_out_unless_asked_for() {
    let ix = file_dated();
    let histogram = |extra: &[&str]| {
        let mut args = vec!["search", "--json", "--limit", "0", "--histogram", "year"];
        args.extend_from_slice(extra);
        args.push("*");
        crate::util::json_lines(&ix.run(&args).stdout)
            .into_iter()
            .find_map(|l| match l {
                crate::util::Line::Histogram(h) => Some(h),
                _ => None,
            })
            .unwrap()
    };
    let year = |h: &crate::util::Histogram, y: &str| {
        h.buckets.iter().find(|b| b.period == y).map(|b| b.count)
    };
    let plain = histogram(&[]);
    assert_eq!(plain.buckets.last().unwrap().period, "2017");
    assert_eq!(
        (plain.file_dated, plain.file_dates_counted, plain.undated),
        (6, false, 4)
    );
    let counted = histogram(&["--file-dates"]);
    assert_eq!(counted.buckets.last().unwrap().period, "2020");
    assert_eq!(year(&counted, "2020"), Some(4));
    assert_eq!(year(&counted, "2016"), year(&plain, "2016").map(|n| n + 2));
    assert_eq!(
        (
            counted.file_dated,
            counted.file_dates_counted,
            counted.undated
        ),
        (6, true, 4)
    );

    let text = String::from_utf8(
        ix.run(&["search", "--limit", "0", "--histogram", "year", "*"])
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("file date        6  (file date only: not in the bars"),
        "{text}"
    );
    let facet = String::from_utf8(
        ix.run(&[
            "--file-dates",
            "search",
            "--limit",
            "0",
            "--facet",
            "year",
            "*",
        ])
        .stdout,
    )
    .unwrap();
    assert!(facet.contains("         4  2020\n"), "{facet}");
}

/// `trawl search ... | head -1` is no error in any output format (issue #16): a closed pipe
/// ends the output quietly, exit 0, nothing on stderr. JSON said "Broken pipe" and exited 2.
#[test]
fn a_closed_pipe_ends_every_output_format_quietly() {
    use std::io::Read;
    let ix = sample();
    for format in [&[][..], &["--json"], &["--csv"], &["--paths"]] {
        let mut args = vec!["search", "--all", "--items", "--copies"];
        args.extend_from_slice(format);
        args.push("*");
        let mut child = ix
            .cmd(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 8];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is dropped here.
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned()
            ),
            (Some(0), String::new()),
            "{format:?}"
        );
    }
}

/// A query of field terms only reads in date order (issue #16): `subject:` found the forward
/// chain by relevance, out of date order.
#[test]
fn field_terms_alone_sort_by_date() {
    let (hits, _, _) = sample().search("subject:openvault", &[]);
    assert!(hits.len() >= 4, "{hits:#?}");
    let dates: Vec<&str> = hits.iter().filter_map(|h| h.date.as_deref()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    let (scored, _, _) = sample().search("openvault", &[]);
    assert!(scored.iter().all(|h| h.score.is_some()), "bare words rank");
}

/// A pasted URL is searched by what follows its scheme, with a note on stderr, not refused as
/// an unknown field `http:` (issue #16); a near miss of a field is still an error.
#[test]
fn a_pasted_url_is_searched_as_text_with_a_note() {
    let out = sample().run(&["search", "--count", "http://stopreyes.example.com"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        sample().count("\"stopreyes.example.com\"", &[]).to_string()
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("`http:` is no field; `stopreyes.example.com` is searched as text"));
    let out = sample().run(&["search", "fromm:dana"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `from:`"));
}

/// On a terminal, a search with no hits says so on stderr (issue #16); to a pipe it prints
/// nothing, as before, and the exit code is 1 either way.
#[test]
#[cfg_attr(
    not(trawl_pty),
    ignore = "needs util-linux `script` for a pseudo-terminal"
)]
fn no_hits_are_said_on_a_terminal() {
    let ix = sample();
    let trawl = env!("CARGO_BIN_EXE_trawl");
    let command = format!(
        "{trawl} --index {} search zeppelinxyz",
        ix.path.to_str().unwrap()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("TRAWL_INDEX")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no hits for zeppelinxyz"),
        "{out:?}"
    );
    let piped = ix.run(&["search", "zeppelinxyz"]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(piped.stdout.is_empty() && piped.stderr.is_empty());
}

/// CSV carries what the JSON hit does that fits a cell (issue #16): kind, date quality and the
/// snippet among them, on every row.
#[test]
fn csv_rows_carry_kind_date_quality_and_snippet() {
    let out = sample().run(&["search", "--csv", "--all", "openvault"]);
    assert_eq!(out.status.code(), Some(0));
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = rdr.headers().unwrap().clone();
    for column in [
        "kind",
        "format",
        "date_quality",
        "date_source",
        "conversation",
        "custodian",
        "attachments",
        "copies",
        "snippet",
    ] {
        assert!(
            headers.iter().any(|h| h == column),
            "no {column} in {headers:?}"
        );
    }
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.len() == headers.len()));
    assert!(rows.iter().any(|r| &r[col("kind")] == "chat"));
    assert!(rows.iter().any(|r| &r[col("kind")] == "email"));
    assert!(rows.iter().all(|r| !r[col("date_quality")].is_empty()));
    assert!(rows
        .iter()
        .any(|r| r[col("snippet")].to_lowercase().contains("openvault")));
}

/// The help names every facet and every kind of input (issue #16): `week` was missing from
/// `search --help`, and `index --help` named mail formats only.
#[test]
fn help_names_every_facet_and_input() {
    let help = |args: &[&str]| {
        String::from_utf8(trawl_help(args))
            .unwrap()
            .replace('\n', " ")
    };
    let search = help(&["search", "--help"]);
    for facet in ["person", "custodian", "week"] {
        assert!(search.contains(facet), "{facet}");
    }
    let index = help(&["--help"]);
    for input in ["PST", "Slack", "PDF", "7z"] {
        assert!(index.contains(input), "{input}: {index}");
    }
}

fn trawl_help(args: &[&str]) -> Vec<u8> {
    let out = crate::util::trawl().args(args).output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Text output fits the terminal (issue #16): under a pseudo-terminal 80 columns wide, every
/// line of `search`, `timeline`, `thread`, facets, histograms, pairs and threads is at most 80
/// display columns, cut with an ellipsis; `--wide` prints the same lines whole.
#[test]
#[cfg_attr(
    not(trawl_pty),
    ignore = "needs util-linux `script` for a pseudo-terminal"
)]
fn text_output_fits_an_80_column_terminal() {
    let ix = crate::people::named();
    let trawl = env!("CARGO_BIN_EXE_trawl");
    let index = ix.path.to_str().unwrap();
    let commands = [
        "search between:dana,openvault --limit 40",
        "search openvault --limit 40",
        "timeline dana openvault",
        "search '*' --limit 0 --facet from --facet to --histogram month --pairs 10",
        "search --threads '*'",
        "thread 20161021.ov4@openvault.example.org",
        "thread 20160920.ov1@openvault.example.org",
    ];
    for command in commands {
        let run = |flags: &str| {
            let line = format!("stty cols 80 rows 60; {trawl} --index {index} {command} {flags}");
            let out = std::process::Command::new("script")
                .args(["-qec", &line, "/dev/null"])
                .env_remove("TRAWL_INDEX")
                .env_remove("COLUMNS")
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{command}: {out:?}");
            String::from_utf8(out.stdout).unwrap().replace('\r', "")
        };
        let fitted = run("");
        assert!(fitted.lines().count() > 2, "{command}: {fitted}");
        for line in fitted.lines() {
            assert!(
                trawl::output::fit::columns(line) <= 80,
                "{command}: {} columns: {line}",
                trawl::output::fit::columns(line)
            );
        }
        let wide = run("--wide");
        if command.starts_with("search between") || command.starts_with("timeline") {
            assert!(fitted.contains('…'), "{command}: nothing was cut: {fitted}");
            assert!(
                wide.lines().any(|l| trawl::output::fit::columns(l) > 80),
                "{command}: --wide cut lines: {wide}"
            );
            assert!(
                wide.contains("sample_corpus/maildir/dana/cur/1475515507.M103P4103.trawlhost:2,RS"),
                "{command}: {wide}"
            );
        }
    }
}

/// The spelling of an address is kept for display beside the lower-cased form that queries
/// match (issue #16): JSON carries both, text and CSV show it as written, and a query in any
/// case finds it. Chat accounts keep their case too (`slack:U01DANA`).
#[test]
fn addresses_keep_their_written_spelling() {
    let dump = tempfile::tempdir().unwrap();
    std::fs::write(
        dump.path().join("mixed.eml"),
        "From: Dana Reyes <Dana.Reyes@Reyes2016.Example.com>\r\n\
         To: SAM.ORTIZ@reyes2016.example.com, kelly@reyes2016.example.com\r\n\
         Subject: Spelling\r\nDate: Tue, 20 Sep 2016 17:30:00 +0000\r\n\
         Message-ID: <spelling@example.com>\r\n\r\nThe zeppelin schedule.\r\n",
    )
    .unwrap();
    let ix = TestIndex::of(dump.path());
    let (hits, _, code) = ix.search("from:DANA.REYES@reyes2016.example.com", &[]);
    assert_eq!(code, 0);
    let from = hits[0].from.as_ref().unwrap();
    assert_eq!(from.address, "dana.reyes@reyes2016.example.com");
    assert_eq!(
        from.written.as_deref(),
        Some("Dana.Reyes@Reyes2016.Example.com")
    );
    assert_eq!(
        hits[0].to[0].written.as_deref(),
        Some("SAM.ORTIZ@reyes2016.example.com")
    );
    // Already lower-case: nothing more to keep.
    assert_eq!(hits[0].to[1].written, None);
    let text = String::from_utf8(ix.run(&["search", "zeppelin"]).stdout).unwrap();
    assert!(
        text.contains("SAM.ORTIZ@reyes2016.example.com +1"),
        "{text}"
    );
    // `--wide` names every recipient.
    let wide = String::from_utf8(ix.run(&["search", "--wide", "zeppelin"]).stdout).unwrap();
    assert!(
        wide.contains("SAM.ORTIZ@reyes2016.example.com, kelly@reyes2016.example.com"),
        "{wide}"
    );
    let csv = String::from_utf8(ix.run(&["search", "--csv", "zeppelin"]).stdout).unwrap();
    assert!(
        csv.contains("Dana Reyes <Dana.Reyes@Reyes2016.Example.com>"),
        "{csv}"
    );
    assert_eq!(ix.count("to:sam.ortiz@reyes2016.example.com", &[]), 1);
}

/// `--context N` shows the messages around each hit in its conversation (issue #16): the DM
/// request split over three messages matches only the first, and the other two follow it;
/// hits next to each other share their context and no message is shown twice.
#[test]
fn context_shows_the_messages_around_a_hit_in_its_conversation() {
    let ix = crate::people::named();
    let lines = crate::util::json_lines(
        &ix.run(&["search", "--json", "-C", "2", "\"unusual idea\" kind:chat"])
            .stdout,
    );
    let mut order = Vec::new();
    let mut hit_id = None;
    for line in &lines {
        match line {
            crate::util::Line::Hit(h) => {
                hit_id = Some(h.id.clone());
                order.push(("hit", h.snippet.clone(), h.date.clone()));
            }
            crate::util::Line::Context(c) => {
                order.push(("context", c.snippet.clone(), c.date.clone()));
            }
            _ => {}
        }
    }
    assert_eq!(order.len(), 5, "{order:?}");
    assert_eq!(order[2].0, "hit");
    assert!(order[3].1.starts_with("Three reasons"), "{order:?}");
    assert!(order[4].1.starts_with("Even a single year"), "{order:?}");
    // Oldest first, around the hit.
    assert!(order.windows(2).all(|w| w[0].2 <= w[1].2), "{order:?}");
    assert!(lines.iter().all(|l| match l {
        crate::util::Line::Context(c) => c.context_of == hit_id,
        _ => true,
    }));

    let text = String::from_utf8(
        ix.run(&[
            "search",
            "-C",
            "1",
            "from:openvault kind:chat date:2016-10-12..2016-10-21",
        ])
        .stdout,
    )
    .unwrap();
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("> 2016") || l.starts_with("  2016"))
        .collect();
    let mut unique = heads.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), heads.len(), "a message shown twice:\n{text}");
    assert!(
        heads.iter().filter(|l| l.starts_with('>')).count() >= 4,
        "{text}"
    );
    // 21:48 is Dana's reply between two of OpenVault's: context, not a hit.
    assert!(
        heads.iter().any(|l| l.starts_with("  2016-10-12 21:48")),
        "{text}"
    );
}

/// The order of hits does not depend on where the dump lies (issue #16): the sample copied to
/// two places lists the same documents in the same order, ties included (undated documents,
/// messages of the same minute), though every id differs. Ties were broken by id, which hashes
/// the absolute path, so a checkout elsewhere changed a timeline's order.
#[test]
fn the_order_of_hits_is_the_same_wherever_the_dump_lies() {
    let listing = |dir: &std::path::Path| {
        let dump = dir.join("sample_corpus");
        crate::util::copy_tree(&crate::util::sample_corpus(), &dump);
        let ix = TestIndex::of(&dump);
        let mut all = Vec::new();
        for q in ["*", "between:dana,openvault", "-date:2016"] {
            for sort in ["date", "-date", "score"] {
                let (hits, _, _) = ix.search(q, &["--all", "--sort", sort]);
                all.extend(hits.into_iter().map(|h| {
                    let at = h.path.find("sample_corpus/").unwrap();
                    (h.path[at..].to_owned(), h.offset, h.item)
                }));
            }
        }
        all
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let deeper = b.path().join("elsewhere/else");
    std::fs::create_dir_all(&deeper).unwrap();
    let (first, second) = (listing(a.path()), listing(&deeper));
    assert!(first.len() > 300, "{}", first.len());
    assert_eq!(first, second);
}
