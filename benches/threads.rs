//! Threading without an index (`trawl::index::threads::from_columns`): a chain of replies,
//! each with a sibling reply, the shape that made the `mail-threading` crate recurse once per
//! reply; and many short threads joined by subject, the Enron shape. `cargo bench --bench
//! threads`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use trawl::index::threads::from_columns;

/// `n` replies in one chain, each with a sibling: `2n` messages.
fn chain(n: u64) -> Vec<(u64, Option<i64>, String)> {
    let mut rows = Vec::with_capacity(2 * n as usize);
    for i in 0..n {
        let up = if i == 0 {
            String::new()
        } else {
            format!("<m{}@x>", i - 1)
        };
        let date = Some(i as i64);
        rows.push((2 * i + 1, date, format!("<m{i}@x>\x1f{up}\x1f{up}\x1fs")));
        rows.push((2 * i + 2, date, format!("<leaf{i}@x>\x1f{up}\x1f{up}\x1fs")));
    }
    rows
}

/// `n` messages without threading headers, in threads of about four by subject.
fn by_subject(n: u64) -> Vec<(u64, Option<i64>, String)> {
    (0..n)
        .map(|i| {
            let prefix = if i % 4 == 0 { "" } else { "RE: " };
            let subject = format!("{prefix}topic {}", i / 4);
            (
                i + 1,
                Some(i as i64),
                format!("<s{i}@x>\x1f\x1f\x1f{subject}"),
            )
        })
        .collect()
}

fn threading(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads");
    group.sample_size(10);
    for n in [2_000u64, 20_000, 200_000] {
        let rows = chain(n);
        group.throughput(Throughput::Elements(rows.len() as u64));
        group.bench_with_input(BenchmarkId::new("reply-chain", 2 * n), &rows, |b, rows| {
            b.iter(|| from_columns(rows.clone()))
        });
    }
    let rows = by_subject(100_000);
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_with_input(BenchmarkId::new("by-subject", 100_000), &rows, |b, rows| {
        b.iter(|| from_columns(rows.clone()))
    });
    group.finish();
}

criterion_group!(benches, threading);
criterion_main!(benches);
