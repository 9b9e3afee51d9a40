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
    assert_eq!(r["messages"], 109);
    assert_eq!(r["skipped"], 3);
    assert!(r["messages_per_sec"].as_f64().unwrap() > 0.0);
    assert!(r["index_mb"].as_f64().unwrap() > 0.0);
    assert!(r["stages"]["parse_and_index_secs"].as_f64().is_some());
    assert!(r["stages"]["thread_secs"].as_f64().is_some());
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
    // Top-level items, each copy once: 109 documents less 4 parts and 1 stored copy.
    assert_eq!(all["hits"], 104);
}

#[test]
fn export_writes_every_document_with_every_field() {
    let out = sample().run(&["export", "--ndjson"]);
    assert_eq!(out.status.code(), Some(0));
    let docs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 109);
    let ov4 = docs
        .iter()
        .find(|d| d["message_id"][0] == "20161021.ov4@openvault.example.org")
        .unwrap();
    assert_eq!(ov4["from_addr"][0], "dm@openvault.example.org");
    assert_eq!(ov4["rcpt_addr"][0], "dana.reyes@reyes2016.example.com");
    assert_eq!(ov4["date"][0], "2016-10-21T18:21:00Z");
    assert!(ov4["body"][0].as_str().unwrap().contains("tax returns"));
    // Each u64 id has the hex string twin that search prints (issue #16), and an
    // attachment's points to its message.
    for d in &docs {
        let id = d["id"][0].as_u64().unwrap();
        assert_eq!(d["id_hex"], format!("{id:016x}"));
        if let Some(parent) = d["parent"][0].as_u64() {
            assert_eq!(d["parent_hex"], format!("{parent:016x}"));
        }
    }
    let hits = sample().run(&["search", "--json", "--items", "kind:attachment"]);
    let hit: serde_json::Value = serde_json::from_str(
        String::from_utf8(hits.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let exported = docs.iter().find(|d| d["id_hex"] == hit["id"]).unwrap();
    assert_eq!(exported["parent_hex"], hit["parent"]);
    let schema = sample().run(&["export", "--schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert!(schema
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "rcpt_addr"));
    let some = sample().run(&["export", "from:openvault"]);
    assert_eq!(String::from_utf8(some.stdout).unwrap().lines().count(), 7);
}

#[test]
fn bench_corpus_generates_an_indexable_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("gen");
    let out = trawl()
        .args([
            "bench",
            "corpus",
            "-n",
            "300",
            "--seed",
            "3",
            "--mbox",
            "100",
            sample_corpus().to_str().unwrap(),
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ix = crate::util::TestIndex::of(&out_dir);
    assert_eq!(ix.search("*", &[]).1.total_hits, 300);
}

/// Every document of `ix`, one export line each, sorted.
/// Indexing with the stages apart (every document held until parsing is over, as
/// `bench index --stages-apart` does) builds the same index as the pipeline, on a first run
/// and on a re-run that replaces a changed file's documents and deletes a gone file's.
#[test]
fn stages_apart_index_the_same_documents_as_the_pipeline() {
    use std::sync::atomic::AtomicBool;
    use trawl::pipeline::{index_dump, IndexConfig};

    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    crate::util::copy_tree(&sample_corpus(), &dump);
    let apart = crate::util::TestIndex::empty();
    let index_apart = || {
        let mut config = IndexConfig::new(&dump, &apart.path);
        config.threads = 2;
        config.memory_mib = 64;
        config.stages_apart = true;
        let r = index_dump(&config, &AtomicBool::new(false)).unwrap();
        assert!(r.stages.parse_secs.is_some() && r.stages.index_secs.is_some());
        r
    };
    let first = index_apart();
    assert_eq!(first.messages, 109);
    assert_eq!(
        apart.exported(),
        crate::util::TestIndex::of(&dump).exported()
    );

    // One message rewritten, one file gone: held deletions run before the held additions.
    let changed = dump.join("eml/bad-date.eml");
    let text = std::fs::read_to_string(&changed).unwrap();
    assert!(text.contains("\n\n"));
    std::fs::write(&changed, text.replacen("\n\n", "\n\nrewritten since\n", 1)).unwrap();
    std::fs::remove_file(dump.join("eml/epoch-date.eml")).unwrap();
    let second = index_apart();
    assert_eq!(second.deleted, 1);
    let fresh = crate::util::TestIndex::of(&dump);
    assert_eq!(apart.exported(), fresh.exported());
    assert_eq!(apart.search("rewritten", &[]).1.total_hits, 1);
}
