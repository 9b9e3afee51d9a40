//! Zip packages (DOCX, ODT): entries read under the per-entry ([`MAX_ENTRY_BYTES`]) and
//! per-package ([`MAX_PACKAGE_BYTES`]) limits, so a zip bomb costs at most those bytes. An entry
//! over a limit or broken part-way gives what could be read, and a flag.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::decode::{decode_utf16, utf16_bom};
use super::xml::{parse_w3c_date, xml_fields};
use super::{Extracted, FLAG_DAMAGED, FLAG_TRUNCATED, MAX_ENTRY_BYTES, MAX_PACKAGE_BYTES};

/// A DOCX/ODT package, read under the per-entry and per-package limits.
pub(super) struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    pub(super) flags: Vec<&'static str>,
}

impl<'a> Package<'a> {
    pub(super) fn open(bytes: &'a [u8], kind: &str) -> Result<Self, String> {
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("not a {kind} (unreadable zip: {e})"))?;
        Ok(Package {
            zip,
            budget: MAX_PACKAGE_BYTES,
            flags: Vec::new(),
        })
    }

    pub(super) fn names(&self, pick: impl Fn(&str) -> bool) -> Vec<String> {
        let mut names: Vec<String> = self
            .zip
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| pick(n))
            .map(Cow::into_owned)
            .collect();
        names.sort();
        names
    }

    /// The entry `name` as text: Ok(None) when absent, Err when it cannot be read at all. An
    /// entry over the limits or broken part-way gives what could be read, and a flag.
    pub(super) fn read(&mut self, name: &str) -> Result<Option<String>, String> {
        let Some(index) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let limit = MAX_ENTRY_BYTES.min(self.budget);
        let mut entry = self
            .zip
            .by_index(index)
            .map_err(|e| format!("{name} unreadable: {e}"))?;
        let mut data = Vec::new();
        let result = (&mut entry).take(limit + 1).read_to_end(&mut data);
        drop(entry);
        if let Err(e) = result {
            if data.is_empty() {
                return Err(format!("{name} unreadable: {e}"));
            }
            self.flags.push(FLAG_DAMAGED);
        }
        let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if len > limit {
            // Past the limit: a zip bomb, or a document too large to index whole.
            data.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            self.flags.push(FLAG_TRUNCATED);
        }
        self.budget = self.budget.saturating_sub(len);
        Ok(Some(match utf16_bom(&data) {
            Some(order) => decode_utf16(&data[2..], &order),
            None => String::from_utf8_lossy(&data).into_owned(),
        }))
    }

    /// Like [`read`](Self::read), for parts whose loss does not spoil the document.
    pub(super) fn read_optional(&mut self, name: &str) -> Option<String> {
        self.read(name).unwrap_or_else(|_| {
            self.flags.push(FLAG_DAMAGED);
            None
        })
    }

    /// Title, creator, last modifier and dates from an OOXML package's `docProps/core.xml`
    /// (the same part in DOCX, XLSX and PPTX).
    pub(super) fn core_properties(&mut self, out: &mut Extracted) {
        let Some(core) = self.read_optional("docProps/core.xml") else {
            return;
        };
        let (fields, damaged) = xml_fields(
            &core,
            &[
                "dc:title",
                "dc:creator",
                "cp:lastModifiedBy",
                "dcterms:created",
                "dcterms:modified",
            ],
        );
        if damaged {
            self.flags.push(FLAG_DAMAGED);
        }
        let mut fields = fields.into_iter();
        out.title = fields.next().flatten();
        out.author = fields.next().flatten();
        out.last_modified_by = fields.next().flatten();
        out.created = fields.next().flatten().as_deref().and_then(parse_w3c_date);
        out.modified = fields.next().flatten().as_deref().and_then(parse_w3c_date);
    }

    /// Refuses a package whose declared sizes pass the limits before a third-party reader
    /// (calamine) decompresses it: the zip crate stops any entry at its declared size, so
    /// checking the declared sizes bounds what that reader can be made to inflate.
    pub(super) fn check_declared_sizes(&mut self, kind: &str) -> Result<(), String> {
        let mut total = 0u64;
        for i in 0..self.zip.len() {
            let Ok(entry) = self.zip.by_index_raw(i) else {
                continue;
            };
            let size = entry.size();
            if size > MAX_ENTRY_BYTES {
                return Err(format!(
                    "{kind} entry {} declares {} MiB, above the {} MiB limit",
                    entry.name().unwrap_or_default(),
                    size >> 20,
                    MAX_ENTRY_BYTES >> 20
                ));
            }
            total = total.saturating_add(size);
        }
        if total > MAX_PACKAGE_BYTES {
            return Err(format!(
                "{kind} entries declare {} MiB in all, above the {} MiB limit",
                total >> 20,
                MAX_PACKAGE_BYTES >> 20
            ));
        }
        Ok(())
    }

    pub(super) fn finish(self, mut out: Extracted) -> Extracted {
        for flag in self.flags {
            out.flag(flag);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::{
        extract, sniff, DocFormat, FLAG_TRUNCATED, MAX_ENTRY_BYTES, MAX_TEXT_BYTES,
    };

    /// all: each chunk is compressed alone and sync-flushed, so the pieces concatenate.
    /// A raw deflate stream of `chunk` repeated `times` times, built without compressing it
    fn repeated_deflate(head: &[u8], chunk: &[u8], times: usize) -> Vec<u8> {
        fn piece(data: &[u8]) -> Vec<u8> {
            let mut c = flate2::Compress::new(flate2::Compression::fast(), false);
            let mut out = Vec::with_capacity(data.len() + 1024);
            c.compress_vec(data, &mut out, flate2::FlushCompress::Sync)
                .unwrap();
            assert_eq!(c.total_in() as usize, data.len());
            out
        }
        let mut stream = piece(head);
        let body = piece(chunk);
        for _ in 0..times {
            stream.extend_from_slice(&body);
        }
        stream.extend_from_slice(&[0x03, 0x00]); // empty final block
        stream
    }

    /// A zip holding one deflated entry, assembled by hand (the CRC is left wrong: a bomb's
    /// reader must stop long before the end where it would be checked).
    fn zip_with_deflated(name: &str, deflated: &[u8], size: u32) -> Vec<u8> {
        let mut zip = Vec::new();
        let local = |zip: &mut Vec<u8>| {
            zip.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0]); // version, flags, method, time
            zip.extend_from_slice(&0u32.to_le_bytes()); // crc
            zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
            zip.extend_from_slice(&size.to_le_bytes());
            zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
            zip.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        zip.extend_from_slice(b"PK\x03\x04");
        local(&mut zip);
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(deflated);
        let central = zip.len();
        zip.extend_from_slice(b"PK\x01\x02\x14\x00");
        local(&mut zip);
        zip.extend_from_slice(&[0; 14]); // comment len, disk, attributes, local header offset
        zip.extend_from_slice(name.as_bytes());
        let central_len = zip.len() - central;
        zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        zip.extend_from_slice(&(central_len as u32).to_le_bytes());
        zip.extend_from_slice(&(central as u32).to_le_bytes());
        zip.extend_from_slice(&[0, 0]);
        zip
    }

    #[test]
    fn docx_zip_bomb_is_bounded() {
        let head = b"<w:document xmlns:w=\"x\"><w:body>";
        let chunk = b"<w:p><w:r><w:t>leaked</w:t></w:r></w:p>".repeat(1 << 15);
        let times = (MAX_ENTRY_BYTES as usize / chunk.len()) + 8;
        let size = (head.len() + chunk.len() * times) as u32;
        let deflated = repeated_deflate(head, &chunk, times);
        assert!(deflated.len() < 2 << 20);
        let bomb = zip_with_deflated("word/document.xml", &deflated, size);
        assert_eq!(sniff(&bomb, "bomb.docx"), Some(DocFormat::Docx));
        let started = Instant::now();
        match extract(&bomb, DocFormat::Docx) {
            Ok(out) => {
                assert!(out.flags.contains(&FLAG_TRUNCATED), "{:?}", out.flags);
                assert!(out.text.len() <= MAX_TEXT_BYTES);
                assert!(out.text.starts_with("leaked\nleaked\n"));
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
        assert!(started.elapsed() < Duration::from_secs(120));
    }
}
