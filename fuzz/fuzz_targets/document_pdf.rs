//! Document text extraction: `ingest::document::extract_in_process(bytes, DocFormat::Pdf)`, the
//! built-in reader (pdf-extract). `extract` would hand the bytes to poppler's `pdfinfo` and
//! `pdftotext` first when they are installed: other programs, not fuzzed here.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::ingest::document::{extract_in_process, DocFormat};

fuzz_target!(|data: &[u8]| {
    let _ = extract_in_process(data, DocFormat::Pdf);
});
