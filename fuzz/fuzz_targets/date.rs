//! Date headers: `ingest::date::parse` and `assess` (the judge against the time of indexing) on
//! arbitrary text.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::date;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let _ = date::parse(s);
    let _ = date::assess(Some(s), now);
});
