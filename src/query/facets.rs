//! Counting over all hits of a query, from fast fields, without loading documents:
//!
//! - [`top_terms`]: the most frequent values of a string column (tantivy's terms aggregation);
//! - [`DateBucketCollector`]: calendar buckets (year, month, ISO week, day) of the date column in
//!   a time zone (calendar periods are not fixed intervals, so this is a small collector);
//! - [`PairCollector`]: sender → recipient pairs with counts and first/last dates.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentReader};

use super::date::local_to_utc;
use crate::index::schema;

fn invalid(e: impl ToString) -> tantivy::TantivyError {
    tantivy::TantivyError::InvalidArgument(e.to_string())
}

/// The `k` most frequent values of the string fast field `field` among docs matching `query`,
/// with their document counts, most frequent first, ties by value.
pub fn top_terms(
    searcher: &Searcher,
    query: &dyn Query,
    field: &str,
    k: usize,
) -> tantivy::Result<Vec<(String, u64)>> {
    // Ask for more than k per segment so the merged top k are exact for all but pathological
    // distributions; ties at the cut are settled by value below.
    let size = k.max(1) + 1;
    let req = serde_json::json!({
        "top": { "terms": { "field": field, "size": size, "segment_size": (size * 10).max(1000) } }
    });
    let aggs: Aggregations = serde_json::from_value(req).map_err(invalid)?;
    let collector = AggregationCollector::from_aggs(aggs, Default::default());
    let res = searcher.search(query, &collector)?;
    let v = serde_json::to_value(res).map_err(invalid)?;
    let mut out: Vec<(String, u64)> = v["top"]["buckets"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter_map(|b| Some((b["key"].as_str()?.to_owned(), b["doc_count"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.truncate(k);
    Ok(out)
}

/// Calendar unit for date buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Year,
    Month,
    /// ISO weeks, starting on Monday.
    Week,
    Day,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Year => "year",
            Unit::Month => "month",
            Unit::Week => "week",
            Unit::Day => "day",
        }
    }

    /// The local date that starts the period containing local date `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        let first = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(d);
        match self {
            Unit::Year => first(d.year(), 1, 1),
            Unit::Month => first(d.year(), d.month(), 1),
            Unit::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Unit::Day => d,
        }
    }

    /// The start of the period after the one starting at `d`.
    pub fn next(self, d: NaiveDate) -> NaiveDate {
        match self {
            Unit::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1),
            Unit::Month => d.checked_add_months(chrono::Months::new(1)),
            Unit::Week => Some(d + Duration::days(7)),
            Unit::Day => d.succ_opt(),
        }
        .unwrap_or(d)
    }

    /// How a period start is written: `2016`, `2016-10`, `2016-W42`, `2016-10-21`.
    pub fn label(self, d: NaiveDate) -> String {
        match self {
            Unit::Year => d.format("%Y").to_string(),
            Unit::Month => d.format("%Y-%m").to_string(),
            Unit::Week => {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Unit::Day => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Counts of matching documents per calendar period (keyed by the local date that starts it),
/// the number of matching documents without a usable date, and the earliest and latest date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateBuckets {
    pub buckets: BTreeMap<NaiveDate, u64>,
    pub undated: u64,
    pub min: Option<DateTime<Utc>>,
    pub max: Option<DateTime<Utc>>,
}

impl DateBuckets {
    /// Every period from the first to the last non-empty one, empty periods included.
    pub fn with_gaps(&self, unit: Unit) -> Vec<(NaiveDate, u64)> {
        let (Some(first), Some(last)) =
            (self.buckets.keys().next(), self.buckets.keys().next_back())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut d = *first;
        while d <= *last {
            out.push((d, self.buckets.get(&d).copied().unwrap_or(0)));
            let n = unit.next(d);
            if n <= d {
                break;
            }
            d = n;
        }
        out
    }

    /// UTC instant at which the period starting on local date `d` begins.
    pub fn period_start_utc(d: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
        local_to_utc(tz, d.and_hms_opt(0, 0, 0)?)
    }
}

/// Collects [`DateBuckets`] of the date column, bucketed in `tz`.
pub struct DateBucketCollector {
    pub unit: Unit,
    pub tz: Tz,
}

pub struct DateBucketSegment {
    column: Column<tantivy::DateTime>,
    unit: Unit,
    tz: Tz,
    fruit: DateBuckets,
}

impl Collector for DateBucketCollector {
    type Fruit = DateBuckets;
    type Child = DateBucketSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<DateBucketSegment> {
        let column = segment.fast_fields().date(schema::DATE)?;
        Ok(DateBucketSegment {
            column,
            unit: self.unit,
            tz: self.tz,
            fruit: DateBuckets::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<DateBuckets>) -> tantivy::Result<DateBuckets> {
        let mut out = DateBuckets::default();
        for f in fruits {
            for (k, v) in f.buckets {
                *out.buckets.entry(k).or_insert(0) += v;
            }
            out.undated += f.undated;
            out.min = out.min.into_iter().chain(f.min).min();
            out.max = out.max.into_iter().chain(f.max).max();
        }
        Ok(out)
    }
}

impl SegmentCollector for DateBucketSegment {
    type Fruit = DateBuckets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(d) = self
            .column
            .first(doc)
            .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0))
        else {
            self.fruit.undated += 1;
            return;
        };
        let local = d.with_timezone(&self.tz).date_naive();
        *self
            .fruit
            .buckets
            .entry(self.unit.start_of(local))
            .or_insert(0) += 1;
        self.fruit.min = Some(self.fruit.min.map_or(d, |m| m.min(d)));
        self.fruit.max = Some(self.fruit.max.map_or(d, |m| m.max(d)));
    }

    fn harvest(self) -> DateBuckets {
        self.fruit
    }
}

/// One sender → recipient pair among the hits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pair {
    pub from: String,
    pub to: String,
    pub count: u64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// Counts sender → recipient pairs (every recipient of To, Cc and Bcc) from fast fields.
pub struct PairCollector;

#[derive(Default)]
struct PairStats {
    count: u64,
    first: Option<i64>,
    last: Option<i64>,
}

pub struct PairSegment {
    from: Option<StrColumn>,
    rcpt: Option<StrColumn>,
    date: Column<tantivy::DateTime>,
    stats: HashMap<(u64, u64), PairStats>,
}

impl Collector for PairCollector {
    type Fruit = HashMap<(String, String), (u64, Option<i64>, Option<i64>)>;
    type Child = PairSegment;

    fn for_segment(&self, _ord: u32, segment: &SegmentReader) -> tantivy::Result<PairSegment> {
        let ff = segment.fast_fields();
        Ok(PairSegment {
            from: ff.str(schema::FROM_ADDR)?,
            rcpt: ff.str(schema::RCPT_ADDR)?,
            date: ff.date(schema::DATE)?,
            stats: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out: Self::Fruit = HashMap::new();
        for f in fruits {
            for (k, (n, first, last)) in f {
                let e = out.entry(k).or_insert((0, None, None));
                e.0 += n;
                e.1 = e.1.into_iter().chain(first).min();
                e.2 = e.2.into_iter().chain(last).max();
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for PairSegment {
    type Fruit = HashMap<(String, String), (u64, Option<i64>, Option<i64>)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let (Some(from), Some(rcpt)) = (&self.from, &self.rcpt) else {
            return;
        };
        let date = self.date.first(doc).map(|d| d.into_timestamp_secs());
        for f in from.term_ords(doc) {
            for r in rcpt.term_ords(doc) {
                let s = self.stats.entry((f, r)).or_default();
                s.count += 1;
                s.first = s.first.into_iter().chain(date).min();
                s.last = s.last.into_iter().chain(date).max();
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = HashMap::with_capacity(self.stats.len());
        let (Some(from), Some(rcpt)) = (&self.from, &self.rcpt) else {
            return out;
        };
        let (mut a, mut b) = (String::new(), String::new());
        for ((f, r), s) in self.stats {
            a.clear();
            b.clear();
            if from.ord_to_str(f, &mut a).unwrap_or(false)
                && rcpt.ord_to_str(r, &mut b).unwrap_or(false)
            {
                out.insert((a.clone(), b.clone()), (s.count, s.first, s.last));
            }
        }
        out
    }
}

/// The `k` most frequent pairs among docs matching `query`, most frequent first, ties by
/// sender then recipient.
pub fn top_pairs(searcher: &Searcher, query: &dyn Query, k: usize) -> tantivy::Result<Vec<Pair>> {
    let all = searcher.search(query, &PairCollector)?;
    let ts = |s: Option<i64>| s.and_then(|s| DateTime::from_timestamp(s, 0));
    let mut pairs: Vec<Pair> = all
        .into_iter()
        .map(|((from, to), (count, first, last))| Pair {
            from,
            to,
            count,
            first: ts(first),
            last: ts(last),
        })
        .collect();
    pairs.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.from.cmp(&b.from))
            .then_with(|| a.to.cmp(&b.to))
    });
    pairs.truncate(k);
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_gaps() {
        let d = NaiveDate::from_ymd_opt(2016, 10, 21).unwrap();
        assert_eq!(
            Unit::Week.start_of(d),
            NaiveDate::from_ymd_opt(2016, 10, 17).unwrap()
        );
        assert_eq!(Unit::Week.label(Unit::Week.start_of(d)), "2016-W42");
        assert_eq!(Unit::Month.label(Unit::Month.start_of(d)), "2016-10");
        let mut b = DateBuckets::default();
        b.buckets
            .insert(NaiveDate::from_ymd_opt(2016, 9, 1).unwrap(), 3);
        b.buckets
            .insert(NaiveDate::from_ymd_opt(2016, 12, 1).unwrap(), 1);
        let g = b.with_gaps(Unit::Month);
        assert_eq!(g.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [3, 0, 0, 1]);
    }
}
