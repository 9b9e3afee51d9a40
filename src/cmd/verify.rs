//! `trawl verify [QUERY]`: reads the sources of the matching documents (all by default) back from
//! the dump and compares them with the hashes recorded at indexing. Every document whose bytes
//! changed or whose source is gone is listed; the counts end the output. A journalist runs it
//! before publishing: exit 0 means every checked document is still exactly where the index says.

use std::io::{BufWriter, IsTerminal, Write};

use serde::Serialize;
use tantivy::TantivyDocument;

use super::search::hit_from_doc;
use super::show::{carrier_format, source_of};
use super::{Exit, Globals};
use crate::cli::VerifyArgs;
use crate::index::reader::{self, Opened};
use crate::output::json::{self, Hit};
use crate::output::sanitize::for_terminal;
use crate::source::{Check, Reader};

/// Members of the archive being verified kept in memory, so its members cost one pass over it.
const VERIFY_CACHE_BYTES: u64 = 512 << 20;

/// What re-reading one document's source found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Same bytes as at indexing.
    Same,
    /// The bytes are there but hash differently.
    Changed,
    /// The file, the archive member or the part is gone, or cannot be read.
    Missing,
    /// The format cannot give this document's bytes on their own (see `show --raw`).
    Unverifiable,
}

/// One document that did not verify, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Problem {
    pub id: String,
    pub status: Status,
    pub path: String,
    pub detail: String,
}

/// The counts `verify` ends with.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub checked: u64,
    pub same: u64,
    pub changed: u64,
    pub missing: u64,
    pub unverifiable: u64,
}

pub fn run(g: &Globals, args: VerifyArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let text = if args.query.is_empty() {
        "*".to_string()
    } else {
        args.query.join(" ")
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let passwords = crate::ingest::archive::load_passwords_arg(args.passwords.as_deref())?;
    let counts = verify(&opened, &text, g.tz()?, g.file_dates, &passwords, |p| {
        if args.json {
            json::write_line(&mut out, "problem", p)
        } else {
            writeln!(
                out,
                "{:<12} {}  {}: {}",
                serde_json::to_value(p.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                p.id,
                for_terminal(&p.path),
                for_terminal(&p.detail)
            )
        }
    })?;
    if args.json {
        json::write_line(&mut out, "summary", &counts)?;
    }
    out.flush()?;
    eprintln!(
        "trawl: verified {} documents: {} same, {} changed, {} missing, {} cannot be checked on \
         their own",
        counts.checked, counts.same, counts.changed, counts.missing, counts.unverifiable
    );
    Ok(if counts.changed + counts.missing > 0 {
        Exit::NoMatch
    } else {
        Exit::Success
    })
}

/// Checks every document matching `query`, in path order (so an archive is opened once for all
/// its members); calls `problem` for each one that is not the same. Returns the counts.
pub fn verify(
    opened: &Opened,
    query: &str,
    tz: chrono_tz::Tz,
    file_dates: bool,
    passwords: &[String],
    mut problem: impl FnMut(&Problem) -> std::io::Result<()>,
) -> anyhow::Result<Counts> {
    let searcher = opened.searcher();
    let addrs = super::export::matching(opened, &searcher, query, tz, file_dates)?;
    let mut hits: Vec<Hit> = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let d: TantivyDocument = searcher.doc(addr)?;
        hits.push(hit_from_doc(&d, &opened.fields));
    }
    hits.sort_by(|a, b| (&a.path, a.offset, a.item).cmp(&(&b.path, b.offset, b.item)));

    let progress = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(hits.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut reader = Reader::with_cache(VERIFY_CACHE_BYTES).with_passwords(passwords.to_vec());
    let mut counts = Counts::default();
    for h in &hits {
        counts.checked += 1;
        progress.inc(1);
        let carrier = carrier_format(opened, h)?;
        let (status, detail) = match reader.check(&source_of(h, &carrier)) {
            Ok(Check::Same(_)) => {
                counts.same += 1;
                continue;
            }
            Ok(Check::Changed { sha256, .. }) => {
                counts.changed += 1;
                (
                    Status::Changed,
                    format!("SHA-256 {} at indexing, {sha256} now", h.sha256),
                )
            }
            Err(e) if e.is_refusal() => {
                counts.unverifiable += 1;
                (Status::Unverifiable, e.to_string())
            }
            Err(e) => {
                counts.missing += 1;
                (Status::Missing, e.to_string())
            }
        };
        problem(&Problem {
            id: h.id.clone(),
            status,
            path: h.path.clone(),
            detail,
        })?;
    }
    progress.finish_and_clear();
    Ok(counts)
}
