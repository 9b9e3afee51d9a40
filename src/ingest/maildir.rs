//! Maildir folders: one message per file under `cur/` and `new/`; `tmp/` holds deliveries in
//! progress and is skipped. A folder is a maildir folder when it is named `cur`, `new` or `tmp`
//! and has a `cur` or `new` sibling; the files themselves are parsed by [`super::eml`].

use std::path::Path;

use super::format::{Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::Doc;

/// The registry's sniff: a message (by its headers) in a maildir's `cur/` or `new/`.
pub(crate) fn sniff(s: &Sniff) -> bool {
    super::detect::looks_like_message(s.head) && s.real.is_some_and(is_maildir_message)
}

/// The registry's reader: the message, as [`super::eml`] reads it.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    super::eml::read_as(unit, ctx, emit, Format::Maildir)
}

/// Which maildir sub-folder a file sits in, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Cur,
    New,
    Tmp,
}

/// The maildir role of the file at `path`, checked against the file system.
pub fn role(path: &Path) -> Option<Role> {
    // String slicing rather than `Path::parent`, which walks components from the end: this runs
    // for every file of every dump.
    let s = path.to_str()?;
    let (parent, _) = s.rsplit_once('/')?;
    let (maildir, name) = parent.rsplit_once('/')?;
    let role = match name {
        "cur" => Role::Cur,
        "new" => Role::New,
        "tmp" => Role::Tmp,
        _ => return None,
    };
    let maildir = Path::new(if maildir.is_empty() { "/" } else { maildir });
    let sibling = |name: &str| is_dir_cached(&maildir.join(name));
    let is_maildir = match role {
        Role::Cur => sibling("new") || sibling("tmp"),
        Role::New => sibling("cur") || sibling("tmp"),
        Role::Tmp => sibling("cur") || sibling("new"),
    };
    is_maildir.then_some(role)
}

/// `is_dir`, remembered per thread for the last few directories: every file of a maildir asks
/// about the same two siblings, and a stat per file adds up over a million messages.
fn is_dir_cached(path: &Path) -> bool {
    use std::cell::RefCell;
    thread_local! {
        static CACHE: RefCell<Vec<(std::path::PathBuf, bool)>> = const { RefCell::new(Vec::new()) };
    }
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        // Byte comparison: `Path` equality walks components.
        let key = path.as_os_str().as_encoded_bytes();
        if let Some((_, v)) = c
            .iter()
            .find(|(p, _)| p.as_os_str().as_encoded_bytes() == key)
        {
            return *v;
        }
        let v = path.is_dir();
        if c.len() >= 8 {
            c.remove(0);
        }
        c.push((path.to_path_buf(), v));
        v
    })
}

/// True for a message file in a maildir's `cur/` or `new/`.
pub fn is_maildir_message(path: &Path) -> bool {
    matches!(role(path), Some(Role::Cur | Role::New))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_need_a_sibling() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("box");
        for d in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(md.join(d)).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("lonely/new")).unwrap();
        assert_eq!(role(&md.join("cur/1:2,S")), Some(Role::Cur));
        assert_eq!(role(&md.join("tmp/1")), Some(Role::Tmp));
        assert_eq!(role(&dir.path().join("lonely/new/1")), None);
        assert_eq!(role(&dir.path().join("x.eml")), None);
    }
}
