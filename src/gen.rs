//! A deterministic corpus generator for benchmarks: scales a real mail corpus (the Enron half)
//! to any number of messages with realistic text, so large-scale runs do not index synthetic
//! gibberish (whose term statistics would flatter any engine).
//!
//! Each generated message takes a sender from one source message, recipients shuffled from the
//! pool of all source recipients (as many as another source message had), a subject from a
//! third, a date from a fourth shifted by whole days within the source span, and a body whose
//! paragraphs are drawn from two or three source bodies. Message-IDs are new and unique. The same
//! source, count and seed always give byte-identical output.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

/// What the generator draws from.
#[derive(Debug, Default)]
pub struct Pool {
    senders: Vec<String>,
    recipients: Vec<String>,
    recipient_counts: Vec<usize>,
    subjects: Vec<String>,
    dates: Vec<DateTime<Utc>>,
    paragraphs: Vec<Vec<String>>,
}

impl Pool {
    /// Reads every message under `src`, in any format trawl indexes, in sorted path order (so
    /// the pool is the same on every machine).
    pub fn load(src: &Path) -> anyhow::Result<Pool> {
        let walked = crate::ingest::walk::walk(src, false, None);
        let mut pool = Pool::default();
        let ctx = crate::ingest::Context::new(Utc::now());
        for f in &walked.files {
            let _ = crate::ingest::ingest_path(f, &ctx, None, |doc| {
                if doc.kind == crate::doc::Kind::Email {
                    pool.add(doc)
                }
            });
        }
        if pool.senders.is_empty() || pool.paragraphs.is_empty() || pool.dates.is_empty() {
            anyhow::bail!("no usable messages under {}", src.display());
        }
        if pool.recipients.is_empty() {
            pool.recipients = pool.senders.clone();
        }
        Ok(pool)
    }

    fn add(&mut self, doc: crate::doc::Doc) {
        let Some(from) = doc.from.as_ref().filter(|m| !m.address.is_empty()) else {
            return;
        };
        self.senders.push(from.address.clone());
        let rcpts: Vec<String> = doc
            .to
            .iter()
            .chain(&doc.cc)
            .map(|m| m.address.clone())
            .filter(|a| !a.is_empty())
            .collect();
        self.recipient_counts.push(rcpts.len().clamp(1, 50));
        self.recipients.extend(rcpts);
        self.subjects.push(doc.subject.replace(['\r', '\n'], " "));
        if let Some(d) = doc.date {
            self.dates.push(d);
        }
        let paras: Vec<String> = doc
            .body
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .take(40)
            .collect();
        if !paras.is_empty() {
            self.paragraphs.push(paras);
        }
    }

    pub fn len(&self) -> usize {
        self.senders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.senders.is_empty()
    }
}

/// SplitMix64: tiny, fast, and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One file per message in maildir folders of 1,000 (`maildir/NNNN/cur/...`).
    Maildir,
    /// mbox files of `per_file` messages each (`mbox/NNNN.mbox`).
    Mbox { per_file: usize },
}

/// Generated message number `i` with generator state `rng`.
fn message(pool: &Pool, rng: &mut Rng, i: u64, seed: u64) -> (DateTime<Utc>, String) {
    let from = rng.pick(&pool.senders).clone();
    let n = *rng.pick(&pool.recipient_counts);
    let mut to: Vec<&str> = (0..n)
        .map(|_| rng.pick(&pool.recipients).as_str())
        .collect();
    to.sort_unstable();
    to.dedup();
    let subject = rng.pick(&pool.subjects).clone();
    let base = *rng.pick(&pool.dates);
    let date = base
        + Duration::days(rng.below(1461) as i64 - 730)
        + Duration::seconds(rng.below(86_400) as i64);
    let mut body = String::new();
    for _ in 0..2 + rng.below(2) {
        let paras = rng.pick(&pool.paragraphs);
        let start = rng.below(paras.len());
        for p in paras.iter().skip(start).take(1 + rng.below(3)) {
            body.push_str(p);
            body.push_str("\n\n");
        }
    }
    let mut m = String::with_capacity(body.len() + 512);
    let _ = write!(
        m,
        "Message-ID: <gen.{seed}.{i}@corpus.example.com>\nDate: {}\nFrom: {from}\nTo: {}\nSubject: {subject}\nMime-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}",
        date.to_rfc2822(),
        to.join(", "),
    );
    (date, m)
}

/// Writes `count` messages generated from `pool` with `seed` under `out`. Returns the bytes written.
pub fn generate(
    pool: &Pool,
    out: &Path,
    count: u64,
    seed: u64,
    layout: Layout,
) -> anyhow::Result<u64> {
    let mut rng = Rng(seed);
    let mut bytes = 0u64;
    let mut mbox: Option<std::io::BufWriter<std::fs::File>> = None;
    for i in 0..count {
        let (date, text) = message(pool, &mut rng, i, seed);
        match layout {
            Layout::Maildir => {
                let dir = out
                    .join("maildir")
                    .join(format!("{:04}", i / 1000))
                    .join("cur");
                if i % 1000 == 0 {
                    for sub in ["cur", "new", "tmp"] {
                        std::fs::create_dir_all(dir.with_file_name(sub))?;
                    }
                }
                let path: PathBuf = dir.join(format!("{}.{i}.gen:2,S", date.timestamp()));
                std::fs::write(&path, &text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Layout::Mbox { per_file } => {
                let per_file = per_file.max(1) as u64;
                if i % per_file == 0 {
                    if let Some(mut w) = mbox.take() {
                        w.flush()?;
                    }
                    std::fs::create_dir_all(out.join("mbox"))?;
                    let path = out.join("mbox").join(format!("{:04}.mbox", i / per_file));
                    mbox = Some(std::io::BufWriter::new(
                        std::fs::File::create(&path)
                            .with_context(|| format!("writing {}", path.display()))?,
                    ));
                }
                if let Some(w) = mbox.as_mut() {
                    writeln!(
                        w,
                        "From generator@corpus.example.com {}",
                        date.format("%a %b %e %H:%M:%S %Y")
                    )?;
                    // mboxrd: escape body lines that would read as separators.
                    for line in text.lines() {
                        let quotes = line.bytes().take_while(|&b| b == b'>').count();
                        if line[quotes..].starts_with("From ") {
                            w.write_all(b">")?;
                        }
                        w.write_all(line.as_bytes())?;
                        w.write_all(b"\n")?;
                    }
                    w.write_all(b"\n")?;
                }
            }
        }
        bytes += text.len() as u64;
    }
    if let Some(mut w) = mbox.take() {
        w.flush()?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Pool {
        Pool::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus")).unwrap()
    }

    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let pool = pool();
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        generate(&pool, a.path(), 1500, 7, Layout::Maildir).unwrap();
        generate(&pool, b.path(), 1500, 7, Layout::Maildir).unwrap();
        generate(&pool, c.path(), 1500, 8, Layout::Maildir).unwrap();
        let fa = files(a.path());
        assert_eq!(fa.len(), 1500);
        assert_eq!(fa, files(b.path()));
        assert_ne!(fa, files(c.path()));
    }

    #[test]
    fn mbox_layout_splits_and_escapes() {
        let pool = pool();
        let dir = tempfile::tempdir().unwrap();
        generate(&pool, dir.path(), 250, 1, Layout::Mbox { per_file: 100 }).unwrap();
        let f = files(dir.path());
        assert_eq!(f.len(), 3);
        let total: usize = f
            .iter()
            .map(|(_, b)| crate::ingest::mbox::split(b).len())
            .sum();
        assert_eq!(total, 250);
    }
}
