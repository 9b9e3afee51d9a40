//! Which segments the index writer merges: tantivy's log-sized levels, with a ceiling in bytes.
//!
//! tantivy's default `LogMergePolicy` groups segments into levels by document count and merges
//! a level once it holds eight segments, up to 10M documents a segment. At 1M generated messages
//! its last merge read eight flushed segments of ~125 MB at once: the merge maps every page of
//! its inputs, so the process's RSS grew with the corpus (1.0 GB of file-backed pages on top of
//! the writer's budget), and each message was rewritten once more per level, so merge work grew
//! as n log n.
//!
//! [`CappedMerges`] keeps tantivy's levels but never builds a merge whose inputs exceed a cap in
//! bytes on disk (the `--memory` budget): a segment of a quarter of the cap or more is final, and
//! a level is merged in chunks that fit under the cap, one merge at a time (the writer has one
//! merge thread). The largest merge, and so the pages it maps, is bounded by the budget instead
//! of the corpus, and merge work per message is bounded too. The price is more segments in a
//! large index (about one per flush: half the budget with two threads; 13-14 at 1M messages
//! against 7); queries visit each. docs/benchmarks-history.md ("Issue #4, third round") has the figures.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use tantivy::index::{SegmentComponent, SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// The files of a segment (tantivy 0.27 has no list of them).
const COMPONENTS: [SegmentComponent; 7] = [
    SegmentComponent::Postings,
    SegmentComponent::Positions,
    SegmentComponent::FastFields,
    SegmentComponent::FieldNorms,
    SegmentComponent::Terms,
    SegmentComponent::Store,
    SegmentComponent::Delete,
];

/// A segment of `cap / FINAL_FRACTION` bytes or more is never merged again. With two indexing
/// threads a full flush is about half the budget, so flushed segments are final as written and
/// merges only gather the small ones (the last flush of a run, the segments of incremental
/// runs). At 1M messages, merging flushed segments in pairs under the cap rewrote the whole
/// index once more for half as many segments: 10% slower indexing.
const FINAL_FRACTION: u64 = 4;

/// tantivy's levels, with merges capped at `cap` bytes of input.
#[derive(Debug)]
pub struct CappedMerges {
    dir: PathBuf,
    cap: u64,
    levels: LogMergePolicy,
}

impl CappedMerges {
    /// A policy for the index in `dir` whose merges read at most `cap` bytes.
    pub fn new(dir: PathBuf, cap: u64) -> Self {
        CappedMerges {
            dir,
            cap,
            levels: LogMergePolicy::default(),
        }
    }

    /// Bytes on disk of `segment`'s live documents: its files, scaled by the share of documents
    /// not deleted. A file that cannot be read counts as empty.
    fn live_bytes(&self, segment: &SegmentMeta) -> u64 {
        let bytes: u64 = COMPONENTS
            .into_iter()
            .filter_map(|c| fs::metadata(self.dir.join(segment.relative_path(c))).ok())
            .map(|m| m.len())
            .sum();
        match segment.max_doc() {
            0 => 0,
            max => bytes * u64::from(segment.num_docs()) / u64::from(max),
        }
    }
}

impl MergePolicy for CappedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let sizes: HashMap<SegmentId, u64> = segments
            .iter()
            .map(|s| (s.id(), self.live_bytes(s)))
            .collect();
        let open: Vec<SegmentMeta> = segments
            .iter()
            .filter(|s| sizes[&s.id()] < self.cap / FINAL_FRACTION)
            .cloned()
            .collect();
        self.levels
            .compute_merge_candidates(&open)
            .into_iter()
            .flat_map(|level| split_under_cap(level.0, &sizes, self.cap))
            .collect()
    }
}

/// Splits one level into merges of two or more segments whose sizes add up to at most `cap`,
/// smallest segments first.
fn split_under_cap(
    mut level: Vec<SegmentId>,
    sizes: &HashMap<SegmentId, u64>,
    cap: u64,
) -> Vec<MergeCandidate> {
    level.sort_by_key(|id| sizes.get(id).copied().unwrap_or(0));
    let mut merges = Vec::new();
    let (mut chunk, mut total) = (Vec::new(), 0u64);
    for id in level {
        let size = sizes.get(&id).copied().unwrap_or(0);
        if !chunk.is_empty() && total + size > cap {
            let full = std::mem::take(&mut chunk);
            if full.len() > 1 {
                merges.push(MergeCandidate(full));
            }
            total = 0;
        }
        chunk.push(id);
        total += size;
    }
    if chunk.len() > 1 {
        merges.push(MergeCandidate(chunk));
    }
    merges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<SegmentId> {
        (0..n).map(|_| SegmentId::generate_random()).collect()
    }

    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    /// An index in a temporary directory with `n` segments of the same size (one commit each),
    /// and that size in bytes.
    fn segments(n: usize) -> (tempfile::TempDir, Vec<SegmentMeta>, u64) {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        for i in 0..n {
            for j in 0..50 {
                writer
                    .add_document(doc!(body => format!("message {i} line {j} the same words")))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let metas = index.searchable_segment_metas().unwrap();
        assert_eq!(metas.len(), n);
        let policy = CappedMerges::new(dir.path().to_owned(), u64::MAX);
        let size = policy.live_bytes(&metas[0]);
        assert!(size > 0);
        (dir, metas, size)
    }

    #[test]
    fn merges_a_full_level_whole_when_it_fits() {
        let (dir, metas, size) = segments(9);
        let merges =
            CappedMerges::new(dir.path().to_owned(), 100 * size).compute_merge_candidates(&metas);
        assert_eq!(merges.len(), 1);
        assert_eq!(merges[0].0.len(), 9);
    }

    #[test]
    fn splits_a_level_that_does_not_fit_and_leaves_large_segments_alone() {
        let (dir, metas, size) = segments(9);
        // Room for four segments a merge (sizes differ by a few bytes): 4 + 4, one left over.
        let merges =
            CappedMerges::new(dir.path().to_owned(), size * 9 / 2).compute_merge_candidates(&metas);
        assert_eq!(merges.len(), 2, "{merges:?}");
        assert!(merges.iter().all(|m| m.0.len() == 4));
        // Each segment is at least a quarter of the cap: final, nothing is merged.
        let merges = CappedMerges::new(dir.path().to_owned(), size * 4 - size / 10)
            .compute_merge_candidates(&metas);
        assert!(merges.is_empty(), "{merges:?}");
    }

    #[test]
    fn a_level_of_fewer_than_eight_segments_waits() {
        let (dir, metas, size) = segments(7);
        let merges =
            CappedMerges::new(dir.path().to_owned(), 100 * size).compute_merge_candidates(&metas);
        assert!(merges.is_empty(), "{merges:?}");
    }

    #[test]
    fn splits_a_level_into_merges_under_the_cap() {
        let level = ids(8);
        let sizes: HashMap<_, _> = level.iter().map(|&id| (id, 100)).collect();
        let merges = split_under_cap(level, &sizes, 250);
        assert_eq!(merges.len(), 4);
        for m in &merges {
            assert_eq!(m.0.len(), 2);
        }
    }

    #[test]
    fn a_level_that_fits_is_merged_whole_and_a_lone_leftover_waits() {
        let level = ids(5);
        let mut sizes: HashMap<_, _> = level.iter().map(|&id| (id, 10)).collect();
        sizes.insert(level[4], 1000);
        let merges = split_under_cap(level.clone(), &sizes, 100);
        assert_eq!(merges.len(), 1);
        assert_eq!(merges[0].0.len(), 4);
        assert!(!merges[0].0.contains(&level[4]));
    }
}
