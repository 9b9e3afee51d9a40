//! Telegram Desktop JSON exports (`result.json`): `chat::telegram::looks_like` and `parse`.
#![no_main]

#[path = "sources.rs"]
mod sources;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::chat::{telegram, ChatSource};

fuzz_target!(|data: &[u8]| {
    let src = ChatSource {
        path: "result.json",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        stated: None,
    };
    let _ = telegram::looks_like(data);
    if let Ok(docs) = telegram::parse(data, &src) {
        sources::check(data, &docs);
    }
});
