//! The writer's front: the one `IndexWriter`, shared by the parse threads, and the commits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use anyhow::Context as _;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::lock;
use crate::index::schema::Fields;

/// The one `IndexWriter`, shared by the parse threads: tantivy's `add_document` and
/// `delete_term` take `&self` and queue into its indexing threads, with backpressure. It is
/// opened on first use, so a run with nothing to index never opens it; the first failure stops
/// the run.
///
/// A commit needs the writer to itself: parse threads hold a read lock for each operation
/// (never across a file, so a commit waits for operations in flight, not for files), and
/// [`Feed::commit`] takes the write lock.
///
/// With stages apart, additions and deletions are held in arrival order (each file's delete
/// still before its documents) and handed to the writer by [`Feed::release_held`].
pub(super) struct Feed<'a> {
    writer: RwLock<Option<IndexWriter>>,
    open: &'a (dyn Fn() -> anyhow::Result<IndexWriter> + Sync),
    error: Mutex<Option<anyhow::Error>>,
    failed: AtomicBool,
    /// Some document may have been deleted (a file replaced, dropped or gone).
    deleted: AtomicBool,
    held: Option<Mutex<Vec<Held>>>,
}

/// A writer operation held back until parsing is over.
enum Held {
    Add(TantivyDocument),
    DeleteFile(String, bool),
}

impl<'a> Feed<'a> {
    pub(super) fn new(
        open: &'a (dyn Fn() -> anyhow::Result<IndexWriter> + Sync),
        hold: bool,
    ) -> Feed<'a> {
        Feed {
            writer: RwLock::new(None),
            open,
            error: Mutex::new(None),
            failed: AtomicBool::new(false),
            deleted: AtomicBool::new(false),
            held: hold.then(|| Mutex::new(Vec::new())),
        }
    }

    /// Runs `op` on the writer, opening it first if this is the first operation of the run.
    fn with_writer(&self, op: impl FnOnce(&IndexWriter)) {
        {
            let guard = self.writer.read().unwrap_or_else(|e| e.into_inner());
            if let Some(w) = guard.as_ref() {
                op(w);
                return;
            }
        }
        let mut guard = self.writer.write().unwrap_or_else(|e| e.into_inner());
        if self.failed() {
            return;
        }
        if guard.is_none() {
            match (self.open)() {
                Ok(w) => *guard = Some(w),
                Err(e) => {
                    self.fail(e);
                    return;
                }
            }
        }
        if let Some(w) = guard.as_ref() {
            op(w);
        }
    }

    /// Hands every held operation to the writer, in the order it was held.
    pub(super) fn release_held(&self, fields: &Fields) {
        let Some(held) = &self.held else { return };
        let held = std::mem::take(&mut *lock(held));
        if held.is_empty() {
            return; // nothing to index: the writer stays unopened, as in a pipelined run
        }
        self.with_writer(|w| {
            for op in held {
                match op {
                    Held::Add(doc) => {
                        if let Err(e) = w.add_document(doc) {
                            self.fail(anyhow::Error::new(e).context("indexing a document"));
                            return;
                        }
                    }
                    Held::DeleteFile(path, members) => delete(w, fields, &path, members),
                }
            }
        });
    }

    pub(super) fn add(&self, doc: TantivyDocument) {
        if let Some(held) = &self.held {
            lock(held).push(Held::Add(doc));
            return;
        }
        self.with_writer(|w| {
            if let Err(e) = w.add_document(doc) {
                self.fail(anyhow::Error::new(e).context("indexing a document"));
            }
        });
    }

    /// Deletes every document read from the file at `path`, as of now (documents added after
    /// this call stay): those whose provenance path is `path`, and with `members`, those of the
    /// members of an archive, whose provenance path is `path!/member`.
    pub(super) fn delete_file(&self, fields: &Fields, path: &str, members: bool) {
        self.deleted.store(true, Ordering::SeqCst);
        if let Some(held) = &self.held {
            lock(held).push(Held::DeleteFile(path.to_owned(), members));
            return;
        }
        self.with_writer(|w| delete(w, fields, path, members));
    }

    /// Commits what has been handed to the writer so far, if it was opened. Parse threads
    /// wait for the commit to finish before their next operation.
    pub(super) fn commit(&self) -> anyhow::Result<bool> {
        let mut guard = self.writer.write().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(w) => {
                w.commit().context("committing the index")?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    pub(super) fn fail(&self, e: anyhow::Error) {
        self.failed.store(true, Ordering::SeqCst);
        lock(&self.error).get_or_insert(e);
    }

    /// Whether [`Feed::delete_file`] was called: what the index held before may be gone.
    pub(super) fn deleted(&self) -> bool {
        self.deleted.load(Ordering::SeqCst)
    }

    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// The writer, if it was opened, or the first error.
    pub(super) fn into_inner(self) -> anyhow::Result<Option<IndexWriter>> {
        let error = self.error.into_inner().unwrap_or_else(|e| e.into_inner());
        match error {
            Some(e) => Err(e),
            None => Ok(self.writer.into_inner().unwrap_or_else(|e| e.into_inner())),
        }
    }
}

/// Deletes a file's documents by provenance path: one term for the file itself and, for an
/// archive, the range of paths `path!/...` (every path that starts with `path!/` sorts between
/// it and `path!0`, `0` being the byte after `/`). A range is run as a query at the next
/// commit, so it is asked for only where a file holds members.
fn delete(w: &IndexWriter, fields: &Fields, path: &str, members: bool) {
    w.delete_term(Term::from_field_text(fields.path, path));
    if members {
        let lower = Term::from_field_text(fields.path, &format!("{path}!/"));
        let upper = Term::from_field_text(fields.path, &format!("{path}!0"));
        let range = tantivy::query::RangeQuery::new(
            std::ops::Bound::Included(lower),
            std::ops::Bound::Excluded(upper),
        );
        // Only fails on a schema mismatch, which opening the index already ruled out.
        let _ = w.delete_query(Box::new(range));
    }
}
