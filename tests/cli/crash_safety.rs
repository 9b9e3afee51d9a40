//! Issue #12: never lose a run, never touch the dump. One bad file, a parser's panic, a kill
//! at any moment, Ctrl-C, a second run on the same index: each has a test here that failed on
//! the code before the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::util::{sample_corpus, trawl, TestIndex};

/// Every entry under `root`: its relative path, type, size, modification time and, for files,
/// a hash of the content. Equal before and after means the tree was not written.
fn fingerprint(root: &Path) -> BTreeMap<PathBuf, String> {
    use sha2::{Digest, Sha256};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let meta = std::fs::symlink_metadata(&dir).unwrap();
        out.insert(
            dir.strip_prefix(root).unwrap().to_path_buf(),
            format!("dir {:?}", meta.modified().unwrap()),
        );
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                let hash = Sha256::digest(std::fs::read(e.path()).unwrap());
                out.insert(
                    e.path().strip_prefix(root).unwrap().to_path_buf(),
                    format!("{} {:?} {:x}", meta.len(), meta.modified().unwrap(), hash),
                );
            }
        }
    }
    out
}

/// A generated dump of `n` one-message files.
fn generated(dir: &Path, n: u32) -> PathBuf {
    let dump = dir.join("gen");
    let out = trawl()
        .args(["bench", "corpus", "-n", &n.to_string()])
        .arg(sample_corpus())
        .arg(&dump)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dump
}

fn message(i: u32, date: &str) -> String {
    format!(
        "From: sender{i}@example.org\nTo: desk@example.org\nSubject: note {i}\n\
         Date: {date}\nMessage-ID: <{i}@example.org>\n\nbody of note {i}\n"
    )
}

/// Issue #12: a `Date:` whose offset carries the year past chrono's calendar panicked inside
/// the parse pool; the process exited 101 and the 49 good messages beside it were lost.
#[test]
fn issue_12_one_absurd_date_does_not_lose_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    for i in 0..49 {
        let m = message(i, "Mon, 3 Oct 2016 10:00:00 +0000");
        std::fs::write(dump.join(format!("{i:02}.eml")), m).unwrap();
    }
    let bad = message(49, "Fri, 31 Dec 262142 23:59:59 -1200");
    std::fs::write(dump.join("49.eml"), bad).unwrap();
    let ix = TestIndex::empty();
    ix.index(&dump);
    assert_eq!(ix.search("*", &[]).1.total_hits, 50);
    let (hits, _, _) = ix.search("subject:\"note 49\"", &[]);
    assert_eq!(hits.len(), 1);
    assert_ne!(hits[0].date_quality, "ok");
}

/// A parser that panics costs its file, recorded as `parser-crash` with the panic's message,
/// and nothing else: every other file is indexed, the documents the crashed file had emitted
/// before the panic are not, and the next run does not retry it until it changes.
#[test]
fn issue_12_a_parser_panic_is_recorded_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    crate::util::copy_tree(&sample_corpus(), &dump);
    // An mbox, so the panic strikes a file that holds several documents.
    let mbox = sample_corpus().join("mbox");
    let victim = std::fs::read_dir(&mbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with(".mbox"))
        .expect("an mbox in sample_corpus/mbox");
    let ix = TestIndex::empty();
    let stderr = ix.index_with(&dump, &[("TRAWL_FAULT", &format!("panic:{victim}"))]);
    assert!(stderr.contains("parser-crash 1"), "{stderr}");
    assert!(!stderr.contains("panicked at"), "no panic notice: {stderr}");
    let skipped = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap();
    let line = skipped
        .lines()
        .find(|l| l.contains(&victim))
        .expect("the crashed file is listed");
    assert!(line.contains("\"parser-crash\""), "{line}");
    assert!(line.contains("injected fault"), "{line}");
    // Everything else is there: the full index less the crashed mbox's documents.
    let full = TestIndex::of(&dump);
    let without: Vec<String> = full
        .exported()
        .into_iter()
        .filter(|l| !l.contains(&victim))
        .collect();
    assert!(without.len() < full.exported().len());
    assert_eq!(ix.exported(), without);
    // Unchanged, it is not read again; the index stays as it is.
    let again = ix.run(&["index", dump.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("parser-crash 1"), "{stderr}");
    assert_eq!(ix.exported(), without);
}

/// Issue #12: `trawl index DUMP --index DUMP/sub` refused, but created `DUMP/sub` first. Now
/// nothing inside the dump is created, however the index path is spelled.
#[test]
fn issue_12_a_refused_index_creates_nothing_in_the_dump() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    crate::util::copy_tree(&sample_corpus().join("eml"), &dump);
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dump, dir.path().join("link-to-dump")).unwrap();
    let before = fingerprint(&dump);
    let spellings = [
        dump.join("sub"),
        dump.join("a/b/c"),
        dump.join("new/../sub2"),
        dir.path().join("outside/../dump/sub3"),
        dir.path().join("link-to-dump/sub4"),
        dir.path().join("link-to-dump/x/../y"),
    ];
    for index in &spellings {
        let out = trawl()
            .arg("--index")
            .arg(index)
            .args(["index", dump.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", index.display());
        assert!(stderr.contains("inside the dump"), "{stderr}");
        assert_eq!(
            fingerprint(&dump),
            before,
            "{} wrote the dump",
            index.display()
        );
    }
}

/// Issue #12: the dump is never written, checked by the kernel. The dump is bind-mounted
/// read-only: indexing it works (any write would fail with EROFS), a refused index inside it
/// fails cleanly, and its fingerprint is unchanged. Needs root for the mount.
#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(
    not(trawl_root),
    ignore = "needs root to bind-mount the dump read-only"
)]
fn issue_12_a_dump_on_a_read_only_mount_indexes_and_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    crate::util::copy_tree(&sample_corpus(), &source);
    let ro = dir.path().join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    let mount = |args: &[&str]| Command::new("mount").args(args).output();
    let bound = mount(&["--bind", source.to_str().unwrap(), ro.to_str().unwrap()]).unwrap();
    assert!(
        bound.status.success(),
        "bind mount (as root): {}",
        String::from_utf8_lossy(&bound.stderr)
    );
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(ro.clone());
    let remount = mount(&["-o", "remount,ro,bind", ro.to_str().unwrap()]).unwrap();
    assert!(
        remount.status.success(),
        "{}",
        String::from_utf8_lossy(&remount.stderr)
    );
    assert!(
        std::fs::write(ro.join("probe"), "x").is_err(),
        "the mount must be read-only"
    );
    let before = fingerprint(&ro);
    let ix = TestIndex::empty();
    ix.index(&ro);
    assert_eq!(ix.exported().len(), TestIndex::of(&source).exported().len());
    let inside = trawl()
        .arg("--index")
        .arg(ro.join("sub"))
        .args(["index", ro.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&inside.stderr);
    assert_eq!(inside.status.code(), Some(2));
    assert!(stderr.contains("inside the dump"), "{stderr}");
    assert_eq!(fingerprint(&ro), before);
}

/// Issue #12: one run per index. While a run holds the lock, a second `trawl index` fails at
/// once naming the holder and changes nothing, and a search works on the last commit and says
/// on stderr that indexing is in progress.
#[test]
fn issue_12_a_second_run_fails_at_once_and_searches_say_indexing_is_in_progress() {
    let ix = TestIndex::sample();
    let before = fingerprint(&ix.path);
    // flock locks belong to an open file: held by this test process, the lock is held
    // against the child processes exactly as a running `trawl index` holds it.
    let held = trawl::index::lock::acquire(&ix.path).unwrap();
    let started = Instant::now();
    let out = ix.run(&["index", sample_corpus().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another trawl is indexing")
            && stderr.contains(&format!("process {}", std::process::id())),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20), "fails at once");
    let out = ix.run(&["search", "tax returns"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr.contains("indexing in progress"), "{stderr}");
    drop(held);
    let mut after = fingerprint(&ix.path);
    // Only the lock file's content (the holder we wrote) may differ.
    let lock = PathBuf::from(trawl::index::lock::LOCK_FILE);
    after.remove(&lock);
    let mut before = before;
    before.remove(&lock);
    after.remove(Path::new(""));
    before.remove(Path::new(""));
    assert_eq!(after, before);
    let out = ix.run(&["search", "tax returns"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("indexing in progress"));
}

/// Issue #12: two runs started together on one index. Before, the loser of the race deleted
/// the winner's `files.jsonl.tmp` and the winner failed after committing. Now one of them
/// takes the lock; the other fails at once or, if it starts after the first has finished,
/// finds everything unchanged. Either way the index is whole and complete.
#[test]
fn issue_12_two_runs_started_together_on_one_index() {
    let dir = tempfile::tempdir().unwrap();
    let dump = generated(dir.path(), 3000);
    for round in 0..3 {
        let ix = TestIndex::empty();
        let spawn = || -> Child {
            ix.cmd(&["index", "-q", dump.to_str().unwrap()])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let mut ok = 0;
        for o in &outs {
            let stderr = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => ok += 1,
                Some(2) => assert!(stderr.contains("another trawl is indexing"), "{stderr}"),
                other => panic!("round {round}: exit {other:?}: {stderr}"),
            }
        }
        assert!(ok >= 1, "round {round}: one run succeeds");
        assert!(ix.path.join("files.jsonl").is_file());
        assert!(!ix.path.join("files.journal").exists());
        assert_eq!(ix.search("*", &[]).1.total_hits, 3000, "round {round}");
    }
}

/// Issue #12: Ctrl-C threw the run's work away (one commit per run: 0 documents kept after
/// 6 s of a first run). Now it commits what is done, exits 130, and the next run resumes
/// without reading again what was committed, ending with the index an uninterrupted run
/// builds.
#[cfg(unix)]
#[test]
fn issue_12_ctrl_c_keeps_the_work_done_and_the_next_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let dump = generated(dir.path(), 20_000);
    let ix = TestIndex::empty();
    // The default commit interval (30 s) is longer than the run: only Ctrl-C commits.
    let mut child = ix
        .cmd(&["index", "-q", dump.to_str().unwrap()])
        .spawn()
        .unwrap();
    // Interrupt once files have finished (their records reach the journal), whatever the
    // build's speed: a fixed wait let a release build finish the dump first.
    let journal = ix.path.join(trawl::index::meta::JOURNAL_FILE);
    let started = Instant::now();
    while std::fs::metadata(&journal).map_or(0, |m| m.len()) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first file record reached the journal"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended too soon"
    );
    assert_eq!(ix.search("*", &[]).1.total_hits, 0, "nothing committed yet");
    signal(&child, "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "interrupted");
    let kept = ix.search("*", &[]).1.total_hits;
    assert!(kept > 0, "the work done before Ctrl-C is kept");
    let stderr = ix.index(&dump);
    assert!(stderr.contains("resumed"), "{stderr}");
    assert!(
        stderr.contains(&format!("from {} of 20000 files", 20_000 - kept))
            || stderr.contains("unchanged since the last run"),
        "{stderr}"
    );
    assert_eq!(ix.exported(), TestIndex::of(&dump).exported());
}

/// Issue #12: a run killed with `kill -9` at random moments (commits every 0.2 s, so some
/// kills land in a commit), re-run after each kill, ends with the same documents as an
/// uninterrupted run: no duplicates, nothing missing; after every kill the index opens and
/// searches. The moments are drawn from a seed printed on failure.
#[cfg(unix)]
#[test]
fn issue_12_kill_9_at_random_moments_then_resume_equals_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let dump = generated(dir.path(), 20_000);
    // A dump with archives and an mbox too, whose documents share a file.
    crate::util::copy_tree(&sample_corpus(), &dump.join("sample"));
    let started = Instant::now();
    let reference = TestIndex::of(&dump).exported();
    // Kill moments are drawn within the first quarter of an uninterrupted run's time, so that
    // they land inside runs whatever the build's speed.
    let window = (started.elapsed().as_millis() as u64 / 4).max(100);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut ix = TestIndex::empty();
    let mut kills = 0;
    let mut runs = 0;
    while kills < 5 && runs < 30 {
        runs += 1;
        let mut child = ix
            .cmd(&[
                "index",
                "-q",
                "--commit-every",
                "0.2",
                dump.to_str().unwrap(),
            ])
            .spawn()
            .unwrap();
        let delay = Duration::from_millis(20 + next() % window);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            // Finished first: the kills so far resumed to a complete index. Start over on an
            // empty one, so that the final index has been through five kills.
            ix = TestIndex::empty();
            kills = 0;
            continue;
        }
        signal(&child, "KILL");
        let _ = child.wait();
        kills += 1;
        // Openable and searchable after every kill.
        let out = ix.run(&["search", "--count", "*"]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "seed {seed}, kill {kills}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(kills, 5, "seed {seed}: five kills landed in {runs} runs");
    let out = ix.run(&["index", dump.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "seed {seed}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = ix.exported();
    assert_eq!(
        got.len(),
        reference.len(),
        "seed {seed}: no duplicates, nothing missing"
    );
    assert!(got == reference, "seed {seed}: the same documents");
}

/// The narrowest window: the process dies right after a commit and before the journal marks
/// that commit's file records. The commit holds files the journal does not vouch for; the
/// next run must replace them, not add them twice.
#[test]
fn issue_12_a_crash_between_a_commit_and_its_journal_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dump = generated(dir.path(), 20_000);
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&[
            "index",
            "-q",
            "--commit-every",
            "0.3",
            dump.to_str().unwrap(),
        ])
        .env("TRAWL_FAULT", "abort-after-commit")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "aborted after its first commit");
    let committed = ix.search("*", &[]).1.total_hits;
    assert!(committed > 0);
    let journal = std::fs::read_to_string(ix.path.join("files.journal")).unwrap_or_default();
    assert!(
        !journal.contains("\"committed\""),
        "no record marked committed"
    );
    ix.index(&dump);
    assert_eq!(ix.search("*", &[]).1.total_hits, 20_000);
    assert_eq!(ix.exported(), TestIndex::of(&dump).exported());
}

/// A message of an mbox or a member of an archive whose parser panics costs that message or
/// member: the rest of the mbox and of the archive is indexed, and the skip list names the
/// message by its byte offset and the member by its path.
#[test]
fn issue_12_a_panic_costs_one_mbox_message_or_one_archive_member() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    let marker = "POISON-9f3e";
    let mut mbox = String::new();
    let mut poisoned_offset = 0;
    for i in 0..5 {
        if i == 2 {
            poisoned_offset = mbox.len();
        }
        mbox.push_str(&format!(
            "From sender{i}@example.org Mon Oct  3 10:00:00 2016\n"
        ));
        let body = if i == 2 { marker } else { "fine" };
        mbox.push_str(&message(i, "Mon, 3 Oct 2016 10:00:00 +0000").replace("body of", body));
        mbox.push('\n');
    }
    std::fs::write(dump.join("box.mbox"), &mbox).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in [("a.eml", "fine"), ("b.eml", marker), ("c.eml", "fine")] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        let m = message(10 + name.len() as u32, "Mon, 3 Oct 2016 10:00:00 +0000")
            .replace("body of", body)
            .replace("note", name);
        std::io::Write::write_all(&mut zip, m.as_bytes()).unwrap();
    }
    std::fs::write(dump.join("bundle.zip"), zip.finish().unwrap().into_inner()).unwrap();
    let ix = TestIndex::empty();
    let stderr = ix.index_with(&dump, &[("TRAWL_FAULT", &format!("panic-on:{marker}"))]);
    assert!(stderr.contains("parser-crash 2"), "{stderr}");
    assert_eq!(ix.search("*", &[]).1.total_hits, 4 + 2);
    let skipped = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap();
    assert!(
        skipped.contains(&format!("box.mbox#{poisoned_offset}\"")),
        "{skipped}"
    );
    assert!(skipped.contains("bundle.zip!/b.eml\""), "{skipped}");
}

/// Issue #12: every file was read whole before its format was decided: a 3 GB disk image took
/// 3 GB of memory to be called "binary". Now binary content no reader takes is judged from its
/// head, and a file above --max-file-size is listed as too-large, unread. The run is held to
/// 2 GiB of address space: reading either file whole would fail it.
#[cfg(target_os = "linux")]
#[test]
fn issue_12_a_3_gb_file_is_labelled_without_being_loaded() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    // Sparse files: no disk space, but 3 GB and 600 MB to anyone who reads them.
    let image = std::fs::File::create(dump.join("disk.img")).unwrap();
    std::io::Write::write_all(&mut &image, b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    image.set_len(3 << 30).unwrap();
    let mail = std::fs::File::create(dump.join("huge.eml")).unwrap();
    std::io::Write::write_all(
        &mut &mail,
        message(1, "Mon, 3 Oct 2016 10:00:00 +0000").as_bytes(),
    )
    .unwrap();
    mail.set_len(600 << 20).unwrap();
    std::fs::write(
        dump.join("small.eml"),
        message(2, "Mon, 3 Oct 2016 10:00:00 +0000"),
    )
    .unwrap();
    let ix = TestIndex::empty();
    let mut cmd = ix.cmd(&["index", "--memory", "64", dump.to_str().unwrap()]);
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("not-indexed-type 1") && stderr.contains("too-large 1"),
        "{stderr}"
    );
    assert_eq!(ix.search("*", &[]).1.total_hits, 1);
    let skipped = std::fs::read_to_string(ix.path.join("skipped.jsonl")).unwrap();
    assert!(skipped.contains("--max-file-size"), "{skipped}");
}

/// A crash after the final commit, before `files.jsonl` is replaced: the journal alone says
/// which files the index holds. The next run must find them all unchanged and fold the
/// journal into `files.jsonl` (before the fix it dropped the journal without doing so, and
/// the run after that added every file a second time).
#[test]
fn issue_12_a_crash_before_the_file_records_are_replaced_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dump = generated(dir.path(), 2000);
    crate::util::copy_tree(&sample_corpus(), &dump.join("sample"));
    let reference = TestIndex::of(&dump).exported();
    let ix = TestIndex::empty();
    let out = ix
        .cmd(&["index", "-q", dump.to_str().unwrap()])
        .env("TRAWL_FAULT", "abort-before-records")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "aborted before files.jsonl");
    assert!(!ix.path.join("files.jsonl").exists());
    for run in 0..2 {
        let stderr = ix.index(&dump);
        assert!(
            stderr.contains("indexed 0 documents"),
            "run {run}: {stderr}"
        );
        assert_eq!(ix.exported(), reference, "run {run}");
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}
