//! Document text extraction: `ingest::document::extract(bytes, DocFormat::Rtf)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::ingest::document::{extract, DocFormat};

fuzz_target!(|data: &[u8]| {
    let _ = extract(data, DocFormat::Rtf);
});
