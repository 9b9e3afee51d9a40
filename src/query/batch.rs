//! Batch search (issue #15, part 6): a list of queries, each counted three ways and, when
//! asked, broken down by a dimension (sender, recipient, custodian, year, month), for a
//! spreadsheet of terms × custodians or terms × years.
//!
//! The terms file holds one query a line, in the query language, optionally after a label and
//! a tab (`label<TAB>query`); blank lines and lines starting with `#` are skipped. Without a
//! label, the query is its own label.
//!
//! Each query is counted as:
//!
//! - `messages`: top-level items (messages, chat messages, loose documents) that match by
//!   their own text and headers, each message once however many copies the dump holds;
//! - `families`: top-level items that match by themselves or through an attachment or
//!   embedded part, each once: what `trawl search --count` prints;
//! - `copies`: the same families, every copy counted: `trawl search --count --copies`.
//!
//! A query that names parts (`kind:attachment`) counts parts, as `search` does.
//!
//! The breakdown counts families by the value of a dimension, a message once per value it
//! has: once per recipient for [`Dimension::To`], once per custodian holding a copy of it for
//! [`Dimension::Custodian`]. Items without a value count under [`NONE`].
//!
//! Nothing here prints or knows about the command line: `trawl batch` and any other front end
//! (a web server) call [`run`] or [`run_one`] and lay the [`Outcome`]s out their own way.

use std::collections::{HashMap, HashSet};

use chrono::DateTime;
use chrono_tz::Tz;
use rustc_hash::FxHashSet;
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::columnar::StrColumn;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::facets::Unit;
use super::family::{self, Item};
use super::Context;
use crate::doc::LOCAL_TIME;
use crate::index::schema;

/// The value of items that have none for the dimension (no sender, no custodian, no date).
pub const NONE: &str = "(none)";

/// What a batch breaks its counts down by.
///
/// Adding one is a variant here, its name in [`Dimension::ALL`], and its
/// values in [`values_of_segment`]: everything else (distinct messages per value, ordering,
/// printers) works on the values as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The sender's address.
    From,
    /// Every recipient's address (To, Cc, Bcc).
    To,
    /// Whose files each copy sits in ([`crate::custodian`]).
    Custodian,
    Year,
    Month,
    /// Every person taking part (sender or recipient), by [`Settings::person_of`].
    Person,
}

impl Dimension {
    pub const ALL: [(&'static str, Dimension); 6] = [
        ("person", Dimension::Person),
        ("from", Dimension::From),
        ("to", Dimension::To),
        ("custodian", Dimension::Custodian),
        ("year", Dimension::Year),
        ("month", Dimension::Month),
    ];

    pub fn parse(name: &str) -> Option<Dimension> {
        let lower = name.to_ascii_lowercase();
        Self::ALL.iter().find(|(n, _)| *n == lower).map(|(_, d)| *d)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("", |(n, _)| n)
    }

    /// Dates sort as time goes; the other values by count.
    pub fn is_date(self) -> bool {
        matches!(self, Dimension::Year | Dimension::Month)
    }
}

/// One query of a terms file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchQuery {
    /// Line number in the file, from 1.
    pub line: usize,
    pub label: String,
    pub query: String,
}

/// The queries of a terms file (see the module comment for the syntax).
pub fn read_terms(text: &str) -> Vec<BatchQuery> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = raw.trim_end_matches('\r');
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            let (label, query) = match line.split_once('\t') {
                Some((label, query)) => (label.trim(), query.trim()),
                None => (trimmed, trimmed),
            };
            Some(BatchQuery {
                line: i + 1,
                label: label.to_owned(),
                query: query.to_owned(),
            })
        })
        .collect()
}

/// A query's counts (see the module comment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub messages: u64,
    pub families: u64,
    pub copies: u64,
}

/// What one query found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub counts: Counts,
    /// Families per value of the dimension asked for, in no particular order; empty without
    /// one.
    pub by: Vec<(String, u64)>,
}

/// One query and what came of it: an answer, or why it could not run (a bad query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub query: BatchQuery,
    pub result: Result<Answer, String>,
}

/// How a batch runs.
#[derive(Clone, Copy)]
pub struct Settings<'a> {
    /// Fields, time zone (periods are calendar periods there) and `--file-dates`.
    pub ctx: Context<'a>,
    pub by: Option<Dimension>,
    /// Resolves `person:` values; without it `person:` is an error.
    pub people: Option<&'a super::PersonResolver<'a>>,
    /// The person (their id) an address or account belongs to, for `--by person`.
    pub person_of: Option<&'a PersonOf<'a>>,
}

/// Maps an address or account to the id of its person.
pub type PersonOf<'r> = dyn Fn(&str) -> String + 'r;

/// Runs every query; one that does not compile or fails is an [`Outcome`] with its error, and
/// the others still run.
pub fn run(searcher: &Searcher, queries: &[BatchQuery], settings: Settings<'_>) -> Vec<Outcome> {
    // Which documents are wall-clock times of unknown zone, which period labels read as
    // written rather than in `tz`: asked once for the whole batch.
    let local = match settings.by {
        Some(d) if d.is_date() && settings.ctx.tz != Tz::UTC => local_times(searcher, settings),
        _ => Ok(HashSet::new()),
    };
    queries
        .iter()
        .map(|q| Outcome {
            query: q.clone(),
            result: match &local {
                Ok(local) => {
                    run_one(searcher, &q.query, settings, local).map_err(|e| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            },
        })
        .collect()
}

/// Counts one query. `local`: the documents whose dates are wall-clock times (see [`run`]).
pub fn run_one(
    searcher: &Searcher,
    text: &str,
    settings: Settings<'_>,
    local: &HashSet<DocAddress>,
) -> Result<Answer, crate::error::Error> {
    let compiled = match settings.people {
        Some(people) => super::compile_with_people(text, settings.ctx, people)?,
        None => super::compile(text, settings.ctx)?,
    };
    let fams = family::families(
        searcher,
        settings.ctx.fields,
        compiled.query.as_ref(),
        compiled.names_parts,
    )?;
    let counts = Counts {
        messages: distinct(fams.direct.iter()),
        families: distinct(fams.all()),
        copies: fams.all().count() as u64,
    };
    let by = match settings.by {
        None => Vec::new(),
        Some(dim) => count_by(searcher, fams.all(), dim, settings, local)?,
    };
    Ok(Answer { counts, by })
}

/// How many messages `items` are.
fn distinct<'i>(items: impl Iterator<Item = &'i Item>) -> u64 {
    items.map(Item::message).collect::<FxHashSet<_>>().len() as u64
}

/// The documents flagged `local-time`.
fn local_times(
    searcher: &Searcher,
    settings: Settings<'_>,
) -> tantivy::Result<HashSet<DocAddress>> {
    let q = TermQuery::new(
        Term::from_field_text(settings.ctx.fields.flags, LOCAL_TIME),
        IndexRecordOption::Basic,
    );
    searcher.search(&q, &DocSetCollector)
}

/// Messages per value of `dim` among `items` (every copy of each): a message counts once per
/// value that any of its copies has.
pub fn count_by<'i>(
    searcher: &Searcher,
    items: impl Iterator<Item = &'i Item>,
    dim: Dimension,
    settings: Settings<'_>,
    local: &HashSet<DocAddress>,
) -> tantivy::Result<Vec<(String, u64)>> {
    let mut by_segment: HashMap<u32, Vec<&Item>> = HashMap::new();
    for item in items {
        by_segment
            .entry(item.address.segment_ord)
            .or_default()
            .push(item);
    }
    // Message keys are hashes (copy keys) and ids, which no dump can aim at a hash function:
    // the fast hasher. Values are leaked text: the default, keyed one.
    let mut messages: HashMap<String, FxHashSet<(bool, u64)>> = HashMap::new();
    let mut segments: Vec<_> = by_segment.into_iter().collect();
    segments.sort_by_key(|(s, _)| *s);
    for (segment, items) in segments {
        for (value, group) in values_of_segment(searcher, segment, &items, dim, settings, local)? {
            // A person is counted once per message however many of their addresses it has.
            let value = match (dim, settings.person_of) {
                (Dimension::Person, Some(person_of)) if value != NONE => person_of(&value),
                _ => value,
            };
            messages.entry(value).or_default().extend(group);
        }
    }
    Ok(messages
        .into_iter()
        .map(|(value, set)| (value, set.len() as u64))
        .collect())
}

/// The messages of one segment's items, grouped by value: each value once per segment, so
/// a string is built per distinct value, not per item.
type Groups = Vec<(String, Vec<(bool, u64)>)>;

/// Every value of the items of one segment, with the messages that have it.
fn values_of_segment(
    searcher: &Searcher,
    segment: u32,
    items: &[&Item],
    dim: Dimension,
    settings: Settings<'_>,
    local: &HashSet<DocAddress>,
) -> tantivy::Result<Groups> {
    let ff = searcher.segment_reader(segment).fast_fields();
    let column = match dim {
        Dimension::From => Some(schema::FROM_ADDR),
        Dimension::To => Some(schema::RCPT_ADDR),
        Dimension::Custodian => Some(schema::CUSTODIAN),
        Dimension::Person => {
            let mut groups = strings_of(ff.str(schema::FROM_ADDR)?.as_ref(), items);
            groups.extend(strings_of(ff.str(schema::RCPT_ADDR)?.as_ref(), items));
            // A message with a sender and no recipient is no "none" for the person.
            let any: HashSet<(bool, u64)> = groups
                .iter()
                .filter(|(v, _)| v != NONE)
                .flat_map(|(_, g)| g.iter().copied())
                .collect();
            for (v, g) in groups.iter_mut() {
                if v == NONE {
                    g.retain(|m| !any.contains(m));
                }
            }
            groups.retain(|(_, g)| !g.is_empty());
            return Ok(groups);
        }
        Dimension::Year | Dimension::Month => None,
    };
    if let Some(column) = column {
        return Ok(strings_of(ff.str(column)?.as_ref(), items));
    }
    let unit = if dim == Dimension::Year {
        Unit::Year
    } else {
        Unit::Month
    };
    let date = ff.date(schema::DATE)?;
    let file_date = ff.date(schema::FILE_DATE)?;
    let mut out: HashMap<String, Vec<(bool, u64)>> = HashMap::new();
    for item in items {
        let doc = item.address.doc_id;
        let d = date.first(doc).or_else(|| {
            settings
                .ctx
                .file_dates
                .then(|| file_date.first(doc))
                .flatten()
        });
        let label = d
            .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| {
                let day = if local.contains(&item.address) {
                    d.date_naive()
                } else {
                    d.with_timezone(&settings.ctx.tz).date_naive()
                };
                unit.label(unit.start_of(day))
            })
            .unwrap_or_else(|| NONE.to_owned());
        out.entry(label).or_default().push(item.message());
    }
    Ok(out.into_iter().collect())
}

/// The values of a string column and their messages, resolving each distinct term once.
fn strings_of(column: Option<&StrColumn>, items: &[&Item]) -> Groups {
    let Some(column) = column else {
        return vec![(NONE.to_owned(), items.iter().map(|i| i.message()).collect())];
    };
    let mut pairs: Vec<(u64, (bool, u64))> = Vec::new();
    let mut none = Vec::new();
    for item in items {
        let before = pairs.len();
        pairs.extend(
            column
                .term_ords(item.address.doc_id)
                .map(|o| (o, item.message())),
        );
        if pairs.len() == before {
            none.push(item.message());
        }
    }
    pairs.sort_unstable();
    let runs: Vec<&[(u64, (bool, u64))]> = pairs.chunk_by(|a, b| a.0 == b.0).collect();
    let ords: Vec<u64> = runs.iter().map(|r| r[0].0).collect();
    let mut names = Vec::with_capacity(ords.len());
    let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        names.push(String::from_utf8_lossy(bytes).into_owned())
    });
    let mut out: Groups = names
        .into_iter()
        .zip(runs)
        .map(|(name, run)| (name, run.iter().map(|(_, m)| *m).collect()))
        .collect();
    if !none.is_empty() {
        out.push((NONE.to_owned(), none));
    }
    out
}

/// The columns of a batch's matrix: every value any query found, dates in time order (the
/// undated last), other values by their total over all queries, most first, ties by value.
pub fn columns(outcomes: &[Outcome], dim: Dimension) -> Vec<String> {
    let mut totals: HashMap<&str, u64> = HashMap::new();
    for o in outcomes {
        if let Ok(a) = &o.result {
            for (v, n) in &a.by {
                *totals.entry(v.as_str()).or_insert(0) += n;
            }
        }
    }
    let mut cols: Vec<(&str, u64)> = totals.into_iter().collect();
    if dim.is_date() {
        cols.sort_by(|a, b| (a.0 == NONE, a.0).cmp(&(b.0 == NONE, b.0)));
    } else {
        cols.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    }
    cols.into_iter().map(|(v, _)| v.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_files_take_labels_after_a_tab_and_skip_comments() {
        let text =
            "# names\n\nreyes\nDana\tfrom:dana OR to:dana\r\n  # indented comment\n\t\nx\t\n";
        let q = read_terms(text);
        let got: Vec<(usize, &str, &str)> = q
            .iter()
            .map(|q| (q.line, q.label.as_str(), q.query.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "reyes", "reyes"),
                (4, "Dana", "from:dana OR to:dana"),
                (7, "x", ""),
            ]
        );
    }

    #[test]
    fn dimensions_by_name() {
        assert_eq!(Dimension::parse("Custodian"), Some(Dimension::Custodian));
        assert_eq!(Dimension::parse("Person"), Some(Dimension::Person));
        assert_eq!(Dimension::parse("sender"), None);
        for (name, d) in Dimension::ALL {
            assert_eq!(d.name(), name);
        }
    }

    #[test]
    fn columns_put_dates_in_order_and_other_values_by_total() {
        let outcome = |by: &[(&str, u64)]| Outcome {
            query: BatchQuery {
                line: 1,
                label: String::new(),
                query: String::new(),
            },
            result: Ok(Answer {
                counts: Counts::default(),
                by: by.iter().map(|(v, n)| (v.to_string(), *n)).collect(),
            }),
        };
        let o = [
            outcome(&[("2001", 1), (NONE, 9), ("2000", 2)]),
            outcome(&[("2002", 5)]),
        ];
        assert_eq!(columns(&o, Dimension::Year), ["2000", "2001", "2002", NONE]);
        assert_eq!(
            columns(&o, Dimension::Custodian),
            [NONE, "2002", "2000", "2001"]
        );
    }
}
