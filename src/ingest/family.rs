//! Families: a message and the attachments and embedded messages found in it, however deep.
//!
//! Parsers link each part to the document it was found in (`parent`); counts and searches want
//! the top of the chain, the item a reader opens (issue #15). [`Families`] follows the chain as
//! documents leave a file's parser and sets `root` on every part. Parsers emit a document before
//! its parts, and a file's families do not interleave, so the chain is known when a part comes
//! and can be forgotten at the next top-level item: memory stays that of one family.

use std::collections::HashMap;

use crate::doc::Doc;

#[derive(Default)]
pub struct Families {
    /// Id → root id of the documents of the family being emitted.
    roots: HashMap<u64, u64>,
}

impl Families {
    /// Sets `doc.root` (None for a top-level item) from the documents seen before it.
    pub fn assign(&mut self, doc: &mut Doc) {
        match doc.parent {
            None => {
                self.roots.clear();
                doc.root = None;
                self.roots.insert(doc.id, doc.id);
            }
            Some(parent) => {
                // A parent never seen (a parser that emitted a part first) is taken as the root:
                // the part still leaves the top-level count.
                let root = self.roots.get(&parent).copied().unwrap_or(parent);
                doc.root = Some(root);
                self.roots.insert(doc.id, root);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Kind, Provenance};

    fn doc(id: u64, parent: Option<u64>) -> Doc {
        let mut d = Doc::new(
            Kind::Email,
            "eml",
            Provenance {
                path: "x".into(),
                offset: id,
                length: 1,
                sha256: String::new(),
                item: None,
            },
        );
        d.id = id;
        d.parent = parent;
        d
    }

    #[test]
    fn parts_point_at_the_top_of_their_chain() {
        let mut f = Families::default();
        let mut roots = Vec::new();
        for (id, parent) in [
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(3)),
            (5, Some(1)),
            (6, None),
            (7, Some(6)),
        ] {
            let mut d = doc(id, parent);
            f.assign(&mut d);
            roots.push(d.root);
        }
        assert_eq!(
            roots,
            [None, Some(1), Some(1), Some(1), Some(1), None, Some(6)]
        );
        // One family at a time is remembered.
        assert_eq!(f.roots.len(), 2);
    }
}
