//! `trawl __extract JOB` (hidden): the child side of [`crate::sandbox`]. It reads the input on
//! stdin (at most [`MAX_INPUT_BYTES`]), runs one job and writes the answer as JSON on stdout. The
//! parent sets its limits and reads the outcome from its exit status, stdout and stderr; a panic
//! is reported on one stderr line, which is what the parent quotes.
//!
//! Jobs: `pdf` answers `{"Ok": Extracted}` or `{"Err": ExtractError}` (the in-process PDF reader,
//! [`document::extract_in_process`]). `sleep`, `alloc` and `panic` misbehave on purpose, so that
//! tests can hold each limit of the sandbox against the real binary; they are harmless.

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::Context;

use super::Exit;
use crate::cli::{ExtractArgs, ExtractJob};
use crate::ingest::document::{self, DocFormat, ExtractError};

/// Most bytes read from stdin; a larger input is refused (the `pdf` job answers too-large).
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

pub fn run(args: ExtractArgs) -> anyhow::Result<Exit> {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("panic");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        eprintln!("trawl: panicked{at}: {message}");
    }));
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut input)
        .context("reading the input on stdin")?;
    let mut out = std::io::stdout().lock();
    run_job(args.job, &input, &mut out)?;
    out.flush().context("writing the answer on stdout")?;
    Ok(Exit::Success)
}

/// Runs `job` on `input` and writes its answer to `out`.
pub fn run_job(job: ExtractJob, input: &[u8], out: &mut impl Write) -> anyhow::Result<()> {
    match job {
        ExtractJob::Pdf => {
            let answer = if input.len() as u64 > MAX_INPUT_BYTES {
                Err(ExtractError::TooLarge(format!(
                    "PDF larger than {} MiB",
                    MAX_INPUT_BYTES >> 20
                )))
            } else {
                document::extract_in_process(input, DocFormat::Pdf)
            };
            serde_json::to_writer(&mut *out, &answer)?;
        }
        ExtractJob::Sleep => {
            let secs = number(input).unwrap_or(3600);
            std::thread::sleep(Duration::from_secs(secs));
        }
        ExtractJob::Alloc => {
            const PIECE: usize = 64 << 20;
            let want = number(input).context("alloc: a byte count on stdin")?;
            let mut held: Vec<Vec<u8>> = Vec::new();
            while (held.len() as u64) * (PIECE as u64) < want {
                // Filled with ones, so every page is touched, as a parser's data would be.
                held.push(std::hint::black_box(vec![1u8; PIECE]));
            }
            writeln!(out, "{}", held.len())?;
        }
        ExtractJob::Panic => panic!("{}", String::from_utf8_lossy(input)),
    }
    Ok(())
}

fn number(input: &[u8]) -> Option<u64> {
    std::str::from_utf8(input).ok()?.trim().parse().ok()
}
