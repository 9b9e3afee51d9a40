//! Library error types. Each variant carries what a user needs to act on it: the path, the query
//! text and the position in it.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("no index at {path} (run `trawl index DUMP_DIR --index {path}` first)")]
    NoIndex { path: PathBuf },

    #[error("{path} is not a trawl index (it has files but no trawl.json); refusing to touch it")]
    NotAnIndex { path: PathBuf },

    #[error("index at {path} was written by schema version {found}, this trawl reads version {expected}; re-index into a new directory")]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error("the index directory {index} is inside the dump {dump}; the dump is evidence and is never written to. Choose an --index outside it")]
    IndexInsideDump { index: PathBuf, dump: PathBuf },

    #[error("another trawl is indexing into {path} ({}); wait for it to finish or stop it. Searches work meanwhile, on its last commit", holder.as_deref().unwrap_or("holder unknown"))]
    Locked {
        path: PathBuf,
        holder: Option<String>,
    },

    /// A query that does not parse. `column` counts characters from 1.
    #[error("query error at column {column}: {message} (in `{query}`)")]
    Query {
        query: String,
        column: usize,
        message: String,
    },

    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },

    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),

    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
