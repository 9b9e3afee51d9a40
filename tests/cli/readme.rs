//! The README's examples are real output (issue #16): every `$ trawl ...` line of README.md,
//! every `trawl ...` line of its command blocks that has no placeholder to fill in (`DUMP`),
//! and the quick start's commands run, in order, on a copy of `sample_corpus/` in a fresh
//! directory, as a reader following the README would run it from a clone, and what it prints
//! must be what the README shows beneath it.
//!
//! Shown output is compared line by line, stdout then stderr, as on a terminal 100 columns
//! wide (`COLUMNS=100`). In a shown line `...` stands for any text (timings, file dates); a
//! line that is only `...` for any number of lines. Document ids hash where the dump lies, so
//! a 16-digit hex id matches any other. A command shown without output need only succeed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One command of the README and the lines shown after it.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    shown: Vec<String>,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The quick start's first command, split at `&&`: the `trawl` commands in it (the build and
/// install before them is what gave the reader the binary the test already has).
fn quick_start(readme: &str) -> Vec<Example> {
    let section = &readme[readme.find("## Quick start").expect("a quick start")..];
    let block = section.split("```sh\n").nth(1).expect("a command block");
    let (n, first) = (
        readme[..readme.find(block).unwrap()].lines().count() + 1,
        block.lines().next().unwrap(),
    );
    first
        .split("&&")
        .map(str::trim)
        .filter(|c| c.starts_with("trawl "))
        .map(|c| Example {
            line: n,
            command: c.to_owned(),
            shown: Vec::new(),
        })
        .collect()
}

/// Every `$ ` line in a fenced block, with the lines after it up to the next `$ ` or the end
/// of the block.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut current: Option<Example> = None;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            out.extend(current.take());
            continue;
        }
        if !in_block {
            continue;
        }
        if !line.starts_with("$ ") && line.starts_with("trawl ") {
            // A synopsis line: run unless it has a placeholder (`DUMP`, `FILE`), and it must
            // succeed.
            out.extend(current.take());
            let command = line.split(" #").next().unwrap_or(line).trim();
            if !has_placeholder(command) {
                out.push(Example {
                    line: i + 1,
                    command: command.to_owned(),
                    shown: Vec::new(),
                });
            }
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            out.extend(current.take());
            current = Some(Example {
                line: i + 1,
                command: command.to_owned(),
                shown: Vec::new(),
            });
        } else if let Some(ex) = current.as_mut() {
            ex.shown.push(line.to_owned());
        }
    }
    out
}

/// Whether a synopsis line holds a placeholder to fill in: a word in capitals (`DUMP`,
/// `DUMP_DIR`, `FILE`).
fn has_placeholder(command: &str) -> bool {
    command.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// Copies `from` into `to`, keeping modification times (file dates are shown).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).unwrap();
            let mtime = entry.metadata().unwrap().modified().unwrap();
            std::fs::File::options()
                .write(true)
                .open(&dest)
                .unwrap()
                .set_modified(mtime)
                .unwrap();
        }
    }
}

/// 16-digit hex ids replaced by a placeholder.
fn mask_ids(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        let bounded = |j: usize| j >= bytes.len() || !bytes[j].is_ascii_alphanumeric();
        let starts = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if run == 16 && starts && bounded(i + 16) && bytes[i..i + 16].iter().any(u8::is_ascii_digit)
        {
            out.push_str("<id>");
            i += 16;
        } else {
            let c = line[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `actual` matches `shown`, where `...` in `shown` stands for any text.
fn line_matches(shown: &str, actual: &str) -> bool {
    let (shown, actual) = (mask_ids(shown.trim_end()), mask_ids(actual.trim_end()));
    let parts: Vec<&str> = shown.split("...").collect();
    if parts.len() == 1 {
        return shown == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `actual` lines match `shown` lines, a `...` line standing for any number of lines.
fn lines_match(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

fn workdir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("trawl-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&root.join("sample_corpus"), &dir.join("sample_corpus"));
    copy_tree(&root.join("examples"), &dir.join("examples"));
    std::fs::create_dir_all(dir.join("tests/fixtures")).unwrap();
    std::fs::copy(
        root.join("tests/fixtures/twitter-names.json"),
        dir.join("tests/fixtures/twitter-names.json"),
    )
    .unwrap();
    dir
}

#[test]
fn the_readme_shows_what_its_commands_print() {
    let readme = readme();
    let mut all = quick_start(&readme);
    assert!(!all.is_empty(), "the quick start runs no trawl command");
    let shown = examples(&readme);
    assert!(shown.len() >= 10, "{shown:?}");
    all.extend(shown);
    let dir = workdir();
    let bin = Path::new(env!("CARGO_BIN_EXE_trawl")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut updates = Vec::new();
    for ex in &all {
        let out = Command::new("sh")
            .args(["-c", &ex.command])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("COLUMNS", "100")
            .env("NO_COLOR", "1")
            .env_remove("TRAWL_INDEX")
            .env_remove("TRAWL_TZ")
            .env_remove("TRAWL_ALIASES")
            .env_remove("TERM")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let actual: Vec<&str> = text.lines().collect();
        // A command shown without output need only succeed (the quick start's, an index run
        // whose summary the README does not repeat).
        let fails = if ex.shown.is_empty() {
            !out.status.success()
        } else {
            !lines_match(&ex.shown, &actual)
        };
        if fails && !ex.shown.is_empty() {
            updates.push((
                ex.line,
                ex.shown.clone(),
                actual
                    .iter()
                    .map(|l| l.trim_end().to_owned())
                    .collect::<Vec<_>>(),
            ));
        }
        if fails {
            failures.push(format!(
                "README.md:{}: $ {}\n--- shown\n{}\n--- printed (exit {:?})\n{}",
                ex.line,
                ex.command,
                ex.shown.join("\n"),
                out.status.code(),
                text
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var_os("TRAWL_README_UPDATE").is_some() && !updates.is_empty() {
        update_readme(&updates);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// With `TRAWL_README_UPDATE=1`, the shown output of each failing example is replaced by what
/// was printed, keeping every shown line that still matches its printed line (and so its
/// `...`): review the diff before committing it.
fn update_readme(updates: &[(usize, Vec<String>, Vec<String>)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // From the bottom up, so earlier line numbers stay right.
    for (line, shown, actual) in updates.iter().rev() {
        let new: Vec<String> = actual
            .iter()
            .enumerate()
            .map(|(i, a)| match shown.get(i) {
                // A line that is only `...` stands for lines, not this one: not kept.
                Some(s) if s.trim() != "..." && line_matches(s, a) => s.clone(),
                _ => a.clone(),
            })
            .collect();
        lines.splice(*line..*line + shown.len(), new);
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn matching_rules() {
    assert!(line_matches("in ... at ...s", "in 0.05s at 3s"));
    assert!(!line_matches("in ...s", "in 0.05"));
    assert!(line_matches(
        "thread 6a78fcc94429bd43",
        "thread 0123456789abcdef"
    ));
    assert!(!line_matches("a b", "a c"));
    assert!(has_placeholder("trawl index DUMP"));
    assert!(has_placeholder("trawl bench index DUMP_DIR"));
    assert!(!has_placeholder("trawl search '*' --limit 0 --facet from"));
    let shown = ["a".to_string(), "...".into(), "d".into()];
    assert!(lines_match(&shown, &["a", "b", "c", "d"]));
    assert!(lines_match(&shown, &["a", "d"]));
    assert!(!lines_match(&shown, &["a", "b"]));
}
