//! Date headers as they occur in real mail, turned into UTC instants.
//!
//! RFC 5322 dates are the common case, but dumps also carry the obsolete forms (two-digit years,
//! named zones such as `PDT`, missing seconds, trailing comments), asctime dates from mbox
//! separators, ISO 8601 from tools, and free-form text. [`parse`] reads all of these without
//! guessing: it returns `None` when it cannot be sure, and [`assess`] turns that into a
//! [`DateQuality`] so a bad date is recorded as bad, never as 1970 or "now".

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::doc::DateQuality;

/// A date read from a header: the instant in UTC and, when the header said so, the writer's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDate {
    pub utc: DateTime<Utc>,
    /// Offset from UTC in minutes as written; `None` when the header named no zone.
    pub offset_minutes: Option<i32>,
}

/// The outcome of reading a Date header for the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessed {
    /// Set only when `quality` is `Ok`.
    pub utc: Option<DateTime<Utc>>,
    pub offset_minutes: Option<i32>,
    pub quality: DateQuality,
}

/// Dates earlier than this are treated as absurd: e-mail dumps do not predate it, and 1970 is
/// what broken clients write for "no date".
const EARLIEST_YEAR: i32 = 1980;

/// Reads `raw` (a Date header value, or `None` when there was none) and judges it against `now`,
/// the time of indexing. A date more than a day in the future is absurd; a day of slack covers
/// clocks that were slightly wrong.
pub fn assess(raw: Option<&str>, now: DateTime<Utc>) -> Assessed {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Assessed {
            utc: None,
            offset_minutes: None,
            quality: DateQuality::Missing,
        };
    };
    match parse(raw) {
        None => Assessed {
            utc: None,
            offset_minutes: None,
            quality: DateQuality::Unparseable,
        },
        Some(p) => {
            let earliest = Utc.with_ymd_and_hms(EARLIEST_YEAR, 1, 1, 0, 0, 0).single();
            let too_early = earliest.is_some_and(|e| p.utc < e);
            if too_early || p.utc > now + Duration::days(1) {
                Assessed {
                    utc: None,
                    offset_minutes: p.offset_minutes,
                    quality: DateQuality::Absurd,
                }
            } else {
                Assessed {
                    utc: Some(p.utc),
                    offset_minutes: p.offset_minutes,
                    quality: DateQuality::Ok,
                }
            }
        }
    }
}

/// Parses a date in any of the forms described in the module docs.
///
/// ```
/// use trawl::ingest::date::parse;
/// let d = parse("Mon, 10 Oct 16 22:30:00 PDT").unwrap();
/// assert_eq!(d.utc.to_rfc3339(), "2016-10-11T05:30:00+00:00");
/// assert_eq!(d.offset_minutes, Some(-420));
/// ```
pub fn parse(raw: &str) -> Option<ParsedDate> {
    let cleaned = strip_comments(raw);
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(cleaned) {
        return Some(ParsedDate {
            utc: dt.with_timezone(&Utc),
            offset_minutes: Some(dt.offset().local_minus_utc() / 60),
        });
    }
    parse_tokens(cleaned)
}

/// Removes RFC 5322 comments such as the `(PDT)` in `-0700 (PDT)`, nested or not.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    time: Option<(u32, u32, u32)>,
    pm: Option<bool>,
    offset: Option<i32>,
}

fn parse_tokens(s: &str) -> Option<ParsedDate> {
    let mut f = Fields::default();
    // `T` separates date and time in ISO forms that RFC 3339 rejected (no zone, say).
    let spaced: String = s
        .char_indices()
        .map(|(i, c)| {
            let iso_t = c == 'T'
                && s[..i].ends_with(|p: char| p.is_ascii_digit())
                && s[i + 1..].starts_with(|n: char| n.is_ascii_digit());
            if c == ',' || iso_t {
                ' '
            } else {
                c
            }
        })
        .collect();
    for tok in spaced.split_whitespace() {
        let lower = tok.to_ascii_lowercase();
        let lower = lower.trim_end_matches('.');
        if lower.is_empty() {
            continue;
        }
        if let Some(m) = month_from_name(lower) {
            if f.month.replace(m).is_some() {
                return None;
            }
        } else if is_weekday(lower) {
        } else if lower == "am" || lower == "pm" {
            f.pm = Some(lower == "pm");
        } else if tok.contains(':') && tok.starts_with(|c: char| c.is_ascii_digit()) {
            let (time, zone) = split_time_and_zone(tok)?;
            f.time = Some(parse_time(time)?);
            if let Some(z) = zone {
                f.offset = Some(parse_zone(z)?);
            }
        } else if let Some((y, m, d)) = parse_iso_date(tok) {
            f.year = Some(y);
            f.month = Some(m);
            f.day = Some(d);
        } else if let Some((a, b, c)) = parse_slash_date(tok) {
            // Slashed dates are ambiguous; accept them only when the reading is forced
            // (a day above 12) or in the U.S. order mail clients of that era wrote.
            let (m, d) = if a > 12 { (b, a) } else { (a, b) };
            f.month = Some(m);
            f.day = Some(d);
            f.year = Some(widen_year(c));
        } else if tok.starts_with(['+', '-']) || tok.chars().all(|c| c.is_ascii_alphabetic()) {
            if f.time.is_some() && f.offset.is_none() {
                f.offset = Some(parse_zone(tok)?);
            } else if tok.chars().all(|c| c.is_ascii_alphabetic()) && zone_minutes(lower).is_some()
            {
                f.offset = zone_minutes(lower);
            } else {
                return None;
            }
        } else if let Ok(n) = tok.parse::<u32>() {
            if tok.len() >= 3 || n > 31 {
                if f.year.replace(widen_year(n)).is_some() {
                    return None;
                }
            } else if f.day.is_none() {
                f.day = Some(n);
            } else if f.year.is_none() {
                f.year = Some(widen_year(n));
            } else {
                return None;
            }
        } else if let Some(z) = lower
            .strip_prefix("gmt")
            .or_else(|| lower.strip_prefix("utc"))
        {
            f.offset = Some(parse_zone(z)?);
        } else {
            return None;
        }
    }
    let (mut h, mi, sec) = f.time.unwrap_or((0, 0, 0));
    match f.pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let date = NaiveDate::from_ymd_opt(f.year?, f.month?, f.day?)?;
    // A leap second (:60) is legal in RFC 5322; fold it into the next second.
    let naive = date.and_hms_opt(h, mi, sec.min(59))?;
    let offset = f.offset;
    // checked: chrono panics when the offset carries a date at the edge of its range (year
    // 262142 with `-1200`) past the end.
    let utc = Utc
        .from_utc_datetime(&naive)
        .checked_sub_signed(Duration::minutes(i64::from(offset.unwrap_or(0))))?;
    Some(ParsedDate {
        utc,
        offset_minutes: offset,
    })
}

/// RFC 5322 4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900.
fn widen_year(n: u32) -> i32 {
    let n = n as i32;
    match n {
        0..=49 => 2000 + n,
        50..=99 => 1900 + n,
        100..=999 => 1900 + n,
        _ => n,
    }
}

fn month_from_name(s: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let i = MONTHS
        .iter()
        .position(|m| *m == s)
        .or_else(|| FULL.iter().position(|m| *m == s));
    i.or_else(|| (s == "sept").then_some(8))
        .map(|i| i as u32 + 1)
}

fn is_weekday(s: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.contains(&s) || FULL.contains(&s) || matches!(s, "tues" | "thur" | "thurs" | "weds")
}

/// Splits `14:21:00-0400` or `14:21Z` into the time and a glued zone, if any.
fn split_time_and_zone(tok: &str) -> Option<(&str, Option<&str>)> {
    match tok.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')) {
        None => Some((tok, None)),
        Some(i) => Some((&tok[..i], Some(&tok[i..]))),
    }
}

fn parse_time(t: &str) -> Option<(u32, u32, u32)> {
    let mut parts = t.split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let s: u32 = match parts.next() {
        // Fractional seconds from ISO-ish tools are dropped: the index stores seconds.
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || h > 24 || m > 59 || s > 60 {
        return None;
    }
    Some((h, m, s))
}

fn parse_iso_date(tok: &str) -> Option<(i32, u32, u32)> {
    let mut it = tok.split('-');
    let y = it.next()?;
    if y.len() != 4 {
        return None;
    }
    let y = y.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    it.next().is_none().then_some((y, m, d))
}

fn parse_slash_date(tok: &str) -> Option<(u32, u32, u32)> {
    let mut it = tok.split('/');
    let a = it.next()?.parse().ok()?;
    let b = it.next()?.parse().ok()?;
    let c = it.next()?.parse().ok()?;
    it.next().is_none().then_some((a, b, c))
}

/// `+0200`, `-07:00`, `+5`, `Z`, `UT`, `GMT`, `PDT`, ... in minutes east of UTC.
fn parse_zone(z: &str) -> Option<i32> {
    let lower = z.to_ascii_lowercase();
    if let Some(m) = zone_minutes(&lower) {
        return Some(m);
    }
    let (sign, digits) = match lower.as_bytes().first()? {
        b'+' => (1, &lower[1..]),
        b'-' => (-1, &lower[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

/// Named zones of RFC 822 plus the few others common in old mail. Military single letters
/// other than `Z` were so often wrong that RFC 5322 says to treat them as `-0000`.
fn zone_minutes(z: &str) -> Option<i32> {
    Some(match z {
        "z" | "ut" | "utc" | "gmt" | "wet" => 0,
        "edt" => -4 * 60,
        "est" | "cdt" => -5 * 60,
        "cst" | "mdt" => -6 * 60,
        "mst" | "pdt" => -7 * 60,
        "pst" => -8 * 60,
        "bst" | "cet" | "met" | "west" => 60,
        "cest" | "mest" | "eet" => 120,
        "eest" => 180,
        "jst" => 9 * 60,
        "ist" => 5 * 60 + 30,
        _ if z.len() == 1 && z.chars().all(|c| c.is_ascii_alphabetic() && c != 'j') => 0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> String {
        parse(s)
            .map(|d| d.utc.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }

    fn off(s: &str) -> Option<i32> {
        parse(s).and_then(|d| d.offset_minutes)
    }

    #[test]
    fn rfc5322_with_offset_and_comment() {
        assert_eq!(
            utc("Mon, 14 May 2001 16:39:00 -0700 (PDT)"),
            "2001-05-14T23:39:00Z"
        );
        assert_eq!(off("Mon, 14 May 2001 16:39:00 -0700 (PDT)"), Some(-420));
    }

    #[test]
    fn offset_moves_across_a_day_boundary() {
        assert_eq!(
            utc("Thu, 13 Oct 2016 08:00:00 +0900"),
            "2016-10-12T23:00:00Z"
        );
        assert_eq!(
            utc("Mon, 10 Oct 2016 22:30:00 -0700"),
            "2016-10-11T05:30:00Z"
        );
    }

    #[test]
    fn obsolete_forms() {
        assert_eq!(utc("Mon, 10 Oct 16 22:30:00 PDT"), "2016-10-11T05:30:00Z");
        assert_eq!(utc("10 Oct 1999 22:30 GMT"), "1999-10-10T22:30:00Z");
        assert_eq!(utc("Fri, 1 Jan 99 00:00:00 EST"), "1999-01-01T05:00:00Z");
        assert_eq!(utc("Sat, 1 Jan 101 00:00:00 +0000"), "2001-01-01T00:00:00Z");
        assert_eq!(
            utc("Thu,  5 Oct 2000   09:10:11   +0100"),
            "2000-10-05T08:10:11Z"
        );
        assert_eq!(
            utc("Thu, 5 Oct 2000 09:10:60 +0000"),
            "2000-10-05T09:10:59Z"
        );
        assert_eq!(utc("5 Oct 2000 09:10:11 A"), "2000-10-05T09:10:11Z");
    }

    #[test]
    fn asctime_and_iso_and_us_forms() {
        assert_eq!(utc("Wed Sep 21 14:02:11 2016"), "2016-09-21T14:02:11Z");
        assert_eq!(off("Wed Sep 21 14:02:11 2016"), None);
        assert_eq!(utc("2016-10-21T14:21:00-04:00"), "2016-10-21T18:21:00Z");
        assert_eq!(utc("2016-10-21 14:21:00"), "2016-10-21T14:21:00Z");
        assert_eq!(
            utc("Friday, October 21, 2016 2:21 PM"),
            "2016-10-21T14:21:00Z"
        );
        assert_eq!(utc("10/21/2016 12:05 AM"), "2016-10-21T00:05:00Z");
        assert_eq!(
            utc("Tue, 4 Oct 2016 10:00:00 GMT+0200"),
            "2016-10-04T08:00:00Z"
        );
        assert_eq!(utc("Tue, 4 Oct 2016 10:00:00+0200"), "2016-10-04T08:00:00Z");
    }

    #[test]
    fn garbage_is_rejected_not_guessed() {
        for s in [
            "",
            "sometime last tuesday",
            "Mon, 32 Oct 2016 10:00:00 +0000",
            "Mon, 10 Foo 2016 10:00:00 +0000",
            "Mon, 10 Oct 2016 25:00:00 +0000",
            "Mon, 10 Oct 2016 10:00:00 +9999",
            "10 Oct",
            "2016",
            "Oct Oct 2016 10:00",
            "1 2 3 4",
            "((((",
            "Mon, 10 Oct 2016 10:00:00 +0000 garbage",
        ] {
            assert_eq!(parse(s), None, "{s:?} should not parse");
        }
    }

    /// Issue #12: an offset that carries a date at the end of chrono's range past it panicked
    /// ("overflow adding duration"), and the panic took the whole indexing run down.
    #[test]
    fn issue_12_offsets_at_the_edge_of_the_calendar_do_not_panic() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        for raw in [
            "Fri, 31 Dec 262142 23:59:59 -1200",
            "31 Dec 262142 23:00 -2359",
            "Mon, 1 Jan -262143 00:00:00 +1400",
            "262142-12-31 23:59:59 -1200",
            "Dec 31 23:59:59 262142",
        ] {
            let _ = parse(raw);
            let a = assess(Some(raw), now);
            assert_ne!(a.quality, DateQuality::Ok, "{raw}");
        }
    }

    #[test]
    fn assess_flags_missing_bad_and_absurd() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap();
        assert_eq!(assess(None, now).quality, DateQuality::Missing);
        assert_eq!(assess(Some("  "), now).quality, DateQuality::Missing);
        assert_eq!(
            assess(Some("sometime last tuesday"), now).quality,
            DateQuality::Unparseable
        );
        let epoch = assess(Some("Thu, 01 Jan 1970 00:00:00 +0000"), now);
        assert_eq!((epoch.quality, epoch.utc), (DateQuality::Absurd, None));
        assert_eq!(
            assess(Some("Sat, 01 Jan 2050 10:00:00 +0000"), now).quality,
            DateQuality::Absurd
        );
        let ok = assess(Some("Tue, 8 Nov 2016 18:05:00 -0500"), now);
        assert_eq!(ok.quality, DateQuality::Ok);
        assert_eq!(ok.offset_minutes, Some(-300));
        assert_eq!(
            ok.utc.map(|d| d.to_rfc3339()),
            Some("2016-11-08T23:05:00+00:00".into())
        );
    }
}
