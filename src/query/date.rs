//! Date values in queries: `2016`, `2016-10`, `2016-10-21`, `2016-10-21T14:00`, and ranges
//! `A..B`, `A..`, `..B`. A value names a whole period (a year, a month, a day, a minute); a range
//! runs from the start of its first period to the end of its last, both ends included. All in UTC.

use chrono::{DateTime, Months, NaiveDate, NaiveTime, TimeZone, Utc};

/// A half-open interval `[start, end)`; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// One period named by a date value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Parses a single date value into the period it names.
pub fn parse_period(s: &str) -> Result<Period, String> {
    let bad =
        || format!("`{s}` is not a date (expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM)");
    let (date_part, time_part) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let nums: Vec<&str> = date_part.split('-').collect();
    if nums
        .iter()
        .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
        || nums[0].len() != 4
    {
        return Err(bad());
    }
    let year: i32 = nums[0].parse().map_err(|_| bad())?;
    let month: u32 = nums
        .get(1)
        .map_or(Ok(1), |m| m.parse())
        .map_err(|_| bad())?;
    let day: u32 = nums
        .get(2)
        .map_or(Ok(1), |d| d.parse())
        .map_err(|_| bad())?;
    if nums.len() > 3 || (time_part.is_some() && nums.len() != 3) {
        return Err(bad());
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)?;
    let (time, minute_precision) = match time_part {
        None => (NaiveTime::MIN, false),
        Some(t) => (
            NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| bad())?,
            true,
        ),
    };
    let start = Utc.from_utc_datetime(&date.and_time(time));
    let end = if minute_precision {
        start + chrono::Duration::minutes(1)
    } else {
        match nums.len() {
            1 => Utc
                .with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0)
                .single()
                .ok_or_else(bad)?,
            2 => start.checked_add_months(Months::new(1)).ok_or_else(bad)?,
            _ => start + chrono::Duration::days(1),
        }
    };
    Ok(Period { start, end })
}

/// Parses a value or a range of values.
pub fn parse_interval(s: &str) -> Result<Interval, String> {
    match s.split_once("..") {
        None => {
            let p = parse_period(s)?;
            Ok(Interval {
                start: Some(p.start),
                end: Some(p.end),
            })
        }
        Some((a, b)) => {
            let start = if a.is_empty() {
                None
            } else {
                Some(parse_period(a)?.start)
            };
            let end = if b.is_empty() {
                None
            } else {
                Some(parse_period(b)?.end)
            };
            if start.is_none() && end.is_none() {
                return Err("`..` needs a date on at least one side".into());
            }
            if let (Some(s0), Some(e0)) = (start, end) {
                if s0 >= e0 {
                    return Err(format!("`{s}` ends before it starts"));
                }
            }
            Ok(Interval { start, end })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(d: Option<DateTime<Utc>>) -> String {
        d.map(|d| d.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or("-".into())
    }

    fn range(s: &str) -> (String, String) {
        let i = parse_interval(s).unwrap();
        (iso(i.start), iso(i.end))
    }

    #[test]
    fn periods() {
        assert_eq!(
            range("2016"),
            ("2016-01-01T00:00".into(), "2017-01-01T00:00".into())
        );
        assert_eq!(
            range("2016-12"),
            ("2016-12-01T00:00".into(), "2017-01-01T00:00".into())
        );
        assert_eq!(
            range("2016-02-29"),
            ("2016-02-29T00:00".into(), "2016-03-01T00:00".into())
        );
        assert_eq!(
            range("2016-10-21T14:00"),
            ("2016-10-21T14:00".into(), "2016-10-21T14:01".into())
        );
    }

    #[test]
    fn ranges_include_both_ends() {
        assert_eq!(
            range("2016-09..2016-11"),
            ("2016-09-01T00:00".into(), "2016-12-01T00:00".into())
        );
        assert_eq!(
            range("2016-10-01.."),
            ("2016-10-01T00:00".into(), "-".into())
        );
        assert_eq!(
            range("..2016-10-01"),
            ("-".into(), "2016-10-02T00:00".into())
        );
    }

    #[test]
    fn errors() {
        for s in [
            "",
            "16",
            "2016-13",
            "2016-02-30",
            "2016-1x",
            "..",
            "2016-11..2016-09",
            "2016-10T10:00",
            "2016-10-01T25:00",
            "2016-10-01-02",
        ] {
            assert!(parse_interval(s).is_err(), "{s:?}");
        }
    }
}
