//! `trawl search QUERY`: run a query, print hits (text, JSON Lines, CSV, paths or a count), then
//! the facets, histogram and sender → recipient pairs asked for, computed over all hits.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, IsTerminal, Write};
use std::time::Instant;

use anyhow::{bail, Context};
use chrono_tz::Tz;
use tantivy::collector::sort_key::{
    NaturalComparator, SortBySimilarityScore, SortByStaticFastValue,
};
use tantivy::collector::{Count, SegmentSortKeyComputer, SortKeyComputer, TopDocs};
use tantivy::columnar::Column;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Order, Score, Searcher, SegmentReader, TantivyDocument};

use super::{Exit, Globals};
use crate::cli::{Format, GapFrom, HistogramUnit, OutputArgs, SearchArgs, SortOrder};
use crate::doc::{format_id, Envelope};
use crate::index::reader::{self, Opened};
use crate::index::schema::{self, Fields};
use crate::index::threads::Threads;
use crate::output::json::{self, FacetOut, HistogramOut, Hit, PartRef, Summary};
use crate::output::{self, csv as csv_out, text};
use crate::people;
use crate::query::batch;
use crate::query::facets::{self, Unit};
use crate::query::family::{self, Scope, Scoped};
use crate::query::{self, Compiled, Context as QueryContext};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 160;
/// Default number of hits for JSON and CSV.
const MACHINE_LIMIT: usize = 100;
/// Default number of hits for text when the screen size is unknown.
const TEXT_LIMIT: usize = 20;

/// A facet request: `from:5` → (Facet::Field("from_addr"), 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetSpec {
    pub name: String,
    pub kind: FacetKind,
    pub k: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    Field(&'static str),
    /// Sender or recipient, counted by [`facets::top_participants`].
    Participant,
    /// Sender or recipient person, counted by [`crate::people::count`].
    Person,
    /// Whose files the hits sit in: a message counted once is counted once for each custodian
    /// holding a copy of it (see [`custodian_facet`]).
    Custodian,
    Date(Unit),
}

const FACETS: [(&str, FacetKind); 11] = [
    ("from", FacetKind::Field(schema::FROM_ADDR)),
    ("to", FacetKind::Field(schema::RCPT_ADDR)),
    ("participant", FacetKind::Participant),
    ("person", FacetKind::Person),
    ("domain", FacetKind::Field(schema::DOMAIN)),
    ("kind", FacetKind::Field(schema::KIND)),
    ("custodian", FacetKind::Custodian),
    ("year", FacetKind::Date(Unit::Year)),
    ("month", FacetKind::Date(Unit::Month)),
    ("week", FacetKind::Date(Unit::Week)),
    ("day", FacetKind::Date(Unit::Day)),
];

/// Reads `NAME[:K]`.
pub fn parse_facet(spec: &str) -> anyhow::Result<FacetSpec> {
    let (name, k) = match spec.split_once(':') {
        Some((n, k)) => (
            n,
            k.parse::<usize>()
                .with_context(|| format!("--facet {spec}: `{k}` is not a count"))?,
        ),
        None => (spec, 10),
    };
    let name = name.to_ascii_lowercase();
    let Some((_, kind)) = FACETS.iter().find(|(n, _)| *n == name) else {
        let known: Vec<&str> = FACETS.iter().map(|(n, _)| *n).collect();
        bail!("unknown facet `{name}` (known: {})", known.join(", "));
    };
    Ok(FacetSpec {
        name,
        kind: *kind,
        k: k.max(1),
    })
}

/// Everything a search needs, resolved from the command line.
pub struct Plan {
    pub compiled: Compiled,
    pub sort: SortOrder,
    /// `None`: every hit.
    pub limit: Option<usize>,
    pub mode: Mode,
    pub facets: Vec<FacetSpec>,
    pub histogram: Option<Unit>,
    pub pairs: Option<usize>,
    pub timeline: bool,
    pub tz: Tz,
    /// `--file-dates`: file modification times count as dates in order, facets, histograms,
    /// pairs and timeline gaps.
    pub file_dates: bool,
    /// Colour and the width text lines are fitted to.
    pub style: text::Style,
    /// What counts as a hit: messages or every document, one copy or all.
    pub scope: Scope,
    /// Group hits by thread (`--threads`), with the index's threads.
    pub threads: Option<Threads>,
    /// Timelines: what a gap counts from, and the threads that make e-mail conversations.
    pub gap: GapFrom,
    pub gap_threads: Option<Threads>,
    /// `--context N`: the N messages before and after each hit in its thread or chat.
    pub context: Option<(usize, Threads)>,
    /// `--pairs --by-person`: pairs of persons, not of addresses.
    pub by_person: bool,
    /// `--aliases FILE`, for persons ([`crate::people::aliases_path`]).
    pub aliases: Option<std::path::PathBuf>,
}

/// The [`Scope`] the command line asks for: parts are hits of their own with `--items` or a
/// query for `kind:attachment`.
pub fn scope_of(args: &crate::cli::ScopeArgs, compiled: &Compiled) -> Scope {
    Scope {
        items: args.items || compiled.names_parts,
        copies: args.copies,
    }
}

/// What is printed for each hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Hits(Format),
    Count,
    Paths,
}

pub fn run(g: &Globals, args: SearchArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let tz = g.tz()?;
    let text = args.query.join(" ");
    let gap_by_thread = args.timeline && args.gap == GapFrom::Conversation;
    let context = args.context.filter(|&n| n > 0);
    let threads = opened.threads_if(
        args.threads || gap_by_thread || context.is_some() || query::needs_threads(&text),
    )?;
    let lazy = people::Lazy::new(&opened, g.aliases.as_deref());
    let compiled = query::compile_with_people(
        &text,
        QueryContext {
            fields: &opened.fields,
            tz,
            file_dates: g.file_dates,
            threads: threads.as_ref(),
        },
        &|v| lazy.addresses(v),
    )?;
    let mode = if args.count {
        Mode::Count
    } else if args.paths {
        Mode::Paths
    } else {
        Mode::Hits(args.output.format())
    };
    print_notes(&compiled);
    let scope = scope_of(&args.scope, &compiled);
    let sort = if args.timeline {
        SortOrder::Date
    } else {
        args.sort.unwrap_or(if compiled.free_text {
            SortOrder::Score
        } else {
            SortOrder::Date
        })
    };
    // `--threads`, `--timeline` and `--context` exclude each other: the threads go to the one
    // asked for.
    let (threads, gap_threads, context) = match context {
        Some(n) => (None, None, threads.map(|t| (n, t))),
        None if args.threads => (threads, None, None),
        None if gap_by_thread => (None, threads, None),
        None => (None, None, None),
    };
    let plan = Plan {
        compiled,
        sort,
        limit: resolve_limit(&args.output, mode, false),
        mode,
        facets: args
            .facet
            .iter()
            .map(|f| parse_facet(f))
            .collect::<anyhow::Result<_>>()?,
        histogram: args.histogram.map(histogram_unit),
        pairs: args.pairs,
        timeline: args.timeline,
        tz,
        file_dates: g.file_dates,
        style: g.style(),
        scope,
        gap_threads,
        gap: args.gap,
        threads,
        context,
        by_person: args.by_person,
        aliases: g.aliases.clone(),
    };
    execute(&opened, &plan)
}

/// How the query was read where a user may not expect it, on stderr.
pub fn print_notes(compiled: &Compiled) {
    for note in &compiled.notes {
        eprintln!("trawl: note: {}", output::sanitize::for_terminal(note));
    }
}

/// The facet unit for a `--histogram` value.
pub fn histogram_unit(h: HistogramUnit) -> Unit {
    match h {
        HistogramUnit::Day => Unit::Day,
        HistogramUnit::Week => Unit::Week,
        HistogramUnit::Month => Unit::Month,
        HistogramUnit::Year => Unit::Year,
    }
}

/// The hit cap for an output: `--all` means none; otherwise `--limit`, or a default that suits
/// the format (a screenful for people, more for machines). `conversation` outputs (timelines)
/// default to everything.
pub fn resolve_limit(o: &OutputArgs, mode: Mode, conversation: bool) -> Option<usize> {
    if o.all {
        return None;
    }
    if let Some(n) = o.limit {
        return Some(n);
    }
    if conversation {
        return None;
    }
    Some(match mode {
        Mode::Hits(Format::Text) => {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                // Two lines per hit, and room for the prompt.
                let rows = console::Term::stdout()
                    .size_checked()
                    .map_or(48, |(r, _)| r as usize);
                (rows.saturating_sub(2) / 2).max(5)
            } else {
                TEXT_LIMIT
            }
        }
        _ => MACHINE_LIMIT,
    })
}

/// Runs `plan` and prints everything to stdout. Returns `NoMatch` when nothing matched.
pub fn execute(opened: &Opened, plan: &Plan) -> anyhow::Result<Exit> {
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    let (exit, shown, total) = execute_to(opened, plan, &mut out, terminal)?;
    out.flush()?;
    let json = plan.mode == Mode::Hits(Format::Json);
    // `--limit 0` asks for facets only: no note about hidden hits then.
    if shown < total && !json && plan.mode != Mode::Count && plan.limit != Some(0) {
        let what = if plan.threads.is_some() {
            "threads"
        } else {
            "hits"
        };
        eprintln!("{shown} of {total} {what} shown (--limit N or --all for more)");
    }
    // On a terminal an empty answer is said, not left to the exit code; to a pipe, nothing.
    if exit == Exit::NoMatch && terminal && plan.mode != Mode::Count {
        eprintln!(
            "no hits for {}",
            output::sanitize::for_terminal(&plan.compiled.text)
        );
    }
    Ok(exit)
}

/// Runs `plan`, writing to `out` (`terminal`: whether `out` is a terminal, for path escaping).
/// Returns the exit status, the number of hits printed and the number of hits in all.
pub fn execute_to(
    opened: &Opened,
    plan: &Plan,
    out: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<(Exit, usize, usize)> {
    let aggregates = !plan.facets.is_empty() || plan.histogram.is_some() || plan.pairs.is_some();
    if matches!(plan.mode, Mode::Count | Mode::Paths) && aggregates {
        bail!("facets, histograms and pairs print as text, --json or --csv, not with --count or --paths");
    }
    // One CSV stream is one table: with facets, histograms or pairs it is theirs, not the hits'.
    let csv_table = plan.mode == Mode::Hits(Format::Csv) && aggregates;
    let started = Instant::now();
    let searcher = opened.searcher();
    // Persons are read only when something shows them: a person facet or pairs, or names for
    // raw ids in facets, pairs and text hits. Always the same ones for the same index, cached
    // or not, so the output does not depend on what ran before.
    let people = people::Lazy::new(opened, plan.aliases.as_deref());
    let scoped = family::scope(
        &searcher,
        &opened.fields,
        plan.compiled.query.as_ref(),
        plan.scope,
    )?;
    let q = scoped.query.as_ref();
    if let Some(threads) = &plan.threads {
        return by_thread(opened, plan, q, threads, out);
    }
    // A page of hits is ranked in the same pass as the count when counting apart would evaluate
    // the query twice (see `counts_apart`).
    let one_pass = match plan.mode {
        Mode::Count => None,
        _ => plan.limit.filter(|&n| n > 0 && !counts_apart(q)),
    };
    let (total, page) = match one_pass {
        Some(limit) => {
            let (total, page) = ranked(&searcher, q, plan.sort, plan.file_dates, limit, true)?;
            (total.unwrap_or(page.len()), Some(page))
        }
        None => (searcher.search(q, &Count).context("counting hits")?, None),
    };
    let exit = if total > 0 {
        Exit::Success
    } else {
        Exit::NoMatch
    };
    let format = match plan.mode {
        Mode::Count => {
            writeln!(out, "{total}")?;
            return Ok((exit, 0, total));
        }
        Mode::Paths => None,
        Mode::Hits(f) => Some(f),
    };

    let page = match page {
        _ if csv_table => Vec::new(),
        Some(page) => page,
        None => {
            let limit = plan.limit.unwrap_or(total).min(total);
            ranked(&searcher, q, plan.sort, plan.file_dates, limit, false)?.1
        }
    };
    let mut snippets = SnippetGenerator::create(&searcher, q, opened.fields.body)?;
    snippets.set_max_num_chars(SNIPPET_CHARS);
    if csv_table {
        out.write_all(&csv_out::table_header()?)?;
    } else if format == Some(Format::Csv) {
        out.write_all(&csv_out::header()?)?;
    }
    let mut seen_paths = HashSet::new();
    // The last date seen per conversation (or overall, `--gap any`).
    let mut previous: HashMap<String, i64> = HashMap::new();
    let mut printed = 0usize;
    // `--context`: the page's hits (a hit is never shown as another's context), the messages
    // shown so far, and the place of the last one (a group that follows on from it needs no
    // `--` before it).
    let page_ids: HashSet<u64> = match &plan.context {
        Some(_) => page
            .iter()
            .map(|(_, addr)| id_at(&searcher, *addr))
            .collect::<anyhow::Result<_>>()?,
        None => HashSet::new(),
    };
    let mut shown: HashSet<u64> = HashSet::new();
    let mut last_place: Option<(u64, usize)> = None;
    // Each hit, printed as its format asks, with its context (`--context`) or its gap
    // (timelines).
    for (score, addr) in page.iter() {
        let mut hit = load_hit(&searcher, &opened.fields, *addr, *score, &snippets)?;
        mark_family(&searcher, &opened.fields, &scoped, &snippets, &mut hit)?;
        if format == Some(Format::Text) {
            name_unnamed(&people, &mut hit)?;
        }
        let i = printed;
        printed += 1;
        if let (Some((n, threads)), Some(fmt)) = (&plan.context, format) {
            let id = u64::from_str_radix(&hit.id, 16).unwrap_or_default();
            let (thread, before, at, after) =
                threads
                    .around(id, *n)
                    .unwrap_or((id, Vec::new(), 0, Vec::new()));
            let before: Vec<(usize, u64)> = before
                .into_iter()
                .filter(|(_, m)| !shown.contains(m))
                .collect();
            let first = before.first().map_or(at, |(p, _)| *p);
            let follows = last_place.is_some_and(|(t, p)| t == thread && p + 1 == first);
            if fmt == Format::Text && printed > 1 && !follows {
                writeln!(out, "--")?;
            }
            let show = |out: &mut dyn Write, m: u64| -> anyhow::Result<()> {
                let Some(addr) = address_of(&searcher, &opened.fields, m)? else {
                    return Ok(());
                };
                let mut ctx = load_hit(&searcher, &opened.fields, addr, None, &snippets)?;
                if fmt == Format::Text {
                    name_unnamed(&people, &mut ctx)?;
                    text::write_marked_hit(out, &ctx, plan.tz, plan.style, false)?;
                } else {
                    ctx.context_of = Some(hit.id.clone());
                    json::write_line(out, "context", &ctx)?;
                }
                Ok(())
            };
            for (_, m) in &before {
                show(out, *m)?;
                shown.insert(*m);
            }
            if fmt == Format::Text {
                text::write_marked_hit(out, &hit, plan.tz, plan.style, true)?;
            } else {
                json::write_line(out, "hit", &hit)?;
            }
            shown.insert(id);
            last_place = Some((thread, at));
            for (p, m) in after {
                // The next hit of the page shows itself, with its own context.
                if page_ids.contains(&m) {
                    break;
                }
                if shown.insert(m) {
                    show(out, m)?;
                }
                last_place = Some((thread, p));
            }
            continue;
        }
        if plan.timeline {
            let date = match &hit.file_date {
                Some(file) if plan.file_dates && hit.date.is_none() => Some(file),
                _ => hit.date.as_ref(),
            };
            let this = date
                .map(String::as_str)
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                .map(|d| d.timestamp());
            let key = conversation_key(&hit, plan);
            hit.gap_seconds = match (previous.get(&key), this) {
                (Some(p), Some(t)) => Some(t - p),
                _ => None,
            };
            if let Some(t) = this {
                previous.insert(key, t);
            }
        }
        match format {
            Some(Format::Json) => json::write_line(out, "hit", &hit)?,
            Some(Format::Csv) => out.write_all(&csv_out::row(&hit)?)?,
            Some(Format::Text) if plan.timeline => {
                text::write_timeline_hit(out, &hit, plan.tz, plan.style, i == 0)?
            }
            Some(Format::Text) => text::write_hit(out, &hit, plan.tz, plan.style)?,
            None => {
                // The file on disk (an archive member's archive), once; to a pipe as the
                // file system's own bytes, so `xargs` opens it whatever its encoding.
                // Every copy's file: a message counted once is still in each of them.
                let mut paths = vec![hit.path.clone()];
                let others = u64::from_str_radix(&hit.id, 16)
                    .ok()
                    .and_then(|id| scoped.other_copies.get(&id));
                for addr in others.into_iter().flatten() {
                    let doc: TantivyDocument = searcher.doc(*addr)?;
                    paths.extend(stored_str(&doc, opened.fields.path));
                }
                for path in &paths {
                    let (file, _) = crate::source::split_members(path);
                    if seen_paths.insert(file.to_owned()) {
                        if terminal {
                            writeln!(out, "{}", output::sanitize::for_terminal(file))?;
                        } else {
                            out.write_all(&crate::source::decode_bytes(file))?;
                            out.write_all(b"\n")?;
                        }
                    }
                }
            }
        }
        // Stream: with --all, hits leave as they are loaded.
        if i % 256 == 255 {
            out.flush()?;
        }
    }

    for spec in &plan.facets {
        let mut facet = match spec.kind {
            FacetKind::Person => person_facet(&searcher, q, spec, people.get()?, plan.file_dates)?,
            FacetKind::Custodian if !plan.scope.copies => {
                custodian_facet(&searcher, &opened.fields, plan, spec)?
            }
            _ => compute_facet(&searcher, q, spec, plan.tz, plan.file_dates)?,
        };
        if matches!(
            spec.kind,
            FacetKind::Participant
                | FacetKind::Field(schema::FROM_ADDR)
                | FacetKind::Field(schema::RCPT_ADDR)
        ) {
            let people = people.get()?;
            for v in &mut facet.values {
                v.name = people.name_of(&v.value).map(str::to_owned);
            }
        }
        match format {
            Some(Format::Json) => json::write_line(out, "facet", &facet)?,
            Some(Format::Csv) => out.write_all(&csv_out::facet_rows(&facet)?)?,
            _ => text::write_facet(out, &facet, total, plan.style)?,
        }
    }
    if let Some(unit) = plan.histogram {
        let h = compute_histogram(&searcher, q, unit, plan.tz, plan.file_dates)?;
        match format {
            Some(Format::Json) => json::write_line(out, "histogram", &h)?,
            Some(Format::Csv) => out.write_all(&csv_out::histogram_rows(&h)?)?,
            _ => text::write_histogram(out, &h, plan.style)?,
        }
    }
    if let Some(k) = plan.pairs {
        let pairs = if plan.by_person {
            person_pairs(&searcher, q, k, people.get()?, plan.file_dates)?
        } else {
            let mut pairs = facets::top_pairs(&searcher, q, k, plan.file_dates)?;
            let people = people.get()?;
            for p in &mut pairs {
                p.from_name = people.name_of(&p.from).map(str::to_owned);
                p.to_name = people.name_of(&p.to).map(str::to_owned);
            }
            pairs
        };
        match format {
            Some(Format::Json) => {
                for p in &pairs {
                    json::write_line(out, "pair", p)?;
                }
            }
            Some(Format::Csv) => out.write_all(&csv_out::pair_rows(&pairs)?)?,
            _ => text::write_pairs(out, &pairs, plan.tz, plan.style)?,
        }
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    if format == Some(Format::Json) {
        let summary = Summary {
            query: plan.compiled.text.clone(),
            total_hits: total,
            shown: page.len(),
            elapsed_ms,
        };
        json::write_line(out, "summary", &summary)?;
    }
    Ok((exit, page.len(), total))
}

/// The conversation a timeline's gap is counted in: a chat's conversation, an e-mail's thread,
/// anything else by its kind; one for all with `--gap any`.
fn conversation_key(hit: &Hit, plan: &Plan) -> String {
    if plan.gap == GapFrom::Any {
        return String::new();
    }
    if let Some(c) = &hit.conversation {
        return format!("chat:{c}");
    }
    let thread = plan
        .gap_threads
        .as_ref()
        .zip(crate::doc::parse_id(&hit.id))
        .and_then(|(t, id)| t.entry(id));
    match thread {
        Some(e) => format!("thread:{:016x}", e.thread),
        None => format!("{}:{}", hit.kind, hit.id),
    }
}

/// `--threads`: one entry per thread with hits, or with `--count` the number of threads.
fn by_thread(
    opened: &Opened,
    plan: &Plan,
    q: &dyn tantivy::query::Query,
    threads: &Threads,
    out: &mut dyn Write,
) -> anyhow::Result<(Exit, usize, usize)> {
    let searcher = opened.searcher();
    let mut groups = query::thread::group(&searcher, q, threads)?;
    let total = groups.len();
    let exit = if total > 0 {
        Exit::Success
    } else {
        Exit::NoMatch
    };
    if plan.mode == Mode::Count {
        writeln!(out, "{total}")?;
        return Ok((exit, 0, total));
    }
    let shown = plan.limit.unwrap_or(total).min(total);
    for g in groups.iter_mut().take(shown) {
        query::thread::participants(&searcher, g)?;
        if let Some(&addr) = g.addresses.first() {
            let doc: TantivyDocument = searcher.doc(addr)?;
            g.subject = stored_str(&doc, opened.fields.subject).unwrap_or_default();
        }
        match plan.mode {
            Mode::Hits(Format::Json) => json::write_line(out, "thread", &*g)?,
            _ => text::write_thread(out, g, plan.tz, plan.style)?,
        }
    }
    if plan.mode == Mode::Hits(Format::Json) {
        let summary = Summary {
            query: plan.compiled.text.clone(),
            total_hits: total,
            shown,
            elapsed_ms: 0.0,
        };
        json::write_line(out, "summary", &summary)?;
    }
    Ok((exit, shown, total))
}

/// A page of ranked hits: the score (relevance order only) and where each hit is.
type Page = Vec<(Option<f32>, DocAddress)>;

/// Whether counting a query's hits on its own costs next to nothing: a term counts from the
/// index's document frequencies (in segments without deletions) and everything from the
/// document count, while relevance order prunes with block-max WAND. Any other query (a phrase,
/// an intersection, a range) counts by evaluating every hit, so its count is better taken in
/// the ranking pass: a phrase's positions are then read once instead of twice
/// (`"please let me know"` at 1M messages: 26 → 10-13 ms).
fn counts_apart(q: &dyn tantivy::query::Query) -> bool {
    q.is::<tantivy::query::TermQuery>() || q.is::<tantivy::query::AllQuery>()
}

/// The first `limit` hits in `sort` order, with scores for relevance order, and the number of
/// all hits when `count` asks for it (counted in the same pass). Ties are broken by place,
/// then id, so the output depends neither on how indexing was spread over threads nor on
/// where the dump lies. `file_dates`:
/// documents with only a file date sort by it; otherwise they sort with the undated.
pub fn ranked(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    sort: SortOrder,
    file_dates: bool,
    limit: usize,
    count: bool,
) -> anyhow::Result<(Option<usize>, Page)> {
    if limit == 0 {
        let total = count.then(|| searcher.search(q, &Count)).transpose()?;
        return Ok((total, Vec::new()));
    }
    // Ties are broken by place (path relative to the dump's parent, offset, part; see
    // `schema::ORDER`), then by id: the same order wherever the dump was mounted.
    let order_key = || {
        (
            SortByStaticFastValue::<u64>::for_field(schema::ORDER),
            Order::Asc,
        )
    };
    let id_key = || {
        (
            SortByStaticFastValue::<u64>::for_field(schema::ID),
            Order::Asc,
        )
    };
    Ok(match sort {
        SortOrder::Score => {
            let top = TopDocs::with_limit(limit).order_by((
                (SortBySimilarityScore, Order::Desc),
                order_key(),
                id_key(),
            ));
            let (total, page) = search_counting(searcher, q, top, count)?;
            let page = page
                .into_iter()
                .map(|((s, _, _), a)| (Some(s), a))
                .collect();
            (total, page)
        }
        SortOrder::Date | SortOrder::DateDesc => {
            let order = if sort == SortOrder::Date {
                Order::Asc
            } else {
                Order::Desc
            };
            let date = (SortByDate { file_dates }, order);
            let top = TopDocs::with_limit(limit).order_by((date, order_key(), id_key()));
            let (total, page) = search_counting(searcher, q, top, count)?;
            (total, page.into_iter().map(|(_, a)| (None, a)).collect())
        }
    })
}

/// Sort key: a document's date, or with `file_dates` its file date when it has no date of its
/// own. A document has at most one of the two, so the key is whichever is present.
#[derive(Debug, Clone, Copy)]
struct SortByDate {
    file_dates: bool,
}

struct SegmentDates {
    date: Column<tantivy::DateTime>,
    file_date: Option<Column<tantivy::DateTime>>,
}

impl SortKeyComputer for SortByDate {
    type SortKey = Option<tantivy::DateTime>;
    type Child = SegmentDates;
    type Comparator = NaturalComparator;

    fn segment_sort_key_computer(&self, segment: &SegmentReader) -> tantivy::Result<SegmentDates> {
        let ff = segment.fast_fields();
        Ok(SegmentDates {
            date: ff.date(schema::DATE)?,
            file_date: if self.file_dates {
                Some(ff.date(schema::FILE_DATE)?)
            } else {
                None
            },
        })
    }
}

impl SegmentSortKeyComputer for SegmentDates {
    type SortKey = Option<tantivy::DateTime>;
    type SegmentSortKey = Option<tantivy::DateTime>;
    type SegmentComparator = NaturalComparator;

    fn segment_sort_key(&mut self, doc: DocId, _score: Score) -> Option<tantivy::DateTime> {
        self.date
            .first(doc)
            .or_else(|| self.file_date.as_ref().and_then(|c| c.first(doc)))
    }

    fn convert_segment_sort_key(&self, key: Option<tantivy::DateTime>) -> Self::SortKey {
        key
    }
}

/// Runs `collector`, and `Count` beside it in the same pass when `count` is set.
fn search_counting<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    collector: C,
    count: bool,
) -> tantivy::Result<(Option<usize>, C::Fruit)> {
    if count {
        let (total, fruit) = searcher.search(q, &(Count, collector))?;
        Ok((Some(total), fruit))
    } else {
        Ok((None, searcher.search(q, &collector)?))
    }
}

pub fn compute_facet(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    spec: &FacetSpec,
    tz: Tz,
    file_dates: bool,
) -> anyhow::Result<FacetOut> {
    let values = match spec.kind {
        FacetKind::Field(field) => facets::top_terms(searcher, q, field, spec.k)?,
        FacetKind::Participant => facets::top_participants(searcher, q, spec.k)?,
        FacetKind::Person => bail!("the person facet is counted by person_facet"),
        FacetKind::Custodian => facets::top_terms(searcher, q, schema::CUSTODIAN, spec.k)?,
        FacetKind::Date(unit) => {
            let b = facets::date_buckets(searcher, q, unit, tz, file_dates)?;
            let mut v: Vec<(String, u64)> = b
                .buckets
                .iter()
                .map(|(d, n)| (unit.label(*d), *n))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v.truncate(spec.k);
            v
        }
    };
    Ok(facet_out(spec, values))
}

/// A facet of `(value, count)` pairs, names left for the caller to add.
fn facet_out(spec: &FacetSpec, values: Vec<(String, u64)>) -> FacetOut {
    FacetOut {
        name: spec.name.clone(),
        values: values
            .into_iter()
            .map(|(value, count)| json::FacetValue {
                value,
                name: None,
                count,
            })
            .collect(),
    }
}

/// The custodian facet when copies count once: a message is one hit, but it is in the
/// mailbox of every custodian holding a copy, so it counts once for each of them (the facet over
/// the hits would count it for whichever copy stands for it). Items with no custodian are not
/// listed.
pub fn custodian_facet(
    searcher: &Searcher,
    fields: &Fields,
    plan: &Plan,
    spec: &FacetSpec,
) -> anyhow::Result<FacetOut> {
    let fams = family::families(
        searcher,
        fields,
        plan.compiled.query.as_ref(),
        plan.scope.items,
    )?;
    let settings = batch::Settings {
        ctx: QueryContext {
            fields,
            tz: plan.tz,
            file_dates: plan.file_dates,
            threads: None,
        },
        by: Some(batch::Dimension::Custodian),
        people: None,
        person_of: None,
    };
    let mut values = batch::count_by(
        searcher,
        fams.all(),
        batch::Dimension::Custodian,
        settings,
        &Default::default(),
    )?;
    values.retain(|(v, _)| v != batch::NONE);
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values.truncate(spec.k);
    Ok(facet_out(spec, values))
}

pub fn compute_histogram(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    unit: Unit,
    tz: Tz,
    file_dates: bool,
) -> anyhow::Result<HistogramOut> {
    let b = facets::date_buckets(searcher, q, unit, tz, file_dates)?;
    let buckets = b
        .with_gaps(unit)
        .into_iter()
        .map(|(d, count)| json::HistogramBucket {
            period: unit.label(d),
            start: facets::DateBuckets::period_start_utc(d, tz)
                .map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            count,
        })
        .collect();
    Ok(HistogramOut {
        unit: unit.name().into(),
        time_zone: tz.name().into(),
        buckets,
        undated: b.undated,
        file_dated: b.file_dated,
        file_dates_counted: file_dates,
    })
}

/// The person facet: persons taking part in the most hits, by person id, with their names.
fn person_facet(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    spec: &FacetSpec,
    people: &people::People,
    file_dates: bool,
) -> anyhow::Result<FacetOut> {
    let nodes = people::count::Nodes::new(people, people::count::By::Person);
    let counts = nodes.count(searcher, q, false, file_dates)?;
    let mut v: Vec<(usize, u64)> = counts
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.messages > 0)
        .map(|(i, c)| (i, c.messages))
        .collect();
    v.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| nodes.ids[a.0].cmp(&nodes.ids[b.0]))
    });
    v.truncate(spec.k);
    Ok(FacetOut {
        name: spec.name.clone(),
        values: v
            .into_iter()
            .map(|(i, count)| json::FacetValue {
                value: nodes.ids[i].clone(),
                name: (nodes.names[i] != nodes.ids[i]).then(|| nodes.names[i].clone()),
                count,
            })
            .collect(),
    })
}

/// The top `k` sender → recipient pairs of persons, each message once per pair.
fn person_pairs(
    searcher: &Searcher,
    q: &dyn tantivy::query::Query,
    k: usize,
    people: &people::People,
    file_dates: bool,
) -> anyhow::Result<Vec<facets::Pair>> {
    let nodes = people::count::Nodes::new(people, people::count::By::Person);
    let counts = nodes.count(searcher, q, true, file_dates)?;
    let mut v: Vec<((u32, u32), people::count::EdgeCount)> = counts.pairs.into_iter().collect();
    let id = |i: u32| nodes.ids[i as usize].as_str();
    v.sort_by(|a, b| {
        b.1.count
            .cmp(&a.1.count)
            .then_with(|| id(a.0 .0).cmp(id(b.0 .0)))
            .then_with(|| id(a.0 .1).cmp(id(b.0 .1)))
    });
    v.truncate(k);
    let ts = |t: Option<i64>| t.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    let name = |i: u32| {
        let i = i as usize;
        (nodes.names[i] != nodes.ids[i]).then(|| nodes.names[i].clone())
    };
    Ok(v.into_iter()
        .map(|((f, r), e)| facets::Pair {
            from: id(f).to_owned(),
            to: id(r).to_owned(),
            from_name: name(f),
            to_name: name(r),
            count: e.count,
            first: ts(e.first),
            last: ts(e.last),
        })
        .collect())
}

/// Gives the unnamed sender and recipients of a text hit their person's name, when one is
/// known (a chat account named in another export, by `--names`, or in the aliases file).
/// Persons are read only for a page that has such a party (`trawl index` caches what they are
/// made from).
fn name_unnamed(people: &people::Lazy<'_>, hit: &mut Hit) -> anyhow::Result<()> {
    let unnamed = |m: &crate::doc::Mailbox| m.name.is_none() && !m.address.is_empty();
    let any = hit
        .from
        .iter()
        .chain(&hit.to)
        .chain(&hit.cc)
        .chain(&hit.bcc)
        .any(unnamed);
    if !any {
        return Ok(());
    }
    let people = people.get()?;
    let mailboxes = hit
        .from
        .iter_mut()
        .chain(&mut hit.to)
        .chain(&mut hit.cc)
        .chain(&mut hit.bcc);
    for m in mailboxes {
        if unnamed(m) {
            m.name = people.name_of(&m.address).map(str::to_owned);
        }
    }
    Ok(())
}

/// Says how many copies `hit` stands for, and, when it is a hit only through some of its parts,
/// which ones, with the snippet of the first (its own text did not match).
fn mark_family(
    searcher: &Searcher,
    f: &Fields,
    scoped: &Scoped,
    snippets: &SnippetGenerator,
    hit: &mut Hit,
) -> anyhow::Result<()> {
    let Ok(id) = u64::from_str_radix(&hit.id, 16) else {
        return Ok(());
    };
    hit.copies = scoped.copies.get(&id).copied().unwrap_or(1);
    let Some(parts) = scoped.matched_in.get(&id) else {
        return Ok(());
    };
    for (i, &part) in parts.iter().enumerate() {
        let Some(addr) = address_of(searcher, f, part)? else {
            continue;
        };
        let loaded = load_hit(searcher, f, addr, None, snippets)?;
        if i == 0 {
            hit.snippet = loaded.snippet;
            hit.highlights = loaded.highlights;
        }
        hit.matched_in.push(PartRef {
            id: loaded.id,
            kind: loaded.kind,
            name: loaded.subject,
        });
    }
    Ok(())
}

/// Where the document with id `id` is, if the index holds it.
/// The id of the document at `addr`.
fn id_at(searcher: &Searcher, addr: DocAddress) -> anyhow::Result<u64> {
    let ids = searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64(schema::ID)?;
    ids.first(addr.doc_id)
        .context("a document without an id column")
}

pub fn address_of(searcher: &Searcher, f: &Fields, id: u64) -> anyhow::Result<Option<DocAddress>> {
    let term = tantivy::Term::from_field_u64(f.id, id);
    let q = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    Ok(top.first().map(|(_, addr)| *addr))
}

/// Loads the stored fields of the document at `addr` into a [`Hit`].
pub fn load_hit(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
    score: Option<f32>,
    snippets: &SnippetGenerator,
) -> anyhow::Result<Hit> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let mut hit = hit_from_doc(&doc, f);
    hit.score = score;
    let snippet = snippets.snippet_from_doc(&doc);
    if snippet.fragment().is_empty() {
        hit.snippet = first_chars(&stored_str(&doc, f.body).unwrap_or_default(), SNIPPET_CHARS);
    } else {
        hit.snippet = snippet.fragment().to_owned();
        hit.highlights = snippet
            .highlighted()
            .iter()
            .map(|r| [r.start, r.end])
            .collect();
    }
    Ok(hit)
}

pub fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// A [`Hit`] with everything but score and snippet.
pub fn hit_from_doc(doc: &TantivyDocument, f: &Fields) -> Hit {
    let s = |field| stored_str(doc, field);
    let u = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let envelope: Envelope = s(f.envelope)
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default();
    let instant = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_datetime())
            .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    let date = instant(f.date);
    let flagged = |flag: &str| doc.get_all(f.flags).any(|v| v.as_str() == Some(flag));
    Hit {
        id: format_id(u(f.id)),
        kind: s(f.kind).unwrap_or_default(),
        date,
        date_local: flagged(crate::doc::LOCAL_TIME),
        file_date: instant(f.file_date),
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
        item: doc.get_first(f.item).and_then(|v| v.as_u64()),
        sha256: s(f.sha256).unwrap_or_default(),
        format: s(f.format).unwrap_or_default(),
        attachments: doc
            .get_all(f.attachment)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        score: None,
        snippet: String::new(),
        highlights: Vec::new(),
        gap_seconds: None,
        context_of: None,
        parent: doc
            .get_first(f.parent)
            .and_then(|v| v.as_u64())
            .map(format_id),
        conversation: s(f.conversation),
        folder: s(f.folder),
        custodian: s(f.custodian),
        date_source: s(f.date_source).unwrap_or_default(),
        charset: s(f.charset),
        matched_in: Vec::new(),
        copies: 1,
        last_modified_by: s(f.modified_by),
        created: instant(f.created),
        modified: instant(f.modified),
        ocr: flagged(crate::doc::FLAG_OCR),
        needs_ocr: flagged(crate::doc::FLAG_NEEDS_OCR),
        image: s(f.image).and_then(|j| serde_json::from_str(&j).ok()),
    }
}

/// The start of `body` as a one-line preview, cut at a character boundary.
fn first_chars(body: &str, n: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_specs() {
        assert_eq!(parse_facet("from").unwrap().k, 10);
        assert_eq!(
            parse_facet("Month:3").unwrap(),
            FacetSpec {
                name: "month".into(),
                kind: FacetKind::Date(Unit::Month),
                k: 3
            }
        );
        assert!(parse_facet("sender")
            .unwrap_err()
            .to_string()
            .contains("known: from, to"));
        assert!(parse_facet("from:x").is_err());
    }
}
