//! The source model: where a document came from, written down exactly enough to read its bytes
//! back and prove they are the ones it was parsed from.
//!
//! A document's source is
//! - a **path**: the file's path as the file system gives it, then the chain of archive members
//!   that leads to it, joined by `!/` (`/dump/leak.zip!/mail/a.eml`). Paths are bytes on Unix;
//!   [`encode_bytes`] writes them as a string without loss (a backslash doubled, a byte that is
//!   not UTF-8 as `\xHH`), so two Latin-1 names that differ in one byte stay two names and the
//!   stored path opens the file;
//! - a **byte range** of that file or member (`offset`, `length`): the whole file, one mbox
//!   message, one chat export's JSON item or text lines;
//! - optionally an **item**: the number of a MIME part inside the message at that range (an
//!   attachment's decoded contents, a forwarded `message/rfc822` part), see
//!   [`crate::ingest::eml::part_contents`]; for a chat export whose items could not be located
//!   in the file, the message number;
//! - the **SHA-256** of exactly the bytes [`read_back`] returns.
//!
//! Ids derive from path, offset and item (see [`crate::doc::Doc::new`]), so distinct sources never
//! share an id.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::doc::sha256_hex;
use crate::ingest::archive::{self, ArchiveFormat, Limits};
use crate::ingest::Skip;

/// What joins an archive's path to the name of one of its members.
pub const MEMBER_SEPARATOR: &str = "!/";

/// A path as the file system gives it, as a string without loss: see [`encode_bytes`].
pub fn encode_path(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    encode_bytes(path.as_os_str().as_bytes())
}

/// Bytes of a name as a string without loss: valid UTF-8 is kept, a backslash is doubled, and
/// every byte that is not part of valid UTF-8 is written `\xHH`. [`decode_bytes`] undoes it.
pub fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// The bytes [`encode_bytes`] wrote `s` from. A backslash not followed by `\` or `xHH` is kept
/// as it is, so hand-typed paths still work.
pub fn decode_bytes(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            if b.get(i + 1) == Some(&b'x') {
                if let Some(v) = b
                    .get(i + 2..i + 4)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The file system path an encoded path stands for.
pub fn decode_path(s: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(decode_bytes(s)))
}

/// The file on disk and the archive members leading to the document, outermost first.
pub fn split_members(path: &str) -> (&str, Vec<&str>) {
    let mut parts = path.split(MEMBER_SEPARATOR);
    let file = parts.next().unwrap_or(path);
    (file, parts.collect())
}

/// A document's source as the index stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    pub path: &'a str,
    pub offset: u64,
    pub length: u64,
    pub item: Option<u64>,
    pub sha256: &'a str,
    /// The format the document was read as: says how an item is found inside its range.
    pub format: &'a str,
    /// The document's kind (`email`, `chat`, `attachment`, `document`).
    pub kind: &'a str,
}

/// Why the bytes of a source could not be given back.
#[derive(Debug, thiserror::Error)]
pub enum ReadBackError {
    /// The file is not there any more (or cannot be opened).
    #[error("the file cannot be opened: {error}")]
    Missing { path: String, error: std::io::Error },
    /// The file is there, but shorter than the recorded range.
    #[error("{path} is shorter than when it was indexed")]
    Truncated { path: String },
    /// A member of the chain is not in its archive any more, or the archive cannot be read.
    #[error("{0}")]
    Member(String),
    /// The recorded item is not in the message any more.
    #[error("part {item} is not in the message any more")]
    NoSuchPart { item: u64 },
    /// A source that by its nature cannot give bytes back.
    #[error("{0}")]
    Refused(String),
    #[error("reading {path}: {error}")]
    Io { path: String, error: std::io::Error },
}

impl ReadBackError {
    /// Whether the source is gone or changed (as opposed to a refusal).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ReadBackError::Refused(_))
    }
}

/// The bytes a document was parsed from, read again from the dump: the recorded range of the
/// file, or of the archive member (read through its archives), or the recorded MIME part of the
/// message at that range.
pub fn read_back(src: &Source<'_>) -> Result<Vec<u8>, ReadBackError> {
    Reader::default().read_back(src)
}

/// Reads sources back one after another. With a cache ([`Reader::with_cache`]) it keeps the
/// archive that held the last member read, its members read in one pass: the members of one
/// archive, read in path order (as `verify` reads them), cost one pass over it, not one each.
#[derive(Default)]
pub struct Reader {
    /// At most this many bytes of members are kept.
    cache_bytes: u64,
    archive: Option<OpenArchive>,
    /// Passwords to try on encrypted archives, as indexing had them.
    passwords: Vec<String>,
}

/// An archive (or an archive member that is an archive) read for its members.
struct OpenArchive {
    path: String,
    /// Members read in the pass, by name: their bytes, or why they could not be read.
    members: HashMap<String, Result<Vec<u8>, String>>,
    /// The archive's bytes, kept when some members did not fit in the cache.
    bytes: Option<Vec<u8>>,
    /// Why the pass stopped before the end, if it did.
    failed: Option<String>,
}

impl Reader {
    /// A reader that keeps up to `cache_bytes` of the members of the archive it read last.
    pub fn with_cache(cache_bytes: u64) -> Reader {
        Reader {
            cache_bytes,
            archive: None,
            passwords: Vec::new(),
        }
    }

    /// The reader, trying `passwords` on encrypted archives (those indexing was given).
    pub fn with_passwords(mut self, passwords: Vec<String>) -> Reader {
        self.passwords = passwords;
        self
    }

    /// See [`read_back`].
    pub fn read_back(&mut self, src: &Source<'_>) -> Result<Vec<u8>, ReadBackError> {
        if is_store(src.format) {
            return self.store_part(src);
        }
        let (file, members) = split_members(src.path);
        let unit = match members.split_last() {
            None => read_range(file, src.offset, src.length)?,
            Some((last, outer)) => {
                let container = &src.path[..src.path.len() - last.len() - MEMBER_SEPARATOR.len()];
                let member = self.member(file, outer, container, last)?;
                slice_range(member, src.offset, src.length, src.path)?
            }
        };
        part_of(unit, src)
    }

    /// Member `name` of the archive at `container` (the file, then the members `outer`).
    fn member(
        &mut self,
        file: &str,
        outer: &[&str],
        container: &str,
        name: &str,
    ) -> Result<Vec<u8>, ReadBackError> {
        let open = match &mut self.archive {
            Some(a) if a.path == container => a,
            slot => {
                *slot = None;
                let mut bytes = read_whole(file)?;
                let mut path = file.to_owned();
                for m in outer {
                    bytes = member_bytes(&bytes, &path, m, &self.passwords)?;
                    path = format!("{path}{MEMBER_SEPARATOR}{m}");
                }
                slot.insert(open_archive(
                    container,
                    bytes,
                    self.cache_bytes,
                    &self.passwords,
                ))
            }
        };
        match open.members.get(name) {
            Some(Ok(data)) => Ok(data.clone()),
            Some(Err(why)) => Err(ReadBackError::Member(format!(
                "{container}{MEMBER_SEPARATOR}{name}: {why}"
            ))),
            None => match &open.bytes {
                Some(bytes) => member_bytes(bytes, container, name, &self.passwords),
                None => Err(ReadBackError::Member(match &open.failed {
                    Some(why) => format!("{container}: {why}"),
                    None => format!("{container} has no member {name} any more"),
                })),
            },
        }
    }
}

impl Reader {
    /// A part of a mail store (PST, OST): an attachment's bytes, read through the store as
    /// indexing read it, never the whole store into memory when it is a file. A message is a
    /// node of the store, not bytes of its own: refused.
    fn store_part(&mut self, src: &Source<'_>) -> Result<Vec<u8>, ReadBackError> {
        use crate::ingest::pst::{part_contents, PartError};
        let Some(item) = src.item else {
            return Err(ReadBackError::NoSuchPart { item: 0 });
        };
        let refused = || {
            ReadBackError::Refused(format!(
                "item {item} is a message of an Outlook store: a node of the store, not a run \
                 of bytes, so it has none of its own to give; the whole store is {}",
                src.path
            ))
        };
        if item % crate::ingest::pst::PART_SPAN == 0 {
            return Err(refused());
        }
        let (file, members) = split_members(src.path);
        let found = match members.split_last() {
            None => part_contents(std::io::BufReader::new(open(file)?), item),
            Some((last, outer)) => {
                let container = &src.path[..src.path.len() - last.len() - MEMBER_SEPARATOR.len()];
                let member = self.member(file, outer, container, last)?;
                part_contents(std::io::Cursor::new(member), item)
            }
        };
        found.map_err(|e| match e {
            PartError::NotThere => ReadBackError::NoSuchPart { item },
            PartError::Message => refused(),
            PartError::Unreadable(why) => {
                ReadBackError::Member(format!("{}: the store cannot be read: {why}", src.path))
            }
        })
    }
}

/// Whether documents read as `format` come from a mail store (PST, OST).
fn is_store(format: &str) -> bool {
    use crate::ingest::format::Format;
    format == Format::Pst.as_str() || format == Format::Ost.as_str()
}

/// Reads the members of the archive `bytes` in one pass, keeping up to `cache_bytes` of them;
/// the archive's bytes are kept when some did not fit (they are read again one by one).
fn open_archive(path: &str, bytes: Vec<u8>, cache_bytes: u64, passwords: &[String]) -> OpenArchive {
    let mut open = OpenArchive {
        path: path.to_owned(),
        members: HashMap::new(),
        bytes: None,
        failed: None,
    };
    let format = archive_format(&bytes, path);
    let (Some(format), true) = (format, cache_bytes > 0) else {
        open.bytes = Some(bytes);
        return open;
    };
    let limits = Limits::default();
    let budget = Cell::new(limits.max_total_bytes);
    let mut kept = 0u64;
    let mut all_kept = true;
    let members = std::cell::RefCell::new(HashMap::new());
    let real = on_disk(path);
    let read = archive::for_each_member(
        &bytes,
        format,
        &opening(path, real.as_deref(), passwords),
        &limits,
        &budget,
        |m| {
            if kept + m.data.len() as u64 > cache_bytes {
                all_kept = false;
                return;
            }
            kept += m.data.len() as u64;
            members.borrow_mut().entry(m.name).or_insert(Ok(m.data));
        },
        |n, s: Skip| {
            members.borrow_mut().entry(n).or_insert(Err(s.to_string()));
        },
    );
    open.members = members.into_inner();
    if let Err(s) = read {
        open.failed = Some(s.to_string());
    }
    if !all_kept {
        open.bytes = Some(bytes);
    }
    open
}

/// The file an archive's path names, when it is a file of the dump and not a member: a RAR
/// there is opened where it lies, so that the library finds its other volumes.
fn on_disk(path: &str) -> Option<PathBuf> {
    (!path.contains(MEMBER_SEPARATOR)).then(|| decode_path(path))
}

/// How the archive at `path` is opened again: as indexing opened it.
fn opening<'a>(
    path: &'a str,
    real: Option<&'a std::path::Path>,
    passwords: &'a [String],
) -> archive::Opening<'a> {
    archive::Opening {
        name: path.rsplit(['/', '!']).next().unwrap_or(path),
        real,
        passwords,
    }
}

fn archive_format(bytes: &[u8], path: &str) -> Option<ArchiveFormat> {
    let head = &bytes[..bytes.len().min(crate::ingest::format::SNIFF_LEN)];
    archive::sniff(head, path.rsplit(['/', '!']).next().unwrap_or(path))
}

/// The recorded item of the unit a source names, or the unit itself.
fn part_of(unit: Vec<u8>, src: &Source<'_>) -> Result<Vec<u8>, ReadBackError> {
    let Some(item) = src.item else {
        return Ok(unit);
    };
    match src.kind {
        "email" | "attachment" if src.format == crate::ingest::format::Format::Msg.as_str() => {
            use crate::ingest::msg::{part_contents, PartError};
            part_contents(&unit, item).map_err(|e| match e {
                PartError::NotThere => ReadBackError::NoSuchPart { item },
                PartError::Embedded => ReadBackError::Refused(format!(
                    "part {item} is an Outlook message attached to another: a storage inside \
                     the compound file, not a run of bytes, so it has none of its own to give; \
                     the whole file is {}",
                    src.path
                )),
            })
        }
        "email" | "attachment" => crate::ingest::eml::stored_part_contents(&unit, src.format, item)
            .ok_or(ReadBackError::NoSuchPart { item }),
        _ => Err(ReadBackError::Refused(format!(
            "message {item} of this {} export could not be located in the file, so its bytes \
             cannot be given on their own; the whole file is {}",
            src.format, src.path
        ))),
    }
}

/// What re-reading a source found.
#[derive(Debug)]
pub enum Check {
    /// The bytes are there and hash as recorded.
    Same(Vec<u8>),
    /// The bytes are there but hash differently: the dump changed.
    Changed { bytes: Vec<u8>, sha256: String },
}

/// Reads a source back and compares it with its recorded hash.
pub fn check(src: &Source<'_>) -> Result<Check, ReadBackError> {
    Reader::default().check(src)
}

impl Reader {
    /// See [`check`].
    pub fn check(&mut self, src: &Source<'_>) -> Result<Check, ReadBackError> {
        let bytes = self.read_back(src)?;
        let sha = sha256_hex(&bytes);
        Ok(if sha == src.sha256 {
            Check::Same(bytes)
        } else {
            Check::Changed { bytes, sha256: sha }
        })
    }
}

fn open(file: &str) -> Result<std::fs::File, ReadBackError> {
    std::fs::File::open(decode_path(file)).map_err(|error| ReadBackError::Missing {
        path: file.to_owned(),
        error,
    })
}

fn read_range(file: &str, offset: u64, length: u64) -> Result<Vec<u8>, ReadBackError> {
    let io = |error| ReadBackError::Io {
        path: file.to_owned(),
        error,
    };
    let mut f = open(file)?;
    f.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut bytes = Vec::with_capacity(length.min(1 << 30) as usize);
    f.take(length).read_to_end(&mut bytes).map_err(io)?;
    if (bytes.len() as u64) < length {
        return Err(ReadBackError::Truncated {
            path: file.to_owned(),
        });
    }
    Ok(bytes)
}

/// The whole file, as an archive reader sees it (a split 7z's first part joined with the
/// others).
fn read_whole(file: &str) -> Result<Vec<u8>, ReadBackError> {
    open(file)?;
    archive::volumes::read_file(&decode_path(file)).map_err(|error| ReadBackError::Io {
        path: file.to_owned(),
        error,
    })
}

fn slice_range(
    mut bytes: Vec<u8>,
    offset: u64,
    length: u64,
    path: &str,
) -> Result<Vec<u8>, ReadBackError> {
    let end = offset.saturating_add(length);
    if end > bytes.len() as u64 {
        return Err(ReadBackError::Truncated {
            path: path.to_owned(),
        });
    }
    if offset == 0 && end == bytes.len() as u64 {
        return Ok(bytes);
    }
    bytes.truncate(end as usize);
    Ok(bytes.split_off(offset as usize))
}

/// The bytes of member `name` of the archive `bytes` (itself at `container`), read with the
/// limits indexing used.
fn member_bytes(
    bytes: &[u8],
    container: &str,
    name: &str,
    passwords: &[String],
) -> Result<Vec<u8>, ReadBackError> {
    let head = &bytes[..bytes.len().min(crate::ingest::format::SNIFF_LEN)];
    let container_name = container.rsplit(['/', '!']).next().unwrap_or(container);
    let format: ArchiveFormat = archive::sniff(head, container_name).ok_or_else(|| {
        ReadBackError::Member(format!(
            "{container} is not an archive trawl can read any more"
        ))
    })?;
    let limits = Limits::default();
    let budget = Cell::new(limits.max_total_bytes);
    let mut found = None;
    let mut refused = None;
    let real = on_disk(container);
    let read = archive::for_each_member(
        bytes,
        format,
        &opening(container, real.as_deref(), passwords),
        &limits,
        &budget,
        |m| {
            if found.is_none() && m.name == name {
                found = Some(m.data);
            }
        },
        |n, s: Skip| {
            if n == name {
                refused = Some(s);
            }
        },
    );
    if let Some(data) = found {
        return Ok(data);
    }
    if let Some(s) = refused {
        return Err(ReadBackError::Member(format!(
            "{container}{MEMBER_SEPARATOR}{name}: {s}"
        )));
    }
    Err(ReadBackError::Member(match read {
        Err(s) => format!("{container}: {s}"),
        Ok(()) => format!("{container} has no member {name} any more"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_without_loss() {
        for raw in [
            &b"/dump/caf\xe9.eml"[..],
            b"/dump/caf\xc3\xa9.eml",
            b"/dump/back\\slash",
            b"/dump/\\x41 literal",
            b"\xff\xfe",
            b"",
        ] {
            let s = encode_bytes(raw);
            assert_eq!(decode_bytes(&s), raw, "{s}");
        }
        assert_eq!(encode_bytes(b"caf\xe9"), "caf\\xE9");
        assert_eq!(encode_bytes("café".as_bytes()), "café");
        assert_ne!(encode_bytes(b"caf\xe9"), encode_bytes(b"caf\xe8"));
        // A Latin-1 name and the UTF-8 text of its escape are different names.
        assert_ne!(encode_bytes(b"caf\xe9"), encode_bytes(b"caf\\xE9"));
    }

    #[test]
    fn hand_typed_backslashes_survive() {
        assert_eq!(decode_bytes("a\\b"), b"a\\b");
        assert_eq!(decode_bytes("a\\xZZ"), b"a\\xZZ");
    }

    #[test]
    fn members_split_outermost_first() {
        assert_eq!(
            split_members("/d/a.zip!/x/b.tar!/c.eml"),
            ("/d/a.zip", vec!["x/b.tar", "c.eml"])
        );
        assert_eq!(split_members("/d/a.eml"), ("/d/a.eml", vec![]));
    }

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// Whatever the cache holds (nothing, some members, all of them), a member reads back the
    /// same, a refused member says why, and a member that is not there says so.
    #[test]
    fn members_read_back_the_same_whatever_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let inner = zip_of(&[("c.txt", b"ccc")]);
        let files: Vec<(String, Vec<u8>)> = (0..20)
            .map(|i| {
                (
                    format!("m{i}.txt"),
                    format!("member {i}").repeat(i + 1).into_bytes(),
                )
            })
            .chain([("in.zip".to_owned(), inner)])
            .collect();
        let mut list: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        list.push(("../up.txt", b"x"));
        let path = dir.path().join("a.zip");
        std::fs::write(&path, zip_of(&list)).unwrap();
        let file = encode_path(&path);
        for cache in [0, 40, 1 << 20] {
            let mut r = Reader::with_cache(cache);
            for (name, data) in &files[..20] {
                let p = format!("{file}!/{name}");
                let src = Source {
                    path: &p,
                    offset: 0,
                    length: data.len() as u64,
                    item: None,
                    sha256: "",
                    format: "text",
                    kind: "document",
                };
                assert_eq!(&r.read_back(&src).unwrap(), data, "cache {cache}, {name}");
            }
            fn text(path: &str) -> Source<'_> {
                Source {
                    path,
                    offset: 1,
                    length: 2,
                    item: None,
                    sha256: "",
                    format: "text",
                    kind: "document",
                }
            }
            let nested = format!("{file}!/in.zip!/c.txt");
            assert_eq!(r.read_back(&text(&nested)).unwrap(), b"cc");
            let up = format!("{file}!/../up.txt");
            let e = r.read_back(&text(&up)).unwrap_err().to_string();
            assert!(e.contains("leaves the archive"), "{e}");
            let gone = format!("{file}!/gone.txt");
            let e = r.read_back(&text(&gone)).unwrap_err().to_string();
            assert!(e.contains("no member gone.txt"), "{e}");
        }
    }
}
