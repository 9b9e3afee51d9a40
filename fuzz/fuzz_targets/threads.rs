//! Threading (`index::threads`): lines of arbitrary bytes as the `threading` column values of
//! e-mails (Message-ID, In-Reply-To, References and subject, `\x1f`-separated), with colliding
//! ids and dates: cycles, self-references, copies, deep chains and odd subjects must thread
//! without a panic, and every message must land in a thread.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trawl::index::threads;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rows: Vec<(u64, Option<i64>, String)> = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let date = (line.len() % 7 != 0).then_some((line.len() % 13) as i64);
            (i as u64 + 1, date, line.replace('|', "\x1f"))
        })
        .collect();
    let ids: std::collections::HashSet<u64> = rows.iter().map(|r| r.0).collect();
    let t = threads::from_columns(rows);
    for id in ids {
        let e = t.entry(id).expect("every message is in a thread");
        assert!(t.members(e.thread).contains(&id));
    }
});
