//! `trawl search QUERY`: run a query, print hits as text or JSON Lines.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use super::Exit;
use crate::cli::{ColorChoice, SearchArgs, SortOrder};
use crate::doc::{format_id, Mailbox};
use crate::index::reader::{self, Opened};
use crate::index::schema::{self, Fields};
use crate::output::json::{self, Hit, Summary};
use crate::output::{self, text};
use crate::query::{self, Compiled};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;

pub fn run(index_dir: &Path, color: ColorChoice, args: SearchArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(index_dir)?;
    let text = args.query.join(" ");
    let compiled = query::compile(&text, &opened.fields)?;
    let sort = args.sort.unwrap_or(if compiled.free_text {
        SortOrder::Score
    } else {
        SortOrder::Date
    });
    let started = Instant::now();
    let result = search(&opened, &compiled, sort, args.limit)?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        for hit in &result.hits {
            json::write_line(&mut out, "hit", hit)?;
        }
        let summary = Summary {
            query: text,
            total_hits: result.total,
            shown: result.hits.len(),
            elapsed_ms,
        };
        json::write_line(&mut out, "summary", &summary)?;
    } else {
        let color = output::use_color(color);
        for hit in &result.hits {
            text::write_hit(&mut out, hit, color)?;
        }
        out.flush()?;
        if result.total > result.hits.len() {
            eprintln!(
                "{} of {} hits shown (use --limit to see more)",
                result.hits.len(),
                result.total
            );
        }
    }
    out.flush()?;
    Ok(if result.total > 0 {
        Exit::Success
    } else {
        Exit::NoMatch
    })
}

/// Hits of one search: the page asked for, and how many matched in all.
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Runs `compiled` and loads the first `limit` hits in `sort` order. Ties are broken by document
/// id, so the output does not depend on how indexing was spread over threads.
pub fn search(
    opened: &Opened,
    compiled: &Compiled,
    sort: SortOrder,
    limit: usize,
) -> anyhow::Result<SearchResult> {
    let searcher = opened.searcher();
    let q = compiled.query.as_ref();
    let total = searcher.search(q, &Count).context("counting hits")?;
    let limit = limit.max(1);
    let id_key = || {
        (
            SortByStaticFastValue::<u64>::for_field(schema::ID),
            Order::Asc,
        )
    };
    let page: Vec<(Option<f32>, DocAddress)> = match sort {
        SortOrder::Score => {
            let top = TopDocs::with_limit(limit)
                .order_by(((SortBySimilarityScore, Order::Desc), id_key()));
            searcher
                .search(q, &top)?
                .into_iter()
                .map(|((s, _), a)| (Some(s), a))
                .collect()
        }
        SortOrder::Date | SortOrder::DateDesc => {
            let order = if sort == SortOrder::Date {
                Order::Asc
            } else {
                Order::Desc
            };
            let date = (
                SortByStaticFastValue::<tantivy::DateTime>::for_field(schema::DATE),
                order,
            );
            let top = TopDocs::with_limit(limit).order_by((date, id_key()));
            searcher
                .search(q, &top)?
                .into_iter()
                .map(|(_, a)| (None, a))
                .collect()
        }
    };
    let mut snippets = SnippetGenerator::create(&searcher, q, opened.fields.body)?;
    snippets.set_max_num_chars(SNIPPET_CHARS);
    let mut hits = Vec::with_capacity(page.len());
    for (score, addr) in page {
        hits.push(load_hit(&searcher, &opened.fields, addr, score, &snippets)?);
    }
    Ok(SearchResult { total, hits })
}

fn load_hit(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
    score: Option<f32>,
    snippets: &SnippetGenerator,
) -> anyhow::Result<Hit> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let s = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let u = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let envelope: Envelope = s(f.envelope)
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default();
    let snippet = snippets.snippet_from_doc(&doc);
    let fragment = snippet.fragment().to_owned();
    let (snippet_text, highlights) = if fragment.is_empty() {
        (
            first_chars(&s(f.body).unwrap_or_default(), SNIPPET_CHARS),
            Vec::new(),
        )
    } else {
        (
            fragment,
            snippet
                .highlighted()
                .iter()
                .map(|r| [r.start, r.end])
                .collect(),
        )
    };
    let date = doc
        .get_first(f.date)
        .and_then(|v| v.as_datetime())
        .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    Ok(Hit {
        id: format_id(u(f.id)),
        kind: s(f.kind).unwrap_or_default(),
        date,
        tz_offset_minutes: doc.get_first(f.tz_offset).and_then(|v| v.as_i64()),
        date_quality: s(f.date_quality).unwrap_or_default(),
        date_raw: s(f.date_raw),
        from: envelope.from,
        to: envelope.to,
        cc: envelope.cc,
        bcc: envelope.bcc,
        subject: s(f.subject).unwrap_or_default(),
        message_id: s(f.message_id),
        path: s(f.path).unwrap_or_default(),
        offset: u(f.offset),
        length: u(f.length),
        sha256: s(f.sha256).unwrap_or_default(),
        attachments: doc
            .get_all(f.attachment)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        score,
        snippet: snippet_text,
        highlights,
    })
}

#[derive(Default, serde::Deserialize)]
struct Envelope {
    from: Option<Mailbox>,
    #[serde(default)]
    to: Vec<Mailbox>,
    #[serde(default)]
    cc: Vec<Mailbox>,
    #[serde(default)]
    bcc: Vec<Mailbox>,
}

/// The start of `body` as a one-line preview, cut at a character boundary.
fn first_chars(body: &str, n: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}
