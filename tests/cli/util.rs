//! Helpers: build a `trawl` command with a clean environment, index the sample corpus into a
//! fresh temporary index, and read `--json` output back into typed structs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;
use tempfile::TempDir;

pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus")
}

/// `../shared/corpora`, when present (it is not part of the repository).
pub fn shared_corpora() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    p.is_dir().then_some(p)
}

/// A `trawl` command with our environment variables, colour hints and terminal type cleared.
pub fn trawl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trawl"));
    c.env_remove("NO_COLOR")
        .env_remove("TERM")
        .env_remove("TRAWL_INDEX")
        .env_remove("TRAWL_ALIASES")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    c
}

/// A temporary index directory (deleted on drop) plus the path to pass as `--index`.
pub struct TestIndex {
    _dir: TempDir,
    pub path: PathBuf,
}

impl TestIndex {
    pub fn empty() -> TestIndex {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index");
        TestIndex { _dir: dir, path }
    }

    /// An index of `dump`, built by the binary.
    pub fn of(dump: &Path) -> TestIndex {
        let ix = TestIndex::empty();
        ix.index(dump);
        ix
    }

    /// Runs `trawl index DUMP` into this index; it must succeed. Returns its stderr.
    pub fn index(&self, dump: &Path) -> String {
        self.index_with(dump, &[])
    }

    /// Like [`TestIndex::index`], with `env` set for the run (`TRAWL_FAULT`, say).
    pub fn index_with(&self, dump: &Path, env: &[(&str, &str)]) -> String {
        let out = self
            .cmd(&["index", dump.to_str().unwrap()])
            .envs(env.iter().copied())
            .output()
            .expect("running trawl");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "indexing failed: {stderr}");
        stderr
    }

    pub fn sample() -> TestIndex {
        TestIndex::of(&sample_corpus())
    }

    /// Number of tantivy segments in the index (one `.store` file each).
    pub fn segments(&self) -> usize {
        std::fs::read_dir(&self.path)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("store".as_ref()))
            .count()
    }

    /// Every document as `trawl export` prints it, one JSON line each, sorted: equal for two
    /// indexes that hold the same documents, whatever their segments.
    pub fn exported(&self) -> Vec<String> {
        let out = self.run(&["export", "--ndjson"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = trawl();
        c.arg("--index").arg(&self.path).args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("running trawl")
    }

    /// What `search --count FLAGS -- QUERY` prints.
    pub fn count(&self, query: &str, flags: &[&str]) -> u64 {
        let mut args = vec!["search", "--count"];
        args.extend_from_slice(flags);
        args.extend(["--", query]);
        let out = self.run(&args);
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("{query}: {e}"))
    }

    /// Runs `search --json --limit 1000 QUERY` and returns the hits and the summary.
    pub fn search(&self, query: &str, extra: &[&str]) -> (Vec<Hit>, Summary, i32) {
        let mut args = vec!["search", "--json", "--all"];
        args.extend_from_slice(extra);
        args.push("--");
        args.push(query);
        let out = self.run(&args);
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "search {query:?} failed ({code}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut hits = Vec::new();
        let mut summary = None;
        for line in String::from_utf8(out.stdout).expect("utf-8 output").lines() {
            match serde_json::from_str::<Line>(line)
                .unwrap_or_else(|e| panic!("bad JSON line {line}: {e}"))
            {
                Line::Hit(h) => hits.push(*h),
                Line::Summary(s) => summary = Some(s),
                _ => {}
            }
        }
        (hits, summary.expect("a summary line"), code)
    }

    /// Every document `query` matches, as the index holds them: parts of messages and every
    /// copy included (`--items --copies`).
    pub fn documents(&self, query: &str) -> Vec<Hit> {
        self.search(query, &["--items", "--copies"]).0
    }

    /// Like [`TestIndex::ids`], with dates read in time zone `tz`.
    pub fn ids_tz(&self, query: &str, tz: &str) -> Vec<String> {
        let mut c = self.cmd(&[
            "--tz", tz, "search", "--json", "--all", "--items", "--copies", "--", query,
        ]);
        let out = c.output().expect("running trawl");
        let mut v: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| match serde_json::from_str::<Line>(l) {
                Ok(Line::Hit(h)) => h.message_id,
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    /// Like [`TestIndex::ids`] among e-mail messages only (`kind:email`): the mail answers of
    /// docs/sample_corpus.md, unaffected by the chat exports and documents beside them.
    pub fn mail_ids(&self, query: &str) -> Vec<String> {
        self.ids(&format!("({query}) kind:email"))
    }

    /// Message-IDs of the documents `query` matches (parts and copies included, see
    /// [`TestIndex::documents`]), sorted.
    pub fn ids(&self, query: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .documents(query)
            .into_iter()
            .map(|h| h.message_id.unwrap_or_default())
            .collect();
        v.sort();
        v
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Line {
    Hit(Box<Hit>),
    Context(Box<Hit>),
    Summary(Summary),
    Facet(Facet),
    Histogram(Histogram),
    Pair(Pair),
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Facet {
    pub name: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct FacetValue {
    pub value: String,
    /// The best display name of the value's person, when known.
    pub name: Option<String>,
    pub count: u64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Histogram {
    pub unit: String,
    pub time_zone: String,
    pub buckets: Vec<HistogramBucket>,
    pub undated: u64,
    pub file_dated: u64,
    pub file_dates_counted: bool,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct HistogramBucket {
    pub period: String,
    pub start: Option<String>,
    pub count: u64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub from: String,
    pub to: String,
    pub from_name: Option<String>,
    pub to_name: Option<String>,
    pub count: u64,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Every line of a `--json` run, parsed.
pub fn json_lines(stdout: &[u8]) -> Vec<Line> {
    String::from_utf8(stdout.to_vec())
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub address: String,
    pub name: Option<String>,
    /// The address as the source spelled it, when that differs from `address`.
    #[serde(default)]
    pub written: Option<String>,
}

/// Every field of a hit line; unknown fields fail the test, so the wire format stays documented.
#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub date: Option<String>,
    pub date_local: bool,
    pub file_date: Option<String>,
    pub tz_offset_minutes: Option<i64>,
    pub date_quality: String,
    pub date_raw: Option<String>,
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub message_id: Option<String>,
    pub path: String,
    pub offset: u64,
    pub length: u64,
    pub item: Option<u64>,
    pub sha256: String,
    pub format: String,
    pub attachments: Vec<String>,
    pub score: Option<f32>,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    pub parent: Option<String>,
    pub conversation: Option<String>,
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub custodian: Option<String>,
    pub date_source: String,
    pub charset: Option<String>,
    pub last_modified_by: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
    pub matched_in: Vec<PartRef>,
    pub copies: u32,
    pub ocr: bool,
    pub needs_ocr: bool,
    pub image: Option<ImageMeta>,
    pub gap_seconds: Option<i64>,
    pub context_of: Option<String>,
}

/// A picture's metadata in a hit.
#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImageMeta {
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub taken: Option<String>,
    pub gps: Option<Gps>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Gps {
    pub lat: f64,
    pub lon: f64,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct PartRef {
    pub id: String,
    pub kind: String,
    pub name: String,
}

#[allow(dead_code)]
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub query: String,
    pub total_hits: usize,
    pub shown: usize,
    pub elapsed_ms: f64,
}

/// Sorted owned strings, for comparing ID sets.
pub fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Sets the modification time of every file under `dir` to `t`.
pub fn set_mtimes(dir: &Path, t: std::time::SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            set_mtimes(&path, t);
        } else {
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(t).unwrap();
        }
    }
}

/// Copies the directory tree `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
