//! `trawl batch` (issue #15, part 6): a terms file counted query by query, as messages,
//! families and copies, and as a matrix by a dimension; bad lines reported, the rest run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::search::sample;
use crate::util::TestIndex;

/// A terms file in a fresh temporary directory (kept alive by the returned guard).
fn terms(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terms.txt");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn batch(ix: &TestIndex, file: &Path, flags: &[&str]) -> std::process::Output {
    let mut args = vec!["batch"];
    args.extend_from_slice(flags);
    args.push(file.to_str().unwrap());
    ix.run(&args)
}

fn count(ix: &TestIndex, query: &str, flags: &[&str]) -> u64 {
    ix.count(query, flags)
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Line {
    Query(QueryLine),
    Error(ErrorLine),
    Summary(Summary),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryLine {
    line: usize,
    label: String,
    query: String,
    messages: u64,
    families: u64,
    copies: u64,
    #[serde(default)]
    by: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Value {
    value: String,
    count: u64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorLine {
    line: usize,
    label: String,
    query: String,
    error: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    queries: usize,
    failed: usize,
    by: Option<String>,
    elapsed_ms: f64,
}

fn json(out: &std::process::Output) -> Vec<Line> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

const TERMS: &str = "# the story's names and words\n\
openvault\n\
Dana\tfrom:dana OR to:dana\n\
forward\tsubject:\"OpenVault made contact\"\n\
\n\
donors\tdonors\n\
kind:attachment\n\
nothing\txylophone\n";

/// Every query's families are what `search --count` counts, its copies what `--copies`
/// counts; messages leave out the families found only through a part.
#[test]
fn counts_are_those_of_search() {
    let (_d, file) = terms(TERMS);
    let out = batch(sample(), &file, &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let lines = json(&out);
    let queries: Vec<&QueryLine> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Query(q) => Some(q),
            _ => None,
        })
        .collect();
    let labels: Vec<(usize, &str)> = queries.iter().map(|q| (q.line, q.label.as_str())).collect();
    assert_eq!(
        labels,
        [
            (2, "openvault"),
            (3, "Dana"),
            (4, "forward"),
            (6, "donors"),
            (7, "kind:attachment"),
            (8, "nothing")
        ]
    );
    for q in &queries {
        assert_eq!(q.families, count(sample(), &q.query, &[]), "{q:?}");
        assert_eq!(q.copies, count(sample(), &q.query, &["--copies"]), "{q:?}");
        assert!(q.messages <= q.families && q.families <= q.copies, "{q:?}");
        assert!(q.by.is_none());
    }
    // Dana's forward is one message in two files; Jordan's forward carries it as a part.
    let forward = queries[2];
    assert_eq!(
        (forward.messages, forward.families, forward.copies),
        (2, 2, 3)
    );
    // The donor list: two messages say "donors", two more only in their attachments.
    let donors = queries[3];
    assert_eq!((donors.messages, donors.families), (2, 4));
    match lines.last() {
        Some(Line::Summary(s)) => assert_eq!((s.queries, s.failed), (6, 0)),
        other => panic!("no summary: {other:?}"),
    }
    // By custodian, Dana's forward counts for both mailboxes holding a copy, Jordan's for his.
    let out = batch(sample(), &file, &["--json", "--by", "custodian"]);
    let forward = json(&out)
        .into_iter()
        .find_map(|l| match l {
            Line::Query(q) if q.label == "forward" => Some(q),
            _ => None,
        })
        .unwrap();
    let by: BTreeMap<String, u64> = forward
        .by
        .unwrap()
        .into_iter()
        .map(|v| (v.value, v.count))
        .collect();
    let expected: BTreeMap<String, u64> = [("eml", 1), ("maildir", 1), ("mbox", 1)]
        .into_iter()
        .map(|(v, n)| (v.to_owned(), n))
        .collect();
    assert_eq!(by, expected);
}

/// The matrix by custodian counts, for each custodian, the messages a copy of which is in
/// their files: `QUERY custodian:X`; by year, `QUERY date:YEAR`. Columns cover every value.
#[test]
fn the_matrix_counts_each_value_as_a_search_would() {
    let (_d, file) = terms(TERMS);
    for (dim, field) in [("custodian", "custodian"), ("year", "date")] {
        let out = batch(sample(), &file, &["--csv", "--by", dim]);
        assert_eq!(out.status.code(), Some(0));
        let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(
            header[..7],
            ["line", "label", "query", "error", "messages", "families", "copies"]
        );
        let values = &header[7..];
        assert!(!values.is_empty());
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 6, "every query has a row");
        for row in &rows {
            let query = &row[2];
            let mut total = 0;
            for (i, value) in values.iter().enumerate() {
                let cell: u64 = row[7 + i].parse().unwrap();
                total += cell;
                if value == "(none)" {
                    continue;
                }
                let q = format!("({query}) {field}:{value}");
                assert_eq!(cell, count(sample(), &q, &[]), "{q}");
            }
            // A message has one year, or none: the row adds up to its families.
            if dim == "year" {
                assert_eq!(total, row[5].parse::<u64>().unwrap(), "{query}");
            }
        }
    }
}

#[test]
fn a_bad_line_is_reported_with_its_number_and_the_rest_run() {
    let (_d, file) = terms("openvault\nbroken\tfrom:(\nsubjet:x\ndonors\n");
    let out = batch(sample(), &file, &["--csv"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("terms.txt:2: query error"), "{stderr}");
    assert!(stderr.contains("terms.txt:3: "), "{stderr}");
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let cells: Vec<(&str, bool, &str)> = rows
        .iter()
        .map(|r| (&r[0], r[3].is_empty(), &r[5]))
        .collect();
    assert_eq!(
        cells,
        [
            ("1", true, "21"),
            ("2", false, ""),
            ("3", false, ""),
            ("4", true, "4")
        ]
    );
    let out = batch(sample(), &file, &["--json"]);
    let errors: Vec<usize> = json(&out)
        .iter()
        .filter_map(|l| match l {
            Line::Error(e) => Some(e.line),
            _ => None,
        })
        .collect();
    assert_eq!(errors, [2, 3]);
}

#[test]
fn exit_status_says_whether_anything_ran_and_matched() {
    let (_d, all_bad) = terms("from:(\n\"unclosed\n");
    assert_eq!(batch(sample(), &all_bad, &[]).status.code(), Some(2));
    let (_d2, nothing) = terms("xylophone\nsubject:zeppelin\n");
    assert_eq!(batch(sample(), &nothing, &[]).status.code(), Some(1));
    let (_d3, empty) = terms("# only a comment\n\n");
    let out = batch(sample(), &empty, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no queries"));
    let missing = PathBuf::from("/nonexistent/terms.txt");
    let out = batch(sample(), &missing, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("reading the terms file"));
    let (_d4, ok) = terms("openvault\n");
    let out = batch(sample(), &ok, &["--by", "sender"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("known: person, from, to, custodian, year, month"));
}

/// Labels and queries are the user's, values come from the dump: a cell a spreadsheet would
/// evaluate is defused, and commas, quotes and line breaks are quoted so every row reads back.
#[test]
fn csv_cells_are_quoted_and_defused() {
    let (_d, file) = terms("=HYPERLINK(\"x\"), a label\topenvault\n+1\tdonors\n");
    let out = batch(sample(), &file, &["--csv", "--by", "from"]);
    assert_eq!(out.status.code(), Some(0));
    let mut rdr = csv::Reader::from_reader(out.stdout.as_slice());
    let header = rdr.headers().unwrap().clone();
    assert!(header.iter().any(|h| h == "dm@openvault.example.org"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"x\"), a label");
    assert_eq!(&rows[1][1], "'+1");
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let by_from: BTreeMap<&str, &str> = header.iter().zip(rows[0].iter()).collect();
    assert_eq!(
        by_from["dm@openvault.example.org"].parse::<u64>().unwrap(),
        count(sample(), "openvault from:dm@openvault.example.org", &[])
    );
}

#[test]
fn text_lists_every_query_with_its_counts() {
    let (_d, file) = terms(TERMS);
    let out = batch(sample(), &file, &["--by", "year"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header[..4],
        ["query", "messages", "families", "copies"],
        "{text}"
    );
    assert!(header.contains(&"2016"), "{text}");
    let forward: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(forward[..4], ["forward", "2", "2", "3"], "{text}");
}

/// `trawl batch --csv ... | head` is no error: a closed pipe ends the output quietly.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read;
    // More output than a pipe buffers, so that writing meets the closed pipe.
    let (_d, file) = terms(&"a long label that takes room\topenvault OR donors\n".repeat(3000));
    let mut child = sample()
        .cmd(&["batch", "--csv", "--by", "month", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here.
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first[..5], b"line,");
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "")
    );
}

/// `--by person` counts each message once per person taking part, however many of the
/// person's identities it reached: OpenVault writes from its site and from Twitter, and every
/// one of its 23 messages counts once in its column, as in `search --count person:openvault`.
#[test]
fn by_person_counts_a_message_once_per_person() {
    let ix = crate::people::named();
    let (_d, file) = terms("openvault\tperson:openvault\nsite\tstopreyes\n");
    let out = batch(ix, &file, &["--json", "--by", "person"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json(&out);
    let Line::Query(q) = &lines[0] else {
        panic!("{lines:?}")
    };
    let by: BTreeMap<&str, u64> =
        q.by.as_ref()
            .unwrap()
            .iter()
            .map(|v| (v.value.as_str(), v.count))
            .collect();
    let openvault = count(ix, "person:openvault", &[]);
    assert_eq!(q.families, openvault);
    assert_eq!(by.get("dm@openvault.example.org"), Some(&openvault));
    assert_eq!(
        by.get("dana.reyes@reyes2016.example.com"),
        Some(&count(ix, "person:openvault person:\"Dana Reyes\"", &[]))
    );
    // Its Twitter account is no column of its own: it is the same person.
    assert!(!by.contains_key("twitter:800000002"), "{by:?}");
}
