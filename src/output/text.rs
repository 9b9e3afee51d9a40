//! Text output for people: one line per hit (date, sender, first recipients, subject, path), then
//! an indented snippet with the matched words highlighted. Everything from the dump is sanitized.

use std::io::Write;

use super::json::Hit;
use super::sanitize::for_terminal;
use crate::doc::Mailbox;

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// How many recipients a hit line names before "+N".
const SHOWN_RECIPIENTS: usize = 2;

pub fn write_hit<W: Write>(out: &mut W, hit: &Hit, color: bool) -> std::io::Result<()> {
    let date = match &hit.date {
        Some(d) => d
            .get(..16)
            .map(|s| s.replace('T', " "))
            .unwrap_or_else(|| d.clone()),
        None => format!("(date {})", hit.date_quality),
    };
    let from = hit
        .from
        .as_ref()
        .map(short_mailbox)
        .unwrap_or_else(|| "(no sender)".into());
    let recipients: Vec<&Mailbox> = hit.to.iter().chain(&hit.cc).chain(&hit.bcc).collect();
    let mut to: Vec<String> = recipients
        .iter()
        .take(SHOWN_RECIPIENTS)
        .map(|m| short_mailbox(m))
        .collect();
    if recipients.len() > SHOWN_RECIPIENTS {
        to.push(format!("+{}", recipients.len() - SHOWN_RECIPIENTS));
    }
    let to = if to.is_empty() {
        "(no recipients)".to_string()
    } else {
        to.join(", ")
    };
    let subject = if hit.subject.is_empty() {
        "(no subject)".to_string()
    } else {
        for_terminal(&hit.subject)
    };
    let path = super::display_path(&hit.path);
    let path = if hit.offset > 0 {
        format!("{}@{}", for_terminal(&path), hit.offset)
    } else {
        for_terminal(&path)
    };
    let (b, d, r) = if color {
        (BOLD, DIM, RESET)
    } else {
        ("", "", "")
    };
    writeln!(out, "{date}  {from} → {to}  {b}{subject}{r}  {d}{path}{r}")?;
    if !hit.snippet.is_empty() {
        writeln!(
            out,
            "    {}",
            highlight(&hit.snippet, &hit.highlights, color)
        )?;
    }
    Ok(())
}

fn short_mailbox(m: &Mailbox) -> String {
    for_terminal(&match (&m.name, m.address.is_empty()) {
        (Some(n), false) => format!("{n} <{}>", m.address),
        (Some(n), true) => n.clone(),
        (None, _) => m.address.clone(),
    })
}

/// Marks `ranges` of `snippet`: colour on a terminal, `**word**` otherwise.
fn highlight(snippet: &str, ranges: &[[usize; 2]], color: bool) -> String {
    let (open, close) = if color { (MATCH, RESET) } else { ("**", "**") };
    let mut out = String::with_capacity(snippet.len() + ranges.len() * 8);
    let mut last = 0;
    for &[s, e] in ranges {
        if s < last
            || e > snippet.len()
            || !snippet.is_char_boundary(s)
            || !snippet.is_char_boundary(e)
        {
            continue;
        }
        out.push_str(&for_terminal(&snippet[last..s]));
        out.push_str(open);
        out.push_str(&for_terminal(&snippet[s..e]));
        out.push_str(close);
        last = e;
    }
    out.push_str(&for_terminal(&snippet[last..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_and_sanitizes() {
        assert_eq!(
            highlight("a tax return\x1b", &[[2, 5]], false),
            "a **tax** return\\x1b"
        );
        assert_eq!(
            highlight("a tax", &[[2, 5]], true),
            "a \x1b[1;31mtax\x1b[0m"
        );
        assert_eq!(highlight("ab", &[[1, 9]], false), "ab");
    }
}
