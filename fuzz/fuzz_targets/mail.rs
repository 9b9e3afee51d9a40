//! One e-mail message: `ingest::eml::parse_message_tree` (mail-parser, then our header, address,
//! date, forwarded-message and attachment-extraction handling). Every document's source must
//! read back to its recorded hash: the message's range, and each part through
//! `eml::stored_part_contents` (what `trawl show --raw` gives). Each document's copy key and
//! tokens are made too, as indexing makes them.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::doc::sha256_hex;
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
    for d in &docs {
        let s = &d.source;
        let bytes = match s.item {
            None => data[s.offset as usize..(s.offset + s.length) as usize].to_vec(),
            Some(item) => eml::stored_part_contents(data, "eml", item)
                .unwrap_or_else(|| panic!("part {item} was read but is not found again")),
        };
        assert_eq!(sha256_hex(&bytes), s.sha256, "item {:?}", s.item);
        // What indexing derives from a message's text: its copy key and its tokens.
        let _ = d.copy_key();
        for text in [&d.subject, &d.body] {
            let _ = trawl::index::tokenizers::tokens(text);
        }
    }
});
