//! `trawl thread ID`: a thread as a tree, oldest first, each reply with the time since the
//! message it answers and the recipients it added; a chat conversation in date order.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use serde::Serialize;
use tantivy::TantivyDocument;

use super::search::{address_of, hit_from_doc};
use super::{Exit, Globals};
use crate::cli::ThreadArgs;
use crate::index::reader;
use crate::index::threads::{BY_SUBJECT, CHAT, COPY};
use crate::output::json::{self, Hit};
use crate::output::sanitize::for_terminal;
use crate::output::text::{format_date, format_gap, put, recipients, short_mailbox, subject};

/// A message of the thread as `--json` prints it.
#[derive(Debug, Serialize)]
struct Node {
    #[serde(flatten)]
    hit: Hit,
    thread: String,
    /// Replies above this one (0: a root).
    depth: usize,
    /// The message this one answers, when it is in the dump.
    in_reply_to_id: Option<String>,
    /// Seconds since the message answered (a chat message: since the one before it).
    gap_seconds: Option<i64>,
    /// Recipients not among the sender and recipients of the message answered.
    added: Vec<String>,
    /// Put in the thread by its subject alone: weaker evidence than a header.
    by_subject: bool,
}

pub fn run(g: &Globals, args: ThreadArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let tz = g.tz()?;
    let threads = opened.threads()?;
    let searcher = opened.searcher();
    // A thread id, a document id, or a Message-ID.
    // A Message-ID can name several documents (copies, and the same message forwarded inside
    // another): the one threaded as a message of its own.
    let named = match u64::from_str_radix(args.id.trim(), 16) {
        Ok(id) if args.id.trim().len() == 16 => Some(id),
        _ => {
            let ids: Vec<u64> = super::show::find(&opened, &args.id)?
                .iter()
                .filter_map(|s| u64::from_str_radix(&s.hit.id, 16).ok())
                .collect();
            ids.iter()
                .copied()
                .find(|id| threads.entry(*id).is_some())
                .or(ids.first().copied())
        }
    };
    let Some(named) = named else {
        eprintln!(
            "trawl: no thread, document or Message-ID `{}`",
            for_terminal(&args.id)
        );
        return Ok(Exit::NoMatch);
    };
    let (thread, members) = match threads.resolve(named) {
        Some(t) => (t, threads.members(t).to_vec()),
        None => (named, vec![named]),
    };
    let mut hits: HashMap<u64, Hit> = HashMap::new();
    let mut order: Vec<u64> = Vec::new();
    for id in members {
        if threads.entry(id).is_some_and(|e| e.flags & COPY != 0) {
            continue;
        }
        let Some(addr) = address_of(&searcher, &opened.fields, id)? else {
            continue;
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        hits.insert(id, hit_from_doc(&doc, &opened.fields));
        order.push(id);
    }
    if order.is_empty() {
        eprintln!(
            "trawl: no thread, document or Message-ID `{}`",
            for_terminal(&args.id)
        );
        return Ok(Exit::NoMatch);
    }
    let ts = |h: &Hit| {
        h.date
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.timestamp())
    };
    // Children oldest first; roots are items whose parent is not in the thread.
    order.sort_by_key(|id| (ts(&hits[id]).unwrap_or(i64::MAX), *id));
    let present: HashSet<u64> = order.iter().copied().collect();
    let parent_of = |id: u64| {
        threads
            .entry(id)
            .and_then(|e| e.parent)
            .filter(|p| present.contains(p))
    };
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut roots = Vec::new();
    for &id in &order {
        match parent_of(id) {
            Some(p) => children.entry(p).or_default().push(id),
            None => roots.push(id),
        }
    }
    let chat = threads.entry(order[0]).is_some_and(|e| e.flags & CHAT != 0);
    let mut walk: Vec<(u64, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    let mut nodes = Vec::new();
    let mut previous: Option<i64> = None;
    while let Some((id, depth)) = walk.pop() {
        let hit = &hits[&id];
        let parent = parent_of(id);
        let gap = match (parent.and_then(|p| ts(&hits[&p])), ts(hit)) {
            (Some(p), Some(t)) => Some(t - p),
            (None, Some(t)) if chat => previous.map(|p| t - p),
            _ => None,
        };
        if chat {
            previous = ts(hit).or(previous);
        }
        let added = parent
            .map(|p| {
                let before = &hits[&p];
                let known: HashSet<&str> = before
                    .from
                    .iter()
                    .chain(&before.to)
                    .chain(&before.cc)
                    .chain(&before.bcc)
                    .map(|m| m.address.as_str())
                    .collect();
                hit.to
                    .iter()
                    .chain(&hit.cc)
                    .filter(|m| !m.address.is_empty() && !known.contains(m.address.as_str()))
                    .map(|m| m.address.clone())
                    .collect()
            })
            .unwrap_or_default();
        nodes.push(Node {
            hit: hit.clone(),
            thread: format!("{thread:016x}"),
            depth,
            in_reply_to_id: parent.map(|p| format!("{p:016x}")),
            gap_seconds: gap,
            added,
            by_subject: threads.entry(id).is_some_and(|e| e.flags & BY_SUBJECT != 0),
        });
        for &c in children.get(&id).into_iter().flatten().rev() {
            walk.push((c, depth + 1));
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        for n in &nodes {
            json::write_line(&mut out, "message", n)?;
        }
    } else {
        let style = g.style();
        let width = style.width;
        writeln!(
            out,
            "thread {thread:016x}: {} message{}",
            nodes.len(),
            if nodes.len() == 1 { "" } else { "s" }
        )?;
        for n in &nodes {
            let indent = "  ".repeat(n.depth.min(12));
            let gap = n.gap_seconds.map(format_gap).unwrap_or_default();
            let from = n.hit.from.as_ref().map(short_mailbox).unwrap_or_default();
            let to = recipients(&n.hit);
            // On a terminal the parties give way to the subject.
            let (from, to) = match width {
                Some(w) => {
                    let c = (w.saturating_sub(indent.len() + 26) / 5).max(8);
                    (
                        crate::output::fit::end(&from, c),
                        crate::output::fit::end(&to, c),
                    )
                }
                None => (from, to),
            };
            let line = format!(
                "{indent}{}  {gap:>6}  {} → {}  {}{}",
                format_date(&n.hit, tz),
                from,
                to,
                subject(&n.hit),
                if n.by_subject { "  (by subject)" } else { "" }
            );
            put(&mut out, &line, style)?;
            let mut line = format!("{indent}    {}", n.hit.id);
            if !n.added.is_empty() {
                let added: Vec<String> = n.added.iter().map(|a| for_terminal(a)).collect();
                line.push_str(&format!("  added {}", added.join(", ")));
            }
            put(&mut out, &line, style)?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}
