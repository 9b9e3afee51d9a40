//! The correspondence graph (issue #15, part 5): persons (or addresses) as nodes with their
//! message counts, an undirected edge per pair that exchanged messages, with the count each way
//! and the first and last dates; written as GEXF 1.3 (Gephi), GraphML, DOT (Graphviz) or a CSV
//! edge list (Gephi's `Source,Target,Weight` import).
//!
//! Labels are leaked text: XML output escapes markup and drops the characters XML 1.0 cannot
//! hold (NUL and other C0 controls), DOT output escapes quotes and backslashes, so every file
//! opens whatever the dump held.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::DateTime;
use serde::Serialize;

use super::count::{Counts, Nodes};

/// A node: a person or an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    pub id: String,
    pub label: String,
    pub messages: u64,
    pub sent: u64,
    pub received: u64,
}

/// An edge between two nodes (`source` < `target` by id), with messages each way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    pub source: String,
    pub target: String,
    pub source_to_target: u64,
    pub target_to_source: u64,
    /// RFC 3339, UTC; none when no message of the pair has a date.
    pub first: Option<String>,
    pub last: Option<String>,
}

impl GraphEdge {
    pub fn weight(&self) -> u64 {
        self.source_to_target + self.target_to_source
    }
}

/// Nodes sorted by id, edges by (source, target): the same index and query give the same file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

fn rfc3339(t: Option<i64>) -> Option<String> {
    t.and_then(|s| DateTime::from_timestamp(s, 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The graph of `counts` (counted with pairs) over `nodes`; nodes without messages are left
/// out, and so are edges of fewer than `min_weight` messages (and nodes left with no edge
/// then, unless `min_weight` is at most 1).
pub fn build(nodes: &Nodes, counts: &Counts, min_weight: u64) -> Graph {
    // (a → b, b → a, first, last) by (a, b), a's id before b's.
    type Folded = (u64, u64, Option<i64>, Option<i64>);
    let mut edges: BTreeMap<(u32, u32), Folded> = BTreeMap::new();
    for (&(s, r), e) in &counts.pairs {
        let (a, b, forward) = if nodes.ids[s as usize] <= nodes.ids[r as usize] {
            (s, r, true)
        } else {
            (r, s, false)
        };
        let x = edges.entry((a, b)).or_insert((0, 0, None, None));
        if forward {
            x.0 += e.count;
        } else {
            x.1 += e.count;
        }
        x.2 = x.2.into_iter().chain(e.first).min();
        x.3 = x.3.into_iter().chain(e.last).max();
    }
    let mut g = Graph::default();
    let mut linked = vec![false; nodes.ids.len()];
    for ((a, b), (ab, ba, first, last)) in edges {
        if ab + ba < min_weight.max(1) {
            continue;
        }
        linked[a as usize] = true;
        linked[b as usize] = true;
        g.edges.push(GraphEdge {
            source: nodes.ids[a as usize].clone(),
            target: nodes.ids[b as usize].clone(),
            source_to_target: ab,
            target_to_source: ba,
            first: rfc3339(first),
            last: rfc3339(last),
        });
    }
    for (i, c) in counts.nodes.iter().enumerate() {
        if c.messages == 0 || (min_weight > 1 && !linked[i]) {
            continue;
        }
        g.nodes.push(GraphNode {
            id: nodes.ids[i].clone(),
            label: nodes.names[i].clone(),
            messages: c.messages,
            sent: c.sent,
            received: c.received,
        });
    }
    g.nodes.sort_by(|a, b| a.id.cmp(&b.id));
    g.edges
        .sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
    g
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Gexf,
    Graphml,
    Dot,
    Csv,
}

/// Text escaped for XML content and attribute values, without the characters XML 1.0 forbids.
pub fn xml_text(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    quick_xml::escape::escape(clean.as_str())
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// A double-quoted DOT string.
pub fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `g` in `format`.
pub fn write(g: &Graph, format: GraphFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        GraphFormat::Gexf => write_gexf(g, out),
        GraphFormat::Graphml => write_graphml(g, out),
        GraphFormat::Dot => write_dot(g, out),
        GraphFormat::Csv => write_csv(g, out),
    }
}

fn write_gexf(g: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(
        out,
        "  <meta>\n    <creator>trawl</creator>\n    <description>correspondence graph: messages between parties</description>\n  </meta>"
    )?;
    writeln!(
        out,
        r#"  <graph mode="static" defaultedgetype="undirected">"#
    )?;
    writeln!(out, r#"    <attributes class="node">"#)?;
    for (i, t) in ["messages", "sent", "received"].iter().enumerate() {
        writeln!(
            out,
            r#"      <attribute id="{i}" title="{t}" type="long"/>"#
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, r#"    <attributes class="edge">"#)?;
    for (i, (t, ty)) in [
        ("source_to_target", "long"),
        ("target_to_source", "long"),
        ("first", "string"),
        ("last", "string"),
    ]
    .iter()
    .enumerate()
    {
        writeln!(
            out,
            r#"      <attribute id="{i}" title="{t}" type="{ty}"/>"#
        )?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, "    <nodes>")?;
    for n in &g.nodes {
        writeln!(
            out,
            r#"      <node id="{}" label="{}"><attvalues><attvalue for="0" value="{}"/><attvalue for="1" value="{}"/><attvalue for="2" value="{}"/></attvalues></node>"#,
            xml_text(&n.id),
            xml_text(&n.label),
            n.messages,
            n.sent,
            n.received
        )?;
    }
    writeln!(out, "    </nodes>")?;
    writeln!(out, "    <edges>")?;
    for (i, e) in g.edges.iter().enumerate() {
        let date = |d: &Option<String>| d.clone().unwrap_or_default();
        writeln!(
            out,
            r#"      <edge id="e{i}" source="{}" target="{}" weight="{}"><attvalues><attvalue for="0" value="{}"/><attvalue for="1" value="{}"/><attvalue for="2" value="{}"/><attvalue for="3" value="{}"/></attvalues></edge>"#,
            xml_text(&e.source),
            xml_text(&e.target),
            e.weight(),
            e.source_to_target,
            e.target_to_source,
            date(&e.first),
            date(&e.last)
        )?;
    }
    writeln!(out, "    </edges>")?;
    writeln!(out, "  </graph>\n</gexf>")
}

fn write_graphml(g: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, for_, ty) in [
        ("label", "node", "string"),
        ("messages", "node", "long"),
        ("sent", "node", "long"),
        ("received", "node", "long"),
        ("weight", "edge", "long"),
        ("source_to_target", "edge", "long"),
        ("target_to_source", "edge", "long"),
        ("first", "edge", "string"),
        ("last", "edge", "string"),
    ] {
        writeln!(
            out,
            r#"  <key id="{id}" for="{for_}" attr.name="{id}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="trawl" edgedefault="undirected">"#)?;
    for n in &g.nodes {
        writeln!(
            out,
            r#"    <node id="{}"><data key="label">{}</data><data key="messages">{}</data><data key="sent">{}</data><data key="received">{}</data></node>"#,
            xml_text(&n.id),
            xml_text(&n.label),
            n.messages,
            n.sent,
            n.received
        )?;
    }
    for e in &g.edges {
        let dates: String = [("first", &e.first), ("last", &e.last)]
            .iter()
            .filter_map(|(k, d)| {
                d.as_ref()
                    .map(|d| format!(r#"<data key="{k}">{}</data>"#, xml_text(d)))
            })
            .collect();
        writeln!(
            out,
            r#"    <edge source="{}" target="{}"><data key="weight">{}</data><data key="source_to_target">{}</data><data key="target_to_source">{}</data>{dates}</edge>"#,
            xml_text(&e.source),
            xml_text(&e.target),
            e.weight(),
            e.source_to_target,
            e.target_to_source,
        )?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

fn write_dot(g: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "graph trawl {{")?;
    writeln!(out, "  node [shape=box];")?;
    for n in &g.nodes {
        writeln!(
            out,
            "  {} [label={}, messages={}];",
            dot_string(&n.id),
            dot_string(&format!("{}\n{} messages", n.label, n.messages)),
            n.messages
        )?;
    }
    for e in &g.edges {
        writeln!(
            out,
            "  {} -- {} [label={}, weight={}, penwidth={:.1}];",
            dot_string(&e.source),
            dot_string(&e.target),
            dot_string(&format!("{} / {}", e.source_to_target, e.target_to_source)),
            e.weight(),
            1.0 + (e.weight() as f64).ln()
        )?;
    }
    writeln!(out, "}}")
}

fn write_csv(g: &Graph, out: &mut dyn Write) -> std::io::Result<()> {
    let labels: BTreeMap<&str, &str> = g
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.label.as_str()))
        .collect();
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "Source",
        "Target",
        "Weight",
        "source_name",
        "target_name",
        "source_to_target",
        "target_to_source",
        "first",
        "last",
    ])?;
    for e in &g.edges {
        w.write_record([
            e.source.as_str(),
            e.target.as_str(),
            &e.weight().to_string(),
            labels.get(e.source.as_str()).copied().unwrap_or_default(),
            labels.get(e.target.as_str()).copied().unwrap_or_default(),
            &e.source_to_target.to_string(),
            &e.target_to_source.to_string(),
            e.first.as_deref().unwrap_or_default(),
            e.last.as_deref().unwrap_or_default(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Graph {
        Graph {
            nodes: vec![
                GraphNode {
                    id: "a@x".into(),
                    label: "A <\"&'> \u{1}\u{202e}".into(),
                    messages: 2,
                    sent: 1,
                    received: 1,
                },
                GraphNode {
                    id: "b\"\\@y".into(),
                    label: "B\nline".into(),
                    messages: 2,
                    sent: 1,
                    received: 1,
                },
            ],
            edges: vec![GraphEdge {
                source: "a@x".into(),
                target: "b\"\\@y".into(),
                source_to_target: 1,
                target_to_source: 1,
                first: Some("2016-09-20T17:30:00Z".into()),
                last: None,
            }],
        }
    }

    fn parse_xml(bytes: &[u8]) -> Vec<String> {
        let mut r = quick_xml::Reader::from_reader(bytes);
        let mut labels = Vec::new();
        let mut buf = Vec::new();
        loop {
            match r.read_event_into(&mut buf).expect("well-formed XML") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    for a in e.attributes() {
                        let a = a.expect("attribute");
                        if a.key.as_ref() == "label" {
                            let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0);
                            labels.push(v.expect("escaped").into_owned());
                        }
                    }
                }
                _ => {}
            }
            buf.clear();
        }
        labels
    }

    #[test]
    fn hostile_labels_stay_well_formed() {
        let g = hostile();
        let mut gexf = Vec::new();
        write(&g, GraphFormat::Gexf, &mut gexf).unwrap();
        let labels = parse_xml(&gexf);
        assert_eq!(labels[0], "A <\"&'> \u{FFFD}\u{202e}");
        assert_eq!(labels[1], "B\nline");
        let mut graphml = Vec::new();
        write(&g, GraphFormat::Graphml, &mut graphml).unwrap();
        parse_xml(&graphml);
        let mut dot = Vec::new();
        write(&g, GraphFormat::Dot, &mut dot).unwrap();
        let dot = String::from_utf8(dot).unwrap();
        assert!(dot.contains(r#""b\"\\@y""#), "{dot}");
        assert!(dot.contains(r#"label="B\nline\n2 messages""#), "{dot}");
        let mut csv = Vec::new();
        write(&g, GraphFormat::Csv, &mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("Source,Target,Weight,"), "{csv}");
        assert!(csv.contains("a@x,\"b\"\"\\@y\",2,"), "{csv}");
    }

    #[test]
    fn edges_fold_both_directions() {
        let nodes = Nodes {
            ids: vec!["b".into(), "a".into()],
            names: vec!["B".into(), "A".into()],
            node_of: Default::default(),
        };
        let mut counts = Counts {
            nodes: vec![Default::default(); 2],
            ..Counts::default()
        };
        counts.nodes[0].messages = 3;
        counts.nodes[1].messages = 3;
        counts.pairs.insert(
            (0, 1),
            super::super::count::EdgeCount {
                count: 2,
                first: Some(10),
                last: Some(20),
            },
        );
        counts.pairs.insert(
            (1, 0),
            super::super::count::EdgeCount {
                count: 1,
                first: Some(5),
                last: Some(5),
            },
        );
        let g = build(&nodes, &counts, 1);
        assert_eq!(g.edges.len(), 1);
        let e = &g.edges[0];
        assert_eq!((e.source.as_str(), e.target.as_str()), ("a", "b"));
        assert_eq!((e.source_to_target, e.target_to_source), (1, 2));
        assert_eq!(e.first.as_deref(), Some("1970-01-01T00:00:05Z"));
        assert_eq!(e.last.as_deref(), Some("1970-01-01T00:00:20Z"));
        assert_eq!(g.nodes[0].id, "a");
        assert!(build(&nodes, &counts, 4).nodes.is_empty());
    }
}
