//! Build-time facts that decide which tests can run here, so that a test whose input or rights
//! are missing shows as ignored, with its reason, rather than as passed:
//! - `trawl_corpora`: `../shared/corpora` (real third-party corpora, not in the repository) is
//!   present beside the project;
//! - `trawl_root`: the build runs as root, which the read-only bind-mount test needs;
//! - `trawl_notmuch`: `notmuch` runs and its test corpora are in `target/notmuch-corpora`
//!   (fetched by `tests/scripts/notmuch-corpora.sh`), for the count comparison.
//! - `trawl_graphviz`: Graphviz's `dot` runs, to check that `trawl graph --format dot` parses.
//! - `trawl_pty`: util-linux's `script` runs, which gives a command a pseudo-terminal for the
//!   tests of what trawl prints on a terminal.
//! - `trawl_tesseract`: the `tesseract` command with English data and poppler's `pdftoppm` are
//!   on PATH, which the OCR tests need (installed later, they are seen after
//!   `cargo clean -p trawl`, as with the corpora).

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(trawl_corpora)");
    println!("cargo::rustc-check-cfg=cfg(trawl_root)");
    println!("cargo::rustc-check-cfg=cfg(trawl_notmuch)");
    println!("cargo::rustc-check-cfg=cfg(trawl_tesseract)");
    println!("cargo::rustc-check-cfg=cfg(trawl_graphviz)");
    println!("cargo::rustc-check-cfg=cfg(trawl_pty)");
    println!("cargo::rerun-if-env-changed=PATH");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let corpora = Path::new(&manifest).join("../shared/corpora");
    // Not the folder beside the project: cargo scans a watched folder recursively, and that one
    // holds the build's own output, which would rerun this script (and rebuild the crate) on
    // every build. A shared/ that appears later is seen after `cargo clean -p trawl`.
    println!("cargo::rerun-if-changed=build.rs");
    if corpora.is_dir() {
        println!("cargo::rerun-if-changed={}", corpora.display());
        println!("cargo::rustc-cfg=trawl_corpora");
    }
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if root {
        println!("cargo::rustc-cfg=trawl_root");
    }
    let notmuch_corpora = Path::new(&manifest).join("target/notmuch-corpora/default");
    println!("cargo::rerun-if-changed={}", notmuch_corpora.display());
    let notmuch = std::process::Command::new("notmuch")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if notmuch && notmuch_corpora.is_dir() {
        println!("cargo::rustc-cfg=trawl_notmuch");
    }
    let graphviz = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if graphviz {
        println!("cargo::rustc-cfg=trawl_graphviz");
    }
    let script = std::process::Command::new("script")
        .args(["-qec", "true", "/dev/null"])
        .output()
        .is_ok_and(|o| o.status.success());
    if script {
        println!("cargo::rustc-cfg=trawl_pty");
    }
    if ocr_tools() {
        println!("cargo::rustc-cfg=trawl_tesseract");
    }
}

/// Whether `tesseract --list-langs` names `eng` and `pdftoppm` runs.
fn ocr_tools() -> bool {
    let run = |program: &str, arg: &str| {
        std::process::Command::new(program)
            .arg(arg)
            .output()
            .ok()
            .filter(|o| o.status.success())
    };
    let english = run("tesseract", "--list-langs").is_some_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.trim() == "eng")
    });
    english && run("pdftoppm", "-v").is_some()
}
