//! Containing a panic to the input that caused it.
//!
//! Parsers read hostile bytes. Ours are written not to panic, and the third-party ones we call
//! in process (mail-parser, quick-xml, zip, tar) are fuzzed, but a panic on one file of a
//! million must cost that file, not the run: [`catch`] turns it into an error carrying the
//! panic's message and location, which the pipeline records as the file's `parser-crash` skip.
//! While a `catch` runs, the process's panic hook stays silent on that thread (the message is
//! reported once, in the run's summary and `skipped.jsonl`, instead of as a backtrace notice
//! in the middle of the progress bar); elsewhere it defers to the hook that was installed
//! before.
//!
//! A panic that is not an unwind (an abort, a stack overflow) cannot be caught in process: the
//! parsers that are most exposed to that run in a child process (`crate::sandbox`).

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls are running on this thread.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last caught panic on this thread happened (`file:line`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic inside it becomes `Err` with its first line and source location, for
/// example `overflow adding duration (at src/ingest/date.rs:205)`, and is not printed.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
        }
    }
    CATCHING.with(|c| c.set(c.get() + 1));
    let _leave = Leave;
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .map(|s| s.lines().next().unwrap_or("").chars().take(200).collect())
            .unwrap_or_else(|| "panic".to_owned());
        match LOCATION.with(|l| l.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// A fault to inject, for the tests of isolation and crash safety that need a parser that
/// panics or a process that dies at a chosen moment: the value of `TRAWL_FAULT`, read once per
/// process. `panic:NAME` panics while reading a file named NAME; `panic-on:MARKER` panics
/// while parsing any file, archive member or mbox message whose bytes contain MARKER;
/// `abort-after-commit` aborts the process right after the first periodic commit, before its
/// journal mark is written; `abort-before-records` right after the final commit, before
/// `files.jsonl` is replaced. Unset (always, outside tests), nothing happens.
pub fn fault() -> Option<&'static str> {
    static FAULT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    FAULT
        .get_or_init(|| std::env::var("TRAWL_FAULT").ok())
        .as_deref()
}

/// The `panic-on:MARKER` fault: panics, as a parser bug would, when `bytes` hold the marker.
pub fn panic_on_marker(bytes: &[u8]) {
    if let Some(marker) = fault().and_then(|f| f.strip_prefix("panic-on:")) {
        if !marker.is_empty() && bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            panic!("injected fault (TRAWL_FAULT): the input holds {marker:?}");
        }
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_location() {
        let e = catch(|| -> u32 { panic!("bad input {}", 7) }).unwrap_err();
        assert!(e.starts_with("bad input 7 (at src/isolate.rs:"), "{e}");
        assert_eq!(catch(|| 5), Ok(5));
        // Nested: the inner catch takes the panic, the outer one goes on.
        let outer = catch(|| catch(|| panic!("inner")).unwrap_err());
        assert!(outer.unwrap().starts_with("inner"));
    }

    #[test]
    fn a_panic_of_a_library_is_caught_too() {
        let v: Vec<u8> = Vec::new();
        let e = catch(|| v[3]).unwrap_err();
        assert!(e.contains("index out of bounds"), "{e}");
    }
}
