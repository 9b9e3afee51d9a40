//! `trawl index DUMP`: turns the flags into an [`IndexConfig`], runs the pipeline
//! ([`crate::pipeline`]) and prints the summary on stderr.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use super::Exit;
use crate::cli::IndexArgs;
use crate::index::meta;
use crate::pipeline::{index_dump, IndexConfig, Report};
use crate::sandbox;

pub fn run(index_dir: &Path, args: IndexArgs) -> anyhow::Result<Exit> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let mut config = IndexConfig::new(&args.dump, index_dir);
    config.threads = threads;
    config.memory_mib = args.memory;
    config.follow_symlinks = args.follow_symlinks;
    config.names = args.names;
    config.passwords = args.passwords;
    config.force = args.force;
    config.custodian_depth = args.custodian_depth;
    config.custodian_map = args.custodians;
    config.commit_every = Duration::from_secs_f64(args.commit_every.max(0.0));
    config.max_file_bytes = args.max_file_size.saturating_mul(1 << 20);
    config.progress = !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
    config.ocr = match (args.ocr, args.ocr_lang) {
        (_, Some(lang)) => Some(lang),
        (true, None) => Some("eng".to_owned()),
        (false, None) => None,
    };
    config.ocr_timeout = Duration::from_secs_f64(args.parser_timeout.max(0.001));
    config.ocr_memory = args.parser_memory.saturating_mul(1 << 20);
    let mut sandbox = sandbox::Config::current_exe().context("locating the trawl binary")?;
    sandbox.timeout = Duration::from_secs_f64(args.parser_timeout.max(0.001));
    sandbox.memory_limit = args.parser_memory.saturating_mul(1 << 20);
    sandbox::configure(sandbox);
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    // A second Ctrl-C while we wind down falls through to the default and kills the process,
    // which is still safe: the last commit and its journal are on disk.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(Exit::Interrupted as i32);
        }
    });
    let report = index_dump(&config, &interrupted)?;
    // A warning, not a summary line: it prints with --quiet too.
    if let Some(why) = &report.ocr.unavailable {
        eprintln!(
            "trawl: warning: --ocr: {why}; images and scanned PDFs are indexed without their text"
        );
    }
    if !args.quiet {
        print_summary(&config, &report);
    }
    Ok(if report.interrupted {
        Exit::Interrupted
    } else {
        Exit::Success
    })
}

fn print_summary(config: &IndexConfig, r: &Report) {
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    if r.interrupted {
        eprintln!(
            "trawl: interrupted after {:.1}s; {} documents from {} files are committed to {}. \
             Run the same command again to resume",
            secs,
            r.messages,
            r.files_parsed,
            config.index_dir.display()
        );
        return;
    }
    if r.resumed {
        eprintln!("resumed an interrupted run: files its commits hold were not read again");
    }
    eprintln!(
        "indexed {} documents from {} of {} files ({:.1} MB) in {:.2}s: {:.0} documents/s, {:.1} MB/s",
        r.messages,
        r.files_parsed,
        r.files_seen,
        r.bytes as f64 / 1e6,
        secs,
        r.messages as f64 / secs,
        r.bytes as f64 / 1e6 / secs
    );
    if !r.by_format.is_empty() {
        let parts: Vec<String> = r
            .by_format
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!("files by format: {}", parts.join(", "));
    }
    // A store's items that failed are in the skip list, but a reader must see that they add up
    // to what the store says it holds.
    const MAX_STORE_LINES: usize = 20;
    for s in r.stores.iter().take(MAX_STORE_LINES) {
        let parts = match s.parts_failed {
            0 => String::new(),
            n => format!(" ({n} attachments not read)"),
        };
        eprintln!(
            "{} {}: {} items in its folders, {} read, {} failed{parts}",
            s.format,
            crate::output::sanitize::for_terminal(&s.path),
            s.expected,
            s.emitted,
            s.failed
        );
    }
    if r.stores.len() > MAX_STORE_LINES {
        eprintln!(
            "... and {} more mail stores (trawl report lists them)",
            r.stores.len() - MAX_STORE_LINES
        );
    }
    if let Some(why) = &r.redo {
        eprintln!("re-read {} files whether changed or not: {why}", r.redone);
    }
    if r.unchanged > 0 || r.deleted > 0 {
        eprintln!(
            "{} files unchanged since the last run, {} removed from the dump",
            r.unchanged, r.deleted
        );
    }
    let ocr = &r.ocr;
    if ocr.read > 0 || ocr.failed > 0 {
        eprintln!(
            "OCR read the text of {} images and scanned PDFs ({} failed: flag ocr-failed)",
            ocr.read, ocr.failed
        );
    }
    if ocr.needs_ocr > 0 {
        eprintln!(
            "{} images and scanned PDFs indexed without their text (needs-ocr): {}",
            ocr.needs_ocr,
            if ocr.on {
                // OCR ran: what it left are scanned PDFs, for want of pdftoppm.
                "install poppler's pdftoppm (apt-get install poppler-utils) to read scanned PDFs"
            } else {
                crate::ingest::ocr::hint(ocr.installed)
            }
        );
    }
    let by_reason = r.skipped_by_reason();
    if by_reason.is_empty() {
        eprintln!("skipped 0 files");
    } else {
        let parts: Vec<String> = by_reason.iter().map(|(k, v)| format!("{k} {v}")).collect();
        eprintln!(
            "skipped {} files ({}); list in {}",
            r.skipped.len(),
            parts.join(", "),
            config.index_dir.join(meta::SKIPPED_FILE).display()
        );
    }
}
