//! Maildir folders: one message per file under `cur/` and `new/`; `tmp/` holds deliveries in
//! progress and is skipped. A folder is a maildir folder when it is named `cur`, `new` or `tmp`
//! and has a `cur` or `new` sibling; the files themselves are parsed by [`super::eml`].

use std::path::Path;

/// Which maildir sub-folder a file sits in, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Cur,
    New,
    Tmp,
}

/// The maildir role of the file at `path`, checked against the file system.
pub fn role(path: &Path) -> Option<Role> {
    let parent = path.parent()?;
    let role = match parent.file_name()?.to_str()? {
        "cur" => Role::Cur,
        "new" => Role::New,
        "tmp" => Role::Tmp,
        _ => return None,
    };
    let maildir = parent.parent()?;
    let sibling = |name: &str| maildir.join(name).is_dir();
    let is_maildir = match role {
        Role::Cur => sibling("new") || sibling("tmp"),
        Role::New => sibling("cur") || sibling("tmp"),
        Role::Tmp => sibling("cur") || sibling("new"),
    };
    is_maildir.then_some(role)
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
