//! Facets, histograms, pairs and the output modes.

use crate::search::sample;
use crate::util::{json_lines, Line};

fn lines(args: &[&str]) -> Vec<Line> {
    let out = sample().run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

/// Number of hits of `query`, by `--count`.
fn count(query: &str) -> u64 {
    count_with(query, &[])
}

/// Number of hits of `query` by `--count` with `flags` (`--items`, `--copies`).
fn count_with(query: &str, flags: &[&str]) -> u64 {
    let mut args = vec!["search", "--count"];
    args.extend_from_slice(flags);
    args.extend(["--", query]);
    let out = sample().run(&args);
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Over documents (`--items --copies`), a facet's count of a value is the count of the query
/// narrowed to it.
#[test]
fn facet_counts_equal_separate_queries() {
    let query = "date:2016 kind:email";
    let documents = ["--items", "--copies"];
    let all = lines(&[
        "search",
        "--items",
        "--copies",
        "--json",
        "--limit",
        "1",
        "--facet",
        "from:20",
        "--facet",
        "to:20",
        "--facet",
        "domain:20",
        "--facet",
        "participant:5",
        query,
    ]);
    let facets: Vec<_> = all
        .iter()
        .filter_map(|l| {
            if let Line::Facet(f) = l {
                Some(f.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(facets.len(), 4);
    let field = |name: &str| match name {
        "from" => "from",
        "to" => "to",
        "domain" => "domain",
        _ => "participant",
    };
    for f in &facets {
        assert!(!f.values.is_empty());
        for v in &f.values {
            assert_eq!(
                v.count,
                count_with(
                    &format!("{query} {}:{}", field(&f.name), v.value),
                    &documents
                ),
                "{} {}",
                f.name,
                v.value
            );
        }
    }
    // Dana and OpenVault both sent 6 e-mails in 2016 (Dana's forward counts three times: two
    // stored copies and the copy inside Jordan's forward); ties are broken by address.
    assert_eq!(
        (
            facets[0].values[0].value.as_str(),
            facets[0].values[0].count
        ),
        ("dana.reyes@reyes2016.example.com", 6)
    );
    assert_eq!(
        (
            facets[0].values[1].value.as_str(),
            facets[0].values[1].count
        ),
        ("dm@openvault.example.org", 6)
    );
    // Counts cover all hits, not the displayed page of one.
    let from_total: u64 = facets[0].values.iter().map(|v| v.count).sum();
    assert_eq!(from_total, count_with(query, &documents));
}

/// By default a message counts once: its stored copies are one message, and a message
/// forwarded inside another is part of that other (issue #15).
#[test]
fn facets_and_pairs_count_each_message_once() {
    let facet = |flags: &[&str]| {
        let mut args = vec!["search", "--json", "--limit", "0", "--facet", "from:20"];
        args.extend_from_slice(flags);
        args.push("date:2016 kind:email");
        lines(&args)
            .into_iter()
            .find_map(|l| match l {
                Line::Facet(f) => Some(f),
                _ => None,
            })
            .unwrap()
            .values
            .into_iter()
            .map(|v| (v.value, v.count))
            .collect::<Vec<_>>()
    };
    let dana = |values: &[(String, u64)]| {
        values
            .iter()
            .find(|(v, _)| v == "dana.reyes@reyes2016.example.com")
            .map(|(_, n)| *n)
    };
    // Six documents: the forward to the staff three times (two stored copies and the one
    // inside Jordan's forward to Hana). Four messages.
    assert_eq!(dana(&facet(&["--items", "--copies"])), Some(6));
    assert_eq!(dana(&facet(&["--items"])), Some(5));
    assert_eq!(dana(&facet(&[])), Some(4));
    // The forward inside Jordan's mail makes Jordan's mail a hit of `from:dana`.
    let jordan = count_with("from:dana from:jordan", &[]);
    assert_eq!(jordan, 0, "Jordan's mail is not from Dana");
    assert_eq!(
        count_with("from:dana kind:email", &[]),
        count_with("from:dana kind:email", &["--items", "--copies"]) - 1
    );
}

#[test]
fn time_facets_and_histogram_with_gaps() {
    let all = lines(&[
        "search",
        "--json",
        "--limit",
        "0",
        "--facet",
        "month:2",
        "--histogram",
        "month",
        "participant:openvault",
    ]);
    let month = all
        .iter()
        .find_map(|l| {
            if let Line::Facet(f) = l {
                Some(f.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(month.values[0].value, "2016-10");
    assert_eq!(
        month.values[0].count,
        count("participant:openvault date:2016-10")
    );
    let h = all
        .iter()
        .find_map(|l| {
            if let Line::Histogram(h) = l {
                Some(h.clone())
            } else {
                None
            }
        })
        .unwrap();
    let periods: Vec<&str> = h.buckets.iter().map(|b| b.period.as_str()).collect();
    assert_eq!(periods.first(), Some(&"2016-09"));
    assert_eq!(periods.last(), Some(&"2017-07"));
    assert_eq!(
        periods.len(),
        11,
        "every month from September to July, gaps included"
    );
    assert_eq!(
        h.buckets
            .iter()
            .find(|b| b.period == "2017-03")
            .unwrap()
            .count,
        0
    );
    let total: u64 = h.buckets.iter().map(|b| b.count).sum();
    assert_eq!(total + h.undated, count("participant:openvault"));
    // In Tokyo the histogram is bucketed by Tokyo days.
    let out = sample().run(&[
        "--tz",
        "Asia/Tokyo",
        "search",
        "--json",
        "--limit",
        "0",
        "--histogram",
        "day",
        "from:yuki",
    ]);
    let h = json_lines(&out.stdout)
        .into_iter()
        .find_map(|l| {
            if let Line::Histogram(h) = l {
                Some(h)
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(h.buckets[0].period, "2016-10-13");
    assert_eq!(h.buckets[0].start.as_deref(), Some("2016-10-12T15:00:00Z"));
}

#[test]
fn pairs_count_sender_recipient_edges() {
    let all = lines(&[
        "search",
        "--json",
        "--limit",
        "0",
        "--pairs",
        "3",
        "between:dana,openvault",
    ]);
    let pairs: Vec<_> = all
        .iter()
        .filter_map(|l| {
            if let Line::Pair(p) = l {
                Some(p.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(pairs.len(), 2);
    assert_eq!(
        (pairs[0].from.as_str(), pairs[0].to.as_str(), pairs[0].count),
        (
            "dm@openvault.example.org",
            "dana.reyes@reyes2016.example.com",
            7
        )
    );
    assert_eq!(pairs[0].first.as_deref(), Some("2016-09-20T17:30:00Z"));
    assert_eq!(pairs[0].last.as_deref(), Some("2017-07-11T09:20:00Z"));
    assert_eq!(
        (pairs[1].from.as_str(), pairs[1].count),
        ("dana.reyes@reyes2016.example.com", 2)
    );
}

#[test]
fn all_streams_every_hit_and_limit_caps() {
    let total = count("date:2016");
    let (hits, summary, _) = sample().search("date:2016", &[]);
    assert_eq!(hits.len() as u64, total);
    assert_eq!(summary.shown as u64, total);
    let out = sample().run(&["search", "--json", "--limit", "3", "date:2016"]);
    let shown = json_lines(&out.stdout)
        .iter()
        .filter(|l| matches!(l, Line::Hit(_)))
        .count();
    assert_eq!(shown, 3);
    // Text output defaults to 20 hits when not on a terminal, and says so on stderr.
    let out = sample().run(&["search", "date:2016"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("2016-")).count(), 20);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains(&format!("20 of {total} hits shown")));
}

#[test]
fn count_paths_and_csv() {
    let out = sample().run(&["search", "--count", "has:attachment kind:email"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "3\n");
    let out = sample().run(&["search", "--count", "xylophone"]);
    assert_eq!(
        (
            String::from_utf8(out.stdout).unwrap().as_str(),
            out.status.code()
        ),
        ("0\n", Some(1))
    );
    // The duplicate's two copies are two paths; the mbox appears once though it has several hits.
    let out = sample().run(&["search", "--paths", "--all", "from:sam OR from:dana"]);
    let paths = String::from_utf8(out.stdout).unwrap();
    let sam_mbox = paths
        .lines()
        .filter(|p| p.ends_with("mbox/sam.mbox"))
        .count();
    assert_eq!(sam_mbox, 1);
    assert!(paths.lines().all(|p| p.starts_with('/')));
    let out = sample().run(&["search", "--csv", "--all", "from:openvault"]);
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert_eq!(rdr.records().count(), 7);
    let out = sample().run(&["search", "--count", "--facet", "from", "tax"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Facets, histograms and pairs as CSV rows (issue #16): one table, a row per value, with the
/// same values and counts as `--json` prints.
#[test]
fn facets_histograms_and_pairs_as_csv_rows() {
    let args = [
        "search",
        "--limit",
        "0",
        "--facet",
        "from:5",
        "--histogram",
        "month",
        "--pairs",
        "4",
        "*",
    ];
    let csv_out = sample().run(&[&args[..], &["--csv"]].concat());
    assert_eq!(csv_out.status.code(), Some(0), "{csv_out:?}");
    let mut rdr = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "type",
            "name",
            "value",
            "value_name",
            "to",
            "to_name",
            "count",
            "first",
            "last"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let json = json_lines(&sample().run(&[&args[..], &["--json"]].concat()).stdout);
    let mut expected = Vec::new();
    for line in &json {
        match line {
            Line::Facet(f) => {
                for v in &f.values {
                    expected.push(format!("facet {} {} {}", f.name, v.value, v.count));
                }
            }
            Line::Histogram(h) => {
                for b in &h.buckets {
                    expected.push(format!("histogram {} {} {}", h.unit, b.period, b.count));
                }
            }
            Line::Pair(p) => expected.push(format!("pair {}→{} {}", p.from, p.to, p.count)),
            _ => {}
        }
    }
    let got: Vec<String> = rows
        .iter()
        .filter(|r| !r[2].starts_with('('))
        .map(|r| match &r[0] {
            "pair" => format!("pair {}→{} {}", &r[2], &r[4], &r[6]),
            t => format!("{t} {} {} {}", &r[1], &r[2], &r[6]),
        })
        .collect();
    assert_eq!(got, expected);
    assert!(rows.iter().any(|r| &r[0] == "pair" && !r[7].is_empty()));
}

#[test]
fn timeline_orders_the_correspondence_with_gaps() {
    let out = sample().run(&["timeline", "--json", "dana", "openvault"]);
    let hits: Vec<_> = json_lines(&out.stdout)
        .into_iter()
        .filter_map(|l| if let Line::Hit(h) = l { Some(*h) } else { None })
        .collect();
    assert_eq!(hits.len(), 9);
    assert!(hits.windows(2).all(|w| w[0].date <= w[1].date));
    assert_eq!(hits[0].gap_seconds, None);
    // Dana answered the drone story 15 minutes after it arrived.
    let reply = hits
        .iter()
        .find(|h| h.message_id.as_deref() == Some("20161003.dr2@reyes2016.example.com"))
        .unwrap();
    assert_eq!(reply.gap_seconds, Some(15 * 60));
    let text = String::from_utf8(
        sample()
            .run(&["timeline", "dana", "openvault", "date:2016-10"])
            .stdout,
    )
    .unwrap();
    assert!(text.contains("    +15m  Dana Reyes → OpenVault"), "{text}");
    // --timeline on a search is the same listing.
    let a = sample()
        .run(&["search", "--timeline", "between:dana,openvault"])
        .stdout;
    let b = sample().run(&["timeline", "dana", "openvault"]).stdout;
    assert_eq!(a, b);
}

#[test]
fn participant_to_and_pairs_count_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let msg = |id: &str, from: &str, to: &str, cc: &str| {
        format!("Message-ID: <{id}>\nFrom: {from}\nTo: {to}\nCc: {cc}\nDate: Mon, 3 Oct 2016 10:00:00 +0000\nSubject: s\n\nbody\n")
    };
    // dana writes to herself (To and Cc), to sam twice over (To and Cc), and sam answers.
    let files = [
        (
            "1.eml",
            msg("1@x", "dana@x.example", "dana@x.example", "dana@x.example"),
        ),
        (
            "2.eml",
            msg("2@x", "dana@x.example", "sam@y.example", "sam@y.example"),
        ),
        (
            "3.eml",
            msg("3@x", "sam@y.example", "dana@x.example", "lee@y.example"),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let ix = crate::util::TestIndex::of(dir.path());
    let facet = |name: &str| -> Vec<(String, u64)> {
        let out = ix.run(&["search", "--json", "--limit", "0", "--facet", name, "*"]);
        let facet = json_lines(&out.stdout)
            .into_iter()
            .find_map(|l| match l {
                Line::Facet(f) => Some(f),
                _ => None,
            })
            .expect("a facet line");
        facet
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect()
    };
    // Every count in a facet equals the hits of the matching field query.
    let hits_agree = |field: &str, counts: &[(String, u64)]| {
        for (addr, n) in counts {
            let (_, summary, _) = ix.search(&format!("{field}:{addr}"), &[]);
            assert_eq!(summary.total_hits as u64, *n, "{field}:{addr}");
        }
    };
    let got = facet("participant");
    assert_eq!(
        got,
        [
            ("dana@x.example".to_owned(), 3),
            ("sam@y.example".to_owned(), 2),
            ("lee@y.example".to_owned(), 1),
        ]
    );
    hits_agree("participant", &got);
    // Pairs count messages: dana's note to sam in both To and Cc is one message to him.
    let out = ix.run(&["search", "--json", "--limit", "0", "--pairs", "10", "*"]);
    let mut pairs: Vec<(String, String, u64)> = json_lines(&out.stdout)
        .into_iter()
        .filter_map(|l| match l {
            Line::Pair(p) => Some((p.from, p.to, p.count)),
            _ => None,
        })
        .collect();
    pairs.sort();
    let pair = |a: &str, b: &str, n| (a.to_owned(), b.to_owned(), n);
    assert_eq!(
        pairs,
        [
            pair("dana@x.example", "dana@x.example", 1),
            pair("dana@x.example", "sam@y.example", 1),
            pair("sam@y.example", "dana@x.example", 1),
            pair("sam@y.example", "lee@y.example", 1),
        ]
    );
    // The to facet counts messages too: an address in both To and Cc counts once.
    let mut got = facet("to");
    got.sort();
    assert_eq!(
        got,
        [
            ("dana@x.example".to_owned(), 2),
            ("lee@y.example".to_owned(), 1),
            ("sam@y.example".to_owned(), 1),
        ]
    );
    hits_agree("to", &got);
}

/// Segments searched in parallel (as large indexes are) answer exactly as one at a time: hits,
/// order, counts, facets, histograms and pairs.
#[test]
fn parallel_segment_search_answers_like_serial() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    let ix = crate::util::TestIndex::empty();
    let mut parts: Vec<_> = std::fs::read_dir(crate::util::sample_corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    // The sample corpus arrives in three steps, indexed after each: a segment per step.
    for group in parts.chunks(3) {
        for p in group {
            crate::util::copy_tree(p, &dump.join(p.file_name().unwrap()));
        }
        let out = ix.run(&["index", dump.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let segments = ix.segments();
    assert!(segments >= 3, "{segments} segments");
    let answer = |threads: &str, query: &str| {
        let out = ix
            .cmd(&[
                "search",
                "--json",
                "--limit",
                "500",
                "--facet",
                "from:20",
                "--facet",
                "to:20",
                "--facet",
                "participant:20",
                "--facet",
                "domain:20",
                "--histogram",
                "month",
                "--pairs",
                "20",
                "--",
                query,
            ])
            .env("TRAWL_SEARCH_THREADS", threads)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        // Everything but the timing.
        text.lines()
            .map(|l| match l.find("\"elapsed_ms\":") {
                Some(at) => {
                    let rest = &l[at..];
                    let end = rest.find(',').map_or(rest.len(), |c| c + 1);
                    format!("{}{}", &l[..at], &rest[end..])
                }
                None => l.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for query in ["*", "reyes OR openvault", "kind:email date:2016"] {
        let serial = answer("1", query);
        assert!(serial.lines().count() > 10, "{query}: {serial}");
        assert_eq!(answer("3", query), serial, "{query}");
    }
}

/// A message is a hit when one of its parts matches, marked with the part (issue #15).
#[test]
fn a_part_that_matches_stands_for_its_message() {
    let ix = sample();
    let (hits, _, _) = ix.search("Whitcombe", &[]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].kind.as_str(), hits[0].subject.as_str()),
        ("email", "Q3 donor spreadsheet")
    );
    let part = &hits[0].matched_in;
    assert_eq!(part.len(), 1);
    assert_eq!(
        (part[0].kind.as_str(), part[0].name.as_str()),
        ("attachment", "donors-q3.csv")
    );
    assert!(hits[0].snippet.contains("Whitcombe"), "{}", hits[0].snippet);
    let text = String::from_utf8(ix.run(&["search", "Whitcombe"]).stdout).unwrap();
    assert!(text.contains("in donors-q3.csv: "), "{text}");
    // The part itself with --items, or when the query asks for attachments.
    let items = ix.search("Whitcombe", &["--items"]).0;
    assert_eq!(
        (items.len(), items[0].id.as_str()),
        (1, part[0].id.as_str())
    );
    assert_eq!(
        ix.search("Whitcombe kind:attachment", &[]).0[0].id,
        part[0].id
    );
    assert_eq!(count("kind:attachment"), 3);
    // The message stored in Kelly's maildir and Sam's mbox is one hit standing for two.
    let fwd = ix.search("\"OpenVault made contact\" kind:email", &[]).0;
    let copies: Vec<u32> = fwd.iter().map(|h| h.copies).collect();
    assert!(copies.contains(&2), "{fwd:?}");
    assert_eq!(
        count_with("\"OpenVault made contact\" kind:email", &["--copies"]),
        count("\"OpenVault made contact\" kind:email") + 1
    );
}

/// A timeline's gap counts within a conversation by default (issue #16): Dana's e-mail reply
/// of 3 October came 15 minutes after the e-mail it answers, though a DM came in between;
/// `--gap any` counts from whatever came before. The first message of a conversation is `new`.
#[test]
fn timeline_gaps_count_within_a_conversation() {
    let ix = crate::people::named();
    let gaps = |flags: &[&str]| -> Vec<(String, Option<i64>)> {
        let mut args = vec!["timeline", "--json", "dana", "openvault", "date:2016-10-03"];
        args.extend_from_slice(flags);
        json_lines(&ix.run(&args).stdout)
            .into_iter()
            .filter_map(|l| if let Line::Hit(h) = l { Some(*h) } else { None })
            .map(|h| (h.kind, h.gap_seconds))
            .collect()
    };
    let by_conversation = gaps(&[]);
    let any = gaps(&["--gap", "any"]);
    assert!(by_conversation.len() >= 4, "{by_conversation:?}");
    // Every e-mail after the first and every DM after the first is 15 minutes or 3 minutes on
    // from the one before it in its own conversation.
    assert!(by_conversation
        .iter()
        .filter_map(|(_, g)| *g)
        .all(|g| g == 15 * 60 || g == 3 * 60));
    assert_eq!(
        by_conversation.iter().filter(|(_, g)| g.is_none()).count(),
        2
    );
    // Counted from any message, the interleaved copies are 0 s apart.
    assert!(any.iter().any(|(_, g)| *g == Some(0)), "{any:?}");
    let text = String::from_utf8(
        ix.run(&["timeline", "dana", "openvault", "date:2016-10-03"])
            .stdout,
    )
    .unwrap();
    // Two conversations begin at the same minute; which one the timeline lists first depends
    // on the tie-break by document id, so either may be the `start` and the other is `new`.
    let label = |l: &str| l.split_whitespace().nth(2).map(str::to_string);
    let mut labels: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("2016-"))
        .filter_map(label)
        .filter(|w| w == "start" || w == "new")
        .collect();
    labels.sort();
    assert_eq!(labels, ["new", "start"], "{text}");
}
