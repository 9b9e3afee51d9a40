//! OCR: the text of images and of scanned PDF pages, read by the `tesseract` command line.
//!
//! Tesseract is optional at run time. `trawl index --ocr` looks for it once per run
//! ([`Ocr::detect`]); when it is found, the image reader ([`super::image`]) and the PDF reader
//! (for a PDF without a text layer) hand it their pixels, and the documents they make are
//! flagged [`FLAG_OCR`]. Without `--ocr`, or without Tesseract, those documents are indexed
//! with their metadata and flagged [`FLAG_NEEDS_OCR`]; the run's summary counts them once and
//! says how to get the text ([`hint`]), rather than warning once per file.
//!
//! Tesseract is a C++ program reading hostile pixels, so it runs as a child process under the
//! same limits as every parser we cannot bound ourselves ([`crate::sandbox::run_command`]):
//! the parser time limit per image or page, the parser memory limit, and a cap on its output.
//! The image goes in on stdin and the text comes back on stdout: no name from the dump ever
//! reaches its command line (Tesseract also reads URLs and list files given as names).
//! `OMP_THREAD_LIMIT=1` keeps it on one core: the parse pool already runs one file per core.
//!
//! A PDF page without a text layer is first rendered to a grey PNG at [`PDF_DPI`] by poppler's
//! `pdftoppm`, in a temporary folder, then read like an image; at most [`MAX_PDF_PAGES`] pages
//! of one PDF are read.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use crate::doc::{FLAG_NEEDS_OCR, FLAG_OCR, FLAG_OCR_FAILED};
use crate::sandbox::{self, SandboxError};

/// Resolution PDF pages are rendered at for OCR: Tesseract reads body text best at about 300
/// dots per inch.
pub const PDF_DPI: u32 = 300;
/// Most pages of one PDF read by OCR; the document of a longer scan is flagged
/// [`FLAG_OCR_TRUNCATED`].
pub const MAX_PDF_PAGES: u32 = 200;
/// The flag of a scan longer than [`MAX_PDF_PAGES`] pages, read in part.
pub const FLAG_OCR_TRUNCATED: &str = "ocr-truncated";

/// The one line that tells how to get the text of `needs-ocr` files, for the summary.
pub fn hint(installed: bool) -> &'static str {
    if installed {
        "run the same command with --ocr to read their text with Tesseract (slow: about a \
         second per image or page)"
    } else {
        "install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng \
         poppler-utils) and run the same command with --ocr"
    }
}

/// OCR's settings for one run, with Tesseract found.
#[derive(Debug)]
pub struct Ocr {
    /// The `tesseract` executable.
    pub tesseract: PathBuf,
    /// Poppler's `pdftoppm`, when installed: without it, scanned PDFs stay `needs-ocr`.
    pub pdftoppm: Option<PathBuf>,
    /// Tesseract's `-l`: one language or several joined by `+` (`eng`, `deu+fra`).
    pub lang: String,
    /// Time one image or page may take.
    pub timeout: Duration,
    /// Address-space limit of each child process in bytes (0: none).
    pub memory_limit: u64,
    /// What this run's OCR did, for the summary.
    pub stats: Stats,
}

/// Counts of one run's OCR.
#[derive(Debug, Default)]
pub struct Stats {
    /// Images and PDFs whose text was read by OCR.
    pub read: AtomicU64,
    /// Images and PDFs whose OCR failed (a crash, the time limit).
    pub failed: AtomicU64,
}

/// Why OCR cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("Tesseract (the tesseract command) is not installed or not on PATH")]
    Missing,
    #[error(
        "Tesseract has no data for the language {lang:?} (installed: {installed}); \
         Debian/Ubuntu: apt-get install tesseract-ocr-{lang}"
    )]
    Language { lang: String, installed: String },
}

impl Ocr {
    /// Looks for `tesseract` on PATH and checks that it has every language of `lang` (`eng`,
    /// `deu+fra`); also looks for `pdftoppm`. Run once per indexing run.
    pub fn detect(lang: &str, timeout: Duration, memory_limit: u64) -> Result<Ocr, Unavailable> {
        let tesseract = which("tesseract").ok_or(Unavailable::Missing)?;
        let mut cmd = Command::new(&tesseract);
        cmd.arg("--list-langs");
        // Answered in well under a second; the limit only guards against a broken install.
        let listed = sandbox::run_command(cmd, "tesseract", b"", Duration::from_secs(30), 0)
            .map_err(|_| Unavailable::Missing)?;
        let listed = String::from_utf8_lossy(&listed);
        // The first line is "List of available languages in ...:", then one name a line.
        let installed: Vec<&str> = listed.lines().skip(1).map(str::trim).collect();
        for want in lang.split('+') {
            if !installed.contains(&want) {
                return Err(Unavailable::Language {
                    lang: want.to_owned(),
                    installed: installed.join(", "),
                });
            }
        }
        Ok(Ocr {
            tesseract,
            pdftoppm: which("pdftoppm"),
            lang: lang.to_owned(),
            timeout,
            memory_limit,
            stats: Stats::default(),
        })
    }

    /// The text Tesseract reads in `image` (any format Leptonica decodes: JPEG, PNG, TIFF, GIF,
    /// WebP, BMP, PNM), or why it could not.
    pub fn image_text(&self, image: &[u8]) -> Result<String, String> {
        let mut cmd = Command::new(&self.tesseract);
        cmd.args(["stdin", "stdout", "-l", &self.lang])
            .env("OMP_THREAD_LIMIT", "1");
        let out = sandbox::run_command(cmd, "ocr", image, self.timeout, self.memory_limit)
            .map_err(|e| describe(&e))?;
        Ok(clean(&String::from_utf8_lossy(&out)))
    }

    /// The text of every page of the PDF `pdf`, rendered by `pdftoppm` and read by Tesseract,
    /// pages separated by a blank line; and whether pages were left out past
    /// [`MAX_PDF_PAGES`]. Errs when `pdftoppm` is missing or fails, or when no page could be
    /// read.
    pub fn pdf_text(&self, pdf: &[u8]) -> Result<(String, bool), String> {
        let pdftoppm = self
            .pdftoppm
            .as_ref()
            .ok_or("pdftoppm (poppler-utils) is not installed")?;
        let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let input = dir.path().join("in.pdf");
        std::fs::write(&input, pdf).map_err(|e| format!("temporary file: {e}"))?;
        let mut cmd = Command::new(pdftoppm);
        cmd.arg("-r")
            .arg(PDF_DPI.to_string())
            .args(["-gray", "-png", "-l"])
            // One page past the cap tells a scan that is longer.
            .arg((MAX_PDF_PAGES + 1).to_string())
            .arg(&input)
            .arg(dir.path().join("page"));
        // The rendering of a whole scan may take the time of a few pages' OCR.
        let render_limit = self.timeout.saturating_mul(4);
        sandbox::run_command(cmd, "pdftoppm", b"", render_limit, self.memory_limit)
            .map_err(|e| describe(&e))?;
        let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .map_err(|e| format!("temporary folder: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .collect();
        // pdftoppm pads page numbers to one width (`page-001.png`): the names sort in order.
        pages.sort();
        let truncated = pages.len() > MAX_PDF_PAGES as usize;
        pages.truncate(MAX_PDF_PAGES as usize);
        if pages.is_empty() {
            return Err("pdftoppm rendered no page".to_owned());
        }
        let mut text = String::new();
        let mut failures = Vec::new();
        for page in &pages {
            let read = std::fs::read(page)
                .map_err(|e| e.to_string())
                .and_then(|png| self.image_text(&png));
            match read {
                Ok(t) => {
                    if !text.is_empty() && !t.is_empty() {
                        text.push_str("\n\n");
                    }
                    text.push_str(&t);
                }
                Err(e) => failures.push(e),
            }
        }
        if failures.len() == pages.len() {
            return Err(failures.swap_remove(0));
        }
        Ok((text, truncated))
    }
}

/// Tesseract's output without the form feed it ends each page with, and without trailing blanks.
fn clean(text: &str) -> String {
    text.replace('\u{c}', "\n").trim_end().to_owned()
}

fn describe(e: &SandboxError) -> String {
    e.to_string()
}

/// `name` found in a folder of PATH, as an executable file.
pub(crate) fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Counts one more document read (`Ok`) or failed (`Err`).
impl Stats {
    pub fn count(&self, ok: bool) {
        let n = if ok { &self.read } else { &self.failed };
        n.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tesseract_output_is_trimmed_of_page_breaks() {
        assert_eq!(clean("Hello\nworld\n\n\u{c}"), "Hello\nworld");
        assert_eq!(clean("a\u{c}b\n"), "a\nb");
    }

    #[test]
    fn the_hint_names_the_package_or_the_flag() {
        assert!(hint(false).contains("apt-get install tesseract-ocr"));
        assert!(hint(true).contains("--ocr"));
    }

    /// A Tesseract that hangs is killed at the time limit and the image reported as failed;
    /// `sh` stands in for it (the limit does not depend on what the child is).
    #[cfg(unix)]
    #[test]
    fn a_hung_ocr_is_stopped_at_the_time_limit() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("tesseract");
        std::fs::write(
            &program,
            "#!/bin/sh
exec sleep 600
",
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let ocr = Ocr {
            tesseract: program,
            pdftoppm: None,
            lang: "eng".into(),
            timeout: Duration::from_millis(300),
            memory_limit: 0,
            stats: Stats::default(),
        };
        let started = std::time::Instant::now();
        let err = ocr.image_text(b"\xff\xd8\xff").unwrap_err();
        assert!(err.contains("ran past the limit"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));
        let err = ocr.pdf_text(b"%PDF-1.4").unwrap_err();
        assert!(err.contains("pdftoppm"), "{err}");
    }

    /// Tesseract's own checks, when it is installed (skipped visibly otherwise).
    #[test]
    fn detects_tesseract_and_refuses_unknown_languages() {
        let Ok(ocr) = Ocr::detect("eng", Duration::from_secs(60), 0) else {
            eprintln!("SKIPPED: tesseract with eng is not installed");
            return;
        };
        assert!(ocr.tesseract.ends_with("tesseract"));
        let err = Ocr::detect("eng+zzz", Duration::from_secs(60), 0).unwrap_err();
        assert!(
            matches!(&err, Unavailable::Language { lang, .. } if lang == "zzz"),
            "{err}"
        );
        // Garbage is an error of the child, never a panic here.
        assert!(ocr.image_text(b"not an image at all").is_err());
    }
}
