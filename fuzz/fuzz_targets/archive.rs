//! Archives: `ingest::archive::for_each_member` with the default limits. The first byte picks
//! the format (zip, tar, tar.gz, tar.bz2, tar.xz, 7z, gz, bz2, xz; RAR goes through a C library and a temporary file, and is left out); `archive::sniff` also runs on the rest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::ingest::archive::{self, ArchiveFormat, Limits};

const FORMATS: [ArchiveFormat; 9] = [
    ArchiveFormat::Zip,
    ArchiveFormat::Tar,
    ArchiveFormat::TarGz,
    ArchiveFormat::TarBz2,
    ArchiveFormat::TarXz,
    ArchiveFormat::SevenZ,
    ArchiveFormat::Gz,
    ArchiveFormat::Bz2,
    ArchiveFormat::Xz,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let _ = archive::sniff(rest, "x.tar.gz");
    let limits = Limits::default();
    let budget = std::cell::Cell::new(limits.max_total_bytes);
    let format = FORMATS[first as usize % FORMATS.len()];
    let opening = archive::Opening {
        name: "x.gz",
        ..archive::Opening::default()
    };
    let _ = archive::for_each_member(rest, format, &opening, &limits, &budget, |_| {}, |_, _| {});
});
