//! `trawl batch TERMS_FILE [--by DIMENSION] [--csv|--json]`: every query of a terms file
//! counted as messages, families and copies, and with `--by` broken down into a matrix of
//! queries × values. The counting is [`crate::query::batch`]'s; this file reads the file and
//! the flags and lays the answers out.
//!
//! Exit status: 2 when the file cannot be read, holds no query, or no query could run; 1 when
//! every query ran and none found anything; 0 otherwise. A query that does not parse is
//! reported on stderr (`trawl: FILE:LINE: ...`) and in the output, and the others still run.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use serde::Serialize;

use super::{Exit, Globals};
use crate::cli::BatchArgs;
use crate::index::reader::{self, Opened};
use crate::output::csv::defuse;
use crate::output::json;
use crate::output::sanitize::for_terminal;
use crate::query::batch::{self, BatchQuery, Dimension, Outcome, Settings};
use crate::query::Context as QueryContext;

/// How the answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Text,
    Csv,
    Json,
}

pub fn run(g: &Globals, args: BatchArgs) -> anyhow::Result<Exit> {
    let by = match args.by.as_deref() {
        None => None,
        Some(name) => Some(parse_dimension(name)?),
    };
    let layout = if args.csv {
        Layout::Csv
    } else if args.json {
        Layout::Json
    } else {
        Layout::Text
    };
    let opened = reader::open(&g.index)?;
    let text = std::fs::read(&args.terms)
        .with_context(|| format!("reading the terms file {}", args.terms.display()))?;
    let queries = batch::read_terms(&String::from_utf8_lossy(&text));
    if queries.is_empty() {
        bail!(
            "{}: no queries (one a line; blank lines and # comments are skipped)",
            args.terms.display()
        );
    }
    let tz = g.tz()?;
    let threads = opened.threads_if(
        queries
            .iter()
            .any(|q| crate::query::needs_threads(&q.query)),
    )?;
    let lazy = crate::people::Lazy::new(&opened, g.aliases.as_deref());
    let resolve = |v: &str| lazy.addresses(v);
    let people = match by {
        Some(Dimension::Person) => Some(lazy.get()?),
        _ => None,
    };
    let person_of = |a: &str| people.and_then(|p| p.person_id(a)).unwrap_or(a).to_owned();
    let settings = Settings {
        ctx: QueryContext {
            fields: &opened.fields,
            tz,
            file_dates: g.file_dates,
            threads: threads.as_ref(),
        },
        by,
        people: Some(&resolve),
        person_of: Some(&person_of),
    };
    execute(&opened, &args.terms, &queries, settings, layout)
}

/// The dimension called `name`, or an error listing the known ones.
pub fn parse_dimension(name: &str) -> anyhow::Result<Dimension> {
    Dimension::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Dimension::ALL.iter().map(|(n, _)| *n).collect();
        anyhow::anyhow!(
            "--by {}: unknown dimension (known: {})",
            for_terminal(name),
            known.join(", ")
        )
    })
}

/// Runs `queries` and prints their answers to stdout, their errors to stderr.
pub fn execute(
    opened: &Opened,
    file: &Path,
    queries: &[BatchQuery],
    settings: Settings<'_>,
    layout: Layout,
) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let searcher = opened.searcher();
    let outcomes = batch::run(&searcher, queries, settings);
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprintln!(
                "trawl: {}:{}: {}",
                for_terminal(&file.display().to_string()),
                o.query.line,
                for_terminal(e)
            );
        }
    }
    let columns = settings
        .by
        .map(|d| batch::columns(&outcomes, d))
        .unwrap_or_default();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match layout {
        Layout::Text => write_text(&mut out, &outcomes, &columns)?,
        Layout::Csv => write_csv(&mut out, &outcomes, &columns)?,
        Layout::Json => {
            write_json(&mut out, &outcomes, &columns, settings.by.is_some())?;
            let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
            let summary = Summary {
                queries: outcomes.len(),
                failed,
                by: settings.by.map(Dimension::name),
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            };
            json::write_line(&mut out, "summary", &summary)?;
        }
    }
    out.flush()?;
    if outcomes.iter().all(|o| o.result.is_err()) {
        bail!("no query of {} could run", file.display());
    }
    let found = outcomes
        .iter()
        .any(|o| matches!(&o.result, Ok(a) if a.counts.copies > 0));
    Ok(if found { Exit::Success } else { Exit::NoMatch })
}

/// The counts of one outcome as table cells, empty for a failed query.
fn count_cells(o: &Outcome, columns: &[String]) -> Vec<String> {
    match &o.result {
        Ok(a) => {
            let c = a.counts;
            let mut cells = vec![
                c.messages.to_string(),
                c.families.to_string(),
                c.copies.to_string(),
            ];
            let by: HashMap<&str, u64> = a.by.iter().map(|(v, n)| (v.as_str(), *n)).collect();
            cells.extend(
                columns
                    .iter()
                    .map(|col| by.get(col.as_str()).copied().unwrap_or(0).to_string()),
            );
            cells
        }
        Err(_) => vec![String::new(); 3 + columns.len()],
    }
}

const COUNT_HEADERS: [&str; 3] = ["messages", "families", "copies"];

/// A table: a label column, then the counts, right-aligned; a failed query shows its error.
fn write_text(out: &mut dyn Write, outcomes: &[Outcome], columns: &[String]) -> anyhow::Result<()> {
    let mut header: Vec<String> = vec!["query".into()];
    header.extend(COUNT_HEADERS.iter().map(|h| h.to_string()));
    header.extend(columns.iter().map(|c| for_terminal(c)));
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            let mut row = vec![for_terminal(&o.query.label)];
            row.extend(count_cells(o, columns));
            row
        })
        .collect();
    let width = |s: &str| console::measure_text_width(s);
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| width(&r[i]))
                .chain([width(&header[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let pad = " ".repeat(widths[i].saturating_sub(width(cell)));
            if i == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push_str("  ");
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.trim_end().to_owned()
    };
    writeln!(out, "{}", line(&header))?;
    for (o, row) in outcomes.iter().zip(&rows) {
        match &o.result {
            Ok(_) => writeln!(out, "{}", line(row))?,
            Err(e) => writeln!(
                out,
                "{}  (line {}: {})",
                line(&row[..1]),
                o.query.line,
                for_terminal(e)
            )?,
        }
    }
    Ok(())
}

/// One row per query, every query: line, label, query, error, the counts, then one column per
/// value. Cells a spreadsheet would take for formulas are defused.
fn write_csv(out: &mut dyn Write, outcomes: &[Outcome], columns: &[String]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = ["line", "label", "query", "error"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(COUNT_HEADERS.iter().map(|h| h.to_string()));
    header.extend(columns.iter().map(|c| defuse(c)));
    w.write_record(&header).map_err(csv_error)?;
    for o in outcomes {
        let mut row = vec![
            o.query.line.to_string(),
            defuse(&o.query.label),
            defuse(&o.query.query),
            o.result
                .as_ref()
                .err()
                .map(|e| defuse(e))
                .unwrap_or_default(),
        ];
        row.extend(count_cells(o, columns));
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// A CSV error as the I/O error it wraps when it is one, so that a closed pipe
/// (`trawl batch --csv ... | head`) is seen as one and ends quietly.
fn csv_error(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("writing CSV: {other:?}"),
    }
}

/// A query's line of `--json`.
#[derive(Debug, Serialize)]
struct QueryOut<'a> {
    line: usize,
    label: &'a str,
    query: &'a str,
    messages: u64,
    families: u64,
    copies: u64,
    /// With `--by`: the values the query has, in the columns' order.
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<Vec<ValueOut<'a>>>,
}

#[derive(Debug, Serialize)]
struct ValueOut<'a> {
    value: &'a str,
    count: u64,
}

#[derive(Debug, Serialize)]
struct ErrorOut<'a> {
    line: usize,
    label: &'a str,
    query: &'a str,
    error: &'a str,
}

#[derive(Debug, Serialize)]
struct Summary {
    queries: usize,
    failed: usize,
    by: Option<&'static str>,
    elapsed_ms: f64,
}

/// `with_by`: a dimension was asked for, so every query line has `by`, empty or not.
fn write_json(
    out: &mut dyn Write,
    outcomes: &[Outcome],
    columns: &[String],
    with_by: bool,
) -> anyhow::Result<()> {
    for o in outcomes {
        let q = &o.query;
        match &o.result {
            Ok(a) => {
                let by = with_by.then(|| {
                    let counts: HashMap<&str, u64> =
                        a.by.iter().map(|(v, n)| (v.as_str(), *n)).collect();
                    columns
                        .iter()
                        .filter_map(|col| {
                            counts.get(col.as_str()).map(|n| ValueOut {
                                value: col,
                                count: *n,
                            })
                        })
                        .collect()
                });
                let line = QueryOut {
                    line: q.line,
                    label: &q.label,
                    query: &q.query,
                    messages: a.counts.messages,
                    families: a.counts.families,
                    copies: a.counts.copies,
                    by,
                };
                json::write_line(out, "query", &line)?;
            }
            Err(e) => {
                let line = ErrorOut {
                    line: q.line,
                    label: &q.label,
                    query: &q.query,
                    error: e,
                };
                json::write_line(out, "error", &line)?;
            }
        }
    }
    Ok(())
}
