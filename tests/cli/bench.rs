use crate::search::sample;
use crate::util::{sample_corpus, trawl};

#[test]
fn bench_index_reports_throughput_and_leaves_nothing_behind() {
    let out = trawl()
        .args([
            "bench",
            "index",
            "--json",
            "-j",
            "1",
            sample_corpus().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["messages"], 42);
    assert_eq!(r["skipped"], 5);
    assert!(r["messages_per_sec"].as_f64().unwrap() > 0.0);
    assert!(r["index_mb"].as_f64().unwrap() > 0.0);
    assert!(r["stages"]["parse_and_index_secs"].as_f64().is_some());
}

#[test]
fn bench_query_times_every_line_of_the_committed_query_file() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/queries.tsv");
    let out = sample().run(&[
        "bench",
        "query",
        "--json",
        "--runs",
        "2",
        "--warmup",
        "0",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let queries = std::fs::read_to_string(&file).unwrap();
    let expected = queries
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(lines.len(), expected);
    assert!(lines
        .iter()
        .all(|l| l["p50_ms"].as_f64().unwrap() <= l["p99_ms"].as_f64().unwrap()));
    let all = lines.iter().find(|l| l["query"] == "*").unwrap();
    assert_eq!(all["hits"], 42);
}
