//! Index-stage throughput: the whole `trawl index` pipeline (walk, parse, write, commit) over
//! `sample_corpus/` into a fresh temporary index. `cargo bench --bench index`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trawl::pipeline::{index_dump, IndexConfig};

fn index_sample_corpus(c: &mut Criterion) {
    let dump = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let bytes = trawl::ingest::walk::walk(&dump, false, None).total_bytes;
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    for threads in [1, 2] {
        group.bench_function(format!("sample_corpus/threads={threads}"), |b| {
            b.iter_with_setup(
                || tempfile::tempdir().expect("tempdir"),
                |dir| {
                    let mut config = IndexConfig::new(&dump, &dir.path().join("ix"));
                    config.threads = threads;
                    config.memory_mib = 64;
                    index_dump(&config, &AtomicBool::new(false)).expect("indexing")
                },
            )
        });
    }
    group.finish();
}

criterion_group!(benches, index_sample_corpus);
criterion_main!(benches);
