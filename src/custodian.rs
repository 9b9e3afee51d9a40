//! Custodians (issue #15): whose mailbox, account or files each document sits in.
//!
//! Leaks are usually laid out one directory per person (`maildir/allen-p/...`, `dana/Inbox.mbox`),
//! and the same message saved in three mailboxes is three copies with three custodians. The
//! custodian of a file is the name of the directory [`Rule::depth`] levels below the dump root on
//! its path (1, the default: the first directory under the root; 0: no custodians). Every
//! document read from the file gets it, archive members and chat messages included: an
//! archive's members belong to whoever held the archive.
//!
//! The rule a dump was indexed with is recorded with each run (`RunOptions::custodian_depth`),
//! so an incremental run applies the same rule without being told again, and a run given
//! another rule re-reads every file of the dump, so that no document keeps a custodian of the
//! old rule (see `pipeline::Redo`).

use std::path::{Component, Path};

/// The default depth: the first directory under the dump root.
pub const DEFAULT_DEPTH: u32 = 1;

/// How a file's custodian is read off its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The level of the directory that names the custodian (1: the first directory under the
    /// dump root); 0: no custodians.
    pub depth: u32,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            depth: DEFAULT_DEPTH,
        }
    }
}

impl Rule {
    /// The custodian of `file`, a path under `dump`: the name of the directory `depth` levels
    /// below `dump` on its way, encoded without loss ([`crate::source::encode_bytes`]). `None`
    /// with depth 0, for a file outside `dump`, and for one that sits less deep than that
    /// directory (a file directly in the root with depth 1).
    pub fn custodian_of(&self, dump: &Path, file: &Path) -> Option<String> {
        use std::os::unix::ffi::OsStrExt;
        if self.depth == 0 {
            return None;
        }
        let rel = file.strip_prefix(dump).ok()?;
        let mut dirs = rel.components();
        // The last component is the file itself, never a custodian.
        dirs.next_back()?;
        match dirs.nth(self.depth as usize - 1)? {
            Component::Normal(name) => Some(crate::source::encode_bytes(name.as_bytes())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(depth: u32, file: &str) -> Option<String> {
        Rule { depth }.custodian_of(Path::new("/dump"), Path::new(file))
    }

    #[test]
    fn the_directory_at_the_rules_depth_names_the_custodian() {
        assert_eq!(of(1, "/dump/allen-p/inbox/1").as_deref(), Some("allen-p"));
        assert_eq!(
            of(2, "/dump/maildir/allen-p/inbox/1").as_deref(),
            Some("allen-p")
        );
        assert_eq!(of(2, "/dump/maildir/allen-p").as_deref(), None);
        // A file in the root, or less deep than the rule, has none; depth 0 means none at all.
        assert_eq!(of(1, "/dump/loose.eml"), None);
        assert_eq!(of(3, "/dump/a/b.eml"), None);
        assert_eq!(of(0, "/dump/allen-p/inbox/1"), None);
        assert_eq!(of(1, "/elsewhere/allen-p/1"), None);
    }

    #[test]
    fn names_that_are_not_utf8_are_kept_without_loss() {
        use std::os::unix::ffi::OsStrExt;
        let file = std::ffi::OsStr::from_bytes(b"/dump/m\xFCller/a.eml");
        assert_eq!(
            Rule::default()
                .custodian_of(Path::new("/dump"), Path::new(file))
                .as_deref(),
            Some("m\\xFCller")
        );
    }
}
