//! `trawl stats`: what is in the index: documents by kind; messages (top-level items, each
//! copy counted once, as searches count them) by year, their date span, date quality, top
//! senders and recipients; and skipped files by reason. Documents dated only by
//! their file's modification time are counted apart and stay out of the years and the span
//! unless `--file-dates` asks for them: a copy of the dump would otherwise end its span today.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use tantivy::query::AllQuery;

use super::{Exit, Globals};
use crate::cli::StatsArgs;
use crate::index::meta;
use crate::index::reader::{self, Opened};
use crate::index::schema;
use crate::output::sanitize::for_terminal;
use crate::query::facets::{top_terms, DateBucketCollector, Unit};
use crate::query::family::{self, Scope};

/// Everything `trawl stats` reports. Also the `--json` output (a single object).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Every document: messages, their parts and every copy.
    pub documents: u64,
    /// Top-level items (messages, chat messages, loose documents), copies once: what the rest
    /// of these figures count.
    pub items: u64,
    /// Copies beyond the first of messages held more than once.
    pub extra_copies: u64,
    pub by_kind: Vec<(String, u64)>,
    pub by_year: BTreeMap<String, u64>,
    /// Documents with no date at all, not even a file date.
    pub undated: u64,
    /// Documents whose only date is their file's modification time.
    pub file_dated: u64,
    /// Whether `by_year` and the span count those by their file date (`--file-dates`).
    pub file_dates_counted: bool,
    pub date_quality: Vec<(String, u64)>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub top_senders: Vec<(String, u64)>,
    pub top_recipients: Vec<(String, u64)>,
    pub skipped_files: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
}

pub fn run(g: &Globals, args: StatsArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let stats = compute(&opened, args.top, g.file_dates)?;
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

/// `file_dates`: count documents that have only a file date by it in the years and the span.
pub fn compute(opened: &Opened, top: usize, file_dates: bool) -> anyhow::Result<Stats> {
    let searcher = opened.searcher();
    let scoped = family::scope(&searcher, &opened.fields, &AllQuery, Scope::default())?;
    let all = scoped.query.as_ref();
    let years = searcher.search(
        all,
        &DateBucketCollector {
            unit: Unit::Year,
            tz: chrono_tz::Tz::UTC,
            file_dates,
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
        items: all.count(&searcher)? as u64,
        extra_copies: scoped.copies.values().map(|&n| u64::from(n) - 1).sum(),
        by_kind: top_terms(&searcher, &AllQuery, schema::KIND, 20)?,
        by_year: years
            .buckets
            .iter()
            .map(|(k, v)| (Unit::Year.label(*k), *v))
            .collect(),
        undated: years.undated,
        file_dated: years.file_dated,
        file_dates_counted: file_dates,
        date_quality: top_terms(&searcher, all, schema::DATE_QUALITY, 10)?,
        first_date: years.min.map(fmt),
        last_date: years.max.map(fmt),
        top_senders: top_terms(&searcher, all, schema::FROM_ADDR, top)?,
        top_recipients: top_terms(&searcher, all, schema::RCPT_ADDR, top)?,
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
        "items: {} (messages and loose documents; their parts and {} further copies left out)",
        s.items, s.extra_copies
    )?;
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
    if s.file_dated > 0 {
        let note = if s.file_dates_counted {
            "only a file date; counted above by it, --file-dates"
        } else {
            "only a file date; not counted above, see --file-dates"
        };
        writeln!(out, "  {:<12} {:>8}  ({note})", "file-dated", s.file_dated)?;
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
