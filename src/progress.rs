//! Progress on stderr. Drawn only when stderr is a terminal; silent otherwise, so logs and CI
//! output stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A byte-based progress bar for indexing: files, messages, MB/s and ETA.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(total_bytes: u64, enabled: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(
            Some(total_bytes),
            if enabled {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    /// Grows the total as the walk finds more to read.
    pub fn add_total(&self, bytes: u64) {
        self.bar.inc_length(bytes);
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
}
