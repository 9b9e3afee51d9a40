//! Creating or reopening an index directory, and turning a [`Doc`] into a tantivy document.
//!
//! Conversion happens on the parse threads (it is pure and allocation-heavy); the single
//! `IndexWriter` only receives finished documents. See `cmd/index.rs` for the pipeline.

use std::fs;
use std::path::Path;

use tantivy::indexer::IndexWriterOptions;
use tantivy::schema::Field;
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{DateTime, Index, IndexSettings, IndexWriter, TantivyDocument};

use super::merge::CappedMerges;
use super::meta::{self, Meta};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::tokenizers;
use crate::doc::{Doc, Mailbox};
use crate::error::{Error, Result};

/// Refuses `dir` when it holds files but is not a trawl index: somebody's data, not ours.
/// Checked before the run lock is taken in it, so a directory holding the run lock counts as
/// ours (another run may be creating the index there: the lock decides which run goes on).
pub fn refuse_foreign(dir: &Path) -> Result<()> {
    if dir.join(meta::META_FILE).exists() || dir.join(super::lock::LOCK_FILE).exists() {
        return Ok(());
    }
    let mut entries =
        fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    if entries.next().is_some() {
        return Err(Error::NotAnIndex {
            path: dir.to_owned(),
        });
    }
    Ok(())
}

/// Opens the trawl index in `dir`, or creates one when `dir` is missing or empty (but for the
/// run lock). A non-empty directory without `trawl.json` is refused.
///
/// Creation writes `trawl.json` first and tantivy's files after, so a run killed in between
/// leaves a directory that the next run recognizes as its own and completes.
pub fn open_or_create(dir: &Path) -> Result<(Index, Fields, Meta)> {
    fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating index directory {}", dir.display()), e))?;
    let meta = match meta::read_meta(dir)? {
        Some(m) => {
            if m.schema_version != SCHEMA_VERSION {
                return Err(Error::SchemaVersion {
                    path: dir.to_owned(),
                    found: m.schema_version,
                    expected: SCHEMA_VERSION,
                });
            }
            m
        }
        None => {
            let entries = fs::read_dir(dir)
                .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
            for e in entries.flatten() {
                if e.file_name() != super::lock::LOCK_FILE {
                    return Err(Error::NotAnIndex {
                        path: dir.to_owned(),
                    });
                }
            }
            let meta = Meta::default();
            meta::write_meta(dir, &meta)?;
            meta
        }
    };
    // tantivy's own metadata file: present once tantivy's part of the creation is done.
    let index = if dir.join("meta.json").is_file() {
        Index::open_in_dir(dir)?
    } else {
        Index::builder()
            .schema(schema::build())
            .settings(settings())
            .create_in_dir(dir)?
    };
    tokenizers::register(&index);
    let fields = Fields::resolve(&index.schema())?;
    Ok((index, fields, meta))
}

/// The writer for `index` (in `dir`): `threads` indexing threads sharing `memory` bytes, and
/// merges capped at `memory` bytes of input ([`CappedMerges`]) run one at a time, so the segment
/// pages a merge maps are bounded by the budget too (tantivy's default, four merge threads, ran
/// up to four merges at once: 626 MB of mapped segments at 1M messages even with the cap).
pub fn open_writer(
    index: &Index,
    dir: &Path,
    threads: usize,
    memory: usize,
) -> tantivy::Result<IndexWriter> {
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(memory / threads)
        .num_merge_threads(1)
        .build();
    let writer = index.writer_with_options(options)?;
    writer.set_merge_policy(Box::new(CappedMerges::new(dir.to_owned(), memory as u64)));
    Ok(writer)
}

/// Settings of a new index: the document store (subject, body, envelope, provenance: about
/// half of the index) compressed with zstd at its default level instead of lz4, in 64 KiB
/// blocks. On the Enron half the store shrinks from 40.5 to 25.7 MB at no measurable cost in
/// indexing time (docs/benchmarks-history.md); a hit's document costs one 64 KiB block to decompress.
/// Indexes made with lz4 stay readable.
fn settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 64 * 1024,
        ..IndexSettings::default()
    }
}

/// Builds the tantivy document for `doc`, which sits in `custodian`'s files (see
/// [`crate::custodian`]).
/// The sort tie-break of `doc` ([`schema::ORDER`]): its place hashed as its id is, but with
/// the path relative to `root` (the dump's parent directory, encoded, with its `/`).
pub fn order_of(doc: &Doc, root: &str) -> u64 {
    let path = doc.source.path.as_str();
    let place = path.strip_prefix(root).unwrap_or(path);
    match doc.source.item {
        None => crate::doc::doc_id(place, doc.source.offset),
        Some(item) => crate::doc::item_id(place, doc.source.offset, item),
    }
}

pub fn to_document(doc: &Doc, custodian: Option<&str>, order: u64, f: &Fields) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_u64(f.id, doc.id);
    d.add_u64(f.order, order);
    if let Some(c) = custodian {
        d.add_text(f.custodian, c);
    }
    d.add_text(f.kind, doc.kind.as_str());
    d.add_text(f.format, doc.format);
    if let Some(c) = &doc.conversation {
        d.add_text(f.conversation, c);
    }
    if let Some(folder) = &doc.folder {
        d.add_text(f.folder, folder);
    }
    if let Some(p) = doc.parent {
        d.add_u64(f.parent, p);
    }
    d.add_text(f.date_source, doc.date_source.as_str());
    d.add_text(f.path, &doc.source.path);
    d.add_u64(f.offset, doc.source.offset);
    d.add_u64(f.length, doc.source.length);
    if let Some(item) = doc.source.item {
        d.add_u64(f.item, item);
    }
    d.add_text(f.sha256, &doc.source.sha256);
    if let Some(id) = &doc.message_id {
        d.add_text(f.message_id, id);
    }
    for id in &doc.in_reply_to {
        d.add_text(f.in_reply_to, id);
    }
    for id in &doc.references {
        d.add_text(f.references, id);
    }
    add_envelope(&mut d, f, doc.from.as_ref(), &doc.to, &doc.cc, &doc.bcc);
    d.add_text(f.subject, &doc.subject);
    d.add_text(f.body, &doc.body);
    if let Some(date) = doc.date {
        d.add_date(f.date, DateTime::from_timestamp_secs(date.timestamp()));
    }
    if let Some(date) = doc.file_date {
        d.add_date(f.file_date, DateTime::from_timestamp_secs(date.timestamp()));
    }
    if let Some(off) = doc.tz_offset_minutes {
        d.add_i64(f.tz_offset, i64::from(off));
    }
    d.add_text(f.date_quality, doc.date_quality.as_str());
    if let Some(raw) = &doc.date_raw {
        d.add_text(f.date_raw, raw);
    }
    for a in &doc.attachments {
        if let Some(name) = &a.name {
            d.add_text(f.attachment, name);
        }
        d.add_text(f.attachment_type, &a.mime_type);
    }
    d.add_u64(f.size, doc.size);
    if !doc.attachments.is_empty() {
        d.add_text(f.flags, "attachment");
    }
    for flag in &doc.flags {
        d.add_text(f.flags, flag);
    }
    if let Some(charset) = &doc.charset {
        d.add_text(f.charset, charset.to_ascii_lowercase());
    }
    if let Some(name) = &doc.last_modified_by {
        d.add_text(f.modified_by, name);
    }
    if let Some(root) = doc.root {
        d.add_u64(f.root, root);
    }
    if let Some(key) = doc.copy_key() {
        d.add_u64(f.copy, key);
    }
    if doc.kind == crate::doc::Kind::Email && doc.root.is_none() {
        d.add_text(f.threading, crate::index::threads::encode(doc));
    }
    for (field, date) in [(f.created, doc.created), (f.modified, doc.modified)] {
        if let Some(date) = date {
            d.add_date(field, DateTime::from_timestamp_secs(date.timestamp()));
        }
    }
    if let Some(image) = &doc.image {
        for words in [&image.camera_make, &image.camera_model]
            .into_iter()
            .flatten()
        {
            d.add_text(f.camera, words);
        }
        d.add_text(f.image, serde_json::to_string(image).unwrap_or_default());
    }
    d
}

/// Adds the sender and recipients: name words, exact addresses, the recipient and domain
/// columns, and the stored envelope. Shared by indexing and by `export`, which rebuilds
/// the unstored fields from the stored envelope.
pub fn add_envelope(
    d: &mut TantivyDocument,
    f: &Fields,
    from: Option<&Mailbox>,
    to: &[Mailbox],
    cc: &[Mailbox],
    bcc: &[Mailbox],
) {
    let mut domains: Vec<&str> = Vec::new();
    if let Some(m) = from {
        add_mailbox(d, m, f.from, Some(f.from_addr));
        domains.extend(domain_of(m));
    }
    // Every recipient once in `rcpt_addr`, so an address in both To and Cc counts once per
    // message in the `to` facet and in pairs; Cc and Bcc also in columns of their own.
    let mut rcpt: Vec<&str> = Vec::new();
    for (list, words, own) in [
        (to, f.to, None),
        (cc, f.cc, Some(f.cc_addr)),
        (bcc, f.bcc, Some(f.bcc_addr)),
    ] {
        for m in list {
            add_mailbox(d, m, words, own);
            if !m.address.is_empty() {
                rcpt.push(&m.address);
            }
            domains.extend(domain_of(m));
        }
    }
    rcpt.sort_unstable();
    rcpt.dedup();
    for address in rcpt {
        d.add_text(f.rcpt_addr, address);
    }
    domains.sort_unstable();
    domains.dedup();
    for dom in domains {
        d.add_text(f.domain, dom);
    }
    if let Some(dom) = from.and_then(domain_of) {
        for dom in with_parents(dom) {
            d.add_text(f.from_domain, dom);
        }
    }
    let mut rcpt: Vec<&str> = to
        .iter()
        .chain(cc)
        .chain(bcc)
        .filter_map(domain_of)
        .flat_map(with_parents)
        .collect();
    rcpt.sort_unstable();
    rcpt.dedup();
    for dom in rcpt {
        d.add_text(f.rcpt_domain, dom);
    }
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        from: Option<&'a Mailbox>,
        to: &'a [Mailbox],
        cc: &'a [Mailbox],
        bcc: &'a [Mailbox],
    }
    let envelope = serde_json::to_string(&Envelope { from, to, cc, bcc }).unwrap_or_default();
    d.add_text(f.envelope, envelope);
}

fn domain_of(m: &Mailbox) -> Option<&str> {
    m.address
        .rsplit_once('@')
        .map(|(_, dom)| dom)
        .filter(|dom| !dom.is_empty())
}

/// `dom` and each parent domain of two labels or more: `a.mail.enron.com`, `mail.enron.com`,
/// `enron.com`. A single-label domain yields nothing (no query asks for `from:com`).
fn with_parents(dom: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(dom), |d| d.split_once('.').map(|(_, parent)| parent))
        .take_while(|d| d.contains('.'))
}

/// The words of a mailbox's name and address, and its exact address in `exact` if given.
fn add_mailbox(d: &mut TantivyDocument, m: &Mailbox, words: Field, exact: Option<Field>) {
    // Name and address as two values of the words field: the same words as `Name <address>`
    // without building that string for every recipient of every message.
    if let Some(name) = &m.name {
        d.add_text(words, name);
    }
    if m.address.is_empty() {
        return;
    }
    d.add_text(words, &m.address);
    if let Some(exact) = exact {
        d.add_text(exact, &m.address);
    }
}

#[cfg(test)]
mod tests {
    use super::with_parents;

    #[test]
    fn a_domain_with_its_parents_of_two_labels_or_more() {
        let all = |d| with_parents(d).collect::<Vec<_>>();
        assert_eq!(
            all("a.mail.enron.com"),
            ["a.mail.enron.com", "mail.enron.com", "enron.com"]
        );
        assert_eq!(all("bbc.co.uk"), ["bbc.co.uk", "co.uk"]);
        assert_eq!(all("enron.com"), ["enron.com"]);
        assert!(all("localhost").is_empty());
    }
}
