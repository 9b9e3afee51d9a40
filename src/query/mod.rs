//! Our query syntax turned into tantivy queries.
//!
//! [`parse`] owns the grammar; [`compile`] maps the AST onto the schema: bare values to subject
//! and body, `from:`/`to:`/`participant:`/`between:` to address words or exact addresses, dates
//! to ranges on the date column in the user's time zone. Values are analyzed with the same
//! analyzer as the index, so `Élodie`, `ELODIE` and `elodie` are one word.

pub mod batch;
pub mod date;
pub mod facets;
pub mod family;
pub mod parse;
pub mod thread;

use std::ops::Bound;

use chrono_tz::Tz;
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::doc::{DateQuality, DateSource, LOCAL_TIME};
use crate::error::Error;
use crate::index::schema::Fields;
use crate::index::tokenizers;
use crate::ingest::eml::normalize_address;
use parse::{FieldName, Node, Value};

/// A query ready to run.
pub struct Compiled {
    pub query: Box<dyn Query>,
    /// The query has free-text terms (relevance is then the natural order).
    pub free_text: bool,
    /// The query asks for parts by kind (`kind:attachment`): they are then hits of their own.
    pub names_parts: bool,
    pub text: String,
    /// How the query was read where a user may not expect it, for stderr.
    pub notes: Vec<String>,
}

/// What a query is compiled against: the schema's fields, the time zone dates are read in, and
/// whether file modification times count as dates (`--file-dates`).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub fields: &'a Fields,
    pub tz: Tz,
    pub file_dates: bool,
    /// The index's threads, for `thread:` and `is:inclusive` ([`needs_threads`] says when).
    pub threads: Option<&'a crate::index::threads::Threads>,
}

/// Whether `text` asks about threads (`thread:`, `is:`), so the caller loads them first.
pub fn needs_threads(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("thread:") || lower.contains("is:")
}

/// `thread:ID` (a thread, or the thread of the item with that id) and `is:inclusive`: the
/// items, and their parts, by id.
fn thread_query(
    field: Option<FieldName>,
    v: &str,
    threads: &crate::index::threads::Threads,
    f: &Fields,
) -> Result<Q, String> {
    let ids: Vec<u64> = match field {
        Some(FieldName::Thread) => {
            let id = u64::from_str_radix(v.trim(), 16).map_err(|_| {
                format!("`thread:{v}` needs a thread or document id (16 hex digits)")
            })?;
            match threads.resolve(id) {
                Some(t) => threads.members(t).to_vec(),
                // A document outside any thread is a thread of its own.
                None => vec![id],
            }
        }
        _ => match v.to_ascii_lowercase().as_str() {
            "inclusive" => {
                let ids: Vec<u64> = threads.non_inclusive().collect();
                return Ok(not(ids_and_parts(&ids, f)));
            }
            "non-inclusive" => threads.non_inclusive().collect(),
            "by-subject" => threads.threaded_by_subject().collect(),
            other => {
                return Err(format!(
                    "unknown `is:{other}` (known: is:inclusive, is:non-inclusive, is:by-subject)"
                ))
            }
        },
    };
    Ok(ids_and_parts(&ids, f))
}

/// Items by id, and every part whose root is one of them.
fn ids_and_parts(ids: &[u64], f: &Fields) -> Q {
    let terms = |field| ids.iter().map(move |&id| Term::from_field_u64(field, id));
    or(vec![
        Box::new(tantivy::query::TermSetQuery::new(terms(f.id))),
        Box::new(tantivy::query::TermSetQuery::new(terms(f.root))),
    ])
}

/// Parses and compiles `text`.
pub fn compile(text: &str, ctx: Context<'_>) -> Result<Compiled, Error> {
    let (ast, notes) = parse::parse_with_notes(text)?;
    compiled(&ast, notes, ctx, text)
}

/// The query of a parsed `ast`, with what callers need to know of it.
fn compiled(
    ast: &Node,
    notes: Vec<String>,
    ctx: Context<'_>,
    text: &str,
) -> Result<Compiled, Error> {
    Ok(Compiled {
        query: build(ast, ctx, text)?,
        free_text: ast.has_free_text(),
        names_parts: ast.names_parts(),
        text: text.to_owned(),
        notes,
    })
}

/// Turns a `person:` value into the addresses and accounts of the persons it names, or says
/// why it cannot ([`crate::people::People::addresses`]).
pub type PersonResolver<'r> = dyn Fn(&str) -> Result<Vec<String>, String> + 'r;

/// Parses and compiles `text`, with `person:` values resolved by `people` (which is only
/// called when the query has one).
pub fn compile_with_people(
    text: &str,
    ctx: Context<'_>,
    people: &PersonResolver<'_>,
) -> Result<Compiled, Error> {
    let (mut ast, notes) = parse::parse_with_notes(text)?;
    resolve_people(&mut ast, people, text)?;
    compiled(&ast, notes, ctx, text)
}

/// Replaces every `person:X` with the alternatives of its exact addresses.
fn resolve_people(node: &mut Node, people: &PersonResolver<'_>, text: &str) -> Result<(), Error> {
    match node {
        Node::And(v) | Node::Or(v) => v
            .iter_mut()
            .try_for_each(|n| resolve_people(n, people, text)),
        Node::Not(inner) => resolve_people(inner, people, text),
        Node::Match {
            field: Some(FieldName::Person),
            value,
            column,
        } => {
            let column = *column;
            let fail = |message: String| Error::Query {
                query: text.to_owned(),
                column,
                message,
            };
            let addresses = people(value.text()).map_err(fail)?;
            if addresses.is_empty() {
                return Err(fail(format!(
                    "person `{}` has no address or account to search for",
                    value.text()
                )));
            }
            *node = Node::Or(
                addresses
                    .into_iter()
                    .map(|a| Node::Match {
                        field: Some(FieldName::Address),
                        value: Value::Word(a),
                        column,
                    })
                    .collect(),
            );
            Ok(())
        }
        Node::Match { .. } => Ok(()),
    }
}

type Q = Box<dyn Query>;

fn build(node: &Node, ctx: Context<'_>, text: &str) -> Result<Q, Error> {
    Ok(match node {
        Node::And(parts) => {
            let mut clauses = Vec::with_capacity(parts.len());
            for p in parts {
                match p {
                    Node::Not(inner) => clauses.push((Occur::MustNot, build(inner, ctx, text)?)),
                    _ => clauses.push((Occur::Must, build(p, ctx, text)?)),
                }
            }
            if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Node::Or(parts) => {
            let mut clauses = Vec::with_capacity(parts.len());
            for p in parts {
                clauses.push((Occur::Should, build(p, ctx, text)?));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Node::Not(inner) => not(build(inner, ctx, text)?),
        Node::Match {
            field,
            value,
            column,
        } => {
            let fail = |message: String| Error::Query {
                query: text.to_owned(),
                column: *column,
                message,
            };
            match_field(*field, value, ctx).map_err(fail)?
        }
    })
}

fn not(q: Q) -> Q {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery) as Q),
        (Occur::MustNot, q),
    ]))
}

fn or(qs: Vec<Q>) -> Q {
    if qs.len() == 1 {
        return qs
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery));
    }
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn and(qs: Vec<Q>) -> Q {
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

fn term(field: Field, text: &str) -> Q {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// The stored name of the charset a user names: any label `encoding_rs` knows (`sjis`,
/// `cp1251`, `latin1`) is its WHATWG name, lower-cased as the index keeps it.
fn charset_label(label: &str) -> String {
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
        .map_or(label, |e| e.name())
        .to_ascii_lowercase()
}

fn match_field(field: Option<FieldName>, value: &Value, ctx: Context<'_>) -> Result<Q, String> {
    let f = ctx.fields;
    let v = value.text();
    let nothing = || format!("`{v}` has no letters or digits to search for");
    Ok(match field {
        None if *value == Value::Word("*".into()) => Box::new(AllQuery),
        None => words_in(&[f.subject, f.body], value).ok_or_else(nothing)?,
        Some(FieldName::Subject) => words_in(&[f.subject], value).ok_or_else(nothing)?,
        Some(FieldName::Body) => words_in(&[f.body], value).ok_or_else(nothing)?,
        Some(FieldName::Filename) => words_in(&[f.attachment], value).ok_or_else(nothing)?,
        Some(FieldName::ModifiedBy) => words_in(&[f.modified_by], value).ok_or_else(nothing)?,
        Some(FieldName::Folder) => words_in(&[f.folder], value).ok_or_else(nothing)?,
        Some(FieldName::From) => {
            address(value, &senders(f), Some(f.from_domain)).ok_or_else(nothing)?
        }
        Some(FieldName::To) => {
            address(value, &recipients(f), Some(f.rcpt_domain)).ok_or_else(nothing)?
        }
        Some(FieldName::Cc) => address(value, &[(f.cc, f.cc_addr)], None).ok_or_else(nothing)?,
        Some(FieldName::Bcc) => address(value, &[(f.bcc, f.bcc_addr)], None).ok_or_else(nothing)?,
        Some(FieldName::Participant) => {
            let mut all = senders(f).to_vec();
            all.extend_from_slice(&recipients(f));
            match as_domain(value) {
                // A sender or a recipient at the domain or below it: two terms.
                Some(d) => or(vec![term(f.from_domain, &d), term(f.rcpt_domain, &d)]),
                None => address(value, &all, None).ok_or_else(nothing)?,
            }
        }
        Some(FieldName::Between) => {
            let (a, b) = parties(v)
                .ok_or_else(|| format!("`between:` takes two parties separated by a comma, as in between:dana,openvault or between:\"dana reyes\",openvault (got `{v}`)"))?;
            let side = |x: &Value, y: &Value| -> Result<Q, String> {
                Ok(and(vec![
                    address(x, &senders(f), Some(f.from_domain)).ok_or_else(nothing)?,
                    address(y, &recipients(f), Some(f.rcpt_domain)).ok_or_else(nothing)?,
                ]))
            };
            or(vec![side(&a, &b)?, side(&b, &a)?])
        }
        Some(FieldName::Domain) => {
            let d = v.trim().trim_start_matches('@').to_lowercase();
            if d.is_empty() {
                return Err(nothing());
            }
            term(f.domain, &d)
        }
        Some(FieldName::Kind) => term(f.kind, &v.to_lowercase()),
        Some(FieldName::Charset) => match charset_label(v).as_str() {
            // The detector names Russian KOI8 text by its superset KOI8-U; either finds both.
            "koi8-r" | "koi8-u" => or(vec![term(f.charset, "koi8-r"), term(f.charset, "koi8-u")]),
            label => term(f.charset, label),
        },
        Some(FieldName::Has) => match v.to_lowercase().as_str() {
            "attachment" | "attachments" => term(f.flags, "attachment"),
            "encryption" | "encrypted" => term(f.flags, crate::ingest::crypto::ENCRYPTED),
            "signature" | "signed" => term(f.flags, crate::ingest::crypto::SIGNED),
            "gps" | "location" => term(f.flags, crate::doc::FLAG_GPS),
            "ocr" => term(f.flags, crate::doc::FLAG_OCR),
            "needs-ocr" => term(f.flags, crate::doc::FLAG_NEEDS_OCR),
            other => {
                return Err(format!(
                    "unknown `has:{other}` (known: has:attachment, has:encryption, \
                     has:signature, has:gps, has:ocr, has:needs-ocr)"
                ))
            }
        },
        Some(FieldName::Camera) => words_in(&[f.camera], value).ok_or_else(nothing)?,
        Some(FieldName::Thread) | Some(FieldName::Is) => {
            let threads = ctx
                .threads
                .ok_or_else(|| "threads are not available here".to_owned())?;
            thread_query(field, v, threads, f)?
        }
        Some(FieldName::Address) => or(vec![term(f.from_addr, v), term(f.rcpt_addr, v)]),
        Some(FieldName::Person) => {
            return Err(
                "`person:` needs the index's people; this command cannot resolve it \
                        (use it with search, people or graph)"
                    .into(),
            )
        }
        // The directory's name, exactly as the index keeps it (see `crate::custodian`).
        Some(FieldName::Custodian) => match v.trim() {
            "" => return Err(nothing()),
            name => term(f.custodian, name),
        },
        Some(FieldName::Id) => term(
            f.message_id,
            v.trim().trim_start_matches('<').trim_end_matches('>'),
        ),
        Some(FieldName::Path) => path_query(f.path, v)?,
        Some(FieldName::Date) if v.eq_ignore_ascii_case("unknown") => {
            if ctx.file_dates {
                not(or(vec![
                    term(f.date_quality, DateQuality::Ok.as_str()),
                    term(f.date_quality, DateQuality::FileMtime.as_str()),
                ]))
            } else {
                not(term(f.date_quality, DateQuality::Ok.as_str()))
            }
        }
        Some(FieldName::Date) => dated(ctx, |tz| {
            let i = date::parse_interval(v, tz)?;
            Ok((i.start, i.end))
        })?,
        Some(FieldName::After) => {
            dated(ctx, |tz| Ok((Some(date::parse_period(v, tz)?.start), None)))?
        }
        Some(FieldName::Before) => {
            dated(ctx, |tz| Ok((None, Some(date::parse_period(v, tz)?.start))))?
        }
        Some(f @ (FieldName::Created | FieldName::Modified)) => {
            let field = if f == FieldName::Created {
                ctx.fields.created
            } else {
                ctx.fields.modified
            };
            let i = date::parse_interval(v, ctx.tz)?;
            date_range(field, i.start, i.end)
        }
        Some(FieldName::DateSource) => {
            let source = match v.to_ascii_lowercase().as_str() {
                "header" => DateSource::Header,
                "metadata" => DateSource::Metadata,
                "exif" => DateSource::Exif,
                "file" | "file-mtime" | "mtime" => DateSource::FileMtime,
                other => {
                    return Err(format!(
                        "unknown `date-source:{other}` (known: header, metadata, exif, file)"
                    ))
                }
            };
            term(f.date_source, source.as_str())
        }
    })
}

type Bounds = (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// Documents dated within the bounds `period` gives for the query's zone. Local times of
/// unknown zone (flag `local-time`: WhatsApp, Telegram without `date_unixtime`) are stored as
/// their wall clock read as UTC, so they are matched against the bounds read in UTC: a zone
/// must not move a time that has none. File dates join in only with `--file-dates`.
fn dated(ctx: Context<'_>, period: impl Fn(Tz) -> Result<Bounds, String>) -> Result<Q, String> {
    let f = ctx.fields;
    let (start, end) = period(ctx.tz)?;
    let mut q = date_range(f.date, start, end);
    if ctx.tz != Tz::UTC {
        let (wall_start, wall_end) = period(Tz::UTC)?;
        q = or(vec![
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::MustNot, term(f.flags, LOCAL_TIME)),
            ])),
            and(vec![
                date_range(f.date, wall_start, wall_end),
                term(f.flags, LOCAL_TIME),
            ]),
        ]);
    }
    if ctx.file_dates {
        q = or(vec![q, date_range(f.file_date, start, end)]);
    }
    Ok(q)
}

fn senders(f: &Fields) -> [(Field, Field); 1] {
    [(f.from, f.from_addr)]
}

/// Recipient word fields with the exact-address column that covers them: every To, Cc and Bcc
/// address is in `rcpt_addr` (To has no column of its own: no query needs To alone).
fn recipients(f: &Fields) -> [(Field, Field); 3] {
    [
        (f.to, f.rcpt_addr),
        (f.cc, f.rcpt_addr),
        (f.bcc, f.rcpt_addr),
    ]
}

impl Value {
    /// A value typed inside another value (the parties of `between:`), read like a bare word.
    fn from_plain(s: &str) -> Value {
        Value::Word(s.to_owned())
    }
}

/// The two parties of `between:A,B`, split at the comma outside quotes; a quoted party is a
/// phrase (`"dana reyes"`).
fn parties(v: &str) -> Option<(Value, Value)> {
    let mut quoted = false;
    let comma = v.char_indices().find(|&(_, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ',' && !quoted
    })?;
    let party = |s: &str| -> Option<Value> {
        let s = s.trim();
        match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Some(inner) if !inner.trim().is_empty() && !inner.contains('"') => {
                Some(Value::Phrase(inner.to_owned(), 0))
            }
            Some(_) => None,
            None if !s.is_empty() && !s.contains([',', '"']) => Some(Value::from_plain(s)),
            None => None,
        }
    };
    Some((party(&v[..comma.0])?, party(&v[comma.0 + 1..])?))
}

/// Matches `value` in any of `fields`. A word analyzes to one token (a term query) or several
/// (`e-mail`: a phrase); phrases may carry a slop; prefixes and fuzzy words apply to one token.
/// `None` when nothing is left after analysis.
fn words_in(fields: &[Field], value: &Value) -> Option<Q> {
    let tokens = tokenizers::tokens(value.text());
    if tokens.is_empty() {
        return None;
    }
    let per_field: Vec<Q> = fields
        .iter()
        .map(|&field| -> Q {
            let single = |t: &str| Term::from_field_text(field, t);
            match value {
                Value::Prefix(_) if tokens.len() == 1 => {
                    // Prefix on the analyzed token; regex metacharacters cannot occur in it
                    // (the analyzer keeps only letters and digits), but escape anyway.
                    let pattern = format!("{}.*", regex_escape(&tokens[0]));
                    RegexQuery::from_pattern(&pattern, field)
                        .map(|q| Box::new(q) as Q)
                        .unwrap_or_else(|_| Box::new(EmptyQuery))
                }
                Value::Fuzzy(_, d) if tokens.len() == 1 => {
                    Box::new(FuzzyTermQuery::new(single(&tokens[0]), *d, true))
                }
                _ if tokens.len() == 1 => Box::new(TermQuery::new(
                    single(&tokens[0]),
                    IndexRecordOption::WithFreqs,
                )),
                _ => {
                    let terms: Vec<(usize, Term)> = tokens
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (i, single(t)))
                        .collect();
                    let slop = if let Value::Phrase(_, s) = value {
                        *s
                    } else {
                        0
                    };
                    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
                }
            }
        })
        .collect();
    Some(or(per_field))
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `from:`-style values: an exact address when the value contains `@`, every address at or
/// below a domain for a bare domain, otherwise words of the display name or address. `domains`
/// is the column of these addresses' domains with their parents, where there is one.
fn address(value: &Value, fields: &[(Field, Field)], domains: Option<Field>) -> Option<Q> {
    let text = value.text();
    let mut exact: Vec<Field> = fields.iter().map(|&(_, e)| e).collect();
    exact.dedup();
    if let Some(domain) = as_domain(value) {
        if let Some(col) = domains {
            // One term: the column holds each domain with its parents.
            return Some(term(col, &domain));
        }
        // Every address at the domain or below it, from the exact-address columns: one
        // automaton over each dictionary instead of a phrase query ("enron com") that reads
        // positions for every message with those two words in a name or address.
        let pattern = format!(".*[@.]{}", regex_escape(&domain));
        let qs: Vec<Q> = exact
            .iter()
            .filter_map(|&e| RegexQuery::from_pattern(&pattern, e).ok())
            .map(|q| Box::new(q) as Q)
            .collect();
        return Some(or(qs));
    }
    // `@OpenVault`, a handle as the output shows it (`OpenVault (@OpenVault)`): a word of the
    // name. A domain (`@example.org`, with a dot) was taken above.
    if let Some(handle) = text
        .strip_prefix('@')
        .filter(|h| !h.is_empty() && !h.contains(['@', '.']))
    {
        if matches!(value, Value::Word(_)) {
            let words: Vec<Field> = fields.iter().map(|&(w, _)| w).collect();
            return words_in(&words, &Value::Word(handle.to_owned()));
        }
    }
    if matches!(value, Value::Word(_)) && text.contains('@') && !text.contains(char::is_whitespace)
    {
        let addr = normalize_address(text);
        return Some(or(exact.into_iter().map(|e| term(e, &addr)).collect()));
    }
    let words: Vec<Field> = fields.iter().map(|&(w, _)| w).collect();
    words_in(&words, value)
}

/// A bare domain (`enron.com`, `@mail.example.org`), lower-cased: at least two labels of
/// letters, digits and hyphens, the last one not all digits (so `10.3` stays a pair of words).
fn as_domain(value: &Value) -> Option<String> {
    if !matches!(value, Value::Word(_)) {
        return None;
    }
    let d = value
        .text()
        .trim()
        .strip_prefix('@')
        .unwrap_or(value.text().trim());
    let d = d.to_lowercase();
    let labels: Vec<&str> = d.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|l| !l.chars().all(|c| c.is_ascii_digit()));
    ok.then_some(d)
}

/// `path:` values: an absolute path matches as a prefix; a relative one matches at any directory
/// boundary (`path:maildir/dana` finds `/cases/dump/maildir/dana/cur/...`). An archive is a
/// folder of its members: `path:leak.zip` finds `/cases/dump/leak.zip!/mail/a.eml`.
fn path_query(field: Field, v: &str) -> Result<Q, String> {
    let v = v.trim_end_matches('/');
    if v.is_empty() {
        return Err("`path:` needs a path".into());
    }
    let pattern = if v.starts_with('/') {
        format!("{}(!?/.*)?", regex_escape(v))
    } else {
        format!("(.*/)?{}(!?/.*)?", regex_escape(v))
    };
    RegexQuery::from_pattern(&pattern, field)
        .map(|q| Box::new(q) as Q)
        .map_err(|e| format!("bad path `{v}`: {e}"))
}

fn date_range(
    field: Field,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Q {
    // tantivy keeps dates as nanoseconds in an i64 (1677-09-21 to 2262-04-11) and panics past
    // them; the query language reaches years 0 to 9999. Bounds are clamped to what tantivy
    // holds (no indexed date lies outside it), so `date:4020` is an empty range, not a panic.
    let earliest = chrono::DateTime::from_timestamp(-9_223_372_036, 0);
    let latest = chrono::DateTime::from_timestamp(9_223_372_036, 0);
    let clamp = |d: chrono::DateTime<chrono::Utc>| match (earliest, latest) {
        (Some(lo), Some(hi)) => d.clamp(lo, hi),
        _ => d,
    };
    let (start, end) = (start.map(clamp), end.map(clamp));
    let term = |d: chrono::DateTime<chrono::Utc>| {
        Term::from_field_date_for_search(
            field,
            tantivy::DateTime::from_timestamp_secs(d.timestamp()),
        )
    };
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            return Box::new(EmptyQuery);
        }
    }
    let lower = start.map_or(Bound::Unbounded, |s| Bound::Included(term(s)));
    let upper = end.map_or(Bound::Unbounded, |e| Bound::Excluded(term(e)));
    Box::new(RangeQuery::new(lower, upper))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use tantivy::collector::Count;
    use tantivy::{doc, Index};

    fn shared() -> &'static (Index, Fields) {
        static IX: std::sync::OnceLock<(Index, Fields)> = std::sync::OnceLock::new();
        IX.get_or_init(index)
    }

    fn index() -> (Index, Fields) {
        let index = Index::create_in_ram(schema::build());
        tokenizers::register(&index);
        let f = Fields::resolve(&index.schema()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        w.add_document(doc!(f.subject => "tax returns", f.body => "leak us the tax returns", f.from => "OpenVault <dm@openvault.example.org>", f.from_addr => "dm@openvault.example.org", f.date => tantivy::DateTime::from_timestamp_secs(1_477_074_060), f.date_quality => "ok")).unwrap();
        w.add_document(
            doc!(f.subject => "hello", f.body => "nothing here", f.date_quality => "missing"),
        )
        .unwrap();
        w.commit().unwrap();
        (index, f)
    }

    fn count(index: &Index, f: &Fields, q: &str) -> usize {
        count_in(index, f, q, Tz::UTC, false)
    }

    fn count_in(index: &Index, f: &Fields, q: &str, tz: Tz, file_dates: bool) -> usize {
        let c = compile(
            q,
            Context {
                fields: f,
                tz,
                file_dates,
                threads: None,
            },
        )
        .unwrap();
        index
            .reader()
            .unwrap()
            .searcher()
            .search(c.query.as_ref(), &Count)
            .unwrap()
    }

    #[test]
    fn person_values_become_exact_addresses() {
        let (index, f) = shared();
        let ctx = Context {
            fields: f,
            tz: Tz::UTC,
            file_dates: false,
            threads: None,
        };
        let resolve = |v: &str| -> Result<Vec<String>, String> {
            match v {
                "OpenVault" => Ok(vec![
                    "dm@openvault.example.org".into(),
                    "twitter:800000002".into(),
                ]),
                "Nobody" => Ok(Vec::new()),
                other => Err(format!("no person goes by `{other}`")),
            }
        };
        let n = |q: &str| {
            let c = compile_with_people(q, ctx, &resolve).unwrap();
            let searcher = index.reader().unwrap().searcher();
            searcher.search(c.query.as_ref(), &Count).unwrap()
        };
        assert_eq!(n("person:OpenVault"), 1);
        assert_eq!(n("person:OpenVault tax"), 1);
        assert_eq!(n("-person:OpenVault"), 1);
        let err = compile_with_people("tax person:Dana", ctx, &resolve)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no person goes by `Dana`"), "{err}");
        assert!(err.contains("column 5") || err.contains('5'), "{err}");
        assert!(compile_with_people("person:Nobody", ctx, &resolve).is_err());
        // Without the index's people, `person:` is an error, not a silent miss.
        assert!(compile("person:OpenVault", ctx).is_err());
    }

    /// A mail dated by its header, a text file dated only by its mtime, and a WhatsApp message
    /// whose wall clock (20:30, zone unknown) is stored as if UTC.
    fn dated_index() -> (Index, Fields) {
        let index = Index::create_in_ram(schema::build());
        tokenizers::register(&index);
        let f = Fields::resolve(&index.schema()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let at = |rfc: &str| {
            let d = chrono::DateTime::parse_from_rfc3339(rfc).unwrap();
            tantivy::DateTime::from_timestamp_secs(d.timestamp())
        };
        w.add_document(doc!(f.subject => "mail", f.date => at("2016-09-20T20:30:00Z"), f.date_quality => "ok", f.date_source => "header"))
            .unwrap();
        w.add_document(doc!(f.subject => "notes", f.file_date => at("2026-04-30T12:00:00Z"), f.date_quality => "file-mtime", f.date_source => "file-mtime", f.flags => "date-from-file-mtime"))
            .unwrap();
        w.add_document(doc!(f.subject => "chat", f.date => at("2016-09-20T20:30:00Z"), f.date_quality => "ok", f.date_source => "header", f.flags => "local-time"))
            .unwrap();
        w.commit().unwrap();
        (index, f)
    }

    #[test]
    fn file_dates_count_only_when_asked_for() {
        let (index, f) = dated_index();
        let utc = |q: &str, file_dates| count_in(&index, &f, q, Tz::UTC, file_dates);
        assert_eq!(utc("date:2026", false), 0);
        assert_eq!(utc("date:2026", true), 1);
        assert_eq!(utc("after:2020", false), 0);
        assert_eq!(utc("after:2020", true), 1);
        assert_eq!(utc("before:2020", true), 2);
        assert_eq!(utc("date:unknown", false), 1);
        assert_eq!(utc("date:unknown", true), 0);
        assert_eq!(utc("date-source:file", false), 1);
        assert_eq!(utc("date-source:FILE-MTIME", false), 1);
        assert_eq!(utc("date-source:header", false), 2);
        assert_eq!(utc("date-source:metadata", false), 0);
        let err = compile(
            "date-source:disk",
            Context {
                fields: &f,
                tz: Tz::UTC,
                file_dates: false,
                threads: None,
            },
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.contains("known: header, metadata, exif, file"), "{err}");
    }

    #[test]
    fn zones_do_not_move_local_times() {
        let (index, f) = dated_index();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let mail_or_chat = |q: &str, tz| {
            (
                count_in(&index, &f, &format!("mail {q}"), tz, false),
                count_in(&index, &f, &format!("chat {q}"), tz, false),
            )
        };
        // 20:30 UTC is 05:30 the next day in Tokyo; the chat's 20:30 has no zone to convert.
        assert_eq!(mail_or_chat("date:2016-09-20", Tz::UTC), (1, 1));
        assert_eq!(mail_or_chat("date:2016-09-20", tokyo), (0, 1));
        assert_eq!(mail_or_chat("date:2016-09-21", tokyo), (1, 0));
        assert_eq!(mail_or_chat("after:2016-09-21", tokyo), (1, 0));
        assert_eq!(mail_or_chat("before:2016-09-21", tokyo), (0, 1));
    }

    /// Found by the `query` fuzz target: a year past 2262 or before 1677 panicked inside
    /// tantivy (nanoseconds out of i64) and aborted the search.
    #[test]
    fn dates_beyond_tantivys_range_are_empty_not_a_panic() {
        let (index, f) = index();
        for q in [
            "date:4020",
            "date:1000",
            "date:1600..1650",
            "date:9999-12-31",
        ] {
            assert_eq!(count(&index, &f, q), 0, "{q}");
        }
        let dated = count(&index, &f, "date:1980..2030");
        assert!(dated > 0);
        assert_eq!(count(&index, &f, "date:..4020"), dated);
        assert_eq!(count(&index, &f, "date:1000..9999"), dated);
    }

    #[test]
    fn compiled_queries_find_what_they_say() {
        let (index, f) = index();
        assert_eq!(count(&index, &f, "tax"), 1);
        assert_eq!(count(&index, &f, "-tax"), 1);
        assert_eq!(count(&index, &f, "NOT \"tax returns\""), 1);
        assert_eq!(
            count(&index, &f, "from:dm@openvault.example.org date:2016-10-21"),
            1
        );
        assert_eq!(count(&index, &f, "date:unknown"), 1);
        assert_eq!(count(&index, &f, "ta*"), 1);
        assert_eq!(count(&index, &f, "tux~1"), 1);
        assert_eq!(count(&index, &f, "*"), 2);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(1000))]

        /// Whatever parses also compiles to an error or a query that runs without panicking.
        #[test]
        fn parsed_queries_compile_and_run(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "tax", " ", "OR", "-", "(", ")", "\"", "from:", "to:", "date:", "after:", "between:",
                    "path:", "filename:", "has:", "domain:", "@", "2016", "-10", "..", "~1", "*", "a,b",
                    "unknown", "attachment", "é", "returns", "date-source:", "file",
                ]),
                0..10,
            )
        ) {
            let (index, f) = shared();
            let q: String = parts.concat();
            if let Ok(c) = compile(&q, Context { fields: f, tz: Tz::UTC, file_dates: q.len().is_multiple_of(2), threads: None }) {
                let _ = index.reader().unwrap().searcher().search(c.query.as_ref(), &Count);
            }
        }
    }
}
