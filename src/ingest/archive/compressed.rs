//! Compressed streams: gzip (flate2), bzip2 (`bzip2`, a Rust port of libbzip2) and xz
//! (`lzma-rust2`, pure Rust). A stream holds a tar (read by the tar reader through the
//! decompressor) or one file, whose member is named after the compressed file without its
//! suffix: `notes.txt.gz!/notes.txt`. Concatenated streams (`cat a.gz b.gz`, parallel bzip2 and
//! xz) are read to the end, as the command-line tools do.

use std::cell::Cell;
use std::io::Read;

use super::{budget_exhausted, read_member, ArchiveFormat, Limits, Member, MemberError, Opening};
use crate::ingest::Skip;

/// The three compressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Gzip,
    Bzip2,
    Xz,
}

impl Stream {
    /// The compression whose magic number `head` starts with.
    pub fn sniff(head: &[u8]) -> Option<Stream> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Stream::Gzip)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            // A block's magic (the digits of pi) or the end of an empty stream (sqrt(pi)).
            && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            Some(Stream::Bzip2)
        } else if head.starts_with(b"\xfd7zXZ\x00") {
            Some(Stream::Xz)
        } else {
            None
        }
    }

    /// Name endings of a tar under this compression.
    pub fn tar_suffixes(self) -> &'static [&'static str] {
        match self {
            Stream::Gzip => &[".tar.gz", ".tgz", ".taz"],
            Stream::Bzip2 => &[".tar.bz2", ".tbz2", ".tbz", ".tb2"],
            Stream::Xz => &[".tar.xz", ".txz"],
        }
    }

    /// Name endings of one compressed file, removed to name its member.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Stream::Gzip => &[".gz", ".gzip", ".z"],
            Stream::Bzip2 => &[".bz2", ".bzip2", ".bz"],
            Stream::Xz => &[".xz"],
        }
    }

    pub fn tar(self) -> ArchiveFormat {
        match self {
            Stream::Gzip => ArchiveFormat::TarGz,
            Stream::Bzip2 => ArchiveFormat::TarBz2,
            Stream::Xz => ArchiveFormat::TarXz,
        }
    }

    pub fn single(self) -> ArchiveFormat {
        match self {
            Stream::Gzip => ArchiveFormat::Gz,
            Stream::Bzip2 => ArchiveFormat::Bz2,
            Stream::Xz => ArchiveFormat::Xz,
        }
    }

    /// A reader of the decompressed bytes of `bytes`, all streams to the end.
    pub fn decoder<'a>(self, bytes: &'a [u8]) -> Box<dyn Read + 'a> {
        match self {
            Stream::Gzip => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
            Stream::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(bytes)),
            Stream::Xz => Box::new(lzma_rust2::XzReader::new(bytes, true)),
        }
    }
}

/// Whether the first decompressed block of the stream in `head` is a tar header: a tar named
/// `.gz` or `backup.bz2` is still a tar.
pub fn holds_tar(stream: Stream, head: &[u8]) -> bool {
    let mut block = [0u8; 512];
    let mut decoder = stream.decoder(head);
    let mut filled = 0;
    while filled < block.len() {
        match decoder.read(&mut block[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled == block.len() && &block[257..262] == b"ustar"
}

/// The member a compressed file named `name` holds: the name without its compression suffix
/// (`notes.txt.gz` → `notes.txt`), or the name itself when it has none.
pub fn member_name(stream: Stream, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    stream
        .suffixes()
        .iter()
        .find(|s| lower.ends_with(*s) && lower.len() > s.len())
        .map(|s| name[..name.len() - s.len()].to_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// The one member of a compressed file, read within the limits: at most the member cap, what
/// is left of the budget, and `max_ratio` times the compressed size.
pub(super) fn member(
    bytes: &[u8],
    format: ArchiveFormat,
    opening: &Opening<'_>,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), Skip> {
    let stream = match format {
        ArchiveFormat::Gz => Stream::Gzip,
        ArchiveFormat::Bz2 => Stream::Bzip2,
        _ => Stream::Xz,
    };
    let name = member_name(stream, opening.name);
    let by_ratio = (bytes.len() as u64).saturating_mul(limits.max_ratio);
    let bounded = Limits {
        max_member_bytes: limits.max_member_bytes.min(by_ratio),
        ..*limits
    };
    match read_member(&mut stream.decoder(bytes), 0, &bounded, budget) {
        Ok(data) => {
            f(Member {
                name,
                data,
                mtime: None,
            });
            Ok(())
        }
        Err(MemberError::Skip(s)) => {
            let s = if bounded.max_member_bytes < limits.max_member_bytes {
                Skip::Archive(format!(
                    "expands more than {}:1 (zip bomb?)",
                    limits.max_ratio
                ))
            } else {
                s
            };
            skip(name, s);
            Ok(())
        }
        Err(MemberError::Budget(s)) => {
            skip(name, s);
            Err(budget_exhausted(limits))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        w.write_all(data).unwrap();
        w.finish().unwrap()
    }

    fn tar_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
        b.into_inner().unwrap()
    }

    fn read(bytes: &[u8], name: &str, limits: Limits) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
        let format = super::super::sniff(&bytes[..bytes.len().min(8192)], name).unwrap();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let budget = Cell::new(limits.max_total_bytes);
        let opening = Opening {
            name,
            ..Opening::default()
        };
        let _ = super::super::for_each_member(
            bytes,
            format,
            &opening,
            &limits,
            &budget,
            |m| ok.push((m.name, m.data)),
            |n, s| bad.push(format!("{n}: {}", s.code())),
        );
        (ok, bad)
    }

    #[test]
    fn one_compressed_file_is_a_member_named_after_it() {
        let (ok, bad) = read(&gzip(b"hello"), "notes.txt.gz", Limits::default());
        assert_eq!(ok, [("notes.txt".to_owned(), b"hello".to_vec())]);
        assert!(bad.is_empty());
        let (ok, _) = read(&bzip2(b"bz"), "Report.TXT.BZ2", Limits::default());
        assert_eq!(ok, [("Report.TXT".to_owned(), b"bz".to_vec())]);
        assert_eq!(member_name(Stream::Xz, "noext"), "noext");
        // Two gzip streams back to back are one file, as gunzip reads them.
        let mut two = gzip(b"one ");
        two.extend(gzip(b"two"));
        let (ok, _) = read(&two, "x.gz", Limits::default());
        assert_eq!(ok[0].1, b"one two");
    }

    #[test]
    fn a_compressed_tar_is_a_tar_by_name_or_by_content() {
        let tar = tar_of("in/a.txt", b"inside");
        for (bytes, name, want) in [
            (gzip(&tar), "backup.gz", ArchiveFormat::TarGz),
            (bzip2(&tar), "x.tbz2", ArchiveFormat::TarBz2),
            (bzip2(&tar), "x.bz2", ArchiveFormat::TarBz2),
            (bzip2(b"plain"), "x.bz2", ArchiveFormat::Bz2),
        ] {
            assert_eq!(super::super::sniff(&bytes, name), Some(want), "{name}");
        }
        let (ok, _) = read(&bzip2(&tar), "x.tar.bz2", Limits::default());
        assert_eq!(ok, [("in/a.txt".to_owned(), b"inside".to_vec())]);
    }

    #[test]
    fn a_compressed_bomb_stops_at_the_ratio() {
        let zeros = vec![0u8; 8 << 20];
        let (ok, bad) = read(&gzip(&zeros), "bomb.gz", Limits::default());
        assert!(ok.is_empty());
        assert_eq!(bad, ["bomb: archive"]);
    }

    #[test]
    fn damaged_streams_are_skips_not_panics() {
        for bytes in [
            &b"\x1f\x8b\x08garbage"[..],
            b"BZh91AY&SYgarbage",
            b"\xfd7zXZ\x00xx",
        ] {
            let (ok, bad) = read(bytes, "x.gz", Limits::default());
            assert!(ok.is_empty() && bad.len() == 1, "{bad:?}");
        }
    }
}
