//! WhatsApp text exports: `chat::whatsapp::looks_like` on the text, `chat_name_from_file` on it
//! as a file name, and `parse`.
#![no_main]

#[path = "sources.rs"]
mod sources;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::chat::{whatsapp, ChatSource};

fuzz_target!(|data: &[u8]| {
    let src = ChatSource {
        path: "WhatsApp Chat with Sam Ortiz.txt",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        stated: None,
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = whatsapp::looks_like(text);
        let _ = whatsapp::chat_name_from_file(text);
    }
    if let Ok(docs) = whatsapp::parse(data, &src, "Sam Ortiz") {
        sources::check(data, &docs);
    }
});
