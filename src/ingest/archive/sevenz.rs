//! 7z archives through `sevenz-rust2` (pure Rust: LZMA, LZMA2, PPMd, bzip2, BCJ filters, AES).
//!
//! A 7z keeps its members in blocks (one per member, or many members in one solid block that
//! must be decoded from its start), so members are read block by block, in order, each drained
//! to its end whether it is kept or refused. Encryption is per block (and optionally of the
//! header, which hides the member names): a block that fails with the empty password is tried
//! again with each of the user's passwords, and a header that needs one is opened the same way.
//! A split set (`x.7z.001`, `x.7z.002`, ...) is the parts' bytes back to back, gathered by
//! [`super::volumes`] before this reader sees them.

use std::cell::Cell;
use std::io::{Cursor, Read};

use chrono::{DateTime, Utc};
use sevenz_rust2::{Archive, BlockDecoder, Error, Password};

use super::{
    budget_exhausted, encrypted_skip, read_member, safe_name, Limits, Member, MemberError, Opening,
};
use crate::ingest::Skip;

/// The signature every 7z starts with.
pub const MAGIC: &[u8] = b"7z\xbc\xaf\x27\x1c";

/// The coder id of 7z's AES-256 + SHA-256 encryption.
const AES: &[u8] = &[0x06, 0xf1, 0x07, 0x01];

pub(super) fn members(
    bytes: &[u8],
    opening: &Opening<'_>,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), Skip> {
    let joined;
    let bytes = match opening
        .real
        .filter(|_| super::volumes::split_7z_first(opening.name))
    {
        Some(first) => {
            joined = super::volumes::join_7z(first, bytes, limits)?;
            &joined[..]
        }
        None => bytes,
    };
    let kib = memory_limit_kib(limits);
    let (archive, header_password) = open(bytes, opening.passwords, kib)?;
    if archive.files.len() as u64 > limits.max_members {
        return Err(Skip::Archive(format!(
            "{} members, more than the limit of {}",
            archive.files.len(),
            limits.max_members
        )));
    }
    // Members with no data (empty files, folders) belong to no block.
    for (i, file) in archive.files.iter().enumerate() {
        if archive.stream_map.file_block_index[i].is_none()
            && !file.is_directory
            && !file.is_anti_item
        {
            if safe_name(&file.name) {
                f(Member {
                    name: file.name.clone(),
                    data: Vec::new(),
                    mtime: mtime(file),
                });
            } else {
                skip(file.name.clone(), Skip::UnsafeArchivePath);
            }
        }
    }
    for block in 0..archive.blocks.len() {
        let encrypted = archive.blocks[block]
            .coders
            .iter()
            .any(|c| c.encoder_method_id() == AES);
        let tries: Vec<Password> = if encrypted {
            // The header's password is the likeliest; an archive may still use others.
            header_password
                .iter()
                .chain(opening.passwords)
                .map(|p| Password::from(p.as_str()))
                .collect()
        } else {
            vec![Password::empty()]
        };
        let mut done = false;
        let mut last_error = None;
        for password in &tries {
            match read_block(bytes, &archive, block, password, limits, budget, f, skip) {
                Ok(()) => {
                    done = true;
                    break;
                }
                Err(BlockError::Budget) => return Err(budget_exhausted(limits)),
                // Nothing was handed on before the failure: another password may open it.
                Err(BlockError::Failed { emitted: 0, error }) if encrypted => {
                    last_error = Some(error)
                }
                Err(BlockError::Failed { emitted, error }) => {
                    for name in block_files(&archive, block).skip(emitted) {
                        skip(name, Skip::Archive(format!("unreadable member: {error}")));
                    }
                    done = true;
                    break;
                }
            }
        }
        if !done {
            let why = match last_error {
                Some(e) if !tries.is_empty() => format!("7z member ({e})"),
                _ => "7z member".to_owned(),
            };
            for name in block_files(&archive, block) {
                skip(name, encrypted_skip(&why, opening.passwords));
            }
        }
    }
    Ok(())
}

/// The archive's header, opened without a password or, when it is encrypted, with the first of
/// `passwords` that opens it (returned too).
fn open(bytes: &[u8], passwords: &[String], kib: usize) -> Result<(Archive, Option<String>), Skip> {
    let unreadable = |e: Error| Skip::Archive(format!("unreadable 7z: {}", describe(&e)));
    let read = |p: &Password| Archive::read_with_memory_limit(&mut Cursor::new(bytes), p, kib);
    match read(&Password::empty()) {
        Ok(a) => Ok((a, None)),
        Err(Error::PasswordRequired) | Err(Error::MaybeBadPassword(_)) => {
            for p in passwords {
                if let Ok(a) = read(&Password::from(p.as_str())) {
                    return Ok((a, Some(p.clone())));
                }
            }
            Err(encrypted_skip("7z archive (names and contents)", passwords))
        }
        Err(e) => Err(unreadable(e)),
    }
}

/// What the crate may allocate for one header buffer or one decoder's dictionary or model: a
/// member may not be larger either, and a real 7z's dictionary (64 MiB at 7-Zip's highest
/// preset) stays below it.
fn memory_limit_kib(limits: &Limits) -> usize {
    usize::try_from(limits.max_member_bytes / 1024).unwrap_or(usize::MAX)
}

/// The names of the members stored in `block`, in order.
fn block_files(archive: &Archive, block: usize) -> impl Iterator<Item = String> + '_ {
    archive
        .files
        .iter()
        .zip(&archive.stream_map.file_block_index)
        .filter(move |(_, b)| **b == Some(block))
        .map(|(f, _)| f.name.clone())
}

enum BlockError {
    /// The total budget is spent: stop the archive.
    Budget,
    /// The block could not be decoded past its `emitted`-th member.
    Failed { emitted: usize, error: String },
}

/// Reads the members of one block, handing each on as it is read.
#[allow(clippy::too_many_arguments)]
fn read_block(
    bytes: &[u8],
    archive: &Archive,
    block: usize,
    password: &Password,
    limits: &Limits,
    budget: &Cell<u64>,
    f: &mut impl FnMut(Member),
    skip: &mut impl FnMut(String, Skip),
) -> Result<(), BlockError> {
    let mut source = Cursor::new(bytes);
    let mut emitted = 0usize;
    let mut budget_spent = false;
    // Members are collected and handed on only once the whole block decoded, so that a wrong
    // password (which often fails only at a member's checksum) leaves nothing behind to retry.
    let mut read: Vec<Result<Member, (String, Skip)>> = Vec::new();
    let decoder = BlockDecoder::new_with_memory_limit(
        1,
        memory_limit_kib(limits),
        block,
        archive,
        password,
        &mut source,
    );
    let result = decoder.for_each_entries(&mut |entry, reader: &mut dyn Read| {
        let name = entry.name.clone();
        if entry.is_directory || entry.is_anti_item {
            std::io::copy(reader, &mut std::io::sink())?;
            return Ok(true);
        }
        if !safe_name(&name) {
            std::io::copy(reader, &mut std::io::sink())?;
            read.push(Err((name, Skip::UnsafeArchivePath)));
            return Ok(true);
        }
        let compressed = entry.compressed_size.max(1);
        if entry.compressed_size > 0 && entry.size / compressed > limits.max_ratio {
            std::io::copy(reader, &mut std::io::sink())?;
            read.push(Err((
                name,
                Skip::Archive(format!(
                    "compression ratio {}:1 above {}:1 (zip bomb?)",
                    entry.size / compressed,
                    limits.max_ratio
                )),
            )));
            return Ok(true);
        }
        match read_member(&mut &mut *reader, entry.size, limits, budget) {
            Ok(data) => {
                read.push(Ok(Member {
                    name,
                    data,
                    mtime: mtime(entry),
                }));
                Ok(true)
            }
            // The decoder failed: the rest of the block cannot be read either.
            Err(MemberError::Skip(Skip::Archive(e))) if e.starts_with("unreadable") => {
                Err(Error::Other(e.into()))
            }
            Err(MemberError::Skip(s)) => {
                std::io::copy(reader, &mut std::io::sink())?;
                read.push(Err((name, s)));
                Ok(true)
            }
            Err(MemberError::Budget(s)) => {
                read.push(Err((name, s)));
                budget_spent = true;
                Ok(false)
            }
        }
    });
    let failed = result.err().map(|e| describe(&e));
    if let (Some(error), true) = (&failed, read.is_empty()) {
        return Err(BlockError::Failed {
            emitted: 0,
            error: error.clone(),
        });
    }
    for r in read {
        emitted += 1;
        match r {
            Ok(m) => f(m),
            Err((n, s)) => skip(n, s),
        }
    }
    if budget_spent {
        return Err(BlockError::Budget);
    }
    match failed {
        Some(error) => Err(BlockError::Failed { emitted, error }),
        None => Ok(()),
    }
}

/// The crate's error, in words where its own are a debug dump.
fn describe(error: &Error) -> String {
    match error {
        Error::MaxMemLimited { max_kb, actaul_kb } => format!(
            "its decoder needs {} MiB of memory, above the limit of {} MiB",
            actaul_kb / 1024,
            max_kb / 1024
        ),
        e => e.to_string(),
    }
}

/// A member's modification time, when the archive records one.
fn mtime(entry: &sevenz_rust2::ArchiveEntry) -> Option<DateTime<Utc>> {
    if !entry.has_last_modified_date {
        return None;
    }
    let t: std::time::SystemTime = entry.last_modified_date.into();
    Some(DateTime::<Utc>::from(t))
}
