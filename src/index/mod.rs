//! Everything that touches tantivy's schema, writer and reader, plus the small metadata files
//! trawl keeps beside tantivy's in the index directory (`trawl.json`, `skipped.jsonl`).

pub mod lock;
pub mod merge;
pub mod meta;
pub mod reader;
pub mod schema;
pub mod threads;
pub mod tokenizers;
pub mod writer;
