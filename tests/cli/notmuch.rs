//! trawl's counts against notmuch's on notmuch's own test corpora (issue #15): by default a
//! message counts once, its parts and its copies aside, as `notmuch count` counts messages; with
//! `--copies` every copy counts, as `notmuch count --output=files` counts files; with `--threads`
//! threads count, as `notmuch count --output=threads` counts them.
//!
//! The corpora are GPL-3 and not kept here: `tests/scripts/notmuch-corpora.sh` fetches them
//! into `target/notmuch-corpora/` (CI runs it). Without them, or without `notmuch`, the test
//! shows as ignored with the reason.

use std::path::Path;
use std::process::Command;

use crate::util::{copy_tree, TestIndex};

/// (trawl query, notmuch query): senders, recipients, dates, subjects, phrases, words, negation.
const QUERIES: &[(&str, &str)] = &[
    ("*", "*"),
    ("from:keith", "from:keith"),
    ("from:carl", "from:carl"),
    ("from:cworth@cworth.org", "from:cworth@cworth.org"),
    ("from:\"Jan Janak\"", "from:\"Jan Janak\""),
    ("to:notmuch@notmuchmail.org", "to:notmuch@notmuchmail.org"),
    (
        "to:linux-kernel@vger.kernel.org",
        "to:linux-kernel@vger.kernel.org",
    ),
    ("date:2009-11-17", "date:2009-11-17"),
    ("date:2009-11-18", "date:2009-11-18"),
    ("date:2009-11", "date:2009-11"),
    ("date:2009-11-17..2009-11-18", "date:2009-11-17..2009-11-18"),
    ("subject:notmuch", "subject:notmuch"),
    (
        "subject:\"Working with Maildir storage\"",
        "subject:\"Working with Maildir storage\"",
    ),
    ("\"thank you\"", "\"thank you\""),
    ("emacs", "emacs"),
    ("from:keith date:2009-11", "from:keith date:2009-11"),
    ("notmuch -from:carl", "notmuch -from:carl"),
];

fn notmuch_count(config: &Path, args: &[&str]) -> u64 {
    let out = Command::new("notmuch")
        .env("NOTMUCH_CONFIG", config)
        .arg("count")
        .args(args)
        .output()
        .expect("running notmuch");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn trawl_count(ix: &TestIndex, query: &str, flags: &[&str]) -> u64 {
    let mut args = vec!["search", "--count"];
    args.extend_from_slice(flags);
    args.extend(["--", query]);
    let out = ix.run(&args);
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
#[cfg_attr(
    not(trawl_notmuch),
    ignore = "needs notmuch and target/notmuch-corpora (tests/scripts/notmuch-corpora.sh) at build time"
)]
fn counts_equal_notmuchs_on_its_test_corpora() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/notmuch-corpora");
    let dump = tempfile::tempdir().unwrap();
    for corpus in ["default", "lkml"] {
        copy_tree(&corpora.join(corpus), &dump.path().join(corpus));
    }
    // trawl reads the dump before notmuch writes its database into it.
    let ix = TestIndex::of(dump.path());
    let config = dump.path().join("notmuch-config");
    std::fs::write(
        &config,
        format!(
            "[database]\npath={}\n[user]\nname=Test\nprimary_email=test@example.org\n\
             [new]\ntags=inbox\n[search]\nexclude_tags=\n",
            dump.path().display()
        ),
    )
    .unwrap();
    let out = Command::new("notmuch")
        .env("NOTMUCH_CONFIG", &config)
        .arg("new")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut differences = Vec::new();
    for (ours, theirs) in QUERIES {
        let messages = (
            trawl_count(&ix, ours, &[]),
            notmuch_count(&config, &["--", theirs]),
        );
        let files = (
            trawl_count(&ix, ours, &["--copies"]),
            notmuch_count(&config, &["--output=files", "--", theirs]),
        );
        let threads = (
            trawl_count(&ix, ours, &["--threads"]),
            notmuch_count(&config, &["--output=threads", "--", theirs]),
        );
        if messages.0 != messages.1 || files.0 != files.1 || threads.0 != threads.1 {
            differences.push(format!(
                "{ours}: messages {messages:?}, files {files:?}, threads {threads:?}"
            ));
        }
        assert!(
            messages.1 > 0,
            "{theirs} finds nothing in notmuch: a useless comparison"
        );
    }
    assert!(differences.is_empty(), "(trawl, notmuch): {differences:#?}");
}
