//! Opening an existing index for search.

use std::path::{Path, PathBuf};

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use super::meta::{self, Meta};
use super::schema::{Fields, SCHEMA_VERSION};
use super::tokenizers;
use crate::error::{Error, Result};

/// Indexes with at least this many documents search their segments in parallel.
const PARALLEL_SEARCH_DOCS: u64 = 100_000;

/// Threads that search segments: `TRAWL_SEARCH_THREADS` when set (1: one segment at a time),
/// otherwise one per CPU for an index of at least [`PARALLEL_SEARCH_DOCS`] documents.
fn search_threads(docs: u64) -> usize {
    let cpus = || std::thread::available_parallelism().map_or(1, |n| n.get());
    match std::env::var("TRAWL_SEARCH_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        Some(n) => n.max(1),
        None if docs >= PARALLEL_SEARCH_DOCS => cpus(),
        None => 1,
    }
}

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

    /// The index's threads ([`super::threads`]), saved by the last run or threaded now.
    pub fn threads(&self) -> anyhow::Result<super::threads::Threads> {
        let stamp = super::threads::stamp(&self.index)?;
        super::threads::Threads::load(&self.dir, &self.searcher(), &self.fields, stamp)
    }

    /// [`Opened::threads`] when `needed`.
    pub fn threads_if(&self, needed: bool) -> anyhow::Result<Option<super::threads::Threads>> {
        needed.then(|| self.threads()).transpose()
    }
}

/// Opens the index in `dir` read-only. A directory with no `trawl.json` is reported as "no index".
/// While a `trawl index` run holds the index, this says on stderr that results are those of
/// its last commit.
pub fn open(dir: &Path) -> Result<Opened> {
    let meta = meta::read_meta(dir)?.ok_or_else(|| Error::NoIndex {
        path: dir.to_owned(),
    })?;
    if let Some(holder) = super::lock::holder(dir) {
        eprintln!("trawl: indexing in progress ({holder}); results are as of its last commit");
    }
    if meta.schema_version != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            path: dir.to_owned(),
            found: meta.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    let mut index = Index::open_in_dir(dir)?;
    // A large index is searched one segment per thread, one thread per CPU: at 1M messages
    // (13 segments, 2 CPUs) queries, facets and pairs take about half the time. A small one is
    // not worth the thread pool. Set before the reader, which keeps its own copy.
    let docs: u64 = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| u64::from(m.num_docs()))
        .sum();
    let threads = search_threads(docs);
    if threads > 1 {
        index.set_multithread_executor(threads)?;
    }
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
