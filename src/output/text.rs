//! Text output for people: hits as aligned columns (date, sender, recipients, subject, path)
//! with an indented, highlighted snippet; timelines with the gap since the previous message;
//! facets, histograms as bars, and sender → recipient pairs. Everything from the dump is
//! sanitized; dates are shown in the user's time zone, except local times of unknown zone, which
//! are shown as written and marked, and file dates are marked as such.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::fit;
use super::json::{FacetOut, HistogramOut, Hit};
use super::sanitize::for_terminal;
use crate::doc::Mailbox;
use crate::query::facets::Pair;

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// How many recipients a hit line names before "+N".
const SHOWN_RECIPIENTS: usize = 1;
/// Column widths (in characters) of sender and recipients.
const FROM_WIDTH: usize = 32;
const TO_WIDTH: usize = 36;
/// Widest histogram bar.
const BAR_WIDTH: usize = 50;
/// Runs of more empty histogram periods than this print as one line.
const EMPTY_RUN_FOLD: usize = 6;

/// How text is printed: in colour or not, and the columns a line may fill (None: no limit).
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    pub width: Option<usize>,
    /// `--wide`: every recipient instead of the first and `+N`.
    pub wide: bool,
}

/// Writes `line`, cut to the style's width.
pub fn put<W: Write + ?Sized>(out: &mut W, line: &str, style: Style) -> std::io::Result<()> {
    match style.width {
        Some(w) => writeln!(out, "{}", fit::end(line, w)),
        None => writeln!(out, "{line}"),
    }
}

/// Subject and location in `room` columns (all of both without a width).
fn subject_and_path(hit: &Hit, room: Option<usize>) -> (String, String) {
    let (subject, path) = (subject(hit), location(hit));
    match room {
        None => (subject, path),
        Some(room) => {
            let (sw, pw) = fit::share(fit::columns(&subject), fit::columns(&path), room);
            (fit::end(&subject, sw), fit::middle(&path, pw))
        }
    }
}

/// How a wall-clock time of unknown zone is marked wherever it is printed.
pub const LOCAL_TIME_NOTE: &str = "(local time, zone unknown)";

/// `2016-10-21 14:21` in `tz`. A local time of unknown zone as written, marked, since
/// converting it would invent a zone; a file date marked as one (`file 2026-05-01 12:00`);
/// otherwise why there is no date.
pub fn format_date(hit: &Hit, tz: Tz) -> String {
    let parse = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
    };
    if let Some(d) = parse(&hit.date) {
        return if hit.date_local {
            format!("{} {LOCAL_TIME_NOTE}", d.naive_utc().format(MINUTES))
        } else {
            d.with_timezone(&tz).format(MINUTES).to_string()
        };
    }
    if let Some(d) = parse(&hit.file_date) {
        return format!("file {}", d.with_timezone(&tz).format(MINUTES));
    }
    format!(
        "({})",
        if hit.date_quality.is_empty() {
            "no date"
        } else {
            &hit.date_quality
        }
    )
}

const MINUTES: &str = "%Y-%m-%d %H:%M";

pub fn write_hit<W: Write + ?Sized>(
    out: &mut W,
    hit: &Hit,
    tz: Tz,
    style: Style,
) -> std::io::Result<()> {
    let (b, d, r) = if style.color {
        (BOLD, DIM, RESET)
    } else {
        ("", "", "")
    };
    let date = format!("{:<16}", format_date(hit, tz));
    // Sender and recipients take a fifth each of what is left after the date on a terminal.
    let (from_w, to_w) = match style.width {
        None => (FROM_WIDTH, TO_WIDTH),
        Some(w) => {
            let c = (w.saturating_sub(fit::columns(&date) + 2) / 5).clamp(8, FROM_WIDTH);
            (c, c)
        }
    };
    let used = fit::columns(&date) + 2 + from_w + 2 + to_w + 2;
    let (subject, path) = subject_and_path(hit, style.width.map(|w| w.saturating_sub(used)));
    let to = if style.wide {
        // Whole: padded, never cut.
        let all = all_recipients(hit);
        let n = fit::columns(&all);
        format!("{all}{}", " ".repeat(to_w.saturating_sub(n)))
    } else {
        fit::pad(&recipients(hit), to_w)
    };
    put(
        out,
        &format!(
            "{date}  {}  {to}  {b}{subject}{r}  {d}{path}{r}",
            fit::pad(&sender(hit), from_w),
        ),
        style,
    )?;
    if !hit.snippet.is_empty() {
        put(
            out,
            &format!(
                "    {}{}",
                matched_in(hit),
                highlight(&hit.snippet, &hit.highlights, style.color)
            ),
            style,
        )?;
    }
    Ok(())
}

/// A hit, or a message shown around one (`--context`), with a gutter: `>` marks the hit.
pub fn write_marked_hit<W: Write + ?Sized>(
    out: &mut W,
    hit: &Hit,
    tz: Tz,
    style: Style,
    is_hit: bool,
) -> std::io::Result<()> {
    let mut lines = Vec::new();
    let inner = Style {
        width: style.width.map(|w| w.saturating_sub(2)),
        ..style
    };
    write_hit(&mut lines, hit, tz, inner)?;
    let marker = if is_hit { "> " } else { "  " };
    for line in String::from_utf8_lossy(&lines).lines() {
        writeln!(out, "{marker}{line}")?;
    }
    Ok(())
}

/// `in NAME: ` before the snippet of a message that matched only in a part (the snippet is
/// then the part's), `in NAME (+2): ` when it matched in several.
fn matched_in(hit: &Hit) -> String {
    match hit.matched_in.as_slice() {
        [] => String::new(),
        [one] => format!("in {}: ", for_terminal(&one.name)),
        [first, rest @ ..] => format!("in {} (+{}): ", for_terminal(&first.name), rest.len()),
    }
}

/// A timeline line: date, time since the previous message, sender → recipients, subject, then
/// the snippet.
pub fn write_timeline_hit<W: Write + ?Sized>(
    out: &mut W,
    hit: &Hit,
    tz: Tz,
    style: Style,
    first: bool,
) -> std::io::Result<()> {
    let (b, d, r) = if style.color {
        (BOLD, DIM, RESET)
    } else {
        ("", "", "")
    };
    let gap = match hit.gap_seconds {
        Some(s) => format_gap(s),
        None if first => "start".into(),
        // The first of its conversation (or the one before it has no date).
        None => "new".into(),
    };
    let head = format!("{:<16}  {gap:>7}  ", format_date(hit, tz));
    let to = if style.wide {
        all_recipients(hit)
    } else {
        recipients(hit)
    };
    let from = sender(hit);
    // On a terminal each party gets at most a fifth of what is left after date and gap.
    let (from, to) = match style.width {
        None => (from, to),
        Some(w) => {
            let c = (w.saturating_sub(fit::columns(&head)) / 5).max(8);
            (fit::end(&from, c), fit::end(&to, c))
        }
    };
    let used = fit::columns(&head) + fit::columns(&from) + 3 + fit::columns(&to) + 2;
    let (subject, path) = subject_and_path(hit, style.width.map(|w| w.saturating_sub(used)));
    put(
        out,
        &format!("{head}{from} → {to}  {b}{subject}{r}  {d}{path}{r}"),
        style,
    )?;
    if !hit.snippet.is_empty() {
        put(
            out,
            &format!(
                "{:>27}{}",
                "",
                highlight(&hit.snippet, &hit.highlights, style.color)
            ),
            style,
        )?;
    }
    Ok(())
}

/// `+45s`, `+15m`, `+3h`, `+2h30m`, `+3d`: how a reporter writes the pause between messages.
pub fn format_gap(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("+{s}s"),
        60..=3599 => format!("+{}m", s / 60),
        3600..=35_999 if s % 3600 >= 60 => format!("+{}h{:02}m", s / 3600, (s % 3600) / 60),
        3600..=172_799 => format!("+{}h", s / 3600),
        _ => format!("+{}d", s / 86_400),
    }
}

fn sender(hit: &Hit) -> String {
    hit.from
        .as_ref()
        .map(short_mailbox)
        .unwrap_or_else(|| "(no sender)".into())
}

pub fn recipients(hit: &Hit) -> String {
    let all: Vec<&Mailbox> = hit.to.iter().chain(&hit.cc).chain(&hit.bcc).collect();
    let mut to: Vec<String> = all
        .iter()
        .take(SHOWN_RECIPIENTS)
        .map(|m| short_mailbox(m))
        .collect();
    if all.len() > SHOWN_RECIPIENTS {
        to.push(format!("+{}", all.len() - SHOWN_RECIPIENTS));
    }
    if to.is_empty() {
        "(no recipients)".into()
    } else {
        to.join(" ")
    }
}

/// Every recipient (To, Cc, Bcc), `, `-separated, for `--wide`.
fn all_recipients(hit: &Hit) -> String {
    let all: Vec<String> = hit
        .to
        .iter()
        .chain(&hit.cc)
        .chain(&hit.bcc)
        .map(short_mailbox)
        .collect();
    if all.is_empty() {
        "(no recipients)".into()
    } else {
        all.join(", ")
    }
}

pub fn subject(hit: &Hit) -> String {
    if hit.subject.is_empty() {
        "(no subject)".into()
    } else {
        for_terminal(&hit.subject)
    }
}

/// The source path (relative to the current directory when below it), with `@offset` for mbox.
fn location(hit: &Hit) -> String {
    let path = for_terminal(&super::display_path(&hit.path));
    let path = if hit.offset > 0 {
        format!("{path}@{}", hit.offset)
    } else {
        path
    };
    let mut path = match (&hit.parent, hit.kind.as_str()) {
        (Some(p), "attachment") => format!("{path} (attachment of {p})"),
        (Some(p), _) => format!("{path} (inside {p})"),
        _ => path,
    };
    // What a picture says of itself, and where the text came from.
    let mut notes = Vec::new();
    if let Some(image) = &hit.image {
        if let Some(camera) = image.camera() {
            notes.push(for_terminal(&camera));
        }
        if let Some(g) = image.gps {
            notes.push(format!("GPS {:.6},{:.6}", g.lat, g.lon));
        }
    }
    if hit.ocr {
        notes.push("text by OCR".into());
    } else if hit.needs_ocr {
        notes.push("needs OCR".into());
    }
    if !notes.is_empty() {
        path = format!("{path} [{}]", notes.join("; "));
    }
    path
}

/// A name if there is one, else the address as written.
pub fn short_mailbox(m: &Mailbox) -> String {
    for_terminal(match &m.name {
        Some(n) => n,
        None => m.shown_address(),
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

pub fn write_facet<W: Write + ?Sized>(
    out: &mut W,
    f: &FacetOut,
    total: usize,
    style: Style,
) -> std::io::Result<()> {
    writeln!(
        out,
        "\n{} (top {} over {} hits):",
        f.name,
        f.values.len(),
        total
    )?;
    for v in &f.values {
        let line = match &v.name {
            Some(name) => format!(
                "  {:>8}  {}  ({})",
                v.count,
                for_terminal(&v.value),
                for_terminal(name)
            ),
            None => format!("  {:>8}  {}", v.count, for_terminal(&v.value)),
        };
        put(out, &line, style)?;
    }
    Ok(())
}

pub fn write_histogram<W: Write + ?Sized>(
    out: &mut W,
    h: &HistogramOut,
    style: Style,
) -> std::io::Result<()> {
    writeln!(out, "\nhits by {} ({}):", h.unit, h.time_zone)?;
    let max = h.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let (b, r) = if style.color { (BOLD, RESET) } else { ("", "") };
    // The bars shrink to fit beside the 22 columns of period and count.
    let bar_width = style
        .width
        .map_or(BAR_WIDTH, |w| w.saturating_sub(22).clamp(10, BAR_WIDTH));
    // Long runs of empty periods (years between a dump's mail and a stray file date) fold into
    // one line; JSON output keeps every bucket.
    let mut i = 0;
    while i < h.buckets.len() {
        let run = h.buckets[i..].iter().take_while(|b| b.count == 0).count();
        if run > EMPTY_RUN_FOLD {
            let line = format!("  {:<10} {:>7}  ({run} empty {}s)", "...", 0, h.unit);
            put(out, &line, style)?;
            i += run;
            continue;
        }
        let bucket = &h.buckets[i];
        let len = (bucket.count as usize * bar_width).div_ceil(max as usize);
        let line = if len == 0 {
            format!("  {:<10} {:>7}", bucket.period, bucket.count)
        } else {
            format!(
                "  {:<10} {:>7}  {b}{}{r}",
                bucket.period,
                bucket.count,
                "█".repeat(len)
            )
        };
        put(out, &line, style)?;
        i += 1;
    }
    if h.undated > 0 {
        put(out, &format!("  {:<10} {:>7}", "undated", h.undated), style)?;
    }
    if h.file_dated > 0 {
        let note = if h.file_dates_counted {
            "in the bars by file date (--file-dates)"
        } else {
            "file date only: not in the bars without --file-dates"
        };
        let line = format!("  {:<10} {:>7}  ({note})", "file date", h.file_dated);
        put(out, &line, style)?;
    }
    Ok(())
}

/// A thread with hits: its dates, hits of messages, id and subject; then its participants.
pub fn write_thread<W: Write + ?Sized>(
    out: &mut W,
    t: &crate::query::thread::ThreadHit,
    tz: Tz,
    style: Style,
) -> std::io::Result<()> {
    let day = |d: Option<DateTime<Utc>>| {
        d.map_or("(no date)".to_string(), |d| {
            d.with_timezone(&tz).format("%Y-%m-%d").to_string()
        })
    };
    let (first, last) = (day(t.first), day(t.last));
    let span = if first == last {
        first
    } else {
        format!("{first}..{last}")
    };
    let subject = for_terminal(&t.subject);
    put(
        out,
        &format!(
            "{span:<22} {:>9}  {}  {}",
            format!("{}/{}", t.matched, t.messages),
            t.thread,
            truncate(&subject, 28)
        ),
        style,
    )?;
    let more = t.participant_count.saturating_sub(t.participants.len());
    let mut people = t
        .participants
        .iter()
        .map(|p| for_terminal(p))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        people.push_str(&format!(" +{more}"));
    }
    put(out, &format!("    {}", truncate(&people, 76)), style)
}

fn truncate(s: &str, max: usize) -> String {
    fit::end(s, max)
}

pub fn write_pairs<W: Write + ?Sized>(
    out: &mut W,
    pairs: &[Pair],
    tz: Tz,
    style: Style,
) -> std::io::Result<()> {
    writeln!(out, "\nsender → recipient pairs:")?;
    let day = |d: Option<DateTime<Utc>>| {
        d.map_or("-".to_string(), |d| {
            d.with_timezone(&tz).format("%Y-%m-%d").to_string()
        })
    };
    let party = |id: &str, name: &Option<String>| match name {
        Some(n) => format!("{} ({})", for_terminal(id), for_terminal(n)),
        None => for_terminal(id),
    };
    for p in pairs {
        // On a terminal the parties give way, so the dates stay in view.
        let days = format!("{} .. {}", day(p.first), day(p.last));
        let (from, to) = (party(&p.from, &p.from_name), party(&p.to, &p.to_name));
        let (from, to) = match style.width {
            None => (from, to),
            Some(w) => {
                // Count, arrow and spaces take 17 columns beside the dates.
                let c = (w.saturating_sub(17 + days.len()) / 2).max(8);
                (fit::end(&from, c), fit::end(&to, c))
            }
        };
        put(
            out,
            &format!("  {:>8}  {from} → {to}  {days}", p.count),
            style,
        )?;
    }
    Ok(())
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

    #[test]
    fn gaps_read_like_a_reporter_writes_them() {
        assert_eq!(format_gap(42), "+42s");
        assert_eq!(format_gap(15 * 60), "+15m");
        assert_eq!(format_gap(2 * 3600 + 30 * 60), "+2h30m");
        assert_eq!(format_gap(3 * 3600), "+3h");
        assert_eq!(format_gap(20 * 3600), "+20h");
        assert_eq!(format_gap(3 * 86_400 + 5), "+3d");
    }

    #[test]
    fn long_empty_runs_fold_into_one_line() {
        let bucket = |p: &str, count| super::super::json::HistogramBucket {
            period: p.into(),
            start: None,
            count,
        };
        let mut buckets = vec![bucket("2016-01", 3)];
        buckets.extend((0..10).map(|i| bucket(&format!("x{i}"), 0)));
        buckets.push(bucket("2017-01", 1));
        let h = HistogramOut {
            unit: "month".into(),
            time_zone: "UTC".into(),
            buckets,
            undated: 0,
            file_dated: 0,
            file_dates_counted: false,
        };
        let mut out = Vec::new();
        write_histogram(&mut out, &h, Style::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("(10 empty months)"), "{text}");
        assert_eq!(text.lines().count(), 5);
    }

    fn hit(date: Option<&str>, date_local: bool, file_date: Option<&str>) -> Hit {
        Hit {
            id: "0".repeat(16),
            kind: "chat".into(),
            date: date.map(str::to_owned),
            date_local,
            file_date: file_date.map(str::to_owned),
            tz_offset_minutes: None,
            date_quality: if file_date.is_some() {
                "file-mtime"
            } else {
                "ok"
            }
            .into(),
            date_raw: None,
            from: None,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            subject: String::new(),
            message_id: None,
            path: String::new(),
            offset: 0,
            length: 0,
            item: None,
            sha256: String::new(),
            format: "eml".into(),
            attachments: Vec::new(),
            score: None,
            snippet: String::new(),
            highlights: Vec::new(),
            parent: None,
            conversation: None,
            folder: None,
            custodian: None,
            date_source: String::new(),
            charset: None,
            matched_in: Vec::new(),
            copies: 1,
            last_modified_by: None,
            created: None,
            modified: None,
            ocr: false,
            needs_ocr: false,
            image: None,
            gap_seconds: None,
            context_of: None,
        }
    }

    #[test]
    fn local_times_are_shown_as_written_and_file_dates_as_such() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let instant = hit(Some("2016-09-20T17:30:00Z"), false, None);
        assert_eq!(format_date(&instant, tokyo), "2016-09-21 02:30");
        let local = hit(Some("2016-09-20T17:30:00Z"), true, None);
        for tz in [Tz::UTC, tokyo] {
            assert_eq!(
                format_date(&local, tz),
                "2016-09-20 17:30 (local time, zone unknown)"
            );
        }
        let file = hit(None, false, Some("2026-04-30T12:00:00Z"));
        assert_eq!(format_date(&file, tokyo), "file 2026-04-30 21:00");
    }
}
