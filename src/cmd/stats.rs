//! `trawl stats`: what is in the index: documents by kind and by year, the date span, date
//! quality, top senders and recipients, and skipped files by reason.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use tantivy::query::AllQuery;

use super::Exit;
use crate::cli::StatsArgs;
use crate::index::meta;
use crate::index::reader::{self, Opened};
use crate::index::schema;
use crate::output::sanitize::for_terminal;
use crate::query::facets::{top_terms, DateBucketCollector, Unit};

/// Everything `trawl stats` reports. Also the `--json` output (a single object).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub documents: u64,
    pub by_kind: Vec<(String, u64)>,
    pub by_year: BTreeMap<String, u64>,
    pub undated: u64,
    pub date_quality: Vec<(String, u64)>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub top_senders: Vec<(String, u64)>,
    pub top_recipients: Vec<(String, u64)>,
    pub skipped_files: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
}

pub fn run(index_dir: &Path, args: StatsArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(index_dir)?;
    let stats = compute(&opened, args.top)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &stats)?;
    }
    out.flush()?;
    Ok(Exit::Success)
}

pub fn compute(opened: &Opened, top: usize) -> anyhow::Result<Stats> {
    let searcher = opened.searcher();
    let all = AllQuery;
    let years = searcher.search(
        &all,
        &DateBucketCollector {
            unit: Unit::Year,
            tz: chrono_tz::Tz::UTC,
        },
    )?;
    let skipped = meta::read_skipped(&opened.dir)?;
    let mut by_reason = BTreeMap::new();
    for s in &skipped {
        *by_reason.entry(s.reason.clone()).or_insert(0) += 1;
    }
    let fmt =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Ok(Stats {
        documents: searcher.num_docs(),
        by_kind: top_terms(&searcher, &all, schema::KIND, 20)?,
        by_year: years
            .buckets
            .iter()
            .map(|(k, v)| (Unit::Year.label(*k), *v))
            .collect(),
        undated: years.undated,
        date_quality: top_terms(&searcher, &all, schema::DATE_QUALITY, 10)?,
        first_date: years.min.map(fmt),
        last_date: years.max.map(fmt),
        top_senders: top_terms(&searcher, &all, schema::FROM_ADDR, top)?,
        top_recipients: top_terms(&searcher, &all, schema::RCPT_ADDR, top)?,
        skipped_files: skipped.len() as u64,
        skipped_by_reason: by_reason,
    })
}

fn write_text<W: Write>(out: &mut W, s: &Stats) -> std::io::Result<()> {
    writeln!(out, "documents: {}", s.documents)?;
    for (k, v) in &s.by_kind {
        writeln!(out, "  {k:<12} {v:>8}")?;
    }
    writeln!(
        out,
        "date span: {} .. {}",
        s.first_date.as_deref().unwrap_or("-"),
        s.last_date.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "by year:")?;
    for (y, n) in &s.by_year {
        writeln!(out, "  {y:<12} {n:>8}")?;
    }
    if s.undated > 0 {
        writeln!(out, "  {:<12} {:>8}", "undated", s.undated)?;
    }
    writeln!(out, "date quality:")?;
    for (k, v) in &s.date_quality {
        writeln!(out, "  {k:<12} {v:>8}")?;
    }
    for (title, list) in [
        ("top senders:", &s.top_senders),
        ("top recipients:", &s.top_recipients),
    ] {
        writeln!(out, "{title}")?;
        for (k, v) in list {
            writeln!(out, "  {:>8}  {}", v, for_terminal(k))?;
        }
    }
    writeln!(out, "skipped files: {}", s.skipped_files)?;
    for (k, v) in &s.skipped_by_reason {
        writeln!(out, "  {k:<20} {v:>8}")?;
    }
    Ok(())
}
