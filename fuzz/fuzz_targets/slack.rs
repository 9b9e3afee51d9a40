//! Slack export day files: `chat::slack::parse_day` against the workspace of the sample export
//! (users and channels, loaded once with `Workspace::load`). The first byte picks the channel
//! directory name: a public channel, a channel by id, a DM, or one the workspace does not know.
#![no_main]

#[path = "sources.rs"]
mod sources;

use std::path::Path;
use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use trawl::ingest::chat::{slack, ChatSource};

static WORKSPACE: LazyLock<slack::Workspace> = LazyLock::new(|| {
    slack::Workspace::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sample_corpus/chat/slack-export"
    )))
});

const CHANNELS: [&str; 4] = ["general", "C02COMMS", "D01DANASAM", "unknown-channel"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let src = ChatSource {
        path: "general/2016-10-03.json",
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        stated: None,
    };
    let channel = CHANNELS[first as usize % CHANNELS.len()];
    if let Ok(docs) = slack::parse_day(rest, channel, &WORKSPACE, &src) {
        sources::check(rest, &docs);
    }
});
