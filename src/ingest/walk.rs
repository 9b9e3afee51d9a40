//! Enumerating a dump: every entry under the root becomes a file to read or a [`Skip`].
//!
//! The walk is sequential and cheap. Indexing takes its entries as they are found
//! ([`visit_paths`], no stat: the parse threads stat in parallel), so nothing per file is held
//! for the whole run. Entries are sorted by name so runs are reproducible. Symlinks are
//! reported, not followed, unless the user asks: a dump may contain links that point outside it.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::maildir::{self, Role};
use super::Skip;

/// A regular file to ingest.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 when unknown).
    pub mtime_ns: i64,
}

/// The result of walking a dump.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FileEntry>,
    pub skipped: Vec<(PathBuf, Skip)>,
    pub total_bytes: u64,
}

/// One entry of a walk: a file to read, or one that will not be read and why.
#[derive(Debug)]
pub enum Entry {
    File(FileEntry),
    Skipped(PathBuf, Skip),
}

/// Walks `root`, collecting every entry. Fine for tools and tests; indexing streams with
/// [`visit`] instead so memory does not grow with the number of files.
pub fn walk(root: &Path, follow_symlinks: bool, exclude: Option<&Path>) -> Walked {
    let mut out = Walked::default();
    visit(root, follow_symlinks, exclude, |e| {
        match e {
            Entry::File(f) => {
                out.total_bytes += f.size;
                out.files.push(f);
            }
            Entry::Skipped(path, skip) => out.skipped.push((path, skip)),
        }
        ControlFlow::Continue(())
    });
    out
}

/// Walks `root` in name order, handing each entry to `f` as it is found; stops when `f` returns
/// `Break`. Directories equal to `exclude` (the index, if a user put it inside the tree) are not
/// entered.
pub fn visit(
    root: &Path,
    follow_symlinks: bool,
    exclude: Option<&Path>,
    mut f: impl FnMut(Entry) -> ControlFlow<()>,
) {
    visit_paths(root, follow_symlinks, exclude, |found| match found {
        Found::File(path) => f(Entry::File(stat(path))),
        Found::Skipped(path, skip) => f(Entry::Skipped(path, skip)),
    });
}

/// An entry of a walk before its file is looked at: indexing stats files on its parse threads,
/// in parallel, rather than on the walking thread.
#[derive(Debug)]
pub enum Found {
    File(PathBuf),
    Skipped(PathBuf, Skip),
}

/// Like [`visit`], without reading each file's metadata (see [`stat`]).
pub fn visit_paths(
    root: &Path,
    follow_symlinks: bool,
    exclude: Option<&Path>,
    mut f: impl FnMut(Found) -> ControlFlow<()>,
) {
    let it = WalkDir::new(root)
        .follow_links(follow_symlinks)
        .sort_by(|a, b| file_name(a).cmp(file_name(b)))
        .into_iter()
        .filter_entry(|e| exclude.is_none_or(|x| e.path() != x));
    for entry in it {
        let Some(e) = classify(root, entry) else {
            continue;
        };
        if f(e).is_break() {
            return;
        }
    }
}

/// The last component of an entry's path, as bytes. Same order as `sort_by_file_name`, which
/// finds the name by walking the path's components for every comparison (a third of the time of
/// an unchanged re-run in a profile).
fn file_name(e: &walkdir::DirEntry) -> &[u8] {
    let b = e.path().as_os_str().as_encoded_bytes();
    b.iter()
        .rposition(|&c| c == b'/')
        .map_or(b, |i| &b[i + 1..])
}

/// Turns a walkdir result into a [`Found`]; `None` for directories.
fn classify(root: &Path, entry: walkdir::Result<walkdir::DirEntry>) -> Option<Found> {
    let entry = match entry {
        Ok(e) => e,
        Err(err) => {
            let path = err
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| root.to_path_buf());
            let msg = err
                .io_error()
                .map_or_else(|| err.to_string(), ToString::to_string);
            return Some(Found::Skipped(path, Skip::Unreadable(msg)));
        }
    };
    let ft = entry.file_type();
    if ft.is_dir() {
        return None;
    }
    let path = entry.into_path();
    if ft.is_symlink() {
        return Some(Found::Skipped(path, Skip::Symlink));
    }
    if !ft.is_file() {
        return Some(Found::Skipped(path, Skip::NotRegularFile));
    }
    if maildir::role(&path) == Some(Role::Tmp) {
        return Some(Found::Skipped(path, Skip::MaildirTmp));
    }
    Some(Found::File(path))
}

/// Size and modification time of a file (zeros when they cannot be read: reading the file will
/// then report why).
pub fn stat(path: PathBuf) -> FileEntry {
    let meta = std::fs::metadata(&path).ok();
    let size = meta.as_ref().map_or(0, |m| m.len());
    let mtime_ns = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    FileEntry {
        path,
        size,
        mtime_ns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_symlinks_and_maildir_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["box/cur", "box/new", "box/tmp"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("box/cur/1:2,S"), "From: a@b\n\nx").unwrap();
        std::fs::write(root.join("box/tmp/2"), "From: a@b\n").unwrap();
        std::fs::write(root.join("a.eml"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("a.eml"), root.join("link.eml")).unwrap();
        let w = walk(root, false, None);
        let files: Vec<_> = w
            .files
            .iter()
            .map(|f| f.path.strip_prefix(root).unwrap().to_owned())
            .collect();
        assert_eq!(
            files,
            [PathBuf::from("a.eml"), PathBuf::from("box/cur/1:2,S")]
        );
        let reasons: Vec<_> = w.skipped.iter().map(|(_, s)| s.code()).collect();
        assert!(reasons.contains(&"maildir-tmp"));
        #[cfg(unix)]
        assert!(reasons.contains(&"symlink"));
    }
}
