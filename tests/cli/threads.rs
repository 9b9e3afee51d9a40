//! Threads (issue #15): the sample's forward chain is one thread, a chat conversation is one,
//! `trawl thread` prints the tree with gaps and added recipients, and a reply indexed on a later
//! run joins the thread indexed before it.

use crate::util::{copy_tree, sample_corpus, TestIndex};

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn threads_of(ix: &TestIndex, query: &str) -> Vec<serde_json::Value> {
    json_lines(&ix.run(&["search", "--threads", "--json", "--all", "--", query]))
        .into_iter()
        .filter(|l| l["type"] == "thread")
        .collect()
}

/// Dana's forward to four staff (one message, a copy in each mailbox) and Jordan's forward of
/// it to Hana: one thread of two messages; Jordan's has no reply headers, so it is joined by
/// subject and marked so, and Hana is who it added.
#[test]
fn the_forward_chain_is_one_thread() {
    let ix = TestIndex::sample();
    let threads = threads_of(&ix, "subject:\"OpenVault made contact\"");
    assert_eq!(threads.len(), 1, "{threads:#?}");
    assert_eq!(threads[0]["matched"], 2);
    assert_eq!(threads[0]["messages"], 2);
    let id = threads[0]["thread"].as_str().unwrap();

    let tree = json_lines(&ix.run(&["thread", id, "--json"]));
    assert_eq!(tree.len(), 2, "{tree:#?}");
    assert_eq!(
        tree[0]["from"]["address"],
        "dana.reyes@reyes2016.example.com"
    );
    assert_eq!(tree[0]["depth"], 0);
    assert_eq!(tree[1]["depth"], 1);
    assert_eq!(tree[1]["in_reply_to_id"], tree[0]["id"]);
    assert_eq!(tree[1]["by_subject"], true);
    assert_eq!(tree[1]["gap_seconds"], 5 * 3600 + 18 * 60);
    assert_eq!(
        tree[1]["added"],
        serde_json::json!(["hana.hollis@reyes2016.example.com"])
    );

    // thread:ID finds both, and the thread of either message is the same thread.
    let (hits, _, _) = ix.search(&format!("thread:{id}"), &[]);
    assert_eq!(hits.len(), 2);
    for h in &hits {
        let again = json_lines(&ix.run(&["thread", &h.id, "--json"]));
        assert_eq!(again[0]["thread"], id);
    }
    // show navigates: the message answered and the replies.
    let shown = json_lines(&ix.run(&["show", "--json", tree[1]["id"].as_str().unwrap()]));
    assert_eq!(shown[0]["thread"]["in_reply_to_id"], tree[0]["id"]);
    assert_eq!(shown[0]["thread"]["by_subject"], true);
    let shown = json_lines(&ix.run(&["show", "--json", tree[0]["id"].as_str().unwrap()]));
    assert_eq!(
        shown[0]["thread"]["replies"],
        serde_json::json!([tree[1]["id"]])
    );
    // By Message-ID: Dana's forward is also a part of Jordan's message; the thread is that of
    // the message itself.
    let by_msgid = json_lines(&ix.run(&[
        "thread",
        "20160921.fwd-staff@reyes2016.example.com",
        "--json",
    ]));
    assert_eq!(by_msgid.len(), 2, "{by_msgid:#?}");
    assert_eq!(by_msgid[0]["thread"], id);
    let text = String::from_utf8(ix.run(&["thread", id]).stdout).unwrap();
    assert!(text.contains("+5h18m"), "{text}");
    assert!(
        text.contains("added hana.hollis@reyes2016.example.com"),
        "{text}"
    );
}

/// A chat conversation is a thread: the Twitter group DM of 13 October, five messages.
#[test]
fn a_chat_conversation_is_a_thread() {
    let ix = TestIndex::sample();
    let threads = threads_of(&ix, "kind:chat date:2016-10-13");
    assert_eq!(threads.len(), 1, "{threads:#?}");
    assert_eq!(threads[0]["messages"], 5);
    let tree = json_lines(&ix.run(&["thread", threads[0]["thread"].as_str().unwrap(), "--json"]));
    assert_eq!(tree.len(), 5);
    assert!(tree.iter().all(|m| m["depth"] == 0 && m["kind"] == "chat"));
    assert!(tree[1]["gap_seconds"].as_i64().unwrap() > 0);
    // Counting threads counts each conversation once.
    let out = ix.run(&[
        "search",
        "--threads",
        "--count",
        "kind:chat date:2016-10-13",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "1");
}

/// A reply indexed on a later run joins the thread of its parent from an earlier run.
#[test]
fn a_reply_on_a_later_run_joins_the_earlier_thread() {
    let dump = tempfile::tempdir().unwrap();
    copy_tree(&sample_corpus().join("eml"), &dump.path().join("eml"));
    let ix = TestIndex::of(dump.path());
    let before = threads_of(&ix, "*").len();
    let parent = &ix.search("subject:\"reunion\"", &[]).0[0];
    let msgid = parent
        .message_id
        .clone()
        .expect("the agenda has a Message-ID");
    std::fs::write(
        dump.path().join("eml/reply.eml"),
        format!(
            "From: Sam Ortiz <sam@example.org>\r\nTo: dana@example.org\r\n\
             Subject: Re: agenda\r\nDate: Fri, 30 Sep 2016 10:00:00 +0000\r\n\
             Message-ID: <late-reply@example.org>\r\nIn-Reply-To: <{msgid}>\r\n\
             References: <{msgid}>\r\n\r\nSee you there.\r\n"
        ),
    )
    .unwrap();
    ix.index(dump.path());
    assert_eq!(
        threads_of(&ix, "*").len(),
        before,
        "the reply made no new thread"
    );
    let tree = json_lines(&ix.run(&["thread", "late-reply@example.org", "--json"]));
    assert_eq!(tree.len(), 2, "{tree:#?}");
    assert_eq!(tree[1]["message_id"], "late-reply@example.org");
    assert_eq!(tree[1]["in_reply_to_id"], serde_json::json!(parent.id));
    assert_eq!(tree[1]["by_subject"], false);
}

/// Jordan's forward quotes all of Dana's note: Dana's message (every copy of it) is
/// non-inclusive, and `is:inclusive` leaves it out of what a reviewer must read.
#[test]
fn a_message_quoted_whole_by_a_later_reply_is_non_inclusive() {
    let ix = TestIndex::sample();
    let (hits, _, _) = ix.search("is:non-inclusive", &["--copies"]);
    assert!(hits.len() >= 2, "{hits:#?}");
    assert!(hits
        .iter()
        .all(|h| h.subject == "Fwd: OpenVault made contact"
            && h.from.as_ref().unwrap().address == "dana.reyes@reyes2016.example.com"));
    let count = |q: &str| {
        let out = ix.run(&["search", "--count", "--", q]);
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(count("is:inclusive"), count("*") - 1);
    assert_eq!(count("is:inclusive subject:\"OpenVault made contact\""), 1);
}
