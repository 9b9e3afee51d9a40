//! Integration tests: the `trawl` binary run over `sample_corpus/` (and, when present, the real
//! corpora in `../shared/corpora`). Expected answers come from `docs/sample_corpus.md`.

mod archives;
mod batch;
mod bench;
mod charsets;
mod crash_safety;
mod custodian;
mod facets;
mod formats;
mod hostile;
mod images;
mod incremental;
mod index;
mod notmuch;
mod office;
mod people;
mod provenance;
mod pst;
mod query_language;
mod readme;
mod sandbox;
mod search;
mod show;
mod stats;
mod threads;
mod util;
