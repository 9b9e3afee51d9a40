//! What a search counts (issue #15): messages, not their parts, and a message once however many
//! copies of it a dump holds.
//!
//! A query matches documents: messages, chat messages and loose documents, but also every
//! attachment and forwarded part (which carry their message's sender, recipients and date), and
//! every copy of a message saved in several mailboxes. [`scope`] turns the matches into the
//! items an investigator counts:
//!
//! - **families**: a part that matches stands for the top-level item it was found in (its
//!   `root`), which is a hit even when it did not match itself; the parts it matched through
//!   are kept in [`Scoped::matched_in`]. With `items`, parts are hits of their own.
//! - **copies**: of the items that share a copy key ([`crate::doc::Doc::copy_key`]), the first
//!   by place (path relative to the dump's parent, offset, part, hashed) is the hit, so the
//!   same one wherever the dump is mounted; [`Scoped::copies`] says how many there were and
//!   [`Scoped::other_copies`] where the others are. With `copies`, every copy is a hit.
//!
//! The result is a query like any other ([`Scoped::query`]): a filter of the chosen documents
//! (a bit set per segment) required, the original query optional, so ranking, snippets,
//! facets, histograms, pairs and counts all run unchanged over it and count the same items.
//! Working it out reads three fast columns of every match (id, root, copy key) once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, BooleanQuery, ConstScorer, EnableScoring, Explanation, Occur, Query, Scorer,
    TermSetQuery, Weight,
};
use tantivy::{BitSet, DocAddress, DocId, Score, Searcher, SegmentReader, TantivyError, Term};

use crate::index::schema::{self, Fields};

/// Which documents count as hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// Parts (attachments, forwarded messages) are hits of their own, not their message.
    pub items: bool,
    /// Every copy of a message is a hit.
    pub copies: bool,
}

impl Scope {
    /// Every matching document, as the index holds them.
    pub const DOCUMENTS: Scope = Scope {
        items: true,
        copies: true,
    };
}

/// A query narrowed to the hits of a [`Scope`].
pub struct Scoped {
    pub query: Box<dyn Query>,
    /// Top-level items that are hits only through some of their parts: the parts' ids.
    pub matched_in: HashMap<u64, Vec<u64>>,
    /// Items that stand for several copies: how many copies matched, the item included.
    pub copies: HashMap<u64, u32>,
    /// Items that stand for several copies: where the other copies that matched are, by id.
    pub other_copies: HashMap<u64, Vec<DocAddress>>,
}

/// One matching document: where it is, its id, its family's root and its copy key.
#[derive(Debug, Clone, Copy)]
struct Match {
    segment: u32,
    doc: DocId,
    id: u64,
    /// Where the document lies ([`schema::ORDER`]): of a message's copies, the first by place
    /// is its hit, wherever the dump is mounted.
    order: u64,
    root: Option<u64>,
    copy: Option<u64>,
}

/// Narrows `query` to the hits of `scope` (see the module comment).
pub fn scope(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    scope: Scope,
) -> tantivy::Result<Scoped> {
    let mut scoped = Scoped {
        query: query.box_clone(),
        matched_in: HashMap::new(),
        copies: HashMap::new(),
        other_copies: HashMap::new(),
    };
    if scope == Scope::DOCUMENTS {
        return Ok(scoped);
    }
    let matches = searcher.search(query, &Matches)?;
    let mut items: Vec<Match> = Vec::with_capacity(matches.len());
    if scope.items {
        items = matches;
    } else {
        let mut through_parts: HashMap<u64, Vec<u64>> = HashMap::new();
        for m in matches {
            match m.root {
                Some(root) => through_parts.entry(root).or_default().push(m.id),
                None => items.push(m),
            }
        }
        let matched: HashSet<u64> = items.iter().map(|m| m.id).collect();
        through_parts.retain(|root, _| !matched.contains(root));
        if !through_parts.is_empty() {
            let terms = through_parts
                .keys()
                .map(|&id| Term::from_field_u64(fields.id, id));
            items.extend(searcher.search(&TermSetQuery::new(terms), &Matches)?);
        }
        scoped.matched_in = through_parts;
    }
    if !scope.copies {
        // Items by copy key, then place, then id: each run of one key is a message's copies,
        // the first of them its hit. A sort, not a map of groups: no allocation per message.
        let mut keyed: Vec<(u64, (u64, u64), usize)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((m.copy?, (m.order, m.id), i)))
            .collect();
        keyed.sort_unstable();
        let mut keep = vec![true; items.len()];
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            let [(_, (_, first), _), others @ ..] = group else {
                continue;
            };
            if others.is_empty() {
                continue;
            }
            scoped.copies.insert(*first, group.len() as u32);
            let others = others
                .iter()
                .map(|&(_, _, i)| {
                    keep[i] = false;
                    DocAddress::new(items[i].segment, items[i].doc)
                })
                .collect();
            scoped.other_copies.insert(*first, others);
        }
        items = items
            .into_iter()
            .zip(keep)
            .filter_map(|(m, k)| k.then_some(m))
            .collect();
    }
    let mut sets: HashMap<SegmentId, BitSet> = HashMap::new();
    for m in &items {
        let reader = searcher.segment_reader(m.segment);
        sets.entry(reader.segment_id())
            .or_insert_with(|| BitSet::with_max_value(reader.max_doc()))
            .insert(m.doc);
    }
    scoped.query = Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(Chosen {
                sets: Arc::new(sets),
            }) as Box<dyn Query>,
        ),
        (Occur::Should, query.box_clone()),
    ]));
    Ok(scoped)
}

/// A top-level item (or, when parts count on their own, a part) that a query finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub address: DocAddress,
    pub id: u64,
    pub copy: Option<u64>,
}

impl Item {
    /// What makes two items one message: their copy key, or for an item without one (a chat
    /// message, a loose document) its id. Copy keys and ids are apart by the tag.
    pub fn message(&self) -> (bool, u64) {
        match self.copy {
            Some(key) => (true, key),
            None => (false, self.id),
        }
    }
}

/// The families a query finds, every copy included: the items that match by themselves, and
/// those that are hits only through some of their parts.
#[derive(Debug, Clone, Default)]
pub struct Families {
    pub direct: Vec<Item>,
    pub through_parts: Vec<Item>,
}

impl Families {
    /// Every item, copies included.
    pub fn all(&self) -> impl Iterator<Item = &Item> {
        self.direct.iter().chain(&self.through_parts)
    }
}

/// The families `query` finds (see [`Families`]); with `items`, parts are items of their own
/// and none is found through parts. One pass over the matches' fast columns, and one over the
/// parents of parts that matched when their parents did not.
pub fn families(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    items: bool,
) -> tantivy::Result<Families> {
    let item = |m: &Match| Item {
        address: DocAddress::new(m.segment, m.doc),
        id: m.id,
        copy: m.copy,
    };
    let matches = searcher.search(query, &Matches)?;
    if items {
        return Ok(Families {
            direct: matches.iter().map(item).collect(),
            through_parts: Vec::new(),
        });
    }
    let mut out = Families::default();
    let mut roots: HashSet<u64> = HashSet::new();
    for m in &matches {
        match m.root {
            Some(root) => {
                roots.insert(root);
            }
            None => out.direct.push(item(m)),
        }
    }
    for m in &out.direct {
        roots.remove(&m.id);
    }
    if !roots.is_empty() {
        let terms = roots.iter().map(|&id| Term::from_field_u64(fields.id, id));
        out.through_parts = searcher
            .search(&TermSetQuery::new(terms), &Matches)?
            .iter()
            .map(item)
            .collect();
    }
    Ok(out)
}

/// Collects every match with its id, root and copy key.
struct Matches;

struct SegmentMatches {
    segment: u32,
    id: Column<u64>,
    order: Column<u64>,
    root: Column<u64>,
    copy: Column<u64>,
    out: Vec<Match>,
}

impl Collector for Matches {
    type Fruit = Vec<Match>;
    type Child = SegmentMatches;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentMatches> {
        let ff = reader.fast_fields();
        Ok(SegmentMatches {
            segment,
            id: ff.u64(schema::ID)?,
            order: ff.u64(schema::ORDER)?,
            root: ff.u64(schema::ROOT)?,
            copy: ff.u64(schema::COPY)?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Match>>) -> tantivy::Result<Vec<Match>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<Match>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        // Every document has an id; one without (an index damaged from outside) is no hit.
        let Some(id) = self.id.first(doc) else { return };
        self.out.push(Match {
            segment: self.segment,
            doc,
            id,
            order: self.order.first(doc).unwrap_or(id),
            root: self.root.first(doc),
            copy: self.copy.first(doc),
        });
    }

    fn harvest(self) -> Vec<Match> {
        self.out
    }
}

/// The documents [`scope`] chose, as a query: a bit set per segment, matched with score 0.
#[derive(Clone)]
struct Chosen {
    sets: Arc<HashMap<SegmentId, BitSet>>,
}

impl std::fmt::Debug for Chosen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n: usize = self.sets.values().map(BitSet::len).sum();
        write!(f, "Chosen({n} documents)")
    }
}

impl Query for Chosen {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for Chosen {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self
            .sets
            .get(&reader.segment_id())
            .cloned()
            .unwrap_or_else(|| BitSet::with_max_value(reader.max_doc()));
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(set), 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        match self.sets.get(&reader.segment_id()) {
            Some(set) if set.contains(doc) => Ok(Explanation::new("chosen", 0.0)),
            _ => Err(TantivyError::InvalidArgument(format!(
                "document {doc} is not a hit of this scope"
            ))),
        }
    }
}
