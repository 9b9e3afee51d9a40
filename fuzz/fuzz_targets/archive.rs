//! Archives: `ingest::archive::for_each_member` with the default limits. The first byte picks
//! the format (zip, tar, tar.gz); `archive::sniff` also runs on the rest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::ingest::archive::{self, ArchiveFormat, Limits};

const FORMATS: [ArchiveFormat; 3] = [ArchiveFormat::Zip, ArchiveFormat::Tar, ArchiveFormat::TarGz];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let _ = archive::sniff(rest, "x.tar.gz");
    let limits = Limits::default();
    let mut budget = limits.max_total_bytes;
    let format = FORMATS[first as usize % FORMATS.len()];
    let _ = archive::for_each_member(rest, format, &limits, &mut budget, |_| {}, |_, _| {});
});
