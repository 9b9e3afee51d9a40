//! `trawl people [QUERY]`: the persons taking part in the hits (every message by default), each
//! with its addresses and accounts, the names written with them, the links that joined them,
//! and message counts (top-level items, one copy each, unless `--items`/`--copies`).
//!
//! The grouping is [`crate::people`]'s; this file resolves flags and prints. Text fits 80
//! columns; `--json` prints one `{"type":"person"}` line per person, then a summary:
//!
//! ```text
//! {"type":"person","id":"dana.reyes@…","name":"Dana Reyes","messages":24,"sent":8,
//!  "received":18,"first":"2016-09-20T17:30:00Z","last":"…","identities":[{"id","kind",
//!  "names":[["Dana Reyes",12]],"seen":12}],"links":[{"a","b","rule","confidence","evidence"}]}
//! {"type":"summary","query":"*","persons":40,"shown":40,"hits":104,"elapsed_ms":3.1}
//! ```

use std::io::{BufWriter, Write};
use std::time::Instant;

use serde::Serialize;

use super::{search, Exit, Globals};
use crate::cli::PeopleArgs;
use crate::index::reader::{self, Opened};
use crate::output::json;
use crate::output::sanitize::for_terminal;
use crate::people::{self, Identity, Link, PersonCount};
use crate::query::{self, Compiled, Context as QueryContext};

/// Persons printed as text when no limit is given.
const TEXT_LIMIT: usize = 50;
/// Text lines are cut to this many characters.
const WIDTH: usize = 80;

/// A person as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct PersonOut<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub messages: u64,
    pub sent: u64,
    pub received: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub identities: &'a [Identity],
    pub links: &'a [Link],
}

#[derive(Debug, Serialize)]
struct SummaryOut<'a> {
    query: &'a str,
    persons: usize,
    shown: usize,
    hits: u64,
    elapsed_ms: f64,
}

/// The query of `people` and `graph`: the words given, or every message.
pub fn compile(
    opened: &Opened,
    g: &Globals,
    words: &[String],
    lazy: &people::Lazy<'_>,
) -> anyhow::Result<Compiled> {
    let text = if words.is_empty() {
        "*".to_owned()
    } else {
        words.join(" ")
    };
    let threads = opened.threads_if(query::needs_threads(&text))?;
    Ok(query::compile_with_people(
        &text,
        QueryContext {
            fields: &opened.fields,
            tz: g.tz()?,
            file_dates: g.file_dates,
            threads: threads.as_ref(),
        },
        &|v| lazy.addresses(v),
    )?)
}

pub fn run(g: &Globals, args: PeopleArgs) -> anyhow::Result<Exit> {
    let started = Instant::now();
    let opened = reader::open(&g.index)?;
    let lazy = people::Lazy::new(&opened, g.aliases.as_deref());
    let compiled = compile(&opened, g, &args.query, &lazy)?;
    let scope = search::scope_of(&args.scope, &compiled);
    let people = lazy.get()?;
    let searcher = opened.searcher();
    let (rows, hits) = people::count_persons(
        &searcher,
        &opened.fields,
        people,
        compiled.query.as_ref(),
        scope,
        g.file_dates,
    )?;
    let limit = match (args.all, args.limit, args.json) {
        (true, _, _) => None,
        (_, Some(n), _) => Some(n),
        (_, None, true) => None,
        (_, None, false) => Some(TEXT_LIMIT),
    };
    let shown = limit.unwrap_or(rows.len()).min(rows.len());
    let tz = g.tz()?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        for r in &rows[..shown] {
            json::write_line(&mut out, "person", &person_out(r))?;
        }
        json::write_line(
            &mut out,
            "summary",
            &SummaryOut {
                query: &compiled.text,
                persons: rows.len(),
                shown,
                hits,
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
            },
        )?;
    } else {
        for r in &rows[..shown] {
            write_person(&mut out, r, tz)?;
        }
    }
    out.flush()?;
    if !args.json && shown < rows.len() {
        eprintln!(
            "{shown} of {} persons shown (--limit N or --all for more)",
            rows.len()
        );
    }
    Ok(if rows.is_empty() {
        Exit::NoMatch
    } else {
        Exit::Success
    })
}

fn rfc3339(t: Option<i64>) -> Option<String> {
    t.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn person_out<'a>(r: &PersonCount<'a>) -> PersonOut<'a> {
    PersonOut {
        id: &r.person.id,
        name: &r.person.name,
        messages: r.count.messages,
        sent: r.count.sent,
        received: r.count.received,
        first: rfc3339(r.count.first),
        last: rfc3339(r.count.last),
        identities: &r.person.identities,
        links: &r.person.links,
    }
}

/// `s` made safe for a terminal and cut to [`WIDTH`] characters.
fn line(s: &str) -> String {
    let s = for_terminal(s);
    if s.chars().count() > WIDTH {
        let cut: String = s.chars().take(WIDTH - 1).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// A person as text: a heading with the counts and dates, one line per identity with the
/// names written with it, one line per link with its rule, confidence and evidence.
pub fn write_person<W: Write + ?Sized>(
    out: &mut W,
    r: &PersonCount<'_>,
    tz: chrono_tz::Tz,
) -> std::io::Result<()> {
    let p = r.person;
    let c = &r.count;
    let day = |t: Option<i64>| {
        t.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map_or("-".to_owned(), |d| {
                d.with_timezone(&tz).format("%Y-%m-%d").to_string()
            })
    };
    let plural = if c.messages == 1 { "" } else { "s" };
    writeln!(
        out,
        "{}",
        line(&format!(
            "{}  {} message{plural} ({} sent, {} received) {} .. {}",
            p.name,
            c.messages,
            c.sent,
            c.received,
            day(c.first),
            day(c.last)
        ))
    )?;
    let width = p
        .identities
        .iter()
        .map(|i| i.id.chars().count())
        .max()
        .unwrap_or(0)
        .min(36);
    for i in &p.identities {
        let names: Vec<&str> = i.names.iter().take(3).map(|(n, _)| n.as_str()).collect();
        let id = i.id.as_str();
        let pad = width.saturating_sub(id.chars().count());
        writeln!(
            out,
            "{}",
            line(&format!(
                "    {id}{}  {}",
                " ".repeat(pad),
                names.join("; ")
            ))
        )?;
    }
    for l in &p.links {
        writeln!(
            out,
            "{}",
            line(&format!(
                "    + {} {:.2}: {} ({} = {})",
                l.rule.as_str(),
                l.confidence,
                l.evidence,
                l.a,
                l.b
            ))
        )?;
    }
    Ok(())
}
