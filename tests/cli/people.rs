//! People and the correspondence graph (issue #15, parts 4 and 5): `trawl people`, `person:`,
//! `--facet person`, `--pairs --by-person`, the aliases file, and `trawl graph`. Expected counts
//! come from docs/sample_corpus.md: OpenVault wrote Dana 7 e-mails (she answered 2) and 10
//! Twitter DMs (she answered 4).

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::util::{json_lines, sample_corpus, shared_corpora, Line, TestIndex};

/// The sample corpus indexed with the Twitter names of `tests/fixtures/twitter-names.json`.
pub fn named() -> &'static TestIndex {
    static IX: OnceLock<TestIndex> = OnceLock::new();
    IX.get_or_init(|| index_with_names(&sample_corpus()))
}

fn index_with_names(dump: &Path) -> TestIndex {
    let ix = TestIndex::empty();
    let names = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/twitter-names.json");
    let out = ix.run(&[
        "index",
        "--names",
        names.to_str().unwrap(),
        dump.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ix
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    id: String,
    name: String,
    messages: u64,
    sent: u64,
    received: u64,
    first: Option<String>,
    last: Option<String>,
    identities: Vec<Identity>,
    links: Vec<LinkOut>,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Identity {
    id: String,
    kind: String,
    names: Vec<(String, u32)>,
    seen: u32,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkOut {
    a: String,
    b: String,
    rule: String,
    confidence: f32,
    evidence: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeopleSummary {
    query: String,
    persons: usize,
    shown: usize,
    hits: u64,
    elapsed_ms: f64,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum PeopleLine {
    Person(Box<Person>),
    Summary(PeopleSummary),
}

/// `trawl people --json ARGS` over `ix`: the persons and the summary.
fn people(ix: &TestIndex, args: &[&str]) -> (Vec<Person>, PeopleSummary) {
    let mut argv = vec!["people", "--json"];
    argv.extend_from_slice(args);
    let out = ix.run(&argv);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut persons = Vec::new();
    let mut summary = None;
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        match serde_json::from_str::<PeopleLine>(l).unwrap_or_else(|e| panic!("{l}: {e}")) {
            PeopleLine::Person(p) => persons.push(*p),
            PeopleLine::Summary(s) => summary = Some(s),
        }
    }
    (persons, summary.expect("a summary line"))
}

fn holding<'a>(persons: &'a [Person], id: &str) -> &'a Person {
    persons
        .iter()
        .find(|p| p.identities.iter().any(|i| i.id == id))
        .unwrap_or_else(|| panic!("no person holds {id}"))
}

fn ids(p: &Person) -> Vec<&str> {
    let mut v: Vec<&str> = p.identities.iter().map(|i| i.id.as_str()).collect();
    v.sort_unstable();
    v
}

#[test]
fn transparency_group_email_and_twitter_are_one_person() {
    let (persons, summary) = people(named(), &[]);
    let ov = holding(&persons, "dm@openvault.example.org");
    assert_eq!(ids(ov), ["dm@openvault.example.org", "twitter:800000002"]);
    assert_eq!(ov.name, "OpenVault");
    // 7 e-mails and 10 DMs from OpenVault; Dana's 2 e-mail replies and 4 DMs to it.
    assert_eq!((ov.messages, ov.sent, ov.received), (23, 17, 6));
    assert_eq!(ov.first.as_deref(), Some("2016-09-20T17:30:00Z"));
    assert_eq!(ov.last.as_deref(), Some("2017-07-11T09:20:00Z"));
    assert_eq!(ov.links.len(), 1);
    assert_eq!(ov.links[0].rule, "handle-name");
    assert!(
        ov.links[0].evidence.contains("its handle"),
        "{:?}",
        ov.links
    );
    // Dana's e-mail, Twitter and Slack accounts are one person too, by her full name.
    let dana = holding(&persons, "dana.reyes@reyes2016.example.com");
    assert_eq!(
        ids(dana),
        [
            "dana.reyes@reyes2016.example.com",
            "slack:u01dana",
            "twitter:700000001"
        ]
    );
    assert!(dana.links.iter().all(|l| l.rule == "same-name"));
    assert!(summary.persons >= 8 && summary.shown == summary.persons);
    assert_eq!(summary.query, "*");
    // Most messages first: Dana.
    assert_eq!(persons[0].id, "dana.reyes@reyes2016.example.com");
}

#[test]
fn an_unnamed_account_stays_apart_and_the_aliases_file_joins_or_splits() {
    // Without --names, the Twitter account of OpenVault has no name: nothing links it.
    let plain = TestIndex::sample();
    let (persons, _) = people(&plain, &[]);
    assert_eq!(
        ids(holding(&persons, "twitter:800000002")),
        ["twitter:800000002"]
    );

    let dir = tempfile::tempdir().unwrap();
    let aliases = dir.path().join("aliases.txt");
    std::fs::write(
        &aliases,
        "# the group writes from its site and from Twitter\n\
         same dm@openvault.example.org twitter:800000002\n\
         name twitter:800000002 OpenVault (transparency group)\n",
    )
    .unwrap();
    let a = aliases.to_str().unwrap();
    let (persons, _) = people(&plain, &["--aliases", a]);
    let ov = holding(&persons, "twitter:800000002");
    assert_eq!(ids(ov), ["dm@openvault.example.org", "twitter:800000002"]);
    assert_eq!(ov.name, "OpenVault (transparency group)");
    assert_eq!(ov.links[0].rule, "aliases-file");
    assert_eq!(ov.links[0].evidence, "aliases file, line 2");
    // Once persons are worked out, a text hit shows the name for the unnamed account.
    let out = plain.run(&[
        "search",
        "--aliases",
        a,
        "--limit",
        "1",
        "--sort",
        "date",
        "from:twitter:800000002",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("2016-09-20 17:30  OpenVault (transparency group)"),
        "{text}"
    );

    // The default aliases file sits in the index directory.
    std::fs::write(
        plain.path.join("aliases.txt"),
        "same dm@openvault.example.org twitter:800000002\n",
    )
    .unwrap();
    let (persons, _) = people(&plain, &[]);
    assert_eq!(holding(&persons, "twitter:800000002").identities.len(), 2);

    // `apart` splits what the names join; `alone` keeps one account out.
    std::fs::write(
        &aliases,
        "apart dm@openvault.example.org | twitter:800000002\nalone slack:u01dana\n",
    )
    .unwrap();
    let (persons, _) = people(named(), &["--aliases", a]);
    assert_eq!(
        ids(holding(&persons, "twitter:800000002")),
        ["twitter:800000002"]
    );
    assert_eq!(ids(holding(&persons, "slack:u01dana")), ["slack:u01dana"]);
    assert_eq!(
        ids(holding(&persons, "dana.reyes@reyes2016.example.com")),
        ["dana.reyes@reyes2016.example.com", "twitter:700000001"]
    );

    // A bad line is an error that names it, exit 2.
    std::fs::write(&aliases, "same a@x\n").unwrap();
    let out = named().run(&["people", "--aliases", a]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 1") && err.contains("two identities"),
        "{err}"
    );
}

#[test]
fn person_queries_facets_and_pairs() {
    let ix = named();
    let count = |q: &str| {
        let out = ix.run(&["search", "--count", "--", q]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    // Every message with OpenVault, by any of its names or ids.
    assert_eq!(count("person:openvault"), "23");
    assert_eq!(count("person:twitter:800000002"), "23");
    assert_eq!(count("person:dm@openvault.example.org kind:chat"), "14");
    assert_eq!(count("person:\"Reyes, Dana\" person:openvault"), "23");
    // A first name shared by nobody else is enough; an unknown one is an error.
    let out = ix.run(&["search", "person:nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no person goes by `nobody`"));

    let out = ix.run(&[
        "search",
        "--json",
        "--limit",
        "0",
        "--facet",
        "person:3",
        "--facet",
        "from:2",
        "--pairs",
        "2",
        "--by-person",
        "person:openvault",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out.stdout);
    let facets: Vec<_> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Facet(f) => Some(f),
            _ => None,
        })
        .collect();
    let person = &facets[0].values;
    assert_eq!(person[0].value, "dana.reyes@reyes2016.example.com");
    assert_eq!(person[0].name.as_deref(), Some("Dana Reyes"));
    assert_eq!(
        (person[1].value.as_str(), person[1].count),
        ("dm@openvault.example.org", 23)
    );
    assert_eq!(person[1].name.as_deref(), Some("OpenVault"));
    // The address facet shows the person's name beside the raw id.
    let from = &facets[1].values;
    assert_eq!(
        (
            from[0].value.as_str(),
            from[0].name.as_deref(),
            from[0].count
        ),
        ("twitter:800000002", Some("OpenVault"), 10)
    );
    let pairs: Vec<_> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Pair(p) => Some(p),
            _ => None,
        })
        .collect();
    // OpenVault → Dana: 7 e-mails and 10 DMs to two of her addresses, one person.
    assert_eq!(
        (pairs[0].from.as_str(), pairs[0].to.as_str(), pairs[0].count),
        (
            "dm@openvault.example.org",
            "dana.reyes@reyes2016.example.com",
            17
        )
    );
    assert_eq!(pairs[0].to_name.as_deref(), Some("Dana Reyes"));
    assert_eq!(
        (pairs[1].count, pairs[1].from_name.as_deref()),
        (6, Some("Dana Reyes"))
    );

    // Text output: the name beside the id.
    let out = ix.run(&[
        "search", "--limit", "0", "--facet", "from:1", "--pairs", "1", "*",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("twitter:800000002  (OpenVault)"), "{text}");
    assert!(
        text.contains("twitter:800000002 (OpenVault) → twitter:700000001 (Dana Reyes)"),
        "{text}"
    );
}

#[test]
fn people_text_fits_80_columns_and_is_sanitized() {
    let out = named().run(&["people", "--all"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Dana Reyes  49 messages (13 sent, 36 received)"),
        "{text}"
    );
    for l in text.lines() {
        assert!(l.chars().count() <= 80, "too wide: {l}");
        assert!(
            !l.chars().any(|c| c.is_control()),
            "control character in {l:?}"
        );
    }
    assert!(
        text.contains("    + handle-name 0.60: one-word names"),
        "{text}"
    );
    // A query narrows to the persons of its hits; none is exit 1.
    let (persons, summary) = people(named(), &["from:elodie@presse.example.org"]);
    assert_eq!(
        persons.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Élodie Marchand", "Hana Hollis", "Dana Reyes"]
    );
    // Four messages each, so ties go by person id (elodie@… before hana.hollis@…).
    assert_eq!(persons[0].messages, persons[1].messages);
    assert_eq!(summary.hits, 4);
    let out = named().run(&["people", "from:nobody@nowhere.example"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_cache_of_another_commit_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir(&dump).unwrap();
    let mail = |name: &str, from: &str, to: &str| {
        std::fs::write(
            dump.join(name),
            format!("From: {from}\nTo: {to}\nSubject: hi\nMessage-ID: <{name}@x>\nDate: Mon, 3 Oct 2016 13:25:00 -0400\n\nhello\n"),
        )
        .unwrap();
    };
    mail("1.eml", "Ann Lee <ann@a.example>", "bob@b.example");
    let ix = TestIndex::of(&dump);
    // `trawl index` leaves the cache of what it indexed.
    let cache = ix.path.join("people-cache.json");
    let first = std::fs::read(&cache).expect("a cache after indexing");
    let (persons, _) = people(&ix, &[]);
    assert_eq!(persons.len(), 2);
    mail(
        "2.eml",
        "\"Lee, Ann\" <ann.lee@c.example>",
        "carol@c.example",
    );
    ix.index(&dump);
    // Put the first state's cache back: it must be seen as stale and not used.
    std::fs::write(&cache, &first).unwrap();
    let (persons, _) = people(&ix, &[]);
    assert_eq!(persons.len(), 3, "{persons:#?}");
    assert_eq!(
        ids(holding(&persons, "ann@a.example")),
        ["ann.lee@c.example", "ann@a.example"]
    );
}

/// `trawl index` gathers who appears with which names while it parses, when the index was
/// empty or its cache current and the run deleted nothing, instead of reading every stored
/// envelope back. What it gathers must be what reading them back finds: on the sample corpus
/// (mail, chat exports, archives, a PST), then on a run that adds a file, then on one that
/// changes a file (which reads them back).
#[test]
fn observations_gathered_while_indexing_equal_those_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    crate::util::copy_tree(&sample_corpus(), &dump);
    let ix = TestIndex::of(&dump);
    let cache = ix.path.join("people-cache.json");
    let observations = |bytes: &[u8]| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(bytes).expect("cache JSON");
        v["observations"].clone()
    };
    let read_back = || {
        let gathered = std::fs::read(&cache).expect("a cache after indexing");
        std::fs::remove_file(&cache).unwrap();
        let out = ix.run(&["people", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read = std::fs::read(&cache).expect("`trawl people` writes the cache again");
        let (gathered, read) = (observations(&gathered), observations(&read));
        assert!(
            gathered["ids"]
                .as_object()
                .is_some_and(|ids| ids.len() > 20),
            "{gathered}"
        );
        assert_eq!(gathered, read);
    };
    read_back();
    std::fs::write(
        dump.join("late.eml"),
        "From: \"Reyes, Dana\" <dana.reyes@protonmail.example>\nTo: New Person <new@x.example>\n\
         Subject: late\nMessage-ID: <late@x>\nDate: Mon, 3 Oct 2016 13:25:00 -0400\n\nhello\n",
    )
    .unwrap();
    let stderr = ix.index(&dump);
    assert!(stderr.contains("indexed 1 document"), "{stderr}");
    read_back();
    std::fs::write(
        dump.join("late.eml"),
        "From: Someone Else <else@x.example>\nSubject: changed\n\nhello\n",
    )
    .unwrap();
    ix.index(&dump);
    read_back();
}

/// Every attribute of the elements named `tag` in the XML `bytes`, which must be well formed.
fn xml_elements(bytes: &[u8], tag: &str) -> Vec<Vec<(String, String)>> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == tag =>
            {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .expect("value")
                            .into_owned();
                        (a.key.as_ref().to_owned(), v)
                    })
                    .collect();
                out.push(attrs);
            }
            _ => {}
        }
        buf.clear();
    }
    out
}

fn attr<'a>(e: &'a [(String, String)], k: &str) -> &'a str {
    e.iter()
        .find(|(n, _)| n == k)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn graph_gexf_and_graphml_are_xml_with_counts_each_way() {
    let out = named().run(&["graph", "--format", "gexf"]);
    assert_eq!(out.status.code(), Some(0));
    let nodes = xml_elements(&out.stdout, "node");
    let edges = xml_elements(&out.stdout, "edge");
    assert_eq!(nodes.len(), 11);
    let ov = nodes
        .iter()
        .find(|n| attr(n, "id") == "dm@openvault.example.org")
        .expect("OpenVault node");
    assert_eq!(attr(ov, "label"), "OpenVault");
    let e = edges
        .iter()
        .find(|e| {
            attr(e, "source") == "dana.reyes@reyes2016.example.com"
                && attr(e, "target") == "dm@openvault.example.org"
        })
        .expect("Dana–OpenVault edge");
    assert_eq!(attr(e, "weight"), "23");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("11 nodes"), "{stderr}");

    let out = named().run(&[
        "graph",
        "--format",
        "graphml",
        "--by",
        "address",
        "kind:email",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let nodes = xml_elements(&out.stdout, "node");
    assert!(nodes
        .iter()
        .any(|n| attr(n, "id") == "dm@openvault.example.org"));
    assert!(nodes.iter().all(|n| !attr(n, "id").starts_with("twitter:")));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#"<edge source="dana.reyes@reyes2016.example.com" target="dm@openvault.example.org"><data key="weight">9</data><data key="source_to_target">2</data><data key="target_to_source">7</data><data key="first">2016-09-20T17:30:00Z</data><data key="last">2017-07-11T09:20:00Z</data></edge>"#),
        "{text}"
    );

    let out = named().run(&["graph", "--format", "csv", "--min-messages", "17"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        csv,
        "Source,Target,Weight,source_name,target_name,source_to_target,target_to_source,first,last\n\
         dana.reyes@reyes2016.example.com,dm@openvault.example.org,23,Dana Reyes,OpenVault,6,17,2016-09-20T17:30:00Z,2017-07-11T09:20:00Z\n"
    );
    let out = named().run(&["graph", "from:nobody@nowhere.example"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
#[cfg_attr(
    not(trawl_graphviz),
    ignore = "needs Graphviz's `dot` (apt-get install graphviz)"
)]
fn graph_dot_parses_in_graphviz() {
    let out = named().run(&["graph", "--format", "dot"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.dot");
    std::fs::write(&file, &out.stdout).unwrap();
    let dot = std::process::Command::new("dot")
        .args(["-Tplain", file.to_str().unwrap()])
        .output()
        .expect("running dot");
    let stderr = String::from_utf8_lossy(&dot.stderr);
    assert!(dot.status.success(), "dot failed: {stderr}");
    let plain = String::from_utf8_lossy(&dot.stdout);
    // `-Tplain`: one `node` line per node, one `edge` line per edge.
    assert_eq!(plain.lines().filter(|l| l.starts_with("node ")).count(), 11);
    assert_eq!(plain.lines().filter(|l| l.starts_with("edge ")).count(), 23);
}

/// Three custodians of the Enron half, unpacked into a temporary dump and indexed.
fn enron_three() -> &'static (tempfile::TempDir, TestIndex) {
    static IX: OnceLock<(tempfile::TempDir, TestIndex)> = OnceLock::new();
    IX.get_or_init(|| {
        let tarball = shared_corpora()
            .expect("../shared/corpora")
            .join("enron-inbox-half.tar.gz");
        let dir = tempfile::tempdir().unwrap();
        let st = std::process::Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(dir.path())
            .args([
                "maildir/scott-s",
                "maildir/grigsby-m",
                "maildir/mcconnell-m",
            ])
            .status()
            .expect("running tar");
        assert!(st.success());
        let ix = TestIndex::of(&dir.path().join("maildir"));
        (dir, ix)
    })
}

#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn enron_x_from_names_addresses_and_last_first_forms_of_a_custodian_merge() {
    let (_, ix) = enron_three();
    let (persons, _) = people(ix, &[]);
    // Susan M. Scott (custodian scott-s): her Hotmail address, named by X-From "Susan Scott",
    // her Exchange addresses, named "Scott, Susan M." in X-From and X-To, and the
    // `sscott5` mailbox are one person.
    let susan = holding(&persons, "susan_m_scott@hotmail.com");
    for id in [
        "m..scott@enron.com",
        "sscott5@enron.com",
        "susan.m.scott@enron.com",
    ] {
        assert!(ids(susan).contains(&id), "{id} not in {:?}", ids(susan));
    }
    assert_eq!(susan.name, "Susan M. Scott");
    let hotmail = susan
        .identities
        .iter()
        .find(|i| i.id == "susan_m_scott@hotmail.com")
        .unwrap();
    assert_eq!(hotmail.names[0].0, "Susan Scott");
    let exchange = susan
        .identities
        .iter()
        .find(|i| i.id == "m..scott@enron.com")
        .unwrap();
    assert_eq!(exchange.names[0].0, "Scott, Susan M.");
    assert!(susan
        .links
        .iter()
        .all(|l| l.rule == "same-name" && l.confidence >= 0.8));
    // `person:` finds her by the `Last, First` form, and counts her messages once each.
    let out = ix.run(&["search", "--count", "person:\"Scott, Susan M.\""]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        susan.messages.to_string()
    );
}

#[test]
#[cfg_attr(
    not(trawl_corpora),
    ignore = "needs ../shared/corpora, absent at build time"
)]
fn enron_people_sharing_a_first_name_stay_apart() {
    let (_, ix) = enron_three();
    let (persons, _) = people(ix, &[]);
    let grigsby = holding(&persons, "mike.grigsby@enron.com");
    let swerzbin = holding(&persons, "mike.swerzbin@enron.com");
    assert_ne!(grigsby.id, swerzbin.id);
    assert_eq!(grigsby.name, "Mike Grigsby");
    // No person holds two Mikes: every name of a "Mike" person has the same last name.
    let mikes: Vec<&Person> = persons
        .iter()
        .filter(|p| p.name.starts_with("Mike "))
        .collect();
    assert!(mikes.len() >= 5, "{}", mikes.len());
    for p in &mikes {
        let last = p.name.rsplit(' ').next().unwrap().to_lowercase();
        for i in &p.identities {
            for (n, _) in &i.names {
                let lower = n.to_lowercase();
                assert!(lower.contains(&last), "{} holds {n:?}", p.name);
            }
        }
    }
    // `person:mike` is ambiguous: an error naming some of them.
    let out = ix.run(&["search", "person:mike"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("persons") && err.contains("Mike"), "{err}");
}

#[test]
fn hostile_names_are_escaped_in_people_and_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir(&dump).unwrap();
    // A name with an escape sequence, a bidi override, markup and a quote.
    std::fs::write(
        dump.join("1.eml"),
        "From: \"Eve \x1b[31mRed\u{202e} <b>&\\\"x\" <eve@evil.example>\nTo: Bob Ray <bob@b.example>\n\
         Subject: hi\nMessage-ID: <1@x>\nDate: Mon, 3 Oct 2016 13:25:00 -0400\n\nhello\n",
    )
    .unwrap();
    let ix = TestIndex::of(&dump);
    let out = ix.run(&["people"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("\\x1b[31m"), "{text}");
    for format in ["gexf", "graphml"] {
        let out = ix.run(&["graph", "--format", format]);
        assert_eq!(out.status.code(), Some(0));
        let nodes = xml_elements(&out.stdout, "node");
        assert_eq!(nodes.len(), 2, "{format}");
    }
    let out = ix.run(&["graph", "--format", "gexf"]);
    let labels: Vec<String> = xml_elements(&out.stdout, "node")
        .iter()
        .map(|n| attr(n, "label").to_owned())
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l.contains("<b>&") && l.contains('\u{202e}')),
        "{labels:?}"
    );
}
