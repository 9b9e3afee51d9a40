//! `trawl report`: every file the index has seen and what became of it (indexed as which
//! format, how many documents, or skipped and why, archive members included), with counts by
//! format and by reason. Users of the heavy tools keep asking "which files failed and why".

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};

use serde::Serialize;

use super::{Exit, Globals};
use crate::cli::ReportArgs;
use crate::index::meta::{self, FileRecord, SkippedFile};
use crate::index::reader;
use crate::output::json;
use crate::output::sanitize::for_terminal;

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct FileLine {
    pub path: String,
    /// `indexed` or `skipped`.
    pub outcome: &'static str,
    pub format: Option<String>,
    pub docs: u64,
    /// How many items the file holds by its own account (a zip's entries, a chat export's
    /// JSON items), when its format says.
    pub stated: Option<u64>,
    /// Of the items stated, how many were read into documents (a PST's messages), when the
    /// format counts them apart from their attachments.
    pub read: Option<u64>,
    /// Its items (archive members, mbox messages) that could not be indexed, each listed
    /// under its own path (`x.zip!/member`, `box.mbox#OFFSET`). For a store (`read` set), its
    /// items that failed (`stated - read`) plus the attachments of items read that failed
    /// (`store.pst#ITEM`).
    pub failed: u64,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

/// The closing counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReportSummary {
    pub files: u64,
    pub indexed: u64,
    pub skipped: u64,
    pub documents: u64,
    pub by_format: BTreeMap<String, u64>,
    pub by_reason: BTreeMap<String, u64>,
    /// Files and members of types trawl does not index (`not-indexed-type`), by MIME type.
    pub by_type: BTreeMap<String, u64>,
}

pub fn run(g: &Globals, args: ReportArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let (lines, summary) = build(&opened.dir)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for l in lines
        .iter()
        .filter(|l| !args.skipped || l.outcome == "skipped")
    {
        if args.json {
            json::write_line(&mut out, "file", l)?;
        } else {
            let what = match (&l.format, &l.reason) {
                (Some(f), None) => {
                    let (stated, failed) = match (l.stated, l.read) {
                        // A store: its items add up, read or failed; the other failures are
                        // parts of items read (attachments).
                        (Some(n), Some(r)) => {
                            let items = n.saturating_sub(r);
                            let parts = match l.failed.saturating_sub(items) {
                                0 => String::new(),
                                p => format!("; {p} attachments not read"),
                            };
                            (
                                format!("; holds {n}: {r} read, {items} failed{parts}"),
                                String::new(),
                            )
                        }
                        (stated, _) => (
                            stated.map(|n| format!("; holds {n}")).unwrap_or_default(),
                            match l.failed {
                                0 => String::new(),
                                n => format!(", {n} failed"),
                            },
                        ),
                    };
                    format!("{f} ({} docs{stated}{failed})", l.docs)
                }
                (_, Some(r)) => r.clone(),
                _ => String::new(),
            };
            writeln!(
                out,
                "{:<8} {:<24} {}",
                l.outcome,
                what,
                for_terminal(&l.path)
            )?;
        }
    }
    if args.json {
        json::write_line(&mut out, "summary", &summary)?;
    } else {
        writeln!(
            out,
            "\n{} files: {} indexed ({} documents), {} skipped",
            summary.files, summary.indexed, summary.documents, summary.skipped
        )?;
        let fmt = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "by format: {}", fmt(&summary.by_format))?;
        if !summary.by_reason.is_empty() {
            writeln!(out, "skipped by reason: {}", fmt(&summary.by_reason))?;
        }
        if !summary.by_type.is_empty() {
            writeln!(out, "not indexed, by type: {}", fmt(&summary.by_type))?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// Every file of `files.jsonl` and every archive member of `skipped.jsonl`, sorted by path.
pub fn build(dir: &std::path::Path) -> anyhow::Result<(Vec<FileLine>, ReportSummary)> {
    let files: Vec<FileRecord> = meta::read_files(dir)?.unwrap_or_default();
    let skips: BTreeMap<String, SkippedFile> = meta::read_skipped(dir)?
        .into_iter()
        .map(|s| (s.path.clone(), s))
        .collect();
    let mut lines: Vec<FileLine> = files
        .iter()
        .map(|f| {
            let skip = skips.get(&f.path);
            FileLine {
                path: f.path.clone(),
                outcome: if f.skipped.is_some() {
                    "skipped"
                } else {
                    "indexed"
                },
                format: f.format.clone(),
                docs: f.docs,
                stated: f.stated,
                read: f.read,
                failed: f.failed,
                reason: f.skipped.clone(),
                detail: skip.map(|s| s.detail.clone()),
            }
        })
        .collect();
    let known: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for s in skips.values().filter(|s| !known.contains(s.path.as_str())) {
        lines.push(FileLine {
            path: s.path.clone(),
            outcome: "skipped",
            format: None,
            docs: 0,
            stated: None,
            read: None,
            failed: 0,
            reason: Some(s.reason.clone()),
            detail: Some(s.detail.clone()),
        });
    }
    lines.sort_by(|a, b| a.path.cmp(&b.path));
    let mut summary = ReportSummary::default();
    for l in &lines {
        summary.files += 1;
        summary.documents += l.docs;
        match &l.reason {
            Some(r) => {
                summary.skipped += 1;
                *summary.by_reason.entry(r.clone()).or_insert(0) += 1;
                if r == "not-indexed-type" {
                    let mime = crate::ingest::filetype::mime_of(l.detail.as_deref().unwrap_or(""));
                    *summary.by_type.entry(mime.to_owned()).or_insert(0) += 1;
                }
            }
            None => {
                summary.indexed += 1;
                *summary
                    .by_format
                    .entry(l.format.clone().unwrap_or_default())
                    .or_insert(0) += 1;
            }
        }
    }
    Ok((lines, summary))
}
