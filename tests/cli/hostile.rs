//! Hostile inputs: zip bombs, archive paths that climb out, archives nested too deep, a huge
//! single-line text file, a "PDF" that is not one. Each gets a clear skip reason or a bounded
//! best effort, the run completes, and nothing is written outside the index directory.

use std::io::Write;
use std::path::Path;

use crate::util::TestIndex;

fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in files {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

fn reasons(ix: &TestIndex) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap_or_default();
    let mut v: Vec<(String, String)> = text
        .lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            let p = j["path"].as_str().unwrap();
            let name = p.rsplit(['/', '!']).next().unwrap().to_string();
            (name, j["reason"].as_str().unwrap().to_string())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn hostile_archives_and_files_are_skipped_with_reasons() {
    let top = tempfile::tempdir().unwrap();
    let dump = top.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    // A zip bomb: 64 MB of zeros in a few hundred KB.
    let bomb = zip_of(&[("zeros.txt", vec![0u8; 64 << 20])]);
    std::fs::write(dump.join("bomb.zip"), &bomb).unwrap();
    // Members that climb out of the archive, next to a good one.
    let climb = zip_of(&[
        ("../../escaped.txt", b"you should not see this".to_vec()),
        ("/etc/owned.txt", b"nor this".to_vec()),
        ("fine/inside.txt", b"the inside phrase marmalade".to_vec()),
    ]);
    std::fs::write(dump.join("climb.zip"), &climb).unwrap();
    // Nested four deep: zip(zip(zip(zip(text)))).
    let mut nested = zip_of(&[("deep.txt", b"too deep to read".to_vec())]);
    for level in 0..3 {
        nested = zip_of(&[(&format!("level{level}.zip"), nested)]);
    }
    std::fs::write(dump.join("nested.zip"), &nested).unwrap();
    // A 17 MB text file on one line.
    let mut line = b"needle ".to_vec();
    line.resize(17 << 20, b'a');
    std::fs::write(dump.join("one-line.txt"), &line).unwrap();
    // A "PDF" that is not one.
    std::fs::write(
        dump.join("fake.pdf"),
        b"%PDF-1.4\nthis is not really a pdf\n%%EOF",
    )
    .unwrap();

    let before_dump = listing(&dump);
    let ix = TestIndex::empty();
    let out = ix.run(&["index", dump.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let r = reasons(&ix);
    assert!(
        r.contains(&("bomb.zip".into(), "archive".into()))
            || r.iter().any(|(n, c)| n == "zeros.txt" && c == "archive"),
        "{r:?}"
    );
    assert!(
        r.contains(&("escaped.txt".into(), "unsafe-archive-path".into())),
        "{r:?}"
    );
    assert!(
        r.contains(&("owned.txt".into(), "unsafe-archive-path".into())),
        "{r:?}"
    );
    assert!(r.iter().any(|(_, c)| c == "archive-too-deep"), "{r:?}");
    assert!(
        r.contains(&("fake.pdf".into(), "unextractable".into())),
        "{r:?}"
    );
    // The good member is indexed with a path that names the archive.
    let (hits, _, _) = ix.search("marmalade", &[]);
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].path.ends_with("climb.zip!/fine/inside.txt"),
        "{}",
        hits[0].path
    );
    // The long line is indexed, its text capped and flagged.
    let (hits, _, _) = ix.search("needle", &[]);
    assert_eq!(hits.len(), 1);
    // Nothing written beside or inside the dump; the index holds only the index.
    assert_eq!(listing(&dump), before_dump);
    let mut beside: Vec<String> = std::fs::read_dir(top.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["dump"]);
}
