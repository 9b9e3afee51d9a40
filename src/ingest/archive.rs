//! Archives inside a dump, read in memory without unpacking to disk: zip, tar and tar under
//! gzip, bzip2 or xz here; 7z ([`sevenz`]), RAR ([`rar`]) and single compressed files
//! ([`compressed`]) in their own files; split and multi-volume sets in [`volumes`]. Each member is
//! handed back with a provenance path `archive.zip!/inner/path.eml` so a hit can be traced to the
//! member. A single compressed file (`notes.txt.gz`) holds one member named after the file
//! without its suffix (`notes.txt.gz!/notes.txt`).
//!
//! Encrypted archives and members are tried with the user's passwords ([`Opening::passwords`],
//! `trawl index --passwords FILE`) where the format's crate decrypts (zip's ZipCrypto, 7z's AES,
//! RAR); what stays locked is listed as [`Skip::Encrypted`].
//!
//! Hostile archives are expected: a member whose name climbs out of the archive (`../`, absolute
//! paths) is skipped and reported, never resolved; decompression stops at [`Limits`] (total
//! bytes, bytes per member, compression ratio, number of members, nesting depth), so a zip bomb
//! costs bounded time and memory and ends as a skip with its reason.

use std::cell::Cell;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::format::{Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::Doc;

/// Bounds on what one archive may make trawl decompress.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Uncompressed bytes of all members of one archive, nested archives included.
    pub max_total_bytes: u64,
    /// Uncompressed bytes of one member.
    pub max_member_bytes: u64,
    /// Uncompressed / compressed size of one member; real documents stay far below.
    pub max_ratio: u64,
    pub max_members: u64,
    /// Archives inside archives inside the dump, counting the outermost as 1.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 4 << 30,
            max_member_bytes: 256 << 20,
            max_ratio: 200,
            max_members: 100_000,
            max_depth: 3,
        }
    }
}

pub mod compressed;
pub mod rar;
pub mod sevenz;
pub mod volumes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    Zip,
    Tar,
    TarGz,
    TarBz2,
    TarXz,
    SevenZ,
    Rar,
    /// One gzip-compressed file (not a tar).
    Gz,
    Bz2,
    Xz,
}

/// What an archive is opened with besides its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opening<'a> {
    /// The archive's own name, without folders: a single compressed file names its member
    /// after it.
    pub name: &'a str,
    /// The archive on disk, when it is a file of the dump: the other volumes of a RAR or split
    /// 7z set are found beside it.
    pub real: Option<&'a Path>,
    /// Passwords to try, in order, on encrypted archives and members.
    pub passwords: &'a [String],
}

impl ArchiveFormat {
    pub fn as_str(self) -> &'static str {
        self.format().as_str()
    }

    /// The registry's name for it.
    pub fn format(self) -> Format {
        match self {
            ArchiveFormat::Zip => Format::Zip,
            ArchiveFormat::Tar => Format::Tar,
            ArchiveFormat::TarGz => Format::TarGz,
            ArchiveFormat::TarBz2 => Format::TarBz2,
            ArchiveFormat::TarXz => Format::TarXz,
            ArchiveFormat::SevenZ => Format::SevenZ,
            ArchiveFormat::Rar => Format::Rar,
            ArchiveFormat::Gz => Format::Gz,
            ArchiveFormat::Bz2 => Format::Bz2,
            ArchiveFormat::Xz => Format::Xz,
        }
    }
}

/// The registry's sniff for the zip family: DOCX and ODT packages and plain zip archives,
/// told apart by [`read_zip`] from the central directory at the end of the file.
pub(crate) fn sniff_zip(s: &Sniff) -> bool {
    sniff(s.head, s.name) == Some(ArchiveFormat::Zip)
}

/// The registry's sniff for a tar. Text with `ustar` where a tar has it is still text.
pub(crate) fn sniff_tar(s: &Sniff) -> bool {
    sniff(s.head, s.name) == Some(ArchiveFormat::Tar) && !super::document::looks_textual(s.head)
}

/// The registry's sniffs for the other archives: each claims its format, and a compression
/// also the single compressed file ([`read_other`] tells them apart). Text that happens to
/// start with a magic number stays text.
fn sniff_among(s: &Sniff, formats: &[ArchiveFormat]) -> bool {
    sniff(s.head, s.name).is_some_and(|f| formats.contains(&f))
        && !super::document::looks_textual(s.head)
}

pub(crate) fn sniff_gzip(s: &Sniff) -> bool {
    sniff_among(s, &[ArchiveFormat::TarGz, ArchiveFormat::Gz])
}

pub(crate) fn sniff_bzip2(s: &Sniff) -> bool {
    sniff_among(s, &[ArchiveFormat::TarBz2, ArchiveFormat::Bz2])
}

pub(crate) fn sniff_xz(s: &Sniff) -> bool {
    sniff_among(s, &[ArchiveFormat::TarXz, ArchiveFormat::Xz])
}

pub(crate) fn sniff_7z(s: &Sniff) -> bool {
    sniff_among(s, &[ArchiveFormat::SevenZ])
}

pub(crate) fn sniff_rar(s: &Sniff) -> bool {
    sniff_among(s, &[ArchiveFormat::Rar])
}

/// The registry's reader for the zip family: an office package (its entries say which) is read
/// as a document, any other zip as an archive. Returns the format it found. Only a package is
/// taken from the document sniffer: it also finds `%PDF-` in a zip's head, which is where a
/// PDF stored uncompressed as the first member lies (and a zip is a zip).
pub(crate) fn read_zip(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    use super::document::DocFormat;
    match super::document::sniff(unit.bytes, unit.name()) {
        Some(
            doc @ (DocFormat::Docx
            | DocFormat::Odt
            | DocFormat::Xlsx
            | DocFormat::Ods
            | DocFormat::Pptx
            | DocFormat::Odp),
        ) => super::document::read_as(unit, ctx, emit, doc),
        _ => read_members(unit, ArchiveFormat::Zip, ctx, emit, skip_member),
    }
}

/// The registry's reader for a tar.
pub(crate) fn read_tar(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    read_members(unit, ArchiveFormat::Tar, ctx, emit, skip_member)
}

/// The registry's reader for the other archives: the format is sniffed again.
pub(crate) fn read_other(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let head = &unit.bytes[..unit.bytes.len().min(super::format::SNIFF_LEN)];
    match sniff(head, unit.name()) {
        Some(format) => read_members(unit, format, ctx, emit, skip_member),
        None => Err(Skip::Archive("not an archive after all".into())),
    }
}

/// Ingests each member of the archive `unit` as a unit of its own, one member in memory at a
/// time, within the archive limits.
fn read_members(
    unit: &Unit<'_>,
    format: ArchiveFormat,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    if unit.depth + 1 > ctx.limits.max_depth {
        return Err(Skip::NestedTooDeep);
    }
    // One budget for the archive in the dump and every archive inside it: a nested archive
    // draws on what its carriers left.
    let own = Cell::new(ctx.limits.max_total_bytes);
    let budget = unit.budget.unwrap_or(&own);
    // Each member is ingested as soon as it is read, so one member is in memory at a time
    // (besides the archive itself); the skips of the members and of what they hold are
    // gathered here and reported in order at the end.
    let skips = std::cell::RefCell::new(Vec::new());
    // Every member met, read or refused: what the archive holds by its own account.
    let met = Cell::new(0u64);
    let opening = Opening {
        name: unit.name(),
        real: unit.real,
        passwords: &ctx.passwords,
    };
    let read = for_each_member(
        unit.bytes,
        format,
        &opening,
        &ctx.limits,
        budget,
        |m| {
            met.set(met.get() + 1);
            let vpath = format!("{}!/{}", unit.vpath, m.name);
            let member = Unit {
                bytes: &m.data,
                vpath: &vpath,
                real: None,
                mtime: m.mtime,
                depth: unit.depth + 1,
                sha256: None,
                stated: Default::default(),
                budget: Some(budget),
            };
            let mut nested = |p, s| skips.borrow_mut().push((p, s));
            // A member that crashes its parser costs that member, not the archive.
            let outcome =
                crate::isolate::catch(|| super::ingest_unit(&member, ctx, emit, &mut nested))
                    .unwrap_or_else(|panic| Err(Skip::ParserCrash(panic)));
            if let Err(s) = outcome {
                skips.borrow_mut().push((vpath, s));
            }
        },
        |name, s| {
            met.set(met.get() + 1);
            skips
                .borrow_mut()
                .push((format!("{}!/{name}", unit.vpath), s))
        },
    );
    unit.stated.set(Some(met.get()));
    for (p, s) in skips.into_inner() {
        skip_member(p, s);
    }
    read.map(|()| format.format())
}

/// Reads a passwords file: one password a line, tried in order; a line's end (`\n` or `\r\n`)
/// is not part of it, and empty lines are passed over.
pub fn load_passwords(path: &Path) -> std::io::Result<Vec<String>> {
    let bytes = std::fs::read(path)?;
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The passwords of an optional `--passwords FILE`, for the commands that read sources back.
pub fn load_passwords_arg(path: Option<&Path>) -> anyhow::Result<Vec<String>> {
    match path {
        None => Ok(Vec::new()),
        Some(p) => load_passwords(p)
            .map_err(|e| anyhow::anyhow!("reading --passwords {}: {e}", p.display())),
    }
}

/// Recognizes an archive by its magic bytes. A gzip, bzip2 or xz stream is a tar under that
/// compression when its name says so (`.tar.gz`, `.tgz`, `.tbz2`, `.txz`, ...) or its first
/// decompressed block is a tar header, else one compressed file. A RAR volume other than a set's
/// first is no archive of its own ([`volumes::later_part`]).
pub fn sniff(head: &[u8], name: &str) -> Option<ArchiveFormat> {
    let lower = name.to_ascii_lowercase();
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(ArchiveFormat::Zip);
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Some(ArchiveFormat::Tar);
    }
    if head.starts_with(sevenz::MAGIC) {
        return Some(ArchiveFormat::SevenZ);
    }
    if head.starts_with(rar::MAGIC) {
        return volumes::later_part(name)
            .is_none()
            .then_some(ArchiveFormat::Rar);
    }
    let stream = compressed::Stream::sniff(head)?;
    let tar_named = stream
        .tar_suffixes()
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    Some(if tar_named || compressed::holds_tar(stream, head) {
        stream.tar()
    } else {
        stream.single()
    })
}

/// One member, read into memory.
pub struct Member {
    /// Path inside the archive, as stored (already checked to be safe).
    pub name: String,
    pub data: Vec<u8>,
    /// The member's own modification time, when the archive records one.
    pub mtime: Option<DateTime<Utc>>,
}

/// Calls `f` with each regular member of the archive in `bytes`. Members that cannot be read
/// safely are reported through `skip(name, reason)`; the archive as a whole fails only when it
/// cannot be opened at all.
pub fn for_each_member(
    bytes: &[u8],
    format: ArchiveFormat,
    opening: &Opening<'_>,
    limits: &Limits,
    budget: &Cell<u64>,
    mut f: impl FnMut(Member),
    mut skip: impl FnMut(String, Skip),
) -> Result<(), Skip> {
    match format {
        ArchiveFormat::Zip => zip_members(bytes, opening, limits, budget, &mut f, &mut skip),
        ArchiveFormat::Tar => tar_members(bytes, limits, budget, &mut f, &mut skip),
        // The tar stream is read through the decompressor, one member in memory at a time;
        // the members are counted against the budget as they are read.
        ArchiveFormat::TarGz => tar_members(
            flate2::read::GzDecoder::new(bytes),
            limits,
            budget,
            &mut f,
            &mut skip,
        ),
        ArchiveFormat::TarBz2 => tar_members(
            bzip2::read::MultiBzDecoder::new(bytes),
            limits,
            budget,
            &mut f,
            &mut skip,
        ),
        ArchiveFormat::TarXz => tar_members(
            lzma_rust2::XzReader::new(bytes, true),
            limits,
            budget,
            &mut f,
            &mut skip,
        ),
        ArchiveFormat::SevenZ => sevenz::members(bytes, opening, limits, budget, &mut f, &mut skip),
        ArchiveFormat::Rar => rar::members(bytes, opening, limits, budget, &mut f, &mut skip),
        ArchiveFormat::Gz | ArchiveFormat::Bz2 | ArchiveFormat::Xz => {
            compressed::member(bytes, format, opening, limits, budget, &mut f, &mut skip)
        }
    }
}

/// The skip of something encrypted that none of the user's passwords (if any) opened.
fn encrypted_skip(what: &str, passwords: &[String]) -> Skip {
    Skip::Encrypted(match passwords.len() {
        0 => format!("{what} is password-protected; give passwords with --passwords FILE"),
        n => format!("{what} is password-protected; none of the {n} passwords given opened it"),
    })
}

/// A member path that stays inside the archive: relative, no `..`, no drive or root. A `:`
/// elsewhere is an ordinary character (`Re: budget.eml`); only a drive (`C:`) makes a name
/// absolute.
fn safe_name(name: &str) -> bool {
    let drive = name.as_bytes().get(1) == Some(&b':') && name.as_bytes()[0].is_ascii_alphabetic();
    !name.is_empty()
        && !name.starts_with('/')
        && !name.starts_with('\\')
        && !drive
        && name.split(['/', '\\']).all(|c| c != "..")
}

/// Why a member was not read: skip just it, or stop the archive (total budget spent).
enum MemberError {
    Skip(Skip),
    Budget(Skip),
}

fn budget_exhausted(limits: &Limits) -> Skip {
    Skip::Archive(format!(
        "archive expands past {} MiB in all (zip bomb?)",
        limits.max_total_bytes >> 20
    ))
}

/// Reads one member, at most `max_member_bytes` and what is left of `budget`, whatever size the
/// archive declares (declared sizes can lie), and charges what was read to the budget.
fn read_member(
    reader: &mut impl Read,
    declared: u64,
    limits: &Limits,
    budget: &Cell<u64>,
) -> Result<Vec<u8>, MemberError> {
    let cap = limits.max_member_bytes.min(budget.get());
    let mut data = Vec::with_capacity(declared.min(cap).min(1 << 20) as usize);
    if let Err(e) = reader.take(cap + 1).read_to_end(&mut data) {
        return Err(MemberError::Skip(Skip::Archive(format!(
            "unreadable member: {e}"
        ))));
    }
    if data.len() as u64 > cap {
        return Err(if cap < limits.max_member_bytes {
            MemberError::Budget(budget_exhausted(limits))
        } else {
            MemberError::Skip(Skip::Archive(format!(
                "member expands past {} MiB",
                cap >> 20
            )))
        });
    }
    budget.set(budget.get().saturating_sub(data.len() as u64));
    Ok(data)
}

fn zip_members(
    bytes: &[u8],
    opening: &Opening<'_>,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), Skip> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Skip::Archive(format!("unreadable zip: {e}")))?;
    if zip.len() as u64 > limits.max_members {
        return Err(Skip::Archive(format!(
            "{} members, more than the limit of {}",
            zip.len(),
            limits.max_members
        )));
    }
    if let Some(first) = opening.real.and_then(volumes::split_zip_parts) {
        return Err(volumes::split_zip_skip(&first));
    }
    for i in 0..zip.len() {
        let encrypted = zip.by_index_raw(i).is_ok_and(|e| e.encrypted());
        let password = if encrypted {
            // ZipCrypto's check byte lets a wrong password through once in 256 tries; such a
            // member then fails its CRC and is listed as unreadable, not as text.
            let found = opening
                .passwords
                .iter()
                .find(|p| zip.by_index_decrypt(i, p.as_bytes()).is_ok());
            match found {
                Some(p) => Some(p),
                None => {
                    let name = zip
                        .by_index_raw(i)
                        .ok()
                        .and_then(|e| e.name().ok().map(|n| n.into_owned()))
                        .unwrap_or_else(|| format!("#{i}"));
                    skip(name, encrypted_skip("zip member", opening.passwords));
                    continue;
                }
            }
        } else {
            None
        };
        let opened = match password {
            Some(p) => zip.by_index_decrypt(i, p.as_bytes()),
            None => zip.by_index(i),
        };
        let mut entry = match opened {
            Ok(e) => e,
            Err(e) => {
                skip(
                    format!("#{i}"),
                    Skip::Archive(format!("unreadable member: {e}")),
                );
                continue;
            }
        };
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{i}"));
        if entry.is_dir() {
            continue;
        }
        if !safe_name(&name) {
            skip(name, Skip::UnsafeArchivePath);
            continue;
        }
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared / compressed > limits.max_ratio {
            skip(
                name,
                Skip::Archive(format!(
                    "compression ratio {}:1 above {}:1 (zip bomb?)",
                    declared / compressed,
                    limits.max_ratio
                )),
            );
            continue;
        }
        let data = match read_member(&mut entry, declared, limits, budget) {
            Ok(d) => d,
            Err(MemberError::Skip(s)) => {
                skip(name, s);
                continue;
            }
            Err(MemberError::Budget(s)) => {
                skip(name, s);
                return Err(budget_exhausted(limits));
            }
        };
        let mtime = entry.last_modified().and_then(|d| {
            Utc.with_ymd_and_hms(
                i32::from(d.year()),
                u32::from(d.month()),
                u32::from(d.day()),
                u32::from(d.hour()),
                u32::from(d.minute()),
                u32::from(d.second()),
            )
            .single()
        });
        f(Member { name, data, mtime });
    }
    Ok(())
}

fn tar_members(
    bytes: impl Read,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), Skip> {
    let mut archive = tar::Archive::new(bytes);
    let entries = archive
        .entries()
        .map_err(|e| Skip::Archive(format!("unreadable tar: {e}")))?;
    for (count, entry) in entries.enumerate() {
        if count as u64 >= limits.max_members {
            return Err(Skip::Archive(format!(
                "more than {} members",
                limits.max_members
            )));
        }
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                skip(
                    format!("#{count}"),
                    Skip::Archive(format!("unreadable member: {e}")),
                );
                break;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = crate::source::encode_bytes(&entry.path_bytes());
        if !safe_name(&name) {
            skip(name, Skip::UnsafeArchivePath);
            continue;
        }
        let declared = entry.header().size().unwrap_or(0);
        let data = match read_member(&mut entry, declared, limits, budget) {
            Ok(d) => d,
            Err(MemberError::Skip(s)) => {
                skip(name, s);
                continue;
            }
            Err(MemberError::Budget(s)) => {
                skip(name, s);
                return Err(budget_exhausted(limits));
            }
        };
        let mtime = entry
            .header()
            .mtime()
            .ok()
            .and_then(|t| DateTime::from_timestamp(t as i64, 0));
        f(Member { name, data, mtime });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(files: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in files {
            w.start_file(
                *name,
                zip::write::SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            std::io::Write::write_all(&mut w, data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// Member names read, (name, skip code) pairs, and the archive-level result.
    type Listed = (Vec<String>, Vec<(String, String)>, Result<(), Skip>);

    fn members(bytes: &[u8], format: ArchiveFormat, limits: Limits) -> Listed {
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let budget = Cell::new(limits.max_total_bytes);
        let r = for_each_member(
            bytes,
            format,
            &Opening::default(),
            &limits,
            &budget,
            |m| ok.push(m.name),
            |n, s| bad.push((n, s.code().to_string())),
        );
        (ok, bad, r)
    }

    #[test]
    fn reads_zip_members_and_refuses_climbing_names() {
        let z = zip_of(
            &[
                ("a/b.eml", b"From: x@y\n\nhi"),
                ("../../etc/evil", b"x"),
                ("/abs", b"y"),
                ("C:\\Windows\\evil", b"z"),
                ("Re: budget.eml", b"From: x@y\n\nhi"),
            ],
            zip::CompressionMethod::Deflated,
        );
        assert_eq!(sniff(&z, "x.zip"), Some(ArchiveFormat::Zip));
        let (ok, bad, r) = members(&z, ArchiveFormat::Zip, Limits::default());
        assert!(r.is_ok());
        assert_eq!(ok, ["a/b.eml", "Re: budget.eml"]);
        assert_eq!(bad.len(), 3);
        assert!(bad.iter().all(|(_, code)| code == "unsafe-archive-path"));
    }

    #[test]
    fn zip_bombs_stop_at_the_limits() {
        let zeros = vec![0u8; 50 << 20];
        let z = zip_of(&[("bomb.txt", &zeros)], zip::CompressionMethod::Deflated);
        assert!(z.len() < 1 << 20);
        let (ok, bad, _) = members(&z, ArchiveFormat::Zip, Limits::default());
        assert!(ok.is_empty());
        assert!(bad[0].1 == "archive", "{bad:?}");
        let tight = Limits {
            max_ratio: 1_000_000,
            max_member_bytes: 1 << 20,
            ..Limits::default()
        };
        let (ok, bad, _) = members(&z, ArchiveFormat::Zip, tight);
        assert!(ok.is_empty() && !bad.is_empty());
    }

    /// A 7z whose header claims a 4 GiB LZMA2 dictionary for 28 KB of text: sevenz-rust2 0.20
    /// allocated the whole dictionary (4.2 GB resident, 10 s for a 3 KB file); the decoder's
    /// memory limit now refuses the member with a reason, and the file costs nothing more.
    #[test]
    fn a_7z_claiming_a_huge_dictionary_costs_its_member_only() {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/archives/forged-dictionary.7z"),
        )
        .unwrap();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let limits = Limits::default();
        let budget = Cell::new(limits.max_total_bytes);
        let r = for_each_member(
            &bytes,
            ArchiveFormat::SevenZ,
            &Opening::default(),
            &limits,
            &budget,
            |m| ok.push(m.name),
            |n, s| bad.push((n, s.to_string())),
        );
        assert!(r.is_ok(), "{r:?}");
        assert!(ok.is_empty(), "{ok:?}");
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].0, "memo.txt");
        assert!(
            bad[0].1.contains("4096 MiB") && bad[0].1.contains("256 MiB"),
            "{bad:?}"
        );
    }

    /// `max_total_bytes` bounds what one archive in the dump makes trawl decompress, the
    /// archives inside it included. Each nested archive used to start a budget of its own, so a
    /// zip of zips could decompress the whole budget once per archive it held.
    #[test]
    fn nested_archives_draw_on_the_outer_archives_budget() {
        let text = "word ".repeat(40_000).into_bytes();
        let inner = zip_of(&[("note.txt", &text)], zip::CompressionMethod::Stored);
        let names: Vec<String> = (1..=4).map(|i| format!("inner{i}.zip")).collect();
        let files: Vec<(&str, &[u8])> = names
            .iter()
            .map(|n| (n.as_str(), inner.as_slice()))
            .collect();
        let outer = zip_of(&files, zip::CompressionMethod::Stored);
        // The outer archive's own members (4 x 200 KB) fit in 1 MiB; with what they hold
        // (4 x 200 KB more) they do not.
        let mut ctx = super::super::Context::new(Utc::now());
        ctx.limits.max_total_bytes = 1 << 20;
        let unit = Unit::of(&outer, "/dump/outer.zip");
        let (mut read, mut skips) = (Vec::new(), Vec::new());
        let r = super::super::ingest_unit(
            &unit,
            &ctx,
            &mut |d| read.push(d.source.path),
            &mut |p, s| skips.push((p, s.to_string())),
        );
        assert_eq!(
            read,
            [
                "/dump/outer.zip!/inner1.zip!/note.txt",
                "/dump/outer.zip!/inner2.zip!/note.txt"
            ],
            "{skips:?}"
        );
        // The member that did not fit, the nested archive it stopped, then the outer archive's
        // next member; every one for the budget.
        let paths: Vec<&str> = skips.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/dump/outer.zip!/inner3.zip!/note.txt",
                "/dump/outer.zip!/inner3.zip",
                "/dump/outer.zip!/inner4.zip"
            ]
        );
        assert!(
            skips.iter().all(|(_, s)| s.contains("1 MiB in all")),
            "{skips:?}"
        );
        assert!(
            r.as_ref()
                .is_err_and(|e| e.to_string().contains("1 MiB in all")),
            "{r:?}"
        );
    }

    #[test]
    fn garbage_is_an_unreadable_archive() {
        let (_, _, r) = members(b"PK\x03\x04garbage", ArchiveFormat::Zip, Limits::default());
        assert!(matches!(r, Err(Skip::Archive(_))));
        for n in 0..40 {
            let z = zip_of(&[("a.txt", b"hello world")], zip::CompressionMethod::Stored);
            let _ = members(&z[..n.min(z.len())], ArchiveFormat::Zip, Limits::default());
        }
    }
}
