//! Counting over all hits of a query, from fast fields, without loading documents: top values of
//! a string column (tantivy's terms aggregation) and calendar buckets of the date column (a small
//! collector, since calendar months and years are not fixed intervals).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Query;
use tantivy::{DocId, Score, Searcher, SegmentReader};

/// The `k` most frequent values of the string fast field `field` among docs matching `query`,
/// with their document counts, most frequent first, ties by value.
pub fn top_terms(
    searcher: &Searcher,
    query: &dyn Query,
    field: &str,
    k: usize,
) -> tantivy::Result<Vec<(String, u64)>> {
    let req = serde_json::json!({
        "top": { "terms": { "field": field, "size": k.max(1), "segment_size": (k.max(1) * 10).max(1000) } }
    });
    let aggs: Aggregations = serde_json::from_value(req)
        .map_err(|e| tantivy::TantivyError::InvalidArgument(e.to_string()))?;
    let collector = AggregationCollector::from_aggs(aggs, Default::default());
    let res = searcher.search(query, &collector)?;
    let v = serde_json::to_value(res)
        .map_err(|e| tantivy::TantivyError::InvalidArgument(e.to_string()))?;
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
    Day,
}

/// Counts of matching documents per calendar period (UTC), plus the earliest and latest date.
/// Documents without a usable date are counted in `undated`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateBuckets {
    pub buckets: BTreeMap<DateTime<Utc>, u64>,
    pub undated: u64,
    pub min: Option<DateTime<Utc>>,
    pub max: Option<DateTime<Utc>>,
}

/// Collects [`DateBuckets`] from the date column named `field`.
pub struct DateBucketCollector {
    pub field: String,
    pub unit: Unit,
}

pub struct DateBucketSegment {
    column: Column<tantivy::DateTime>,
    unit: Unit,
    fruit: DateBuckets,
}

fn bucket_start(d: DateTime<Utc>, unit: Unit) -> DateTime<Utc> {
    let (y, m, day) = match unit {
        Unit::Year => (d.year(), 1, 1),
        Unit::Month => (d.year(), d.month(), 1),
        Unit::Day => (d.year(), d.month(), d.day()),
    };
    Utc.with_ymd_and_hms(y, m, day, 0, 0, 0)
        .single()
        .unwrap_or(d)
}

impl Collector for DateBucketCollector {
    type Fruit = DateBuckets;
    type Child = DateBucketSegment;

    fn for_segment(
        &self,
        _ord: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<DateBucketSegment> {
        let column = segment.fast_fields().date(&self.field)?;
        Ok(DateBucketSegment {
            column,
            unit: self.unit,
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
        let Some(d) = self.column.first(doc) else {
            self.fruit.undated += 1;
            return;
        };
        let Some(d) = DateTime::from_timestamp(d.into_timestamp_secs(), 0) else {
            self.fruit.undated += 1;
            return;
        };
        *self
            .fruit
            .buckets
            .entry(bucket_start(d, self.unit))
            .or_insert(0) += 1;
        self.fruit.min = Some(self.fruit.min.map_or(d, |m| m.min(d)));
        self.fruit.max = Some(self.fruit.max.map_or(d, |m| m.max(d)));
    }

    fn harvest(self) -> DateBuckets {
        self.fruit
    }
}
