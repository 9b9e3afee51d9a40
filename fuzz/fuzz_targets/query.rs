//! The query language: `query::compile` (the parser of `query/parse.rs`, then the mapping onto
//! the schema, date values through `query/date.rs`) and `query::date::parse_interval`. The first
//! byte picks the time zone dates are read in (UTC, or zones with DST gaps and odd offsets) and,
//! by its top bit, whether file dates count (`--file-dates`).
#![no_main]

use std::sync::LazyLock;

use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use trawl::index::schema::{self, Fields};
use trawl::index::threads::Threads;
use trawl::query;

static FIELDS: LazyLock<Fields> = LazyLock::new(|| Fields::resolve(&schema::build()).unwrap());
/// No threads: `thread:` and `is:` values still go through their parsing.
static THREADS: LazyLock<Threads> = LazyLock::new(Threads::default);

const ZONES: [Tz; 6] = [
    Tz::UTC,
    Tz::America__New_York,
    Tz::Europe__Paris,
    Tz::Australia__Lord_Howe,
    Tz::Pacific__Apia,
    Tz::Asia__Kathmandu,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tz = ZONES[first as usize % ZONES.len()];
    let _ = query::compile(
        text,
        query::Context {
            fields: &FIELDS,
            tz,
            file_dates: first & 0x80 != 0,
            threads: Some(&THREADS),
        },
    );
    let _ = query::date::parse_interval(text, tz);
});
