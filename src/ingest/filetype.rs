//! Names what trawl does not index: content no reader takes is recorded with the type its magic
//! number says (the `infer` crate's matchers: fonts, audio, video, programs, archives, images
//! and documents of formats trawl does not read; the common image formats are read by
//! [`super::image`] and never get here) and its size, as the skip `not-indexed-type`
//! whose detail starts with the MIME type (`trawl report` counts them by it). Content no
//! matcher knows stays `binary`. These are files, not documents: they are listed, not indexed,
//! so `type:` and the other document queries do not find them.

use super::Skip;

/// The skip of binary content no reader takes, judged from its first bytes.
pub fn name(head: &[u8], size: u64) -> Skip {
    match infer::get(head) {
        // An OLE2 compound file is told apart (Word, Excel, PowerPoint, Outlook, installer) by
        // its directory, which may lie past the head: say what it may be, not a guess.
        Some(t) if t.mime_type() == "application/x-ole-storage" => Skip::NotIndexedType(format!(
            "application/x-ole-storage (OLE2 compound file: doc, xls, ppt, msg or msi), {size} \
             bytes: a type trawl does not index"
        )),
        // A format the image reader takes, whose header it found broken (the reader's sniff
        // checks more than the magic number).
        Some(t) if READ_IMAGES.contains(&t.mime_type()) => Skip::NotIndexedType(format!(
            "{} ({} .{}), {size} bytes: not a readable image (its header is damaged)",
            t.mime_type(),
            kind(t.matcher_type()),
            t.extension()
        )),
        Some(t) => Skip::NotIndexedType(format!(
            "{} ({} .{}), {size} bytes: a type trawl does not index",
            t.mime_type(),
            kind(t.matcher_type()),
            t.extension()
        )),
        None => Skip::Binary,
    }
}

/// The image types [`super::image`] reads when their header is sound.
const READ_IMAGES: [&str; 8] = [
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/heif",
    "image/avif",
    "image/webp",
    "image/gif",
    "image/bmp",
];

/// The MIME type a `not-indexed-type` detail starts with.
pub fn mime_of(detail: &str) -> &str {
    detail.split_whitespace().next().unwrap_or("")
}

fn kind(t: infer::MatcherType) -> &'static str {
    use infer::MatcherType as M;
    match t {
        M::App => "program",
        M::Archive => "archive",
        M::Audio => "audio",
        M::Book => "book",
        M::Doc => "document",
        M::Font => "font",
        M::Image => "image",
        M::Text => "text",
        M::Video => "video",
        M::Custom => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_content_is_named_by_its_magic() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
        let s = name(png, 1234);
        assert_eq!(s.code(), "not-indexed-type");
        assert_eq!(
            s.to_string(),
            "image/png (image .png), 1234 bytes: not a readable image (its header is damaged)"
        );
        let woff2 = b"wOF2\0\x01\0\0\0\0\0\0\0\0\0\0";
        assert!(name(woff2, 99)
            .to_string()
            .ends_with("99 bytes: a type trawl does not index"));
        assert_eq!(mime_of(&s.to_string()), "image/png");
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        assert!(name(&elf, 64)
            .to_string()
            .starts_with("application/x-executable (program"));
        assert_eq!(name(b"\0\x01\x02\x03 unknown", 9), Skip::Binary);
    }
}
