//! Parse-stage throughput: every file of `sample_corpus/` through format detection and the
//! parsers, no indexing. `cargo bench --bench ingest`.

use std::path::PathBuf;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trawl::ingest::{ingest_bytes, walk};

fn sample_files() -> Vec<(PathBuf, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    walk::walk(&root, false, None)
        .files
        .into_iter()
        .filter_map(|f| std::fs::read(&f.path).ok().map(|b| (f.path, b)))
        .collect()
}

fn parse_sample_corpus(c: &mut Criterion) {
    let files = sample_files();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let now = Utc::now();
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("sample_corpus", |b| {
        b.iter(|| {
            let mut docs = 0;
            for (path, data) in &files {
                if let trawl::ingest::Outcome::Indexed { docs: d, .. } =
                    ingest_bytes(data, path, now)
                {
                    docs += d.len();
                }
            }
            docs
        })
    });
    group.finish();
}

fn parse_dates(c: &mut Criterion) {
    let samples = [
        "Mon, 14 May 2001 16:39:00 -0700 (PDT)",
        "Mon, 10 Oct 16 22:30:00 PDT",
        "Wed Sep 21 14:02:11 2016",
        "sometime last tuesday",
    ];
    c.bench_function("date_parse", |b| {
        b.iter(|| {
            samples
                .iter()
                .filter(|s| trawl::ingest::date::parse(s).is_some())
                .count()
        })
    });
}

criterion_group!(benches, parse_sample_corpus, parse_dates);
criterion_main!(benches);
