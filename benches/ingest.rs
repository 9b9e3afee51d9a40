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

/// One 4 MB mbox through `ingest_path` in rayon pools of one and of two threads: an mbox's
/// messages are parsed in batches across the pool, so the second thread should nearly halve
/// the time (it did not before: one mbox was parsed on the thread that read it).
fn parse_one_mbox(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("box.mbox");
    let mut mbox = String::new();
    for i in 0..2000 {
        mbox.push_str(&format!(
            "From s{i}@x.example Mon Oct  3 10:00:00 2016\nFrom: Sender {i} <s{i}@x.example>\n\
             To: r{}@y.example, Other <o@z.example>\nSubject: quarterly numbers {i}\n\
             Date: Mon, 3 Oct 2016 10:{:02}:00 +0000\nContent-Type: text/plain; charset=us-ascii\n\n\
             {}\n\n",
            i % 17,
            i % 60,
            "the figures for the western region were revised again this week ".repeat(30),
        ));
    }
    std::fs::write(&path, &mbox).expect("write mbox");
    let entry = walk::stat(path);
    let ctx = trawl::ingest::Context::new(Utc::now());
    let mut group = c.benchmark_group("mbox");
    group.throughput(Throughput::Bytes(mbox.len() as u64));
    group.sample_size(20);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                pool.install(|| {
                    let mut docs = 0;
                    trawl::ingest::ingest_path(&entry, &ctx, None, |_| docs += 1).expect("mbox");
                    docs
                })
            })
        });
    }
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

criterion_group!(benches, parse_sample_corpus, parse_one_mbox, parse_dates);
criterion_main!(benches);
