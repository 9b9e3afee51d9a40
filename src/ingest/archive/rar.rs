//! RAR archives (v4 and v5, solid, multi-volume, encrypted) through the `unrar` crate, which
//! bundles RARLAB's own C++ unrar library: no pure-Rust reader decompresses RAR.
//!
//! The library reads archives from files, so a RAR inside another archive is written to a
//! temporary file first; a RAR of the dump is opened where it lies, and the library finds the
//! other volumes of a set (`x.part2.rar`, `x.r00`) beside it. It hands a member over whole, so
//! the member's declared size is checked against the limits before it is read (the library
//! writes no more than the size the header declares), and its ratio is judged against the size
//! of the archive, as RAR headers do not tell a member's compressed size through this API.
//!
//! Passwords: a RAR with encrypted headers opens only with its password; a member encrypted on
//! its own is read in a later pass with each password, and what none opens is listed as
//! encrypted. After a member fails, the library's handle is spent, so the archive is opened
//! again and the members already handled are passed over.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use unrar::error::{Code, UnrarError};

use super::{budget_exhausted, encrypted_skip, safe_name, Limits, Member, Opening};
use crate::ingest::Skip;

/// The signature every RAR (4 and 5) starts with.
pub const MAGIC: &[u8] = b"Rar!\x1a\x07";

pub(super) fn members(
    bytes: &[u8],
    opening: &Opening<'_>,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), Skip> {
    utf8_locale();
    let temporary;
    let path: &Path = match opening.real {
        Some(p) => p,
        None => {
            temporary = write_temporary(bytes)?;
            temporary.path()
        }
    };
    let mut walk = Walk {
        path,
        archive_bytes: bytes.len() as u64,
        limits,
        handled: std::collections::HashSet::new(),
        locked: BTreeMap::new(),
        header_locked: false,
        opened: false,
    };
    let passes = std::iter::once(None).chain(opening.passwords.iter().map(Some));
    for (n, password) in passes.enumerate() {
        if n > 0 && walk.locked.is_empty() && !walk.header_locked {
            break;
        }
        walk.pass(password.map(String::as_str), budget, f, skip)?;
    }
    if !walk.opened {
        return Err(encrypted_skip(
            "RAR archive (names and contents)",
            opening.passwords,
        ));
    }
    for name in walk.locked.into_values() {
        skip(name, encrypted_skip("RAR member", opening.passwords));
    }
    Ok(())
}

/// The unrar library turns RAR 3 Unicode names into wide strings through the C library's
/// multibyte functions, which in the "C" locale that every program starts in fail on anything
/// not ASCII (both names of a Cyrillic and a Gothic member came out as U+FFFE). The character
/// type is set to UTF-8 once; nothing else in trawl reads the C locale.
fn utf8_locale() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any RAR is opened; the string is NUL-terminated.
        unsafe {
            libc::setlocale(libc::LC_CTYPE, c"C.UTF-8".as_ptr());
        }
    });
}

/// A RAR member in memory written to a temporary file named `.rar`, for the library to open.
fn write_temporary(bytes: &[u8]) -> Result<tempfile::NamedTempFile, Skip> {
    use std::io::Write;
    let mut t = tempfile::Builder::new()
        .prefix("trawl-")
        .suffix(".rar")
        .tempfile()
        .map_err(|e| Skip::Archive(format!("no temporary file for a nested RAR: {e}")))?;
    t.write_all(bytes)
        .map_err(|e| Skip::Archive(format!("no temporary file for a nested RAR: {e}")))?;
    Ok(t)
}

/// Passes over one RAR, remembering what was handled.
struct Walk<'a> {
    path: &'a Path,
    archive_bytes: u64,
    limits: &'a Limits,
    /// Entries (by their place in the archive) handed on or refused for good.
    handled: std::collections::HashSet<usize>,
    /// Encrypted entries no password has opened yet: place → name.
    locked: BTreeMap<usize, String>,
    /// The headers are encrypted and no password tried so far opened them.
    header_locked: bool,
    /// The headers were read at least once.
    opened: bool,
}

/// How one walk through the archive ended.
enum Ended {
    /// At the end of the archive.
    End,
    /// The library's handle is spent after entry `n` failed: open again and go on after it.
    After(usize),
}

impl Walk<'_> {
    /// Reads every entry not yet handled, with `password`, opening the archive again after an
    /// entry fails.
    fn pass(
        &mut self,
        password: Option<&str>,
        budget: &Cell<u64>,
        f: &mut impl FnMut(Member),
        skip: &mut impl FnMut(String, Skip),
    ) -> Result<(), Skip> {
        let mut from = 0;
        loop {
            match self.walk(password, from, budget, f, skip)? {
                Ended::End => return Ok(()),
                Ended::After(n) => from = n + 1,
            }
        }
    }

    fn walk(
        &mut self,
        password: Option<&str>,
        from: usize,
        budget: &Cell<u64>,
        f: &mut impl FnMut(Member),
        skip: &mut impl FnMut(String, Skip),
    ) -> Result<Ended, Skip> {
        let archive = match password {
            Some(p) => unrar::Archive::with_password(self.path, p),
            None => unrar::Archive::new(self.path),
        };
        let mut cursor = match archive.open_for_processing() {
            Ok(c) => c,
            Err(e) if is_password_error(&e) => {
                self.header_locked = true;
                return Ok(Ended::End);
            }
            Err(e) => return Err(Skip::Archive(format!("unreadable RAR: {e}"))),
        };
        // RAR 4 cannot tell a missing or wrong password for its headers from damage.
        let encrypted_headers = cursor.has_encrypted_headers();
        let mut place = 0usize;
        loop {
            let header = match cursor.read_header() {
                Ok(Some(h)) => h,
                Ok(None) => {
                    self.opened = true;
                    self.header_locked = false;
                    return Ok(Ended::End);
                }
                Err(e)
                    if !self.opened
                        && place == 0
                        && (encrypted_headers || is_password_error(&e)) =>
                {
                    self.header_locked = true;
                    return Ok(Ended::End);
                }
                Err(e) => {
                    self.opened |= place > 0;
                    return Err(Skip::Archive(format!("unreadable RAR: {e}")));
                }
            };
            self.opened = true;
            self.header_locked = false;
            let here = place;
            place += 1;
            if place as u64 > self.limits.max_members {
                return Err(Skip::Archive(format!(
                    "more than {} members",
                    self.limits.max_members
                )));
            }
            let entry = header.entry();
            let name = crate::source::encode_path(&entry.filename);
            let refusal = if here < from || self.handled.contains(&here) || entry.is_directory() {
                Some(None)
            } else if !safe_name(&name) {
                Some(Some(Skip::UnsafeArchivePath))
            } else if entry.is_encrypted() && password.is_none() {
                self.locked.insert(here, name.clone());
                Some(None)
            } else {
                self.size_refusal(entry.unpacked_size, budget.get())
                    .map(Some)
            };
            if let Some(refusal) = refusal {
                let spent = matches!(&refusal, Some(Skip::Archive(e)) if e.contains("in all"));
                if let Some(s) = refusal {
                    self.handled.insert(here);
                    skip(name, s);
                }
                if spent {
                    return Err(budget_exhausted(self.limits));
                }
                cursor = header
                    .skip()
                    .map_err(|e| Skip::Archive(format!("unreadable RAR: {e}")))?;
                continue;
            }
            let encrypted = entry.is_encrypted();
            let mtime = dos_time(entry.file_time);
            match header.read() {
                Ok((data, next)) => {
                    budget.set(budget.get().saturating_sub(data.len() as u64));
                    self.handled.insert(here);
                    self.locked.remove(&here);
                    f(Member { name, data, mtime });
                    cursor = next;
                }
                Err(e) if encrypted && is_password_error_or_bad_data(&e) => {
                    self.locked.insert(here, name);
                    return Ok(Ended::After(here));
                }
                Err(e) => {
                    self.handled.insert(here);
                    self.locked.remove(&here);
                    skip(name, Skip::Archive(format!("unreadable member: {e}")));
                    return Ok(Ended::After(here));
                }
            }
        }
    }

    /// Why a member of `declared` bytes is not read, if it is not.
    fn size_refusal(&self, declared: u64, budget: u64) -> Option<Skip> {
        let limits = self.limits;
        if declared > budget {
            return Some(Skip::Archive(format!(
                "archive expands past {} MiB in all (zip bomb?)",
                limits.max_total_bytes >> 20
            )));
        }
        if declared > limits.max_member_bytes {
            return Some(Skip::Archive(format!(
                "member expands past {} MiB",
                limits.max_member_bytes >> 20
            )));
        }
        let ratio = declared / self.archive_bytes.max(1);
        (ratio > limits.max_ratio).then(|| {
            Skip::Archive(format!(
                "member is {ratio} times the archive, above {}:1 (zip bomb?)",
                limits.max_ratio
            ))
        })
    }
}

fn is_password_error(e: &UnrarError) -> bool {
    matches!(e.code, Code::MissingPassword | Code::BadPassword)
}

/// RAR 3 and 4 do not check a password before decrypting: a wrong one shows as bad data.
fn is_password_error_or_bad_data(e: &UnrarError) -> bool {
    is_password_error(e) || matches!(e.code, Code::BadData)
}

/// A DOS date and time (RAR keeps the writer's local time; read as UTC, like zip's).
fn dos_time(t: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(
        1980 + (t >> 25) as i32,
        (t >> 21) & 0xf,
        (t >> 16) & 0x1f,
        (t >> 11) & 0x1f,
        (t >> 5) & 0x3f,
        (t & 0x1f) * 2,
    )
    .single()
}
