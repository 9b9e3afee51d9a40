//! Progress on stderr. Drawn only when stderr is a terminal; silent otherwise, so logs and CI
//! output stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A byte-based progress bar for indexing: bytes done of the dump's total, files, messages,
/// MB/s and ETA, in the decimal units of the summary. Until the dump's size is known (a count
/// beside the run), a spinner with what is done.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let target = if enabled {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {decimal_bytes} {decimal_bytes_per_sec} {msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    /// The dump's size, once counted: the bar gets its end and an ETA.
    pub fn set_total(&self, bytes: u64) {
        self.bar.set_length(bytes.max(self.bar.position()));
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {decimal_bytes}/{decimal_total_bytes} \
             {decimal_bytes_per_sec} ETA {eta} {msg}",
        ) {
            self.bar.set_style(style);
        }
    }

    /// A file unchanged since the last run: its bytes are done without reading.
    pub fn skipped(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// Records one more file of `bytes` bytes and the running totals.
    pub fn file_done(&self, bytes: u64, files: u64, messages: u64) {
        self.bar.inc(bytes);
        if files.is_multiple_of(64) {
            self.bar
                .set_message(format!("{files} files, {messages} messages"));
        }
    }

    pub fn set_message(&self, msg: String) {
        self.bar.set_message(msg);
    }

    /// Removes the bar so the summary prints on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    #[cfg(test)]
    fn state(&self) -> (u64, Option<u64>) {
        (self.bar.position(), self.bar.length())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The total is the dump's size from the start of the bar, not a sum that grows as files
    /// are found (which read about 99% with "ETA 0s" all along); unchanged files count as done.
    #[test]
    fn the_total_is_the_dumps_size_and_unchanged_files_count_as_done() {
        let p = Progress::new(false);
        assert_eq!(p.state(), (0, None));
        p.set_total(1_000);
        p.skipped(300);
        p.file_done(200, 1, 5);
        assert_eq!(p.state(), (500, Some(1_000)));
    }
}
