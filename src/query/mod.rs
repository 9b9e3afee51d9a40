//! Our query syntax turned into tantivy queries.
//!
//! [`parse`] owns the grammar; [`compile`] maps the AST onto the schema: bare words and phrases
//! to subject and body, `from:`/`to:` to address words or exact addresses, dates to ranges on
//! the date column. Values are analyzed with the same analyzer as the index, so `Élodie`,
//! `ELODIE` and `elodie` are one word.

pub mod date;
pub mod facets;
pub mod parse;

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

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
    pub text: String,
}

/// Parses and compiles `text` against `fields`.
pub fn compile(text: &str, fields: &Fields) -> Result<Compiled, Error> {
    let ast = parse::parse(text)?;
    let query = build(&ast, fields, text)?;
    Ok(Compiled {
        query,
        free_text: ast.has_free_text(),
        text: text.to_owned(),
    })
}

fn build(node: &Node, f: &Fields, text: &str) -> Result<Box<dyn Query>, Error> {
    Ok(match node {
        Node::And(parts) => {
            let mut clauses = Vec::with_capacity(parts.len());
            for p in parts {
                match p {
                    Node::Not(inner) => clauses.push((Occur::MustNot, build(inner, f, text)?)),
                    _ => clauses.push((Occur::Must, build(p, f, text)?)),
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
                clauses.push((Occur::Should, build(p, f, text)?));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Node::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
            (Occur::MustNot, build(inner, f, text)?),
        ])),
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
            match field {
                None => words_in(&[f.subject, f.body], value)
                    .ok_or_else(|| fail(nothing_searchable(value)))?,
                Some(FieldName::Subject) => {
                    words_in(&[f.subject], value).ok_or_else(|| fail(nothing_searchable(value)))?
                }
                Some(FieldName::Body) => {
                    words_in(&[f.body], value).ok_or_else(|| fail(nothing_searchable(value)))?
                }
                Some(FieldName::From) => address(value, &[(f.from, f.from_addr)])
                    .ok_or_else(|| fail(nothing_searchable(value)))?,
                Some(FieldName::To) => address(
                    value,
                    &[(f.to, f.to_addr), (f.cc, f.cc_addr), (f.bcc, f.bcc_addr)],
                )
                .ok_or_else(|| fail(nothing_searchable(value)))?,
                Some(FieldName::Cc) => address(value, &[(f.cc, f.cc_addr)])
                    .ok_or_else(|| fail(nothing_searchable(value)))?,
                Some(FieldName::Bcc) => address(value, &[(f.bcc, f.bcc_addr)])
                    .ok_or_else(|| fail(nothing_searchable(value)))?,
                Some(FieldName::Id) => {
                    let id = value
                        .text()
                        .trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>');
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.message_id, id),
                        IndexRecordOption::Basic,
                    ))
                }
                Some(FieldName::Date) => {
                    let i = date::parse_interval(value.text()).map_err(fail)?;
                    date_range(f.date, i.start, i.end)
                }
                Some(FieldName::After) => {
                    let p = date::parse_period(value.text()).map_err(fail)?;
                    date_range(f.date, Some(p.start), None)
                }
                Some(FieldName::Before) => {
                    let p = date::parse_period(value.text()).map_err(fail)?;
                    date_range(f.date, None, Some(p.start))
                }
            }
        }
    })
}

fn nothing_searchable(v: &Value) -> String {
    format!("`{}` has no letters or digits to search for", v.text())
}

/// Matches `value` in any of `fields`: a term for one token, a phrase for several (a quoted
/// phrase, or a word like `e-mail` that analyzes to two tokens). `None` when nothing is left
/// after analysis.
fn words_in(fields: &[Field], value: &Value) -> Option<Box<dyn Query>> {
    let tokens = tokenizers::tokens(value.text());
    if tokens.is_empty() {
        return None;
    }
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = fields
        .iter()
        .map(|&field| {
            let q: Box<dyn Query> = if tokens.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &tokens[0]),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    tokens
                        .iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            };
            (Occur::Should, q)
        })
        .collect();
    Some(if per_field.len() == 1 {
        per_field.remove(0).1
    } else {
        Box::new(BooleanQuery::new(per_field))
    })
}

/// `from:`-style values: an exact address when the value contains `@`, otherwise words of the
/// display name or address.
fn address(value: &Value, fields: &[(Field, Field)]) -> Option<Box<dyn Query>> {
    let text = value.text();
    if text.contains('@') && !text.contains(char::is_whitespace) {
        let addr = normalize_address(text);
        let clauses = fields
            .iter()
            .map(|&(_, exact)| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(exact, &addr),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        return Some(Box::new(BooleanQuery::new(clauses)));
    }
    let words: Vec<Field> = fields.iter().map(|&(w, _)| w).collect();
    words_in(&words, value)
}

fn date_range(
    field: Field,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Box<dyn Query> {
    let term = |d: chrono::DateTime<chrono::Utc>| {
        Term::from_field_date_for_search(
            field,
            tantivy::DateTime::from_timestamp_secs(d.timestamp()),
        )
    };
    let lower = start.map_or(Bound::Unbounded, |s| Bound::Included(term(s)));
    let upper = end.map_or(Bound::Unbounded, |e| Bound::Excluded(term(e)));
    if let (Some(s), Some(e)) = (start, end) {
        if s >= e {
            return Box::new(EmptyQuery);
        }
    }
    Box::new(RangeQuery::new(lower, upper))
}
