//! The whole dispatch: `ingest::ingest_bytes` (format detection, then mail, mbox, chat exports,
//! documents, archives and their members). The first byte picks the file name, since detection
//! looks at the name too. The paths sit under a directory that does not exist, so no neighbouring
//! export metadata (Slack `users.json`, Twitter `account.js`) is found on disk.
#![no_main]

use std::path::Path;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 16] = [
    "/nonexistent-trawl-fuzz/x.eml",
    "/nonexistent-trawl-fuzz/x.mbox",
    "/nonexistent-trawl-fuzz/x.json",
    "/nonexistent-trawl-fuzz/x.txt",
    "/nonexistent-trawl-fuzz/x.pdf",
    "/nonexistent-trawl-fuzz/x.docx",
    "/nonexistent-trawl-fuzz/x.odt",
    "/nonexistent-trawl-fuzz/x.zip",
    "/nonexistent-trawl-fuzz/x.tar",
    "/nonexistent-trawl-fuzz/x.tar.gz",
    "/nonexistent-trawl-fuzz/x.html",
    "/nonexistent-trawl-fuzz/x.csv",
    "/nonexistent-trawl-fuzz/WhatsApp Chat with A.txt",
    "/nonexistent-trawl-fuzz/data/direct-messages.js",
    "/nonexistent-trawl-fuzz/box/cur/1474392607.M1P1.host:2,S",
    "/nonexistent-trawl-fuzz/x",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let name = NAMES[first as usize % NAMES.len()];
    let _ = trawl::ingest::ingest_bytes(rest, Path::new(name), now);
});
