//! The extraction sandbox against the real binary (`trawl __extract JOB`): each limit is hit by a
//! job that misbehaves on purpose (`sleep`, `alloc`, `panic`), and the `pdf` job answers what
//! the in-process reader answers (issue #12).

use std::time::{Duration, Instant};

use trawl::ingest::document::{self, DocFormat, ExtractError, Extracted};
use trawl::sandbox::{self, Config, SandboxError};

use crate::util::sample_corpus;

fn config(timeout: Duration, memory_limit: u64) -> Config {
    Config {
        enabled: true,
        program: env!("CARGO_BIN_EXE_trawl").into(),
        timeout,
        memory_limit,
    }
}

fn sample_pdf() -> Vec<u8> {
    std::fs::read(sample_corpus().join("documents/oppo-research-memo.pdf")).unwrap()
}

#[test]
fn a_job_past_the_timeout_is_killed() {
    let started = Instant::now();
    let err =
        sandbox::run(&config(Duration::from_secs(1), 512 << 20), "sleep", b"600").unwrap_err();
    assert!(matches!(err, SandboxError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn an_allocation_past_the_memory_limit_is_too_large() {
    let cfg = config(Duration::from_secs(60), 512 << 20);
    let started = Instant::now();
    let err = sandbox::run(&cfg, "alloc", (4u64 << 30).to_string().as_bytes()).unwrap_err();
    assert!(
        matches!(err, SandboxError::TooLarge { limit, .. } if limit == 512 << 20),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // Under the limit the same job runs (mimalloc and the binary fit in what is left).
    let out = sandbox::run(&cfg, "alloc", (128u64 << 20).to_string().as_bytes()).unwrap();
    assert_eq!(out, b"2\n");
}

#[test]
fn a_panic_is_a_crash_with_its_message() {
    let cfg = config(Duration::from_secs(60), 512 << 20);
    let err = sandbox::run(&cfg, "panic", b"bad xref at 1234").unwrap_err();
    match &err {
        SandboxError::Crash { detail, .. } => {
            assert!(detail.contains("bad xref at 1234"), "{detail}")
        }
        e => panic!("expected a crash, got {e}"),
    }
}

#[test]
fn an_unknown_job_is_a_crash() {
    let cfg = config(Duration::from_secs(60), 512 << 20);
    let err = sandbox::run(&cfg, "no-such-job", b"").unwrap_err();
    assert!(matches!(err, SandboxError::Crash { .. }), "{err}");
}

#[test]
fn pdf_in_the_child_is_pdf_in_process() {
    let pdf = sample_pdf();
    let cfg = config(Duration::from_secs(60), 1 << 30);
    let in_process = document::extract_in_process(&pdf, DocFormat::Pdf).unwrap();
    assert!(in_process.text.contains("offshore consulting retainer"));
    let in_child: Result<Extracted, ExtractError> = sandbox::run_json(&cfg, "pdf", &pdf).unwrap();
    assert_eq!(in_child.unwrap(), in_process);

    // A broken PDF gets the same answer too.
    let fake = b"%PDF-1.7\nthis is not really a PDF at all";
    let in_child: Result<Extracted, ExtractError> = sandbox::run_json(&cfg, "pdf", fake).unwrap();
    assert_eq!(in_child, document::extract_in_process(fake, DocFormat::Pdf));
    assert!(matches!(in_child, Err(ExtractError::Unextractable(_))));
}

/// The one test that sets the process-wide configuration: `document::extract` then sends PDFs
/// to the child, and only PDFs; with poppler installed, to `pdfinfo` and `pdftotext` first.
#[test]
fn extract_uses_the_child_once_configured() {
    let pdf = sample_pdf();
    let expected = document::extract(&pdf, DocFormat::Pdf).unwrap();
    let poppler = ["pdfinfo", "pdftotext"]
        .iter()
        .all(|tool| std::process::Command::new(tool).arg("-v").output().is_ok());
    // A program that cannot start proves the child is asked: without poppler, that is a
    // crash; with it, poppler has read the PDF and the child was never needed.
    sandbox::configure(Config {
        program: "/nonexistent/trawl".into(),
        ..config(Duration::from_secs(60), 1 << 30)
    });
    match document::extract(&pdf, DocFormat::Pdf) {
        Err(err) => {
            assert!(!poppler);
            assert!(matches!(err, ExtractError::Crash(_)), "{err}");
        }
        Ok(x) => {
            assert!(poppler);
            assert!(x.flags.contains(&document::FLAG_PDFTOTEXT), "{x:?}");
            assert!(
                x.text.contains("offshore consulting retainer"),
                "{}",
                x.text
            );
            // The same metadata as the built-in reader's.
            assert_eq!(
                (&x.title, &x.author, x.created, x.modified),
                (
                    &expected.title,
                    &expected.author,
                    expected.created,
                    expected.modified
                )
            );
        }
    }
    assert!(document::extract(b"plain text", DocFormat::Text).is_ok());

    sandbox::configure(config(Duration::from_secs(60), 1 << 30));
    let read = document::extract(&pdf, DocFormat::Pdf).unwrap();
    if !poppler {
        assert_eq!(read, expected);
    }
    sandbox::configure(Config::default());
}
