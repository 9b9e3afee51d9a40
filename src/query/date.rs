//! Date values in queries: `2016`, `2016-10`, `2016-10-21`, `2016-10-21T14:00`, and ranges
//! `A..B`, `A..`, `..B`. A value names a whole period (a year, a month, a day, a minute); a range
//! runs from the start of its first period to the end of its last, both ends included. Periods
//! are read in a time zone (UTC unless `--tz` says otherwise) and turned into UTC instants.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

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

/// The UTC instant of local time `naive` in `tz`. In a daylight-saving gap (a local time that
/// never happened) the first instant after the gap is used.
pub fn local_to_utc(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|d| d.with_timezone(&Utc))
}

/// Parses a single date value into the period it names, in `tz`.
pub fn parse_period(s: &str, tz: Tz) -> Result<Period, String> {
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
    let start_local = date.and_time(time);
    let end_local = if minute_precision {
        start_local + chrono::Duration::minutes(1)
    } else {
        match nums.len() {
            1 => NaiveDate::from_ymd_opt(year + 1, 1, 1)
                .ok_or_else(bad)?
                .and_time(NaiveTime::MIN),
            2 => start_local
                .checked_add_months(Months::new(1))
                .ok_or_else(bad)?,
            _ => start_local + chrono::Duration::days(1),
        }
    };
    let start = local_to_utc(tz, start_local).ok_or_else(bad)?;
    let end = local_to_utc(tz, end_local).ok_or_else(bad)?;
    Ok(Period { start, end })
}

/// Parses a value or a range of values, in `tz`.
pub fn parse_interval(s: &str, tz: Tz) -> Result<Interval, String> {
    match s.split_once("..") {
        None => {
            let p = parse_period(s, tz)?;
            Ok(Interval {
                start: Some(p.start),
                end: Some(p.end),
            })
        }
        Some((a, b)) => {
            let start = if a.is_empty() {
                None
            } else {
                Some(parse_period(a, tz)?.start)
            };
            let end = if b.is_empty() {
                None
            } else {
                Some(parse_period(b, tz)?.end)
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
        let i = parse_interval(s, Tz::UTC).unwrap();
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
            assert!(parse_interval(s, Tz::UTC).is_err(), "{s:?}");
        }
    }

    #[test]
    fn time_zones_shift_periods() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let i = parse_interval("2016-10-13", tokyo).unwrap();
        assert_eq!(
            (iso(i.start), iso(i.end)),
            ("2016-10-12T15:00".into(), "2016-10-13T15:00".into())
        );
        // New York changed from EDT to EST on 2016-11-06: that day has 25 hours.
        let ny: Tz = "America/New_York".parse().unwrap();
        let i = parse_interval("2016-11-06", ny).unwrap();
        assert_eq!(
            (iso(i.start), iso(i.end)),
            ("2016-11-06T04:00".into(), "2016-11-07T05:00".into())
        );
        // 02:30 on 2017-03-12 never happened in New York; the period starts after the gap.
        assert!(parse_interval("2017-03-12T02:30", ny).is_ok());
    }
}
