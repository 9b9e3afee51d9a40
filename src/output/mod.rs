//! Printers. Values that are printed derive `Serialize` (for `--json`) and are rendered as text
//! by [`text`]; anything that came out of a dump passes through [`sanitize`] before it reaches a
//! terminal.

pub mod csv;
pub mod fit;
pub mod json;
pub mod sanitize;
pub mod text;

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Decides colour: `always`/`never` as told; `auto` colours only a terminal stdout with `NO_COLOR`
/// unset or empty (https://no-color.org).
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// `path` relative to the current directory when it lies below it, for shorter lines.
/// Paths are compared as stored (see [`crate::source::encode_path`]).
pub fn display_path(path: &str) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let cwd = crate::source::encode_path(&cwd);
            let rest = path.strip_prefix(cwd.trim_end_matches('/'))?;
            let rest = rest.strip_prefix('/')?;
            (!rest.is_empty()).then(|| rest.to_owned())
        })
        .unwrap_or_else(|| path.to_owned())
}
