//! trawl: an offline search engine for leaked mail and document dumps.
//!
//! The flow is `ingest` (files to [`doc::Doc`]s) → `index` (tantivy, fed by [`pipeline`]) → `query` (our query
//! language to tantivy queries) → `output` (text and JSON printers). The binary in `main.rs` is a
//! thin shell over [`cmd`]. See ARCHITECTURE.md for the map.

pub mod cli;
pub mod cmd;
pub mod custodian;
pub mod doc;
pub mod error;
pub mod gen;
pub mod index;
pub mod ingest;
pub mod isolate;
pub mod output;
pub mod people;
pub mod pipeline;
pub mod progress;
pub mod query;
pub mod sandbox;
pub mod source;
