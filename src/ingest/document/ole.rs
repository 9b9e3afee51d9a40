//! OLE compound files (CFB, magic `D0 CF 11 E0`), the container of Word, Excel and PowerPoint
//! 97-2003 documents, of password-protected OOXML packages, and of Outlook `.msg` messages.
//!
//! This module decides which of them a compound file is ([`claims`] from the head and name,
//! [`kind`] from its streams), reads streams under a size limit, and reads the
//! `\x05SummaryInformation` property set (MS-OLEPS) that all three office formats carry: title,
//! author, last author, created and last-saved times. The formats' own text is read in `doc.rs`,
//! `sheet.rs` and `ppt.rs`. Only compound files with a `WordDocument`, `Workbook`/`Book`,
//! `PowerPoint Document` or `EncryptedPackage` stream are claimed: any other compound file (an
//! Outlook message, a Works file, a thumbnail cache) is left to other readers.

use std::io::{Cursor, Read};

use chrono::{DateTime, Utc};

use super::{clean_field, DocFormat, ExtractError, Extracted, MAX_ENTRY_BYTES};

pub(super) const MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Streams that make a compound file one of ours.
const OFFICE_STREAMS: [&str; 5] = [
    "WordDocument",
    "Workbook",
    "Book",
    "PowerPoint Document",
    "EncryptedPackage",
];

/// Streams of an Outlook message (`__substg1.0_XXXXXXXX`, `__properties_version1.0`).
const MSG_PREFIXES: [&str; 3] = [
    "__substg1.0_",
    "__properties_version1.0",
    "__nameid_version1.0",
];

/// Extensions of office files stored as compound files (encrypted OOXML included).
const OFFICE_EXTENSIONS: [&str; 17] = [
    "doc", "dot", "xls", "xlt", "xla", "ppt", "pps", "pot", "docx", "docm", "dotx", "xlsx", "xlsm",
    "xltx", "pptx", "pptm", "ppsx",
];

/// Whether a compound file is an office document, from its head and name alone: the streams
/// named in the first directory sector when it lies within the head, else the extension.
pub(super) fn claims(head: &[u8], ext: &str) -> bool {
    if !head.starts_with(MAGIC) {
        return false;
    }
    let names = head_directory(head);
    if names.iter().any(|n| OFFICE_STREAMS.contains(&n.as_str())) {
        return true;
    }
    if names
        .iter()
        .any(|n| MSG_PREFIXES.iter().any(|p| n.starts_with(p)))
    {
        return false;
    }
    OFFICE_EXTENSIONS.contains(&ext)
}

/// The names in the first directory sector, when the head holds it.
fn head_directory(head: &[u8]) -> Vec<String> {
    let (Some(shift), Some(first)) = (le_u16(head, 0x1E), le_u32(head, 0x30)) else {
        return Vec::new();
    };
    if !(7..=16).contains(&shift) {
        return Vec::new();
    }
    let sector = 1usize << shift;
    let start = (first as usize).saturating_add(1).saturating_mul(sector);
    let Some(dir) = head.get(start..start.saturating_add(sector)) else {
        return Vec::new();
    };
    dir.chunks_exact(128)
        .filter_map(|entry| {
            let len = usize::from(le_u16(entry, 0x40)?).min(64);
            let units: Vec<u16> = entry[..len.saturating_sub(2)]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        })
        .collect()
}

pub(super) type Cfb<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

pub(super) fn open(bytes: &[u8]) -> Result<Cfb<'_>, ExtractError> {
    cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| ExtractError::Unextractable(format!("unreadable OLE compound file: {e}")))
}

/// Which office format a compound file holds, from its streams; an encrypted OOXML package is
/// refused as encrypted.
pub(super) fn kind(bytes: &[u8]) -> Result<DocFormat, ExtractError> {
    let cf = open(bytes)?;
    let is = |name: &str| cf.is_stream(name);
    if is("EncryptedPackage") || is("EncryptionInfo") {
        return Err(ExtractError::Encrypted(
            "OOXML package encrypted with a password (an EncryptedPackage stream)".into(),
        ));
    }
    if is("WordDocument") {
        Ok(DocFormat::Doc)
    } else if is("Workbook") || is("Book") {
        Ok(DocFormat::Xls)
    } else if is("PowerPoint Document") {
        Ok(DocFormat::Ppt)
    } else {
        Err(ExtractError::Unextractable(
            "OLE compound file without a Word, Excel or PowerPoint stream".into(),
        ))
    }
}

/// The stream `name`, at most [`MAX_ENTRY_BYTES`] of it (whatever size the directory
/// declares); None when absent or unreadable, and whether it was cut.
pub(super) fn stream(cf: &mut Cfb<'_>, name: &str) -> Option<(Vec<u8>, bool)> {
    let mut s = cf.open_stream(name).ok()?;
    let mut data = Vec::new();
    s.by_ref()
        .take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut data)
        .ok()?;
    let cut = data.len() as u64 > MAX_ENTRY_BYTES;
    if cut {
        data.truncate(MAX_ENTRY_BYTES as usize);
    }
    Some((data, cut))
}

/// Title, author, last author and dates of the `\x05SummaryInformation` property set; empty
/// when the file has none or it cannot be read.
pub(super) fn summary_information(bytes: &[u8]) -> Extracted {
    let mut out = Extracted::default();
    let Ok(mut cf) = open(bytes) else {
        return out;
    };
    let Some((data, _)) = stream(&mut cf, "\u{5}SummaryInformation") else {
        return out;
    };
    let props = property_set(&data);
    let codepage = props.iter().find_map(|(id, v)| match (id, v) {
        (1, Value::Int(cp)) => Some(*cp as u16),
        _ => None,
    });
    let text = |want: u32| {
        props.iter().find_map(|(id, v)| match v {
            Value::Ansi(raw) if *id == want => clean_field(&decode_ansi(raw, codepage)),
            Value::Wide(s) if *id == want => clean_field(s),
            _ => None,
        })
    };
    let time = |want: u32| {
        props.iter().find_map(|(id, v)| match v {
            Value::Time(t) if *id == want => Some(*t),
            _ => None,
        })
    };
    out.title = text(2);
    out.author = text(4);
    out.last_modified_by = text(8);
    out.created = time(12);
    out.modified = time(13);
    out
}

/// Bytes in a Windows code page (1252 when none is given or it is unknown).
pub(super) fn decode_ansi(raw: &[u8], codepage: Option<u16>) -> String {
    let encoding = codepage
        .and_then(codepage::to_encoding)
        .unwrap_or(encoding_rs::WINDOWS_1252);
    encoding.decode_without_bom_handling(raw).0.into_owned()
}

enum Value {
    Int(i32),
    Ansi(Vec<u8>),
    Wide(String),
    Time(DateTime<Utc>),
}

/// The properties of the first property set of a property-set stream (MS-OLEPS 2.21).
fn property_set(data: &[u8]) -> Vec<(u32, Value)> {
    let mut props = Vec::new();
    let Some(base) = le_u32(data, 44).map(|o| o as usize) else {
        return props;
    };
    let Some(count) = le_u32(data, base + 4) else {
        return props;
    };
    // Each property needs 8 bytes of index: a count past the stream is a lie.
    let count = (count as usize).min(data.len() / 8);
    for i in 0..count {
        let at = base + 8 + i * 8;
        let (Some(id), Some(offset)) = (le_u32(data, at), le_u32(data, at + 4)) else {
            break;
        };
        let p = base.saturating_add(offset as usize);
        let Some(vt) = le_u16(data, p) else { continue };
        let value = match vt {
            // VT_I2
            0x02 => le_u16(data, p + 4).map(|v| Value::Int(i32::from(v as i16))),
            // VT_I4
            0x03 => le_u32(data, p + 4).map(|v| Value::Int(v as i32)),
            // VT_LPSTR: a byte count (NUL included) and bytes in the set's code page.
            0x1E => le_u32(data, p + 4).and_then(|n| {
                let raw = data.get(p + 8..(p + 8).checked_add(n as usize)?)?;
                let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
                Some(Value::Ansi(raw[..end].to_vec()))
            }),
            // VT_LPWSTR: a character count (NUL included) and UTF-16LE.
            0x1F => le_u32(data, p + 4).and_then(|n| {
                let raw = data.get(p + 8..(p + 8).checked_add((n as usize).checked_mul(2)?)?)?;
                let units: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .take_while(|&u| u != 0)
                    .collect();
                Some(Value::Wide(String::from_utf16_lossy(&units)))
            }),
            // VT_FILETIME: 100 ns ticks since 1601; zero means unset.
            0x40 => {
                let lo = le_u32(data, p + 4);
                let hi = le_u32(data, p + 8);
                lo.zip(hi)
                    .map(|(lo, hi)| (u64::from(hi) << 32) | u64::from(lo))
                    .filter(|&t| t != 0)
                    .and_then(filetime)
                    .map(Value::Time)
            }
            _ => None,
        };
        if let Some(v) = value {
            props.push((id, v));
        }
    }
    props
}

/// A FILETIME (100 ns ticks since 1601-01-01 UTC) as a UTC instant.
fn filetime(ticks: u64) -> Option<DateTime<Utc>> {
    const UNIX_EPOCH_TICKS: i64 = 116_444_736_000_000_000;
    let ticks = i64::try_from(ticks).ok()?;
    let since_epoch = ticks - UNIX_EPOCH_TICKS;
    DateTime::from_timestamp(
        since_epoch.div_euclid(10_000_000),
        (since_epoch.rem_euclid(10_000_000) * 100) as u32,
    )
}

pub(super) fn le_u16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

pub(super) fn le_u32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn filetimes_are_utc() {
        assert_eq!(
            filetime(116_444_736_000_000_000).unwrap().to_rfc3339(),
            "1970-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn only_office_compound_files_are_claimed() {
        assert!(!claims(b"PK\x03\x04", "doc"));
        // A head too short to show its directory: the extension decides.
        assert!(claims(MAGIC, "doc"));
        assert!(claims(MAGIC, "xlsx"));
        assert!(!claims(MAGIC, "msg"));
        assert!(!claims(MAGIC, ""));
        for garbage in [&[][..], &[0xff; 64], MAGIC] {
            assert!(property_set(garbage).is_empty());
        }
    }

    /// A compound file with the given streams, written by the cfb crate.
    pub(in super::super) fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        // Version 3 (512-byte sectors), as Office 97-2003 writes them.
        let mut cf =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
                .unwrap();
        for (name, data) in streams {
            cf.create_stream(name).unwrap().write_all(data).unwrap();
        }
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    #[test]
    fn the_streams_say_which_format() {
        let word = compound(&[("WordDocument", b"x"), ("1Table", b"y")]);
        assert!(
            claims(&word[..word.len().min(8192)], ""),
            "the directory is in the head"
        );
        assert_eq!(kind(&word).unwrap(), DocFormat::Doc);
        let msg = compound(&[("__substg1.0_0037001F", b"s\0")]);
        assert!(
            !claims(&msg[..msg.len().min(8192)], "doc"),
            "an Outlook message is not ours"
        );
        assert!(matches!(kind(&msg), Err(ExtractError::Unextractable(_))));
        let locked = compound(&[("EncryptionInfo", b"x"), ("EncryptedPackage", b"y")]);
        assert!(claims(&locked, "xlsx"));
        assert!(matches!(kind(&locked), Err(ExtractError::Encrypted(_))));
    }
}
