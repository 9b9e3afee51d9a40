//! `trawl export`: the index's documents as NDJSON, one tantivy document per line with every
//! schema field (the unstored address fields rebuilt from the stored envelope), to move a case
//! into another engine or to feed `tantivy-cli index` in the benchmark comparison. `--schema`
//! prints the tantivy schema instead. The u64 id fields keep the schema's type, and each comes
//! with a hex string twin (`id_hex`, `parent_hex`, `root_hex`) that is the id search prints.

use std::io::{BufWriter, Write};

use anyhow::Context as _;
use tantivy::collector::DocSetCollector;
use tantivy::schema::document::Document as _;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::{Exit, Globals};
use crate::cli::ExportArgs;
use crate::doc::Envelope;
use crate::index::reader::{self, Opened};
use crate::index::writer::add_envelope;
use crate::query::{self, Context};

pub fn run(g: &Globals, args: ExportArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.schema {
        serde_json::to_writer_pretty(&mut out, &opened.index.schema())?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Exit::Success);
    }
    let text = if args.query.is_empty() {
        "*".to_string()
    } else {
        args.query.join(" ")
    };
    let n = export(&opened, &text, g.tz()?, g.file_dates, &mut out)?;
    out.flush()?;
    Ok(if n > 0 { Exit::Success } else { Exit::NoMatch })
}

/// Every document matching `query` (with `file_dates` counting file dates as dates), in index
/// order: what `export` writes and `verify` checks.
pub fn matching(
    opened: &Opened,
    searcher: &tantivy::Searcher,
    query: &str,
    tz: chrono_tz::Tz,
    file_dates: bool,
) -> anyhow::Result<Vec<tantivy::DocAddress>> {
    let threads = opened.threads_if(query::needs_threads(query))?;
    let compiled = query::compile(
        query,
        Context {
            fields: &opened.fields,
            tz,
            file_dates,
            threads: threads.as_ref(),
        },
    )?;
    let mut addrs: Vec<_> = searcher
        .search(compiled.query.as_ref(), &DocSetCollector)?
        .into_iter()
        .collect();
    addrs.sort();
    Ok(addrs)
}

/// Writes every document matching `query` as one JSON line, in index order. Returns how many.
pub fn export(
    opened: &Opened,
    query: &str,
    tz: chrono_tz::Tz,
    file_dates: bool,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let searcher = opened.searcher();
    let addrs = matching(opened, &searcher, query, tz, file_dates)?;
    let schema = opened.index.schema();
    let f = &opened.fields;
    for addr in &addrs {
        let stored: TantivyDocument = searcher.doc(*addr).context("reading a stored document")?;
        let mut doc = TantivyDocument::default();
        let mut envelope = Envelope::default();
        for (field, value) in stored.field_values() {
            if field == f.envelope {
                if let Some(e) = value.as_str() {
                    envelope = serde_json::from_str(e).unwrap_or_default();
                }
            } else {
                doc.add_field_value(field, value);
            }
        }
        add_envelope(
            &mut doc,
            f,
            envelope.from.as_ref(),
            &envelope.to,
            &envelope.cc,
            &envelope.bcc,
        );
        let json = doc.to_json(&schema);
        out.write_all(json.trim_end().trim_end_matches('}').as_bytes())?;
        // The ids as search, show and thread print them: 16 hex digits, a string, since JSON
        // readers (JavaScript, spreadsheets) round integers above 2^53. tantivy skips fields
        // its schema does not have, so the line still feeds `tantivy-cli index`.
        for (name, field) in [
            ("id_hex", f.id),
            ("parent_hex", f.parent),
            ("root_hex", f.root),
        ] {
            if let Some(v) = stored.get_first(field).and_then(|v| v.as_u64()) {
                write!(out, ",\"{name}\":\"{}\"", crate::doc::format_id(v))?;
            }
        }
        out.write_all(b"}\n")?;
    }
    Ok(addrs.len())
}
