//! Build-time facts that decide which tests can run here, so that a test whose input or rights
//! are missing shows as ignored, with its reason, rather than as passed:
//! - `trawl_corpora`: `../shared/corpora` (real third-party corpora, not in the repository) is
//!   present beside the project;
//! - `trawl_root`: the build runs as root, which the read-only bind-mount test needs.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(trawl_corpora)");
    println!("cargo::rustc-check-cfg=cfg(trawl_root)");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let beside = Path::new(&manifest).join("..");
    // The folder beside the project changes when shared/ appears or goes.
    println!("cargo::rerun-if-changed={}", beside.display());
    println!("cargo::rerun-if-changed=build.rs");
    if beside.join("shared/corpora").is_dir() {
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
}
