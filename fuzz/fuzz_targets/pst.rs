//! Outlook PST and OST stores: `ingest::pst::parse(data, "fuzz.pst", now)`: the header check,
//! outlook-pst's store, folders, messages, recipients and attachments, the OST header shown as
//! a PST's, and the MAPI mapping shared with the `.msg` reader.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::pst;

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    if let Ok(p) = pst::parse(data, "fuzz.pst", now) {
        // Every item the folders list ends as a document or a failure.
        let c = p.counts;
        assert_eq!(c.expected, c.emitted + c.failed);
        assert!(p.docs.len() as u64 >= c.emitted);
        assert!(p.skips.len() as u64 >= c.failed);
    }
});
