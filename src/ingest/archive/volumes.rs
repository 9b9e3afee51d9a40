//! Split and multi-volume archives: one archive cut into files that sit side by side.
//!
//! A set is read from its first part, which takes the others in: a split 7z (`x.7z.001`,
//! `x.7z.002`, ...; the parts are the archive's bytes cut in pieces) is joined here; a RAR set
//! (`x.part1.rar`, `x.part2.rar`, ... or `x.rar`, `x.r00`, `x.r01`, ...) is followed by the unrar
//! library itself. The other parts are listed as `archive-part`, naming the first part. Split
//! zips (`x.z01`, ..., `x.zip`) are recognised and listed, not read: the zip crate cannot span
//! parts.
//!
//! Parts are told by their names alone, as the tools that make them name them; a re-run notices
//! a changed first part only (the others are records of their own).

use std::io::Read;
use std::path::Path;

use super::Limits;
use crate::ingest::Skip;

/// When `name` is a part of a set other than its first, the first part's name and the kind of
/// set.
pub fn later_part(name: &str) -> Option<(String, &'static str)> {
    let lower = name.to_ascii_lowercase();
    // x.7z.002
    if let Some((stem, number)) = lower.rsplit_once('.') {
        if stem.ends_with(".7z") && is_number(number) && number.trim_start_matches('0') != "1" {
            let first = format!(
                "{}.{:0>width$}",
                &name[..stem.len()],
                1,
                width = number.len()
            );
            return Some((first, "split 7z"));
        }
    }
    // x.part2.rar, x.part02.rar
    if let Some(stem) = lower.strip_suffix(".rar") {
        if let Some((base, part)) = stem.rsplit_once(".part") {
            if is_number(part) && part.trim_start_matches('0') != "1" {
                let first = format!(
                    "{}.part{:0>width$}.rar",
                    &name[..base.len()],
                    1,
                    width = part.len()
                );
                return Some((first, "multi-volume RAR"));
            }
        }
    }
    // x.r00, x.r01 (the old RAR naming: x.rar is the first part); x.z01 (a split zip: x.zip is
    // the last part, where the directory is).
    if let Some((stem, ext)) = lower.rsplit_once('.') {
        let (kind, first_ext) = match ext.as_bytes() {
            [b'r', a, b] if a.is_ascii_digit() && b.is_ascii_digit() => ("multi-volume RAR", "rar"),
            [b'z', a, b] if a.is_ascii_digit() && b.is_ascii_digit() => ("split zip", "zip"),
            _ => return None,
        };
        return Some((format!("{}.{first_ext}", &name[..stem.len()]), kind));
    }
    None
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The skip of a later part: read through its first part, or that part is missing; or of the
/// last part of a split zip (whose head is no zip's).
pub fn part_skip(name: &str, real: Option<&Path>) -> Option<Skip> {
    if let Some(first) = real.and_then(split_zip_parts) {
        return Some(split_zip_skip(&first));
    }
    let (first, kind) = later_part(name)?;
    let present = real
        .and_then(Path::parent)
        .map(|dir| dir.join(&first).exists());
    Some(Skip::ArchivePart(match (kind, present) {
        ("split zip", _) => format!(
            "a part of a split zip whose last part is {first}; split zips are not read (join them \
             with `zip -s 0`)"
        ),
        (_, Some(false)) => format!(
            "a part of a {kind} set whose first part {first} is missing; the set cannot be read"
        ),
        _ => format!("a part of a {kind} set, read with its first part {first}"),
    }))
}

/// Whether `name` is the first part of a split 7z (`x.7z.001`).
pub fn split_7z_first(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".7z.001")
}

/// The bytes of a split 7z: the first part (`first_bytes`, read from `first`) and the parts
/// after it, as long as they follow on, joined within the archive limits.
pub fn join_7z(first: &Path, first_bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, Skip> {
    let cap = limits
        .max_member_bytes
        .max(crate::ingest::DEFAULT_MAX_FILE_BYTES);
    let mut joined = first_bytes.to_vec();
    let name = first.to_string_lossy();
    let stem = &name[..name.len() - "001".len()];
    for n in 2..1000 {
        let part = Path::new(&format!("{stem}{n:03}")).to_path_buf();
        let Ok(file) = std::fs::File::open(&part) else {
            break;
        };
        let left = cap.saturating_sub(joined.len() as u64);
        file.take(left + 1)
            .read_to_end(&mut joined)
            .map_err(|e| Skip::Archive(format!("part {} unreadable: {e}", part.display())))?;
        if joined.len() as u64 > cap {
            return Err(Skip::TooLarge(format!(
                "the parts of this split 7z add up to more than {} MiB",
                cap >> 20
            )));
        }
    }
    Ok(joined)
}

/// The bytes of the archive file `path` as its reader sees them: a split 7z's first part
/// joined with the others, any other file as it is.
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if split_7z_first(&name) && bytes.starts_with(super::sevenz::MAGIC) {
        return join_7z(path, &bytes, &Limits::default())
            .map_err(|s| std::io::Error::other(s.to_string()));
    }
    Ok(bytes)
}

/// The skip of the last part of a split zip whose first part is `first`.
pub fn split_zip_skip(first: &str) -> Skip {
    Skip::Archive(format!(
        "the last part of a split zip whose other parts ({first}, ...) sit beside it; split zips \
         are not read: join them with `zip -s 0 NAME.zip --out joined.zip`"
    ))
}

/// When `last` (on disk) is the last part of a split zip (`x.zip` beside `x.z01`), the first
/// part's name.
pub fn split_zip_parts(last: &Path) -> Option<String> {
    let name = last.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".zip")
        .or_else(|| name.strip_suffix(".ZIP"))?;
    ["z01", "Z01"]
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .find(|first| last.with_file_name(first).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_parts_name_their_first() {
        assert_eq!(
            later_part("x.7z.002"),
            Some(("x.7z.001".to_owned(), "split 7z"))
        );
        assert_eq!(later_part("x.7z.001"), None);
        assert_eq!(
            later_part("rar5-vols.part2.rar"),
            Some(("rar5-vols.part1.rar".to_owned(), "multi-volume RAR"))
        );
        assert_eq!(later_part("big.part03.rar").unwrap().0, "big.part01.rar");
        assert_eq!(later_part("big.part01.rar"), None);
        assert_eq!(later_part("old.r00").unwrap().0, "old.rar");
        assert_eq!(
            later_part("docs.z01"),
            Some(("docs.zip".to_owned(), "split zip"))
        );
        assert_eq!(later_part("plain.rar"), None);
        assert_eq!(later_part("report.txt"), None);
    }
}
