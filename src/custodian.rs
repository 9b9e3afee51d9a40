//! Custodians (issue #15): whose mailbox, account or files each document sits in.
//!
//! Leaks are usually laid out one directory per person (`maildir/allen-p/...`, `dana/Inbox.mbox`),
//! and the same message saved in three mailboxes is three copies with three custodians. The
//! custodian of a file is the name of the directory [`Rule::depth`] levels below the dump root on
//! its path (1, the default: the first directory under the root; 0: no custodians). Every
//! document read from the file gets it, archive members and chat messages included: an
//! archive's members belong to whoever held the archive.
//!
//! A map (`trawl index --custodians FILE`) names custodians where the layout does not: lines
//! `PATH<TAB>NAME`, PATH relative to the dump root (a directory or a file); a file takes the
//! name of the longest PATH it is under, and the depth rule when it is under none.
//!
//! The rule a dump was indexed with, map included, is recorded with each run
//! (`RunOptions::custodian_depth`, `custodian_map`), so an incremental run applies the same
//! rule without being told again, and a run given another rule re-reads every file of the
//! dump, so that no document keeps a custodian of the old rule (see `pipeline::Redo`).

use std::path::{Component, Path};

/// The default depth: the first directory under the dump root.
pub const DEFAULT_DEPTH: u32 = 1;

/// How a file's custodian is read off its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The level of the directory that names the custodian (1: the first directory under the
    /// dump root); 0: no custodians.
    pub depth: u32,
    /// (path relative to the dump root, as [`crate::source::encode_path`] writes it, without
    /// a trailing `/`; custodian), before the depth rule.
    pub map: Vec<(String, String)>,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            depth: DEFAULT_DEPTH,
            map: Vec::new(),
        }
    }
}

/// Reads a custodian map: `PATH<TAB>NAME` lines, blank lines and `#` comments skipped. An
/// error names the line.
pub fn parse_map(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((path, name)) = line.split_once('\t') else {
            return Err(format!("line {}: expected PATH<TAB>NAME", i + 1));
        };
        let path = path.trim().trim_start_matches("./").trim_matches('/');
        let name = name.trim();
        if path.is_empty() || name.is_empty() || path.split('/').any(|c| c == "..") {
            return Err(format!(
                "line {}: a path inside the dump and a name are needed",
                i + 1
            ));
        }
        out.push((path.to_owned(), name.to_owned()));
    }
    Ok(out)
}

impl Rule {
    /// The custodian of `file`, a path under `dump`: the name of the directory `depth` levels
    /// below `dump` on its way, encoded without loss ([`crate::source::encode_bytes`]). `None`
    /// with depth 0, for a file outside `dump`, and for one that sits less deep than that
    /// directory (a file directly in the root with depth 1).
    pub fn custodian_of(&self, dump: &Path, file: &Path) -> Option<String> {
        use std::os::unix::ffi::OsStrExt;
        let rel = file.strip_prefix(dump).ok()?;
        if !self.map.is_empty() {
            let encoded = crate::source::encode_path(rel);
            let under = |p: &str| {
                encoded
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            };
            let best = self
                .map
                .iter()
                .filter(|(p, _)| under(p))
                .max_by_key(|(p, _)| p.len());
            if let Some((_, name)) = best {
                return Some(name.clone());
            }
        }
        if self.depth == 0 {
            return None;
        }
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
        Rule {
            depth,
            map: Vec::new(),
        }
        .custodian_of(Path::new("/dump"), Path::new(file))
    }

    #[test]
    fn a_map_names_custodians_by_the_longest_path_before_the_depth_rule() {
        let map = parse_map(
            "# who is who\nmaildir/kelly\tKelly Brandt\nmaildir\tthe campaign\n\
             ./mbox/sam.mbox/\tSam Ortiz\n\n",
        )
        .unwrap();
        let rule = Rule { depth: 1, map };
        let of = |f: &str| rule.custodian_of(Path::new("/dump"), Path::new(f));
        assert_eq!(
            of("/dump/maildir/kelly/cur/1").as_deref(),
            Some("Kelly Brandt")
        );
        assert_eq!(
            of("/dump/maildir/dana/cur/1").as_deref(),
            Some("the campaign")
        );
        assert_eq!(of("/dump/mbox/sam.mbox").as_deref(), Some("Sam Ortiz"));
        // `maildir/kellyanne` is not under `maildir/kelly`; unmapped files take the depth rule.
        assert_eq!(
            of("/dump/maildir/kellyanne/1").as_deref(),
            Some("the campaign")
        );
        assert_eq!(of("/dump/eml/a.eml").as_deref(), Some("eml"));
        assert!(parse_map("no tab here\n").unwrap_err().contains("line 1"));
        assert!(parse_map("../out\tx\n").is_err());
        assert!(parse_map("a\t \n").is_err());
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
