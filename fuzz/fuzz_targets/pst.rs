//! Outlook PST and OST stores: `ingest::pst::parse(data, "fuzz.pst", now)`: the header check,
//! outlook-pst's store, folders, messages, recipients and attachments, the OST header shown as
//! a PST's, and the MAPI mapping shared with the `.msg` reader.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::pst;

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    if let Ok((docs, counts, skips)) = pst::parse(data, "fuzz.pst", now) {
        // Every item the folders list ends as a document or a failure.
        assert_eq!(counts.expected, counts.emitted + counts.failed);
        assert!(docs.len() as u64 >= counts.emitted);
        assert!(skips.len() as u64 >= counts.failed);
    }
});
