//! mbox files: `ingest::mbox::split`, the streaming `MboxStream` over the same bytes, and each
//! stored message through `mbox::parse_stored_tree` (unescaping, then the e-mail parser).
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::eml::Origin;
use trawl::ingest::mbox;

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.mbox",
        offset: 0,
        format: "mbox",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    };
    let _ = mbox::looks_like_mbox(data);
    let spans = mbox::split(data);
    let mut stream = mbox::MboxStream::new(data);
    let mut n = 0;
    while let Ok(Some((offset, stored))) = stream.next_message() {
        let span = spans[n];
        assert_eq!(offset as usize, span.start);
        assert_eq!(&data[span.start..span.end], stored.as_slice());
        assert!(span.start <= span.content && span.content <= span.end);
        let _ = mbox::parse_stored_tree(offset, &stored, origin);
        n += 1;
    }
    assert_eq!(n, spans.len());
});
