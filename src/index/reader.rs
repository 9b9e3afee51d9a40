//! Opening an existing index for search.

use std::path::{Path, PathBuf};

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use super::meta::{self, Meta};
use super::schema::{Fields, SCHEMA_VERSION};
use super::tokenizers;
use crate::error::{Error, Result};

/// An index opened for reading.
pub struct Opened {
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub meta: Meta,
}

impl Opened {
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }
}

/// Opens the index in `dir` read-only. A directory with no `trawl.json` is reported as "no index".
pub fn open(dir: &Path) -> Result<Opened> {
    let meta = meta::read_meta(dir)?.ok_or_else(|| Error::NoIndex {
        path: dir.to_owned(),
    })?;
    if meta.schema_version != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            path: dir.to_owned(),
            found: meta.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    let index = Index::open_in_dir(dir)?;
    tokenizers::register(&index);
    let fields = Fields::resolve(&index.schema())?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(Opened {
        dir: dir.to_owned(),
        index,
        reader,
        fields,
        meta,
    })
}
