//! One e-mail message: `ingest::eml::parse_message_tree` (mail-parser, then our header, address,
//! date, forwarded-message and attachment-extraction handling).
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::eml::{self, Origin};

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.eml",
        offset: 0,
        format: "eml",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    };
    let docs = eml::parse_message_tree(data, data, origin, None);
    assert!(!docs.is_empty());
});
