//! Hits grouped by thread (`--threads`, issue #15): one entry per thread with a hit, as notmuch
//! counts `--output=threads`. An item outside any thread (a loose document) is a thread of one.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use crate::index::schema;
use crate::index::threads::Threads;

/// Participants listed per thread; the count says how many there were.
const PARTICIPANTS: usize = 6;

/// One thread with hits.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadHit {
    /// The thread's id, for `thread:ID` and `trawl thread ID`.
    pub thread: String,
    /// Hits in the thread.
    pub matched: usize,
    /// Messages in the thread (one per copy key of its items), hits or not.
    pub messages: usize,
    pub first: Option<chrono::DateTime<chrono::Utc>>,
    pub last: Option<chrono::DateTime<chrono::Utc>>,
    /// Senders and recipients of the hits, the first few ([`participants`]).
    pub participants: Vec<String>,
    pub participant_count: usize,
    /// The ids of the hits, oldest first.
    pub ids: Vec<String>,
    /// The subject of the oldest hit, filled in by the caller that prints it.
    pub subject: String,
    /// Where the hits are, oldest first.
    #[serde(skip)]
    pub addresses: Vec<DocAddress>,
}

/// The hits of `q` grouped by thread, threads in order of their first hit (undated last).
/// Participants are left empty: [`participants`] fills them for the threads printed.
pub fn group(
    searcher: &Searcher,
    q: &dyn Query,
    threads: &Threads,
) -> tantivy::Result<Vec<ThreadHit>> {
    let rows = searcher.search(q, &Rows)?;
    let mut groups: HashMap<u64, Vec<Row>> = HashMap::new();
    for row in rows {
        let thread = threads.entry(row.id).map_or(row.id, |e| e.thread);
        groups.entry(thread).or_default().push(row);
    }
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0);
    let mut out: Vec<ThreadHit> = groups
        .into_iter()
        .map(|(thread, mut hits)| {
            hits.sort_unstable_by_key(|r| (r.date.is_none(), r.date.unwrap_or(0), r.id));
            let dates: Vec<i64> = hits.iter().filter_map(|r| r.date).collect();
            ThreadHit {
                thread: format!("{thread:016x}"),
                matched: hits.len(),
                messages: threads.messages(thread).max(hits.len()),
                first: dates.iter().min().and_then(|&s| at(s)),
                last: dates.iter().max().and_then(|&s| at(s)),
                participant_count: 0,
                participants: Vec::new(),
                ids: hits.iter().map(|r| format!("{:016x}", r.id)).collect(),
                subject: String::new(),
                addresses: hits.iter().map(|r| r.address).collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.first.is_none(), a.first, &a.thread).cmp(&(b.first.is_none(), b.first, &b.thread))
    });
    Ok(out)
}

/// Fills in the senders and recipients of a thread's hits, from the address columns.
pub fn participants(searcher: &Searcher, t: &mut ThreadHit) -> tantivy::Result<()> {
    let mut people = BTreeSet::new();
    let mut buf = String::new();
    for a in &t.addresses {
        let ff = searcher.segment_reader(a.segment_ord).fast_fields();
        for col in [ff.str(schema::FROM_ADDR)?, ff.str(schema::RCPT_ADDR)?]
            .iter()
            .flatten()
        {
            for ord in col.term_ords(a.doc_id) {
                buf.clear();
                if col.ord_to_str(ord, &mut buf)? {
                    people.insert(buf.clone());
                }
            }
        }
    }
    t.participant_count = people.len();
    t.participants = people.into_iter().take(PARTICIPANTS).collect();
    Ok(())
}

struct Row {
    id: u64,
    date: Option<i64>,
    address: DocAddress,
}

struct Rows;

struct SegmentRows {
    segment: u32,
    id: Column<u64>,
    date: Column<tantivy::DateTime>,
    out: Vec<Row>,
}

impl Collector for Rows {
    type Fruit = Vec<Row>;
    type Child = SegmentRows;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentRows> {
        let ff = reader.fast_fields();
        Ok(SegmentRows {
            segment,
            id: ff.u64(schema::ID)?,
            date: ff.date(schema::DATE)?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Row>>) -> tantivy::Result<Vec<Row>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentRows {
    type Fruit = Vec<Row>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(id) = self.id.first(doc) else { return };
        self.out.push(Row {
            id,
            date: self.date.first(doc).map(|d| d.into_timestamp_secs()),
            address: DocAddress::new(self.segment, doc),
        });
    }

    fn harvest(self) -> Vec<Row> {
        self.out
    }
}
