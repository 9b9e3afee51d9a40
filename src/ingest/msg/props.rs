//! MAPI properties of one object (message, recipient, attachment) stored in a storage of an
//! Outlook compound file, as [MS-OXMSG] lays them out: fixed-size values in the
//! `__properties_version1.0` stream, each variable-size value in a stream of its own named
//! `__substg1.0_IIIITTTT` (property id and type in upper-case hex).
//!
//! Streams are read on demand and capped: a hostile file states any length it likes, but a
//! stream can hold no more than the file, and the file is already in memory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use encoding_rs::Encoding;

/// The compound file, shared by every property bag read from it (cfb reads through `&mut`).
pub(super) type File<'a> = RefCell<cfb::CompoundFile<Cursor<&'a [u8]>>>;

const PT_LONG: u16 = 0x0003;
const PT_SYSTIME: u16 = 0x0040;
const PT_STRING8: u16 = 0x001E;
const PT_UNICODE: u16 = 0x001F;
const PT_BINARY: u16 = 0x0102;

/// No single property stream is read beyond this: bodies and attachments larger than this
/// in an MSG (whose whole file is capped by `--max-file-size`) are not text worth indexing.
const MAX_STREAM_BYTES: u64 = 256 << 20;

/// The properties of one object: its storage and the fixed-size values of its property stream.
pub(super) struct Props<'f, 'a> {
    pub file: &'f File<'a>,
    pub storage: PathBuf,
    fixed: HashMap<u16, (u16, [u8; 8])>,
    /// How PT_STRING8 values are decoded (the message's code page).
    pub ansi: &'static Encoding,
}

impl<'f, 'a> Props<'f, 'a> {
    /// Reads the property stream of `storage`, whose header is `header` bytes long (32 for the
    /// top-level message, 24 for an embedded one, 8 for recipients and attachments). A missing
    /// or short stream gives a bag of variable-size values only.
    pub fn read(file: &'f File<'a>, storage: &Path, header: usize) -> Props<'f, 'a> {
        let mut fixed = HashMap::new();
        if let Some(stream) = read_stream(file, &storage.join("__properties_version1.0")) {
            for entry in stream.get(header..).unwrap_or_default().chunks_exact(16) {
                let tag = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
                let mut value = [0u8; 8];
                value.copy_from_slice(&entry[8..16]);
                fixed.insert((tag >> 16) as u16, (tag as u16, value));
            }
        }
        Props {
            file,
            storage: storage.to_owned(),
            fixed,
            ansi: encoding_rs::WINDOWS_1252,
        }
    }

    /// A 32-bit integer property.
    pub fn long(&self, id: u16) -> Option<i32> {
        match self.fixed.get(&id) {
            Some((PT_LONG, v)) => Some(i32::from_le_bytes([v[0], v[1], v[2], v[3]])),
            _ => None,
        }
    }

    /// A FILETIME property (100 ns ticks since 1601) in UTC; zero and out-of-range are none.
    pub fn time(&self, id: u16) -> Option<DateTime<Utc>> {
        let (PT_SYSTIME, v) = self.fixed.get(&id)? else {
            return None;
        };
        filetime(u64::from_le_bytes(*v))
    }

    /// A string property, Unicode or ANSI (decoded with [`Props::ansi`]), without trailing
    /// NULs and whitespace; none when absent or empty.
    pub fn string(&self, id: u16) -> Option<String> {
        let s = if let Some(raw) = self.stream(id, PT_UNICODE) {
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            let raw = self.stream(id, PT_STRING8)?;
            self.ansi.decode_without_bom_handling(&raw).0.into_owned()
        };
        clean_string(s)
    }

    /// A binary property.
    pub fn binary(&self, id: u16) -> Option<Vec<u8>> {
        self.stream(id, PT_BINARY)
    }

    /// A string or binary property as bytes, as stored (HTML bodies are either).
    pub fn bytes(&self, id: u16) -> Option<Vec<u8>> {
        self.stream(id, PT_BINARY)
            .or_else(|| self.stream(id, PT_STRING8))
    }

    /// The storage holding an object property (an embedded message's), when there is one.
    pub fn object(&self, id: u16) -> Option<PathBuf> {
        let path = self.storage.join(format!("__substg1.0_{id:04X}000D"));
        self.file.borrow().is_storage(&path).then_some(path)
    }

    fn stream(&self, id: u16, ty: u16) -> Option<Vec<u8>> {
        read_stream(
            self.file,
            &self.storage.join(format!("__substg1.0_{id:04X}{ty:04X}")),
        )
    }

    /// The storages directly under this one whose names start with `prefix`
    /// (`__recip_version1.0_#`, `__attach_version1.0_#`), in the order of their numbers.
    pub fn children(&self, prefix: &str) -> Vec<PathBuf> {
        let file = self.file.borrow();
        let Ok(entries) = file.read_storage(&self.storage) else {
            return Vec::new();
        };
        let mut found: Vec<(u32, PathBuf)> = entries
            .filter(|e| e.is_storage())
            .filter_map(|e| {
                let n = e.name().strip_prefix(prefix)?;
                Some((u32::from_str_radix(n, 16).ok()?, e.path().to_owned()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, p)| p).collect()
    }
}

/// A FILETIME (100 ns ticks since 1601) in UTC; zero and out-of-range are none.
pub(crate) fn filetime(ticks: u64) -> Option<DateTime<Utc>> {
    if ticks == 0 {
        return None;
    }
    let secs = (ticks / 10_000_000) as i64 - 11_644_473_600;
    let nanos = (ticks % 10_000_000) as u32 * 100;
    DateTime::from_timestamp(secs, nanos)
}

/// A string property's value without trailing NULs and whitespace; none when blank.
pub(crate) fn clean_string(s: String) -> Option<String> {
    let s = s.trim_end_matches(['\0', ' ', '\r', '\n', '\t']);
    (!s.trim().is_empty()).then(|| s.to_owned())
}

/// The bytes of the stream at `path`, if it is one and not larger than the cap.
pub(super) fn read_stream(file: &File<'_>, path: &Path) -> Option<Vec<u8>> {
    let mut file = file.borrow_mut();
    if !file.is_stream(path) {
        return None;
    }
    let mut stream = file.open_stream(path).ok()?;
    let len = stream.len();
    if len > MAX_STREAM_BYTES {
        return None;
    }
    let mut out = Vec::with_capacity(len as usize);
    (&mut stream).take(len).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The encoding of a Windows code page number, for the code pages MSG files are written in.
pub(super) fn encoding_of(codepage: i32) -> Option<&'static Encoding> {
    use encoding_rs::*;
    Some(match codepage {
        874 => WINDOWS_874,
        // ISO-2022-JP and EUC-JP are what Japanese mail is sent as; the ANSI strings of the
        // machine that wrote it are Shift_JIS.
        932 | 50220 | 50221 | 50222 | 51932 | 20932 => SHIFT_JIS,
        936 | 20936 | 52936 => GBK,
        54936 => GB18030,
        949 | 51949 => EUC_KR,
        950 => BIG5,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1252 | 20127 | 28591 => WINDOWS_1252,
        1253 => WINDOWS_1253,
        1254 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        20866 => KOI8_R,
        21866 => KOI8_U,
        28592 => ISO_8859_2,
        28595 => ISO_8859_5,
        28597 => ISO_8859_7,
        28605 => ISO_8859_15,
        65001 => UTF_8,
        _ => return None,
    })
}

/// The encoding of an internet code page (`PR_INTERNET_CPID`: what the HTML body is in).
pub(super) fn encoding_of_internet(codepage: i32) -> Option<&'static Encoding> {
    use encoding_rs::*;
    match codepage {
        50220..=50222 => Some(ISO_2022_JP),
        51932 | 20932 => Some(EUC_JP),
        28591 => Some(WINDOWS_1252),
        _ => encoding_of(codepage),
    }
}

/// The ANSI code page of a Windows locale id, for messages that state no code page.
pub(super) fn codepage_of_locale(lcid: i32) -> Option<i32> {
    Some(match lcid & 0x3ff {
        0x11 => 932,                       // Japanese
        0x04 => 936,                       // Chinese (950 for Taiwan and Hong Kong, below)
        0x12 => 949,                       // Korean
        0x19 | 0x22 | 0x23 | 0x02 => 1251, // Cyrillic
        0x05 | 0x15 | 0x0e | 0x1b | 0x24 | 0x18 | 0x1a => 1250,
        0x08 => 1253, // Greek
        0x1f => 1254, // Turkish
        0x0d => 1255, // Hebrew
        0x01 => 1256, // Arabic
        0x25..=0x27 => 1257,
        0x1e => 874,  // Thai
        0x2a => 1258, // Vietnamese
        _ => return None,
    })
    .map(|cp| match (cp, lcid) {
        (936, 0x0404 | 0x0c04 | 0x1404) => 950,
        (cp, _) => cp,
    })
}
