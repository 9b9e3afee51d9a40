//! Shared by the chat targets: every message located in the file reads back, from its recorded
//! byte range, to its recorded hash (what `trawl show --raw` gives).

use trawl::doc::{sha256_hex, Doc};

pub fn check(data: &[u8], docs: &[Doc]) {
    for d in docs {
        let s = &d.source;
        if s.item.is_some() {
            continue; // not located: show --raw refuses, and there is no hash to check
        }
        let bytes = &data[s.offset as usize..(s.offset + s.length) as usize];
        assert_eq!(sha256_hex(bytes), s.sha256, "offset {}", s.offset);
    }
}
