//! Fitting text output to the terminal (issue #16): lines are cut to the terminal's width with
//! an ellipsis, measured in display columns (a CJK character or an emoji takes two), with
//! colour escapes counted as nothing. `--wide`, a pipe without `COLUMNS`, `--json` and `--csv`
//! print every value whole. Widths and cuts are the console crate's (ANSI-aware); only the
//! cut in the middle of a path, which it does not do, is written here.

use std::io::IsTerminal;

use unicode_width::UnicodeWidthChar;

/// Narrower terminals are treated as this wide: below it no layout is readable anyway.
const MIN_WIDTH: usize = 40;

/// The columns text output may fill: none with `--wide`; the terminal's width when stdout is
/// one; else `COLUMNS` when it is set to a number (as `ls` reads it, so a script or a test can
/// ask for a width); else none.
pub fn width(wide: bool) -> Option<usize> {
    if wide {
        return None;
    }
    let columns = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
    };
    let cols = if std::io::stdout().is_terminal() {
        console::Term::stdout()
            .size_checked()
            .map(|(_, cols)| cols as usize)
            .or_else(columns)
            .unwrap_or(80)
    } else {
        columns()?
    };
    Some(cols.max(MIN_WIDTH))
}

/// Display columns of `s`, colour escapes not counted.
pub fn columns(s: &str) -> usize {
    console::measure_text_width(s)
}

/// `s` cut to `width` columns, ending in `…` when cut; colour escapes are kept whole, so a
/// reset after the cut still applies.
pub fn end(s: &str, width: usize) -> String {
    console::truncate_str(s, width, "…").into_owned()
}

/// `s` (plain text, no escapes) cut to `width` columns in the middle: a path keeps where it
/// starts and its file name.
pub fn middle(s: &str, width: usize) -> String {
    if columns(s) <= width {
        return s.to_owned();
    }
    if width < 3 {
        return end(s, width);
    }
    let tail_budget = (width - 1) / 2;
    let head_budget = width - 1 - tail_budget;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_budget {
            break;
        }
        used += w;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_budget {
            break;
        }
        used += w;
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

/// `s` padded with spaces to `width` columns, or cut to it.
pub fn pad(s: &str, width: usize) -> String {
    console::pad_str(s, width, console::Alignment::Left, Some("…")).into_owned()
}

/// Shares `room` columns between a subject and a path shown after it (two spaces apart): each
/// gets what it needs when both fit; otherwise the path at least 40% (a path cut in the middle
/// still names its file) and the subject the rest.
pub fn share(subject: usize, path: usize, room: usize) -> (usize, usize) {
    let room = room.saturating_sub(2);
    if subject + path <= room {
        return (subject, path);
    }
    let path_min = (room * 2 / 5).min(path);
    let subject_w = subject.min(room - path_min);
    (subject_w, room - subject_w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_count_columns_not_bytes_and_skip_colour() {
        assert_eq!(end("abcdef", 4), "abc…");
        assert_eq!(end("abc", 4), "abc");
        // Two columns per ideograph.
        assert_eq!(columns("漢字"), 4);
        assert_eq!(end("漢字漢字", 5), "漢字…");
        let red = "\x1b[1;31mtax\x1b[0m return";
        assert_eq!(columns(red), 10);
        let cut = end(red, 5);
        assert_eq!(columns(&cut), 5);
        assert_eq!(cut, "\x1b[1;31mtax\x1b[0m …");
        // A cut inside the colour keeps the reset that follows.
        assert_eq!(end(red, 3), "\x1b[1;31mta…\x1b[0m");
    }

    #[test]
    fn paths_keep_both_ends() {
        let p = "sample_corpus/maildir/dana/cur/1475515507.M103P4103.trawlhost:2,RS";
        let m = middle(p, 30);
        assert_eq!(columns(&m), 30);
        assert!(
            m.starts_with("sample_corpus/") && m.ends_with("trawlhost:2,RS"),
            "{m}"
        );
        assert_eq!(middle("short", 30), "short");
    }

    #[test]
    fn subject_and_path_share_the_room() {
        assert_eq!(share(10, 20, 40), (10, 20));
        let (s, p) = share(60, 60, 52);
        assert_eq!(s + p, 50);
        assert_eq!(p, 20);
        // A short subject leaves the path the rest.
        assert_eq!(share(5, 60, 52), (5, 45));
    }
}
