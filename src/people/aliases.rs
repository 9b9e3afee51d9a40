//! The aliases file: the user's corrections to automatic grouping, because automatic merges are
//! never perfect. One directive a line; `#` starts a comment; identities are addresses, chat
//! accounts (`twitter:800000002`), DNs, or `"name:First Last"` for a name seen without address,
//! compared lower-cased; a value with spaces is written in double quotes.
//!
//! ```text
//! # the transparency group writes from its site and from Twitter
//! same dm@openvault.example.org twitter:800000002
//! # two Mike Smiths, not one
//! apart mike.smith@enron.com | msmith@aol.example
//! # never join this shared mailbox to anyone
//! alone press@reyes2016.example.com
//! # the display name to show
//! name twitter:800000002 OpenVault
//! ```
//!
//! `same` joins its identities (and so their persons); `apart` keeps the identities left of `|`
//! from ever sharing a person with those right of it, refusing whichever automatic link would
//! join them; `alone` drops every automatic link of an identity; `name` sets the display name
//! of the person an identity belongs to.

use std::path::Path;

/// A parsed aliases file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    /// `same` lines: (line number, identities).
    pub same: Vec<(usize, Vec<String>)>,
    /// `apart` lines: the two sides.
    pub apart: Vec<(Vec<String>, Vec<String>)>,
    pub alone: Vec<String>,
    /// `name` lines: (identity, display name).
    pub names: Vec<(String, String)>,
}

/// A line the aliases file could not be read at.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AliasError {
    pub line: usize,
    pub message: String,
}

/// Splits a line into words, keeping double-quoted runs together (without the quotes).
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("unclosed `\"`".into());
    }
    if any {
        out.push(cur);
    }
    Ok(out)
}

/// How an identity is written in the index: lower-cased, angle brackets and quotes trimmed.
pub fn normalize_identity(s: &str) -> String {
    let s = s.trim().trim_matches(['<', '>', '"', '\'']).trim();
    match s.strip_prefix("name:") {
        Some(n) => match super::names::name_key(n) {
            Some(k) => format!("name:{}", k.key),
            None => format!("name:{}", n.to_lowercase()),
        },
        None => s.to_lowercase(),
    }
}

impl Aliases {
    /// Reads the directives of `text`.
    pub fn parse(text: &str) -> Result<Aliases, AliasError> {
        let mut a = Aliases::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let fail = |message: String| AliasError { line, message };
            let content = match raw.find('#') {
                // A `#` inside quotes is part of a name; only a comment outside them counts.
                Some(p) if raw[..p].matches('"').count() % 2 == 0 => &raw[..p],
                _ => raw,
            };
            let w = words(content).map_err(fail)?;
            let Some((verb, rest)) = w.split_first() else {
                continue;
            };
            match verb.to_ascii_lowercase().as_str() {
                "same" => {
                    if rest.len() < 2 {
                        return Err(fail("`same` needs two identities or more".into()));
                    }
                    a.same
                        .push((line, rest.iter().map(|s| normalize_identity(s)).collect()));
                }
                "apart" => {
                    let bar = rest.iter().position(|s| s == "|");
                    let (l, r) = match bar {
                        Some(b) => (&rest[..b], &rest[b + 1..]),
                        None if rest.len() == 2 => (&rest[..1], &rest[1..]),
                        None => {
                            return Err(fail(
                                "`apart` takes two identities, or two lists separated by `|`"
                                    .into(),
                            ))
                        }
                    };
                    if l.is_empty() || r.is_empty() {
                        return Err(fail("`apart` needs identities on both sides".into()));
                    }
                    let norm = |v: &[String]| v.iter().map(|s| normalize_identity(s)).collect();
                    a.apart.push((norm(l), norm(r)));
                }
                "alone" => {
                    if rest.is_empty() {
                        return Err(fail("`alone` needs an identity".into()));
                    }
                    a.alone.extend(rest.iter().map(|s| normalize_identity(s)));
                }
                "name" => {
                    let Some((who, name)) = rest.split_first().filter(|(_, n)| !n.is_empty())
                    else {
                        return Err(fail("`name` takes an identity and a display name".into()));
                    };
                    a.names.push((normalize_identity(who), name.join(" ")));
                }
                other => {
                    return Err(fail(format!(
                        "unknown directive `{other}` (known: same, apart, alone, name)"
                    )))
                }
            }
        }
        Ok(a)
    }

    /// Reads the file at `path`.
    pub fn read(path: &Path) -> anyhow::Result<Aliases> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading aliases file {}: {e}", path.display()))?;
        Aliases::parse(&text).map_err(|e| anyhow::anyhow!("aliases file {}: {e}", path.display()))
    }

    /// Every identity the file names.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        self.same
            .iter()
            .flat_map(|(_, v)| v)
            .chain(self.apart.iter().flat_map(|(l, r)| l.iter().chain(r)))
            .chain(&self.alone)
            .chain(self.names.iter().map(|(w, _)| w))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let a = Aliases::parse(
            "# c\nsame DM@OpenVault.example.org  twitter:800000002 # trailing\n\
             apart a@x | b@y c@z\napart a@x b@y\nalone \"name:Reyes, Dana\"\n\
             name twitter:800000002 Open Vault \"#1\"\n",
        )
        .unwrap();
        assert_eq!(
            a.same,
            vec![(
                2,
                vec![
                    "dm@openvault.example.org".to_string(),
                    "twitter:800000002".to_string()
                ]
            )]
        );
        assert_eq!(a.apart[0].1, vec!["b@y".to_string(), "c@z".to_string()]);
        assert_eq!(a.apart[1].0, vec!["a@x".to_string()]);
        assert_eq!(a.alone, vec!["name:dana reyes".to_string()]);
        assert_eq!(a.names[0].1, "Open Vault #1");
    }

    #[test]
    fn errors_name_the_line() {
        let e = Aliases::parse("\nmerge a b\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown directive"));
        assert!(Aliases::parse("same a\n").is_err());
        assert!(Aliases::parse("apart a b c\n").is_err());
        assert!(Aliases::parse("name a\n").is_err());
        assert!(Aliases::parse("same \"a b\n").is_err());
    }
}
