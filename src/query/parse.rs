//! The query language: text in, an AST out, then a tantivy query.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary+                  (juxtaposition means AND; "AND" may be written)
//! unary   := ("-" | "NOT") unary | primary
//! primary := "(" or ")" | FIELD ":" value | value
//! value   := "quoted phrase" | word
//! ```
//!
//! Values: `word`, `"a phrase"`, `"a phrase"~N` (words within N positions), `word*` (prefix),
//! `word~1` / `word~2` (fuzzy, edit distance). Bare values search the subject and the body.
//! Every error carries the column (in characters, from 1) of the token at fault.

use crate::error::Error;

/// A field users can name in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldName {
    From,
    To,
    Cc,
    Bcc,
    Subject,
    Body,
    Date,
    After,
    Before,
    Id,
    Participant,
    Domain,
    Path,
    Kind,
    Has,
    Filename,
    Folder,
    Between,
    DateSource,
    Charset,
    ModifiedBy,
    Created,
    Modified,
    Camera,
    Thread,
    Is,
    /// `person:NAME-or-ID`: every address and account of a person ([`crate::people`]).
    Person,
    /// An exact sender or recipient address or account: what `person:` turns into. Not
    /// typable (not in [`FieldName::ALL`]).
    Address,
    Custodian,
}

impl FieldName {
    const ALL: [(&'static str, FieldName); 28] = [
        ("from", FieldName::From),
        ("to", FieldName::To),
        ("cc", FieldName::Cc),
        ("bcc", FieldName::Bcc),
        ("subject", FieldName::Subject),
        ("body", FieldName::Body),
        ("date", FieldName::Date),
        ("after", FieldName::After),
        ("before", FieldName::Before),
        ("id", FieldName::Id),
        ("participant", FieldName::Participant),
        ("domain", FieldName::Domain),
        ("path", FieldName::Path),
        ("kind", FieldName::Kind),
        ("has", FieldName::Has),
        ("filename", FieldName::Filename),
        ("folder", FieldName::Folder),
        ("between", FieldName::Between),
        ("date-source", FieldName::DateSource),
        ("charset", FieldName::Charset),
        ("modified-by", FieldName::ModifiedBy),
        ("created", FieldName::Created),
        ("modified", FieldName::Modified),
        ("camera", FieldName::Camera),
        ("thread", FieldName::Thread),
        ("is", FieldName::Is),
        ("person", FieldName::Person),
        ("custodian", FieldName::Custodian),
    ];

    fn lookup(name: &str) -> Option<FieldName> {
        let lower = name.to_ascii_lowercase();
        Self::ALL.iter().find(|(n, _)| *n == lower).map(|(_, f)| *f)
    }

    /// The known field closest to a misspelling, for "did you mean".
    fn suggest(name: &str) -> Option<&'static str> {
        let lower = name.to_ascii_lowercase();
        Self::ALL
            .iter()
            .map(|(n, _)| (*n, levenshtein(&lower, n)))
            // Two edits turn a short word into another (`site` into `date`): one for those.
            .filter(|(n, d)| *d <= if lower.len() <= 4 { 1 } else { 2 } && *d < n.len())
            .min_by_key(|(_, d)| *d)
            .map(|(n, _)| n)
    }
}

/// A search value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A single word (which may still analyze to several tokens, like `e-mail`).
    Word(String),
    /// A quoted phrase; `slop` is the N of `"..."~N` (0: adjacent words).
    Phrase(String, u32),
    /// `word*`: any word starting with this.
    Prefix(String),
    /// `word~N`: any word within N edits.
    Fuzzy(String, u8),
}

impl Value {
    pub fn text(&self) -> &str {
        match self {
            Value::Word(s) | Value::Phrase(s, _) | Value::Prefix(s) | Value::Fuzzy(s, _) => s,
        }
    }

    /// Reads a bare word, recognizing the `*` and `~N` suffixes.
    fn from_word(w: &str) -> Value {
        if w.len() > 1 {
            if let Some(stem) = w.strip_suffix('*') {
                return Value::Prefix(stem.to_owned());
            }
            if let Some((stem, dist)) = w.rsplit_once('~') {
                if !stem.is_empty() && (dist.is_empty() || dist == "1" || dist == "2") {
                    return Value::Fuzzy(stem.to_owned(), dist.parse().unwrap_or(1));
                }
            }
        }
        Value::Word(w.to_owned())
    }
}

/// The parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// `field: None` means the default fields (subject and body).
    Match {
        field: Option<FieldName>,
        value: Value,
        column: usize,
    },
}

impl Node {
    /// True when the query asks for parts of messages by kind (`kind:attachment`, not negated):
    /// such a query lists the parts themselves, not their messages.
    pub fn names_parts(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(Node::names_parts),
            Node::Not(_) => false,
            Node::Match {
                field: Some(FieldName::Kind),
                value,
                ..
            } => value.text().eq_ignore_ascii_case("attachment"),
            Node::Match { .. } => false,
        }
    }

    /// True when the query contains bare words or phrases (no field), which makes relevance a
    /// sensible default order; with field terms only, date order is.
    pub fn has_free_text(&self) -> bool {
        match self {
            Node::And(v) | Node::Or(v) => v.iter().any(Node::has_free_text),
            Node::Not(_) => false,
            Node::Match {
                field: None,
                value: Value::Word(w),
                ..
            } if w == "*" => false,
            // A field term (`subject:fwd` included) narrows; only bare words ask for
            // relevance. A forward chain found by its subject reads in date order.
            Node::Match { field, .. } => field.is_none(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    Minus,
    Or,
    And,
    Not,
    Field(String),
    Word(String),
    Quoted(String, u32),
}

/// Parses `query` into an AST.
pub fn parse(query: &str) -> Result<Node, Error> {
    parse_with_notes(query).map(|(node, _)| node)
}

/// Parses `query` into an AST, with notes for the user about how it was read: a `word:` that
/// is no field and no near miss of one (a URL's `http:`, `re:`) is searched as text.
pub fn parse_with_notes(query: &str) -> Result<(Node, Vec<String>), Error> {
    let toks = lex(query)?;
    if toks.is_empty() {
        return Err(err(query, 1, "empty query"));
    }
    let mut p = Parser {
        query,
        toks,
        pos: 0,
        depth: 0,
        notes: Vec::new(),
    };
    let node = p.or()?;
    if let Some((col, t)) = p.peek() {
        let msg = match t {
            Tok::RParen => "unmatched `)`".to_string(),
            _ => format!("unexpected {}", describe(t)),
        };
        return Err(err(query, col, &msg));
    }
    Ok((node, p.notes))
}

fn err(query: &str, column: usize, message: &str) -> Error {
    Error::Query {
        query: query.to_owned(),
        column,
        message: message.to_owned(),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Or => "`OR`".into(),
        Tok::And => "`AND`".into(),
        Tok::Not => "`NOT`".into(),
        Tok::Field(f) => format!("`{f}:`"),
        Tok::Word(w) => format!("`{w}`"),
        Tok::Quoted(q, _) => format!("\"{q}\""),
    }
}

fn lex(query: &str) -> Result<Vec<(usize, Tok)>, Error> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((col, Tok::LParen));
            i += 1;
        } else if c == ')' {
            out.push((col, Tok::RParen));
            i += 1;
        } else if c == '"' {
            let start = i + 1;
            let Some(len) = chars[start..].iter().position(|&c| c == '"') else {
                return Err(err(query, col, "unclosed `\"`"));
            };
            let phrase: String = chars[start..start + len].iter().collect();
            i = start + len + 1;
            // `"..."~N`: proximity.
            let mut slop = 0;
            if chars.get(i) == Some(&'~') {
                let digits: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if digits.is_empty() {
                    return Err(err(
                        query,
                        i + 1,
                        "`~` after a phrase needs a number of words, as in \"a b\"~3",
                    ));
                }
                slop = digits
                    .parse()
                    .map_err(|_| err(query, i + 2, "proximity too large"))?;
                i += 1 + digits.len();
            }
            out.push((col, Tok::Quoted(phrase, slop)));
        } else if c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            out.push((col, Tok::Minus));
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                if chars[i] == ':' {
                    break;
                }
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if i < chars.len() && chars[i] == ':' && is_field_name(&word) {
                i += 1;
                let quoted_parties = word.eq_ignore_ascii_case("between");
                out.push((col, Tok::Field(word)));
                // A bare value runs to the next space or parenthesis, colons included
                // (`from:twitter:123`, `path:/cases/a:b`). `between:` takes two parties, each
                // of which may be quoted: `between:"dana reyes",openvault`.

                let vstart = i;
                while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')')
                {
                    if chars[i] == '"' {
                        if !quoted_parties {
                            break;
                        }
                        match chars[i + 1..].iter().position(|&c| c == '"') {
                            Some(n) => i += n + 1,
                            None => return Err(err(query, i + 1, "unclosed `\"`")),
                        }
                    }
                    i += 1;
                }
                if i > vstart {
                    out.push((vstart + 1, Tok::Word(chars[vstart..i].iter().collect())));
                }
                continue;
            }
            // Not a field prefix: the colon belongs to the word (10:30, a URL).
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let tok = match word.as_str() {
                "OR" | "||" => Tok::Or,
                "AND" | "&&" => Tok::And,
                "NOT" => Tok::Not,
                _ => Tok::Word(word),
            };
            out.push((col, tok));
        }
    }
    Ok(out)
}

/// Letters only: `from`, `subject`; `10` in `10:30` or `http` in a URL are checked later. A
/// hyphen only in a known field (`date-source`), so `e-mail:` stays text as it always was.
fn is_field_name(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
        || FieldName::lookup(w).is_some()
}

/// How deeply parentheses and exclusions may nest. The parser, the compiler and the query tree's
/// drop all recurse once per level, so without a limit a query of a few hundred thousand `(`
/// overflows the stack and aborts the process; no real query comes near this.
pub const MAX_DEPTH: usize = 100;

/// `word:` prefixes of URLs, searched without the scheme.
const URL_SCHEMES: [&str; 5] = ["http", "https", "ftp", "mailto", "file"];

struct Parser<'q> {
    query: &'q str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
    /// Parentheses and exclusions open around the current token.
    depth: usize,
    notes: Vec<String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<(usize, &Tok)> {
        self.toks.get(self.pos).map(|(c, t)| (*c, t))
    }

    /// Enters one more level of nesting at `column`, or refuses past [`MAX_DEPTH`].
    fn descend(&mut self, column: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                self.query,
                column,
                &format!("parentheses and exclusions nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn end_column(&self) -> usize {
        self.query.chars().count() + 1
    }

    fn or(&mut self) -> Result<Node, Error> {
        let mut parts = vec![self.and()?];
        while let Some((_, Tok::Or)) = self.peek() {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap_or(Node::And(vec![]))
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Node, Error> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some((_, Tok::Or | Tok::RParen)) => break,
                Some((_, Tok::And)) if !parts.is_empty() => {
                    self.pos += 1;
                    continue;
                }
                _ => parts.push(self.unary()?),
            }
        }
        match parts.len() {
            0 => {
                let (col, msg) = match self.peek() {
                    Some((c, t)) => (c, format!("expected a search term before {}", describe(t))),
                    None => (
                        self.end_column(),
                        "expected a search term at the end".to_string(),
                    ),
                };
                Err(err(self.query, col, &msg))
            }
            1 => Ok(parts.pop().unwrap_or(Node::And(vec![]))),
            _ => Ok(Node::And(parts)),
        }
    }

    fn unary(&mut self) -> Result<Node, Error> {
        match self.peek() {
            Some((col, Tok::Minus | Tok::Not)) => {
                self.pos += 1;
                if self.peek().is_none() {
                    return Err(err(
                        self.query,
                        self.end_column(),
                        "expected a term to exclude at the end",
                    ));
                }
                self.descend(col)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, Error> {
        let Some((col, tok)) = self.peek() else {
            return Err(err(
                self.query,
                self.end_column(),
                "expected a search term at the end",
            ));
        };
        let tok = tok.clone();
        self.pos += 1;
        match tok {
            Tok::LParen => {
                self.descend(col)?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some((_, Tok::RParen)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(err(self.query, col, "unclosed `(`")),
                }
            }
            Tok::Field(name) => {
                let Some(field) = FieldName::lookup(&name) else {
                    // A near miss of a field is a typo to point out; anything else
                    // (`http://…`, `Re:`) is text that happens to hold a colon.
                    if let Some(s) = FieldName::suggest(&name) {
                        return Err(err(
                            self.query,
                            col,
                            &format!("unknown field `{name}:` (did you mean `{s}:`?)"),
                        ));
                    }
                    // A URL is searched by what follows its scheme, which the text holds
                    // more often than the scheme (`stopreyes.example.com`).
                    let scheme = URL_SCHEMES.contains(&name.to_ascii_lowercase().as_str());
                    let value = match self.peek() {
                        Some((_, Tok::Word(w))) => {
                            let w = if scheme {
                                w.trim_start_matches('/').to_owned()
                            } else {
                                format!("{name}:{w}")
                            };
                            self.pos += 1;
                            Value::Word(w)
                        }
                        Some((_, Tok::Quoted(q, slop))) => {
                            let v = Value::Phrase(format!("{name} {q}"), *slop);
                            self.pos += 1;
                            v
                        }
                        _ => Value::Word(name.clone()),
                    };
                    self.notes.push(format!(
                        "`{name}:` is no field; `{}` is searched as text",
                        value.text()
                    ));
                    return Ok(Node::Match {
                        field: None,
                        value,
                        column: col,
                    });
                };
                let value = match self.peek() {
                    Some((_, Tok::Word(w))) => Value::from_word(w),
                    Some((_, Tok::Quoted(q, slop))) => Value::Phrase(q.clone(), *slop),
                    _ => {
                        return Err(err(
                            self.query,
                            col,
                            &format!("`{name}:` needs a value after the colon"),
                        ))
                    }
                };
                self.pos += 1;
                Ok(Node::Match {
                    field: Some(field),
                    value,
                    column: col,
                })
            }
            Tok::Word(w) => Ok(Node::Match {
                field: None,
                value: Value::from_word(&w),
                column: col,
            }),
            Tok::Quoted(q, slop) => Ok(Node::Match {
                field: None,
                value: Value::Phrase(q, slop),
                column: col,
            }),
            other => Err(err(
                self.query,
                col,
                &format!("expected a search term, found {}", describe(&other)),
            )),
        }
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(field: Option<FieldName>, v: &str, column: usize) -> Node {
        Node::Match {
            field,
            value: Value::Word(v.into()),
            column,
        }
    }

    fn error_of(q: &str) -> (usize, String) {
        match parse(q) {
            Err(Error::Query {
                column, message, ..
            }) => (column, message),
            other => panic!("{q:?} should fail, got {other:?}"),
        }
    }

    #[test]
    fn words_fields_and_phrases() {
        assert_eq!(parse("tax").unwrap(), m(None, "tax", 1));
        assert_eq!(
            parse("from:dana \"tax returns\"").unwrap(),
            Node::And(vec![
                m(Some(FieldName::From), "dana", 1),
                Node::Match {
                    field: None,
                    value: Value::Phrase("tax returns".into(), 0),
                    column: 11
                },
            ])
        );
        assert_eq!(
            parse("FROM:Dana").unwrap(),
            m(Some(FieldName::From), "Dana", 1)
        );
    }

    #[test]
    fn boolean_structure() {
        let n = parse("a OR b -c").unwrap();
        assert_eq!(
            n,
            Node::Or(vec![
                m(None, "a", 1),
                Node::And(vec![m(None, "b", 6), Node::Not(Box::new(m(None, "c", 9)))])
            ])
        );
        assert_eq!(
            parse("(a OR b) AND c").unwrap(),
            Node::And(vec![
                Node::Or(vec![m(None, "a", 2), m(None, "b", 7)]),
                m(None, "c", 14)
            ])
        );
        assert_eq!(
            parse("NOT a").unwrap(),
            Node::Not(Box::new(m(None, "a", 5)))
        );
    }

    #[test]
    fn proximity_prefix_and_fuzzy() {
        let v = |q: &str| match parse(q).unwrap() {
            Node::Match { value, .. } => value,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            v("\"tax returns\"~3"),
            Value::Phrase("tax returns".into(), 3)
        );
        assert_eq!(v("leak*"), Value::Prefix("leak".into()));
        assert_eq!(v("from:dan*"), Value::Prefix("dan".into()));
        assert_eq!(v("reyse~1"), Value::Fuzzy("reyse".into(), 1));
        assert_eq!(v("reyse~"), Value::Fuzzy("reyse".into(), 1));
        assert_eq!(v("*"), Value::Word("*".into()));
        assert_eq!(v("a~9"), Value::Word("a~9".into()));
        assert_eq!(error_of("\"a b\"~x").0, 6);
    }

    #[test]
    fn field_values_keep_their_colons() {
        assert_eq!(
            parse("from:twitter:800000002").unwrap(),
            m(Some(FieldName::From), "twitter:800000002", 1)
        );
    }

    #[test]
    fn colons_that_are_not_fields_stay_in_words() {
        assert_eq!(parse("10:30").unwrap(), m(None, "10:30", 1));
        assert_eq!(parse("e-mail").unwrap(), m(None, "e-mail", 1));
        assert_eq!(parse("e-mail:x").unwrap(), m(None, "e-mail:x", 1));
    }

    /// A `word:` that is no field and no near miss of one is text, with a note (issue #16): a
    /// pasted URL, a `Re:` typed into the query.
    #[test]
    fn words_with_a_colon_that_name_no_field_are_text() {
        let (node, notes) = parse_with_notes("http://openvault.example.org/news").unwrap();
        assert_eq!(node, m(None, "openvault.example.org/news", 1));
        assert_eq!(
            notes,
            ["`http:` is no field; `openvault.example.org/news` is searched as text"]
        );
        assert_eq!(
            parse_with_notes("site:x.org").unwrap().0,
            m(None, "site:x.org", 1)
        );
        let (node, notes) = parse_with_notes("xyzzy:\"a b\" from:dana").unwrap();
        let Node::And(parts) = node else { panic!() };
        assert_eq!(
            parts[0],
            Node::Match {
                field: None,
                value: Value::Phrase("xyzzy a b".into(), 0),
                column: 1
            }
        );
        assert_eq!(notes.len(), 1);
        // A near miss is still a typo to point out.
        assert!(parse_with_notes("subjet:tax").is_err());
        assert!(parse_with_notes("from:dana").unwrap().1.is_empty());
    }

    #[test]
    fn hyphenated_field_names() {
        assert_eq!(
            parse("Date-Source:file").unwrap(),
            m(Some(FieldName::DateSource), "file", 1)
        );
    }

    #[test]
    fn error_positions() {
        assert_eq!(error_of(""), (1, "empty query".into()));
        assert_eq!(error_of("a \"tax"), (3, "unclosed `\"`".into()));
        assert_eq!(error_of("(a b"), (1, "unclosed `(`".into()));
        assert_eq!(error_of("a b)"), (4, "unmatched `)`".into()));
        assert_eq!(
            error_of("fromm:dana").1,
            "unknown field `fromm:` (did you mean `from:`?)"
        );
        assert!(parse("fromm:dana").is_err());
        assert_eq!(error_of("a from:").0, 3);
        assert_eq!(
            error_of("a from: )").1,
            "`from:` needs a value after the colon"
        );
        // A space after the colon is forgiven.
        assert_eq!(parse("from: b").unwrap(), m(Some(FieldName::From), "b", 1));
        assert_eq!(error_of("a OR").0, 5);
        assert_eq!(error_of("OR a").0, 1);
        assert_eq!(error_of("NOT").0, 4);
        assert_eq!(error_of("()").0, 2);
    }

    #[test]
    fn free_text_detection() {
        assert!(parse("tax from:dana").unwrap().has_free_text());
        assert!(!parse("from:dana date:2016").unwrap().has_free_text());
        assert!(!parse("subject:tax").unwrap().has_free_text());
        assert!(!parse("body:\"tax returns\" from:dana")
            .unwrap()
            .has_free_text());
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4000))]

        /// Any string at all: the parser returns a query or an error with a column inside it.
        #[test]
        fn no_string_makes_the_parser_panic(q in "\\PC{0,40}") {
            if let Err(Error::Query { column, .. }) = parse(&q) {
                proptest::prop_assert!(column >= 1 && column <= q.chars().count() + 1);
            }
        }

        /// Strings built from the language's own punctuation and keywords, where bugs hide.
        #[test]
        fn no_query_shaped_string_makes_the_parser_panic(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "OR", "AND", "NOT", "-", "(", ")", "\"", "from:", "date:", "~", "~2", "*",
                    ":", " ", "between:", "x,y", "é", "\u{202e}", "\"a b\"~3", "2016-10..", "date-source:",
                ]),
                0..12,
            )
        ) {
            let q: String = parts.concat();
            let _ = parse(&q);
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // A cheap deterministic fuzz: every string over a hostile alphabet up to length 4.
        let alphabet = [
            'a', ':', '"', '(', ')', '-', ' ', 'O', 'R', 'é', '.', '\u{202e}',
        ];
        let mut stack = vec![String::new()];
        while let Some(s) = stack.pop() {
            let _ = parse(&s);
            if s.chars().count() < 4 {
                for c in alphabet {
                    stack.push(format!("{s}{c}"));
                }
            }
        }
    }

    /// Issue #12: a long run of `(` or `-` recursed once per character and overflowed the stack,
    /// aborting the process. Nesting is now refused past [`MAX_DEPTH`] with a column.
    #[test]
    fn issue_12_deep_nesting_is_an_error_not_a_stack_overflow() {
        for n in [MAX_DEPTH + 1, 10_000, 1_000_000] {
            for (open, close) in [("(", ")"), ("-", ""), ("NOT ", ""), ("(-", ")")] {
                let q = format!("{}a{}", open.repeat(n), close.repeat(n));
                let e = parse(&q).expect_err("too deep");
                assert!(e.to_string().contains("nest deeper"), "{open}: {e}");
            }
        }
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let ok = format!("{}a", "-".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        // Width is not depth: a million terms side by side parse.
        assert!(parse(&"a OR b ".repeat(500_000)).is_ok());
    }
}
