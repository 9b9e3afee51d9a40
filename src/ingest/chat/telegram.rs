//! Telegram Desktop JSON exports (format `telegram`).
//!
//! `result.json` holds either one chat or a whole account:
//!
//! ```text
//! {"name": "Sam Ortiz", "type": "personal_chat", "id": 4242, "messages": [
//!   {"id": 1, "type": "message", "date": "2016-10-05T18:02:11", "date_unixtime": "1475690531",
//!    "from": "Sam Ortiz", "from_id": "user4242", "text": "hi", "reply_to_message_id": 0,
//!    "photo": "photos/photo_1@05-10-2016_18-02-11.jpg",
//!    "file": "files/plan.pdf", "file_name": "plan.pdf", "mime_type": "application/pdf"},
//!   {"id": 2, "type": "service", "actor": "Sam Ortiz", "actor_id": "user4242",
//!    "action": "invite_members", "members": ["Ann Lee"], "text": ""}]}
//!
//! {"personal_information": {"user_id": 1111, ...}, "chats": {"list": [ <chat as above>, ... ]},
//!  "left_chats": {"list": [...]}}
//! ```
//!
//! `text` is a string or an array of strings and entity objects (`{"type": "link", "text": ...}`,
//! `{"type": "text_link", "text": "here", "href": "http://x"}`), concatenated; a `text_link`
//! reads `here (http://x)`.
//!
//! Every message becomes one document, numbered in file order across all chats. **Service
//! messages are indexed too**: the actor is the sender and the body describes the action
//! (`[invite_members] members: Ann Lee`, then any text). The date comes from `date_unixtime`
//! (UTC) when present; otherwise `date` (the exporting machine's local time, zone unknown) is
//! stored as if UTC with the flag `local-time`. The participants of a chat are every `from_id`
//! and `actor_id` in it, plus the account owner of a full export (`personal_information.user_id`)
//! and, for a personal chat where only one side wrote, the peer (`user<chat id>`); a personal
//! chat never gets more than these two. The recipients of a message are the participants other
//! than its sender, up to [`super::MAX_RECIPIENTS`] of them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

use super::{
    account, chat_doc, file_name_of, id_string, json_span, mime_from_name, set_date, str_field,
    trim_start_bytes, ChatSource, Span,
};
use crate::doc::{Attachment, Doc, Mailbox};
use crate::ingest::format::{Format, Sniff};
use crate::ingest::{Context, Skip, Unit};

/// The format name documents carry.
pub const FORMAT: &str = "telegram";

/// Whether `head` (the first 8 KiB of a file) looks like a Telegram Desktop JSON export: a JSON
/// object with `"name"`, `"type"` and `"messages"` keys (one chat), or a full-export `"chats"`
/// or `"personal_information"` object.
pub fn looks_like(head: &[u8]) -> bool {
    let head = trim_start_bytes(head);
    if !head.starts_with(b"{") {
        return false;
    }
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    (has(b"\"messages\"") && has(b"\"type\"") && has(b"\"name\""))
        || has(b"\"chats\"")
        || has(b"\"personal_information\"")
}

/// The registry's sniff: a Telegram `result.json`.
pub(crate) fn sniff(s: &Sniff) -> bool {
    looks_like(s.head)
}

/// The registry's reader.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let docs = parse(unit.bytes, &unit.chat_source(ctx)).map_err(Skip::Unextractable)?;
    docs.into_iter().for_each(emit);
    Ok(Format::Telegram)
}

/// Parses a `result.json`, one chat or a full export.
pub fn parse(bytes: &[u8], src: &ChatSource) -> Result<Vec<Doc>, String> {
    let json = trim_start_bytes(bytes);
    let root: Value = serde_json::from_slice(json)
        .map_err(|e| format!("Telegram export is not valid JSON: {e}"))?;
    if !root.is_object() {
        return Err("Telegram export is not a JSON object".into());
    }
    let raw_root = json_span::root(json);
    let mut docs = Vec::new();
    if root.get("messages").is_some_and(Value::is_array) {
        let spans = json_span::item_spans(
            bytes,
            raw_root.and_then(|r| json_span::field(r, "messages")),
        );
        parse_chat(&root, spans, None, src, &mut docs);
        return Ok(docs);
    }
    // Each chat of each list, with the spans of its messages in the file.
    let lists: Vec<(&Vec<Value>, Option<Vec<_>>)> = ["chats", "left_chats"]
        .iter()
        .filter_map(|k| {
            let chats = root.get(*k)?.get("list")?.as_array()?;
            let raw = raw_root
                .and_then(|r| json_span::field(r, k))
                .and_then(|l| json_span::field(l, "list"))
                .and_then(json_span::items);
            Some((chats, raw))
        })
        .collect();
    if lists.is_empty() {
        return Err("Telegram export has neither `messages` nor `chats.list`".into());
    }
    let owner = root
        .get("personal_information")
        .and_then(|p| p.get("user_id"))
        .and_then(id_string)
        .map(|id| format!("user{id}"));
    for (chats, raw) in lists {
        for (i, chat) in chats.iter().enumerate() {
            let spans = raw.as_ref().and_then(|r| {
                json_span::item_spans(
                    bytes,
                    r.get(i).and_then(|c| json_span::field(c, "messages")),
                )
            });
            parse_chat(chat, spans, owner.as_deref(), src, &mut docs);
        }
    }
    Ok(docs)
}

/// The text of a message: a string, or an array of strings and entity objects.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => {
            let mut out = String::new();
            for p in parts {
                match p {
                    Value::String(s) => out.push_str(s),
                    Value::Object(_) => {
                        let t = str_field(p, "text").unwrap_or_default();
                        out.push_str(t);
                        if let Some(href) =
                            str_field(p, "href").filter(|h| !h.is_empty() && *h != t)
                        {
                            out.push_str(&format!(" ({href})"));
                        }
                    }
                    _ => {}
                }
            }
            out
        }
        _ => String::new(),
    }
}

fn sender_of(m: &Value) -> (Option<String>, Option<String>) {
    let service = str_field(m, "type") == Some("service");
    let (id_key, name_key) = if service && m.get("from_id").is_none() {
        ("actor_id", "actor")
    } else {
        ("from_id", "from")
    };
    let id = m.get(id_key).and_then(id_string);
    let name = str_field(m, name_key)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    (id, name)
}

/// Reads one chat; `spans` are where its messages lie in the file, element for element.
fn parse_chat(
    chat: &Value,
    spans: Option<Vec<Span<'_>>>,
    owner: Option<&str>,
    src: &ChatSource,
    docs: &mut Vec<Doc>,
) {
    let Some(messages) = chat.get("messages").and_then(Value::as_array) else {
        return;
    };
    src.state(messages.len());
    let chat_id = chat.get("id").and_then(id_string);
    let chat_name = str_field(chat, "name")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let conversation = match &chat_id {
        Some(id) => format!("telegram:{id}"),
        None => format!("telegram:{chat_name}"),
    };

    // Participants in order of first appearance, with the latest name seen for each.
    let mut participants: Vec<String> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for m in messages {
        for (id_key, name_key) in [("from_id", "from"), ("actor_id", "actor")] {
            let Some(id) = m.get(id_key).and_then(id_string) else {
                continue;
            };
            if let Some(n) = str_field(m, name_key)
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                names.insert(id.clone(), n.to_owned());
            }
            if !participants.contains(&id) {
                participants.push(id);
            }
        }
    }
    // A personal chat has two parties; when one never wrote, they are the chat's peer (whose
    // user id is the chat id) or the account owner.
    let personal = str_field(chat, "type") == Some("personal_chat");
    if personal && participants.len() < 2 {
        if let Some(id) = &chat_id {
            let peer = format!("user{id}");
            if !participants.contains(&peer) {
                if !chat_name.is_empty() {
                    names
                        .entry(peer.clone())
                        .or_insert_with(|| chat_name.clone());
                }
                participants.push(peer);
            }
        }
    }
    if let Some(o) = owner {
        let complete = personal && participants.len() >= 2;
        if !complete && !participants.iter().any(|p| p == o) {
            participants.push(o.to_owned());
        }
    }
    let person = |id: &str| -> Mailbox { account("telegram", id, names.get(id).cloned()) };

    for (i, m) in messages.iter().enumerate().filter(|(_, m)| m.is_object()) {
        let item = docs.len() as u64;
        let span = spans.as_ref().and_then(|s| s.get(i).copied());
        let mut doc = chat_doc(src, FORMAT, item, span);
        doc.conversation = Some(conversation.clone());
        doc.subject = chat_name.clone();

        let (sender, sender_name) = sender_of(m);
        doc.from = match &sender {
            Some(id) => {
                let mut mb = person(id);
                if sender_name.is_some() {
                    mb.name = sender_name;
                }
                Some(mb)
            }
            None => sender_name.map(|n| Mailbox {
                address: String::new(),
                name: Some(n),
                written: None,
            }),
        };
        doc.to = super::recipients(participants.len(), &mut doc, || {
            participants
                .iter()
                .filter(|p| Some(*p) != sender.as_ref())
                .map(|p| person(p))
                .collect()
        });

        let msg_id = m.get("id").and_then(id_string);
        if let Some(id) = &msg_id {
            doc.message_id = Some(format!("{conversation}:{id}"));
        }
        if let Some(r) = m.get("reply_to_message_id").and_then(id_string) {
            doc.in_reply_to = vec![format!("{conversation}:{r}")];
        }

        let unix = m.get("date_unixtime").and_then(id_string);
        let local = str_field(m, "date");
        match (&unix, local) {
            (Some(u), _) => {
                let parsed = u
                    .parse::<i64>()
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0));
                set_date(&mut doc, Some(u), parsed, src.now);
                doc.date_raw = local.map(str::to_owned).or(doc.date_raw.take());
            }
            (None, local) => {
                let parsed = local
                    .and_then(|s| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M:%S").ok())
                    .map(|n| n.and_utc());
                set_date(&mut doc, local, parsed, src.now);
                if local.is_some() {
                    doc.flags.push(crate::doc::LOCAL_TIME);
                }
            }
        }

        let mut body = String::new();
        if str_field(m, "type") == Some("service") {
            body.push_str(&format!(
                "[{}]",
                str_field(m, "action").unwrap_or("service")
            ));
            if let Some(t) = str_field(m, "title").filter(|t| !t.is_empty()) {
                body.push_str(&format!(" title: {t}"));
            }
            if let Some(list) = m.get("members").and_then(Value::as_array) {
                let who: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
                if !who.is_empty() {
                    body.push_str(&format!(" members: {}", who.join(", ")));
                }
            }
            let text = text_of(m.get("text"));
            if !text.is_empty() {
                body.push('\n');
                body.push_str(&text);
            }
        } else {
            body = text_of(m.get("text"));
            if m.get("forwarded_from").is_some() {
                doc.flags.push("forwarded");
            }
        }
        doc.body = body;
        doc.attachments = attachments(m);
        docs.push(doc);
    }
}

/// The media a message carries: its `photo`, and its `file` (named by `file_name` in newer
/// exports; a placeholder path like `(File not included...)` leaves only that name).
fn attachments(m: &Value) -> Vec<Attachment> {
    let usable = |p: &str| !p.trim().is_empty() && !p.trim_start().starts_with('(');
    let mut out = Vec::new();
    if let Some(photo) = str_field(m, "photo") {
        let name = usable(photo).then(|| file_name_of(photo).to_owned());
        out.push(Attachment {
            mime_type: name
                .as_deref()
                .map(mime_from_name)
                .filter(|t| t != "application/octet-stream")
                .unwrap_or_else(|| "image/jpeg".into()),
            name,
            size: 0,
        });
    }
    if let Some(file) = str_field(m, "file") {
        let name = str_field(m, "file_name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .or_else(|| usable(file).then(|| file_name_of(file).to_owned()));
        let mime = str_field(m, "mime_type")
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| mime_from_name(name.as_deref().unwrap_or_default()));
        out.push(Attachment {
            name,
            mime_type: mime,
            size: 0,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DateQuality;
    use chrono::{TimeZone, Utc};

    fn src() -> ChatSource<'static> {
        ChatSource {
            path: "/dump/tg/result.json",
            now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            stated: None,
        }
    }

    const SINGLE: &str = r#"{
 "name": "Sam Ortiz",
 "type": "personal_chat",
 "id": 4242,
 "messages": [
  {"id": 1, "type": "message", "date": "2016-10-05T20:02:11", "date_unixtime": "1475690531",
   "from": "Sam Ortiz", "from_id": "user4242", "text": "meet at noon"},
  {"id": 2, "type": "message", "date": "2016-10-05T20:03:00",
   "from": "Ann Lee", "from_id": "user1111", "reply_to_message_id": 1,
   "text": ["see ", {"type": "link", "text": "https://example.org"}, " and ",
            {"type": "text_link", "text": "this", "href": "https://x.example/y"}, {"type": "bold"}],
   "photo": "photos/photo_1@05-10-2016_20-03-00.jpg"},
  {"id": 3, "type": "message", "date": "2016-10-05T20:04:00", "date_unixtime": "1475690640",
   "from": "Sam Ortiz", "from_id": "user4242", "text": "",
   "file": "(File not included. Change data exporting settings to download.)",
   "file_name": "plan.pdf", "mime_type": "application/pdf", "forwarded_from": "Bob"},
  {"id": 4, "type": "service", "date": "2016-10-05T20:05:00", "date_unixtime": "1475690700",
   "actor": "Ann Lee", "actor_id": "user1111", "action": "phone_call", "text": ""}
 ]
}"#;

    #[test]
    fn detects_exports() {
        assert!(looks_like(SINGLE.as_bytes()));
        assert!(looks_like(
            b"\xEF\xBB\xBF{\n \"about\": \"x\",\n \"chats\": {"
        ));
        assert!(!looks_like(
            b"[{\"messages\": 1, \"type\": 2, \"name\": 3}]"
        ));
        assert!(!looks_like(b"{\"a\": 1}"));
    }

    #[test]
    fn single_chat() {
        let docs = parse(SINGLE.as_bytes(), &src()).unwrap();
        assert_eq!(docs.len(), 4);
        let a = &docs[0];
        assert_eq!(a.format, "telegram");
        assert_eq!(a.subject, "Sam Ortiz");
        assert_eq!(a.conversation.as_deref(), Some("telegram:4242"));
        assert_eq!(a.message_id.as_deref(), Some("telegram:4242:1"));
        let from = a.from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("telegram:user4242", Some("Sam Ortiz"))
        );
        assert_eq!(a.to.len(), 1);
        assert_eq!(
            (a.to[0].address.as_str(), a.to[0].name.as_deref()),
            ("telegram:user1111", Some("Ann Lee"))
        );
        assert_eq!(
            a.date,
            Some(Utc.with_ymd_and_hms(2016, 10, 5, 18, 2, 11).unwrap())
        );
        assert_eq!(a.date_quality, DateQuality::Ok);
        assert_eq!(a.date_raw.as_deref(), Some("2016-10-05T20:02:11"));
        assert!(a.flags.is_empty());
        assert_eq!(a.body, "meet at noon");

        let b = &docs[1];
        assert_eq!(
            b.body,
            "see https://example.org and this (https://x.example/y)"
        );
        assert_eq!(b.in_reply_to, ["telegram:4242:1"]);
        assert_eq!(b.to[0].address, "telegram:user4242");
        assert_eq!(
            b.date,
            Some(Utc.with_ymd_and_hms(2016, 10, 5, 20, 3, 0).unwrap())
        );
        assert_eq!(b.flags, ["local-time"]);
        assert_eq!(
            b.attachments[0].name.as_deref(),
            Some("photo_1@05-10-2016_20-03-00.jpg")
        );
        assert_eq!(b.attachments[0].mime_type, "image/jpeg");

        let c = &docs[2];
        assert_eq!(c.attachments[0].name.as_deref(), Some("plan.pdf"));
        assert_eq!(c.attachments[0].mime_type, "application/pdf");
        assert_eq!(c.flags, ["forwarded"]);

        let d = &docs[3];
        assert_eq!(d.from.as_ref().unwrap().address, "telegram:user1111");
        assert_eq!(d.body, "[phone_call]");
        assert_eq!(d.to[0].address, "telegram:user4242");
    }

    #[test]
    fn personal_chat_parties() {
        // Only the peer wrote: the other party is unknown without a full export.
        let one = r#"{"name": "Sam", "type": "personal_chat", "id": 42, "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1475690531", "from": "Ann", "from_id": "user7", "text": "x"}]}"#;
        let docs = parse(one.as_bytes(), &src()).unwrap();
        let to: Vec<_> = docs[0]
            .to
            .iter()
            .map(|m| (m.address.as_str(), m.name.as_deref()))
            .collect();
        assert_eq!(to, [("telegram:user42", Some("Sam"))]);
        // Both wrote, under ids that differ from the chat id: no third party is invented.
        let two = r#"{"name": "Sam", "type": "personal_chat", "id": 42, "messages": [
            {"id": 1, "type": "message", "from": "Ann", "from_id": "user7", "text": "x"},
            {"id": 2, "type": "message", "from": "Sam", "from_id": "user8", "text": "y"}]}"#;
        let docs = parse(two.as_bytes(), &src()).unwrap();
        assert_eq!(docs[0].to.len(), 1);
        assert_eq!(docs[0].to[0].address, "telegram:user8");
        assert_eq!(docs[1].to[0].address, "telegram:user7");
    }

    #[test]
    fn full_export() {
        let json = r#"{"personal_information": {"user_id": 1111, "first_name": "Ann"},
          "chats": {"about": "", "list": [
            {"name": "Crew", "type": "private_group", "id": 77, "messages": [
              {"id": 1, "type": "service", "date": "2017-01-01T00:00:00", "date_unixtime": "1483228800",
               "actor": "Ann Lee", "actor_id": "user1111", "action": "create_group", "title": "Crew",
               "members": ["Ann Lee", "Bob"]},
              {"id": 2, "type": "message", "date": "2017-01-01T00:01:00", "date_unixtime": "1483228860",
               "from": "Bob", "from_id": "user2", "text": "yo"},
              {"id": 3, "type": "message", "date": "2017-01-01T00:02:00", "date_unixtime": "1483228920",
               "from": "Cy", "from_id": "user3", "text": "hey"}]},
            {"name": null, "type": "personal_chat", "id": 2, "messages": [
              {"id": 9, "type": "message", "date": "2017-02-01T00:00:00", "date_unixtime": "1485907200",
               "from": null, "from_id": "user2", "text": "deleted account"}]}
          ]},
          "left_chats": {"list": [{"name": "Old", "type": "public_supergroup", "id": 5, "messages": [
              {"id": 1, "type": "message", "date": "2015-01-01T00:00:00", "from": "Z", "from_id": "channel5", "text": "z"}]}]}}"#;
        let docs = parse(json.as_bytes(), &src()).unwrap();
        assert_eq!(docs.len(), 5);
        assert_eq!(
            docs[0].body,
            "[create_group] title: Crew members: Ann Lee, Bob"
        );
        assert_eq!(docs[0].from.as_ref().unwrap().address, "telegram:user1111");
        let to = |d: &Doc| d.to.iter().map(|m| m.address.clone()).collect::<Vec<_>>();
        assert_eq!(to(&docs[0]), ["telegram:user2", "telegram:user3"]);
        assert_eq!(to(&docs[1]), ["telegram:user1111", "telegram:user3"]);
        assert_eq!(docs[3].conversation.as_deref(), Some("telegram:2"));
        assert_eq!(docs[3].subject, "");
        assert_eq!(to(&docs[3]), ["telegram:user1111"]);
        assert_eq!(docs[3].from.as_ref().unwrap().name, None);
        assert_eq!(docs[4].conversation.as_deref(), Some("telegram:5"));
        assert_eq!(docs[4].from.as_ref().unwrap().address, "telegram:channel5");
        // Each message's source is its own JSON object in the file, even in a left chat.
        let own = |d: &Doc| {
            let s = &d.source;
            assert_eq!(s.item, None);
            &json[s.offset as usize..(s.offset + s.length) as usize]
        };
        assert!(own(&docs[4]).starts_with(r#"{"id": 1, "type": "message", "date": "2015"#));
        assert!(own(&docs[4]).ends_with(r#""text": "z"}"#));
        assert!(own(&docs[3]).contains("deleted account"));
        let ids: std::collections::HashSet<_> = docs.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), 5);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(parse(b"", &src()).is_err());
        assert!(parse(b"[]", &src()).is_err());
        assert!(parse(b"{\"name\": \"x\"}", &src()).is_err());
        assert!(parse(b"{\"messages\": [", &src()).is_err());
        assert_eq!(parse(b"{\"messages\": []}", &src()).unwrap().len(), 0);
        let bad_dates = r#"{"messages": [{"id": 1, "date": "yesterday", "text": "x"},
            {"id": 2, "date_unixtime": "99999999999999999999", "text": "y"}, {"id": 3}]}"#;
        let docs = parse(bad_dates.as_bytes(), &src()).unwrap();
        let q: Vec<_> = docs.iter().map(|d| d.date_quality).collect();
        assert_eq!(
            q,
            [
                DateQuality::Unparseable,
                DateQuality::Unparseable,
                DateQuality::Missing
            ]
        );
        assert!(docs.iter().all(|d| d.from.is_none() && d.to.is_empty()));
    }

    #[test]
    fn no_panic_on_prefixes_and_odd_values() {
        for end in 0..=SINGLE.len() {
            let _ = parse(&SINGLE.as_bytes()[..end], &src());
            let _ = looks_like(&SINGLE.as_bytes()[..end]);
        }
        let odd = r#"{"chats": {"list": [null, 3, {"messages": [1, {"from_id": 5, "from": 6, "text": [1, null, {"text": 2}],
            "date_unixtime": -1, "photo": 3, "file": "", "type": "service", "members": [1, "a"], "reply_to_message_id": {}}]}]}}"#;
        let docs = parse(odd.as_bytes(), &src()).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].from.as_ref().unwrap().address, "telegram:5");
        assert_eq!(docs[0].body, "[service] members: a");
        assert_eq!(docs[0].attachments.len(), 1);
    }

    /// Issue #12: every member of a chat was copied into every message's recipients, so memory
    /// and index size grew with members times messages (1,000 writers: 461 MB for a 0.9 MB
    /// export). Past [`super::super::MAX_RECIPIENTS`] others, messages list none and say so.
    #[test]
    fn issue_12_a_large_group_does_not_copy_its_members_into_every_message() {
        let chat = |writers: usize| {
            let messages: Vec<String> = (0..1000)
                .map(|i| {
                    format!(
                        r#"{{"id": {i}, "type": "message", "date": "2020-01-01T10:00:00",
                        "date_unixtime": "1577872800", "from": "W{w}", "from_id": "user{w}",
                        "text": "message {i}"}}"#,
                        w = i % writers
                    )
                })
                .collect();
            format!(
                r#"{{"name": "Big", "type": "private_supergroup", "id": 77, "messages": [{}]}}"#,
                messages.join(",")
            )
        };
        let docs = parse(chat(1000).as_bytes(), &src()).unwrap();
        assert_eq!(docs.len(), 1000);
        assert!(docs.iter().all(|d| d.to.is_empty()
            && d.flags.contains(&super::super::FLAG_RECIPIENTS_OMITTED)
            && d.conversation.as_deref() == Some("telegram:77")));
        // At the limit, the others are all listed.
        let limit = super::super::MAX_RECIPIENTS + 1;
        let docs = parse(chat(limit).as_bytes(), &src()).unwrap();
        assert!(docs
            .iter()
            .all(|d| d.to.len() == limit - 1 && d.flags.is_empty()));
    }
}
