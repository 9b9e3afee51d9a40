//! Hits grouped by thread (`--threads`, issue #15): one entry per thread with a hit, as notmuch
//! counts `--output=threads`. An item outside any thread (a loose document) is a thread of one.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentReader};

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
    /// Senders and recipients of the hits, the first few.
    pub participants: Vec<String>,
    pub participant_count: usize,
    /// The ids of the hits, oldest first.
    pub ids: Vec<String>,
    /// The subject of the oldest hit, filled in by the caller that prints it.
    pub subject: String,
}

/// The hits of `q` grouped by thread, threads in order of their first hit (undated last).
pub fn group(
    searcher: &Searcher,
    q: &dyn Query,
    threads: &Threads,
) -> tantivy::Result<Vec<ThreadHit>> {
    let rows = searcher.search(q, &Rows)?;
    struct Acc {
        hits: Vec<(Option<i64>, u64)>,
        people: BTreeSet<String>,
        messages: usize,
    }
    let mut groups: HashMap<u64, Acc> = HashMap::new();
    for row in rows {
        let thread = threads.entry(row.id).map_or(row.id, |e| e.thread);
        let acc = groups.entry(thread).or_insert_with(|| Acc {
            hits: Vec::new(),
            people: BTreeSet::new(),
            messages: threads.messages(thread).max(1),
        });
        acc.hits.push((row.date, row.id));
        acc.people.extend(row.people);
    }
    let at = |s: i64| chrono::DateTime::from_timestamp(s, 0);
    let mut out: Vec<ThreadHit> = groups
        .into_iter()
        .map(|(thread, mut acc)| {
            acc.hits
                .sort_unstable_by_key(|(d, id)| (d.is_none(), d.unwrap_or(0), *id));
            let dates: Vec<i64> = acc.hits.iter().filter_map(|(d, _)| *d).collect();
            ThreadHit {
                thread: format!("{thread:016x}"),
                matched: acc.hits.len(),
                messages: acc.messages.max(acc.hits.len()),
                first: dates.iter().min().and_then(|&s| at(s)),
                last: dates.iter().max().and_then(|&s| at(s)),
                participant_count: acc.people.len(),
                participants: acc.people.into_iter().take(PARTICIPANTS).collect(),
                ids: acc
                    .hits
                    .iter()
                    .map(|(_, id)| format!("{id:016x}"))
                    .collect(),
                subject: String::new(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.first.is_none(), a.first, &a.thread).cmp(&(b.first.is_none(), b.first, &b.thread))
    });
    Ok(out)
}

struct Row {
    id: u64,
    date: Option<i64>,
    people: Vec<String>,
}

struct Rows;

struct SegmentRows {
    id: Column<u64>,
    date: Column<tantivy::DateTime>,
    from: Option<StrColumn>,
    rcpt: Option<StrColumn>,
    out: Vec<Row>,
}

impl Collector for Rows {
    type Fruit = Vec<Row>;
    type Child = SegmentRows;

    fn for_segment(&self, _segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentRows> {
        let ff = reader.fast_fields();
        Ok(SegmentRows {
            id: ff.u64(schema::ID)?,
            date: ff.date(schema::DATE)?,
            from: ff.str(schema::FROM_ADDR)?,
            rcpt: ff.str(schema::RCPT_ADDR)?,
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
        let mut people = Vec::new();
        let mut buf = String::new();
        for col in [&self.from, &self.rcpt].into_iter().flatten() {
            for ord in col.term_ords(doc) {
                buf.clear();
                if col.ord_to_str(ord, &mut buf).unwrap_or(false) {
                    people.push(buf.clone());
                }
            }
        }
        self.out.push(Row {
            id,
            date: self.date.first(doc).map(|d| d.into_timestamp_secs()),
            people,
        });
    }

    fn harvest(self) -> Vec<Row> {
        self.out
    }
}
