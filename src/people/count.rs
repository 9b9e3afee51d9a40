//! Counting hits per node (a person, or an address) and per directed pair of nodes, from the
//! sender and recipient columns, once per message: a message from Dana to two of Kelly's
//! addresses counts once for Kelly and once for the pair Dana → Kelly. A message a person sends
//! to themselves (another of their addresses) counts for them, but makes no pair.
//!
//! Per segment, each address ordinal of the two dictionaries is mapped to its node once, in one
//! pass over each dictionary; documents then cost a few array reads.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentReader};

use crate::index::schema;

/// Messages of one node: in all, as sender, as recipient; first and last dates (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeCount {
    pub messages: u64,
    pub sent: u64,
    pub received: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

fn widen(first: &mut Option<i64>, last: &mut Option<i64>, date: Option<i64>) {
    if let Some(d) = date {
        *first = Some(first.map_or(d, |f| f.min(d)));
        *last = Some(last.map_or(d, |l| l.max(d)));
    }
}

/// Messages from one node to another, with first and last dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeCount {
    pub count: u64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// Counts per node and per directed pair (sender node, recipient node).
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// By node index.
    pub nodes: Vec<NodeCount>,
    pub pairs: FxHashMap<(u32, u32), EdgeCount>,
    /// Hits counted (with or without a known node).
    pub hits: u64,
}

impl Counts {
    fn merge(&mut self, other: Counts) {
        if self.nodes.len() < other.nodes.len() {
            self.nodes.resize(other.nodes.len(), NodeCount::default());
        }
        for (a, b) in self.nodes.iter_mut().zip(other.nodes) {
            a.messages += b.messages;
            a.sent += b.sent;
            a.received += b.received;
            widen(&mut a.first, &mut a.last, b.first);
            widen(&mut a.first, &mut a.last, b.last);
        }
        for (k, e) in other.pairs {
            let a = self.pairs.entry(k).or_default();
            a.count += e.count;
            widen(&mut a.first, &mut a.last, e.first);
            widen(&mut a.first, &mut a.last, e.last);
        }
        self.hits += other.hits;
    }
}

/// Counts hits by node; `node_of` maps an address (as the columns hold it) to its node.
pub struct NodeCollector<'a> {
    pub node_of: &'a HashMap<String, u32>,
    pub nodes: usize,
    /// Documents with only a file date count by it for first and last (`--file-dates`).
    pub file_dates: bool,
    /// Count pairs too (pairs cost a hash update per sender and recipient).
    pub pairs: bool,
}

pub struct NodeSegment {
    from: Option<StrColumn>,
    rcpt: Option<StrColumn>,
    from_node: Vec<u32>,
    rcpt_node: Vec<u32>,
    date: Column<tantivy::DateTime>,
    file_date: Option<Column<tantivy::DateTime>>,
    pairs: bool,
    senders: Vec<u32>,
    recipients: Vec<u32>,
    out: Counts,
}

const NONE: u32 = u32::MAX;

fn ord_to_node(
    col: &Option<StrColumn>,
    node_of: &HashMap<String, u32>,
) -> std::io::Result<Vec<u32>> {
    let Some(col) = col else {
        return Ok(Vec::new());
    };
    let dict = col.dictionary();
    let mut map = vec![NONE; dict.num_terms()];
    let mut s = dict.stream()?;
    while s.advance() {
        let node = std::str::from_utf8(s.key())
            .ok()
            .and_then(|k| node_of.get(k))
            .copied()
            .unwrap_or(NONE);
        if let Some(slot) = map.get_mut(s.term_ord() as usize) {
            *slot = node;
        }
    }
    Ok(map)
}

impl Collector for NodeCollector<'_> {
    type Fruit = Counts;
    type Child = NodeSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<NodeSegment> {
        let ff = segment.fast_fields();
        let from = ff.str(schema::FROM_ADDR)?;
        let rcpt = ff.str(schema::RCPT_ADDR)?;
        Ok(NodeSegment {
            from_node: ord_to_node(&from, self.node_of)?,
            rcpt_node: ord_to_node(&rcpt, self.node_of)?,
            from,
            rcpt,
            date: ff.date(schema::DATE)?,
            file_date: if self.file_dates {
                Some(ff.date(schema::FILE_DATE)?)
            } else {
                None
            },
            pairs: self.pairs,
            senders: Vec::new(),
            recipients: Vec::new(),
            out: Counts {
                nodes: vec![NodeCount::default(); self.nodes],
                ..Counts::default()
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts {
            nodes: vec![NodeCount::default(); self.nodes],
            ..Counts::default()
        };
        for f in fruits {
            all.merge(f);
        }
        Ok(all)
    }
}

impl SegmentCollector for NodeSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.out.hits += 1;
        let lookup = |map: &[u32], ord: u64| map.get(ord as usize).copied().unwrap_or(NONE);
        self.senders.clear();
        self.recipients.clear();
        if let Some(from) = &self.from {
            self.senders.extend(
                from.term_ords(doc)
                    .map(|o| lookup(&self.from_node, o))
                    .filter(|&n| n != NONE),
            );
        }
        if let Some(rcpt) = &self.rcpt {
            self.recipients.extend(
                rcpt.term_ords(doc)
                    .map(|o| lookup(&self.rcpt_node, o))
                    .filter(|&n| n != NONE),
            );
        }
        if self.senders.is_empty() && self.recipients.is_empty() {
            return;
        }
        self.senders.sort_unstable();
        self.senders.dedup();
        self.recipients.sort_unstable();
        self.recipients.dedup();
        let date = self
            .date
            .first(doc)
            .or_else(|| self.file_date.as_ref().and_then(|c| c.first(doc)))
            .map(|d| d.into_timestamp_secs());
        let nodes = &mut self.out.nodes;
        for &s in &self.senders {
            if let Some(n) = nodes.get_mut(s as usize) {
                n.sent += 1;
            }
        }
        for &r in &self.recipients {
            if let Some(n) = nodes.get_mut(r as usize) {
                n.received += 1;
            }
        }
        let mut last = NONE;
        let mut all: Vec<u32> = self
            .senders
            .iter()
            .chain(&self.recipients)
            .copied()
            .collect();
        all.sort_unstable();
        for n in all {
            if n == last {
                continue;
            }
            last = n;
            if let Some(c) = nodes.get_mut(n as usize) {
                c.messages += 1;
                widen(&mut c.first, &mut c.last, date);
            }
        }
        if self.pairs {
            for &s in &self.senders {
                for &r in &self.recipients {
                    if s == r {
                        continue;
                    }
                    let e = self.out.pairs.entry((s, r)).or_default();
                    e.count += 1;
                    widen(&mut e.first, &mut e.last, date);
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        self.out
    }
}

/// How nodes are chosen: one per person, or one per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum By {
    #[default]
    Person,
    Address,
}

/// The nodes of a count: what each is called and which addresses it stands for.
#[derive(Debug, Clone, Default)]
pub struct Nodes {
    /// Node id: the person's id, or the address.
    pub ids: Vec<String>,
    /// Best display name (the id when none is known).
    pub names: Vec<String>,
    pub node_of: HashMap<String, u32>,
}

impl Nodes {
    /// One node per person of `people`, or per address or account they hold.
    pub fn new(people: &super::People, by: By) -> Nodes {
        let mut n = Nodes::default();
        for p in &people.persons {
            match by {
                By::Person => {
                    let i = n.ids.len() as u32;
                    n.ids.push(p.id.clone());
                    n.names.push(p.name.clone());
                    for id in &p.identities {
                        n.node_of.insert(id.id.clone(), i);
                    }
                }
                By::Address => {
                    for id in p
                        .identities
                        .iter()
                        .filter(|i| i.kind != super::IdKind::Name)
                    {
                        let i = n.ids.len() as u32;
                        n.ids.push(id.id.clone());
                        let name = id
                            .names
                            .first()
                            .and_then(|(raw, _)| super::names::name_key(raw))
                            .map_or_else(|| p.name.clone(), |k| k.display);
                        n.names.push(name);
                        n.node_of.insert(id.id.clone(), i);
                    }
                }
            }
        }
        n
    }

    /// Counts the hits of `query` by these nodes.
    pub fn count(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        pairs: bool,
        file_dates: bool,
    ) -> tantivy::Result<Counts> {
        searcher.search(
            query,
            &NodeCollector {
                node_of: &self.node_of,
                nodes: self.ids.len(),
                file_dates,
                pairs,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::{self as s, Fields};
    use crate::people::{Aliases, IdObs, Observations, People};
    use tantivy::query::AllQuery;
    use tantivy::{doc, Index};

    /// Ann writes to both of Bob's addresses in one message, and to herself and Bob in another.
    #[test]
    fn a_message_counts_once_per_person_and_pair() {
        let index = Index::create_in_ram(s::build());
        crate::index::tokenizers::register(&index);
        let f = Fields::resolve(&index.schema()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let at = |secs| tantivy::DateTime::from_timestamp_secs(secs);
        w.add_document(
            doc!(f.from_addr => "ann@a.example", f.rcpt_addr => "bob@b.example",
            f.rcpt_addr => "bob.ray@c.example", f.date => at(100)),
        )
        .unwrap();
        w.add_document(
            doc!(f.from_addr => "ann@a.example", f.rcpt_addr => "ann@a.example",
            f.rcpt_addr => "bob@b.example", f.date => at(50)),
        )
        .unwrap();
        w.add_document(doc!(f.from_addr => "carl@d.example"))
            .unwrap();
        w.commit().unwrap();
        let mut obs = Observations::default();
        for (id, name) in [
            ("ann@a.example", "Ann Lee"),
            ("bob@b.example", "Bob Ray"),
            ("bob.ray@c.example", "Ray, Bob"),
        ] {
            let mut o = IdObs::default();
            o.names.insert(name.into(), 1);
            o.seen = 1;
            obs.ids.insert(id.into(), o);
        }
        let people = People::new(&obs, &Aliases::default());
        let nodes = Nodes::new(&people, By::Person);
        let searcher = index.reader().unwrap().searcher();
        let c = nodes.count(&searcher, &AllQuery, true, false).unwrap();
        let node = |id: &str| nodes.node_of[id] as usize;
        let (ann, bob) = (node("ann@a.example"), node("bob.ray@c.example"));
        assert_eq!(node("bob@b.example"), bob);
        assert_eq!(c.hits, 3);
        let a = c.nodes[ann];
        assert_eq!((a.messages, a.sent, a.received), (2, 2, 1));
        assert_eq!((a.first, a.last), (Some(50), Some(100)));
        let b = c.nodes[bob];
        assert_eq!((b.messages, b.sent, b.received), (2, 0, 2));
        assert_eq!(c.pairs.len(), 1, "no pair of Ann with herself");
        let e = c.pairs[&(ann as u32, bob as u32)];
        assert_eq!((e.count, e.first, e.last), (2, Some(50), Some(100)));
        // By address, the first message reaches two nodes.
        let nodes = Nodes::new(&people, By::Address);
        let c = nodes.count(&searcher, &AllQuery, true, false).unwrap();
        assert_eq!(c.pairs.len(), 2);
    }
}
