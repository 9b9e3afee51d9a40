//! Twitter/X archive DM files (`direct-messages.js`): `chat::twitter::parse`, with the account
//! names of the sample archive (loaded once through `load_archive_names`).
#![no_main]

#[path = "sources.rs"]
mod sources;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::chat::{twitter, ChatSource};

static NAMES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    twitter::load_archive_names(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sample_corpus/chat/twitter-archive/data"
    )))
});

fuzz_target!(|data: &[u8]| {
    let src = ChatSource {
        path: "data/direct-messages.js",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        stated: None,
    };
    let _ = twitter::looks_like(data);
    if let Ok(docs) = twitter::parse(data, &src, &NAMES) {
        sources::check(data, &docs);
    }
});
