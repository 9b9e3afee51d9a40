//! Image metadata: `ingest::image::metadata(bytes)` (the magic-number sniff, kamadak-exif over
//! JPEG, TIFF, HEIF, PNG and WebP, the XMP scan). A GPS position it gives is finite and on the
//! globe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::ingest::image::metadata;

fuzz_target!(|data: &[u8]| {
    if let Some((_, image)) = metadata(data) {
        if let Some(g) = image.gps {
            assert!(g.lat.is_finite() && g.lon.is_finite());
            assert!(g.lat.abs() <= 90.0 && g.lon.abs() <= 180.0);
        }
    }
});
