//! Twitter/X direct messages from an account archive (format `twitter-dm`).
//!
//! The archive's `data/direct-messages.js` and `data/direct-messages-group.js` are JavaScript
//! assignments of a JSON array:
//!
//! ```text
//! window.YTD.direct_messages.part0 = [
//!   { "dmConversation": { "conversationId": "111-222", "messages": [
//!       { "messageCreate": { "id": "7", "senderId": "111", "recipientId": "222",
//!           "text": "see https://t.co/abc", "createdAt": "2016-09-20T17:30:00.000Z",
//!           "urls": [{ "url": "https://t.co/abc", "expanded": "https://example.org/", "display": "example.org" }],
//!           "mediaUrls": [] } },
//!       { "joinConversation": { "initiatingUserId": "111", "participantsSnapshot": ["111", "222"], "createdAt": "..." } },
//!       { "participantsJoin": { "initiatingUserId": "111", "userIds": ["333"], "createdAt": "..." } },
//!       { "participantsLeave": { "userIds": ["333"], "createdAt": "..." } },
//!       { "conversationNameUpdate": { "initiatingUserId": "111", "name": "Plans", "createdAt": "..." } }
//!   ] } }
//! ]
//! ```
//!
//! Only `messageCreate` events become documents; the other events are read for who was in a
//! group conversation when (and its name, used as the subject). The archive lists events newest
//! first; documents are numbered in chronological order within each conversation (file order
//! breaks ties and places undated events first), conversations in file order. Recipients of a
//! 1:1 message are its `recipientId`; of a group message, the members at that moment minus the
//! sender (falling back to every participant seen when membership is unknown). In the text, the
//! `t.co` short links are replaced by their expanded targets, HTML entities are decoded, and
//! media URLs are appended on their own lines (and listed as attachments).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    account, chat_doc, file_name_of, id_string, json_span, mime_from_name, set_date, str_field,
    trim_start_bytes, unescape_html, ChatSource, Span,
};
use crate::doc::{Attachment, Doc, Mailbox};
use crate::ingest::format::{Format, Sniff};
use crate::ingest::{Context, Skip, Unit};

/// The format name documents carry.
pub const FORMAT: &str = "twitter-dm";

/// Whether `head` (the start of a file) is a Twitter/X archive DM file, one-to-one or group.
pub fn looks_like(head: &[u8]) -> bool {
    trim_start_bytes(head).starts_with(b"window.YTD.direct_messages")
}

/// The registry's sniff: a `window.YTD.direct_messages*` file.
pub(crate) fn sniff(s: &Sniff) -> bool {
    looks_like(s.head)
}

/// The registry's reader: the conversations of a direct-messages file, with the names of the
/// archive it sits in (its `data/` folder) or the user's.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let names = match unit.real.and_then(Path::parent) {
        Some(dir) => ctx.twitter_names(dir),
        None => Arc::new(ctx.names.clone()),
    };
    let docs = parse(unit.bytes, &unit.chat_source(ctx), &names).map_err(Skip::Unextractable)?;
    docs.into_iter().for_each(emit);
    Ok(Format::TwitterDm)
}

/// The JSON after `window.YTD.<name>.partN = `, with a trailing `;` removed.
fn strip_assignment(bytes: &[u8]) -> Result<&[u8], String> {
    let body = trim_start_bytes(bytes);
    if !body.starts_with(b"window.YTD.") {
        return Err("not a Twitter archive file: no `window.YTD.` assignment".into());
    }
    let eq = body
        .iter()
        .position(|&b| b == b'=')
        .ok_or("Twitter archive file has no `=` after `window.YTD.`")?;
    let mut json = &body[eq + 1..];
    while let Some((last, rest)) = json.split_last() {
        if last.is_ascii_whitespace() || *last == b';' {
            json = rest;
        } else {
            break;
        }
    }
    Ok(json)
}

/// One event of a conversation, in the order it is replayed.
struct Event<'v> {
    date: Option<DateTime<Utc>>,
    index: usize,
    kind: &'v str,
    body: &'v Value,
}

fn parse_created(v: &Value) -> Option<DateTime<Utc>> {
    str_field(v, "createdAt")
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(id_string).collect())
        .unwrap_or_default()
}

/// Account ids in order of first appearance, each once: a linear `contains` per event made a
/// group of thousands of members quadratic (found by the `twitter` fuzz target).
#[derive(Default, Clone)]
struct Ids {
    order: Vec<String>,
    set: std::collections::HashSet<String>,
}

impl Ids {
    fn push(&mut self, id: String) {
        if self.set.insert(id.clone()) {
            self.order.push(id);
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    fn retain(&mut self, keep: impl Fn(&String) -> bool) {
        self.order.retain(&keep);
        self.set.retain(keep);
    }

    fn iter(&self) -> std::slice::Iter<'_, String> {
        self.order.iter()
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

impl FromIterator<String> for Ids {
    fn from_iter<I: IntoIterator<Item = String>>(it: I) -> Ids {
        let mut ids = Ids::default();
        for id in it {
            ids.push(id);
        }
        ids
    }
}

/// Parses a `direct-messages.js` or `direct-messages-group.js` file. `names` maps account ids to
/// display names (see [`load_archive_names`], [`load_names_file`]); ids without one get no name.
pub fn parse(
    bytes: &[u8],
    src: &ChatSource,
    names: &HashMap<String, String>,
) -> Result<Vec<Doc>, String> {
    let json = strip_assignment(bytes)?;
    let root: Value = serde_json::from_slice(json)
        .map_err(|e| format!("Twitter DM file is not valid JSON after the assignment: {e}"))?;
    let convs = root
        .as_array()
        .ok_or("Twitter DM file does not hold a JSON array")?;
    let mut docs = Vec::new();
    let raw_convs = json_span::root(json).and_then(json_span::items);
    for (i, conv) in convs.iter().enumerate() {
        let Some(conv) = conv.get("dmConversation") else {
            continue;
        };
        // Where this conversation's events lie in the file, element for element.
        let spans = raw_convs.as_ref().and_then(|r| {
            let conv = r.get(i).and_then(|c| json_span::field(c, "dmConversation"));
            json_span::item_spans(bytes, conv.and_then(|c| json_span::field(c, "messages")))
        });
        parse_conversation(conv, spans, src, names, &mut docs);
    }
    Ok(docs)
}

fn parse_conversation(
    conv: &Value,
    spans: Option<Vec<Span<'_>>>,
    src: &ChatSource,
    names: &HashMap<String, String>,
    docs: &mut Vec<Doc>,
) {
    let conv_id = conv.get("conversationId").and_then(id_string);
    let all = conv
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // The messages the file states: its message events, and anything that is not a readable
    // event at all (membership events are not messages; a broken one might have been).
    src.state(
        all.iter()
            .filter(|e| {
                e.as_object()
                    .and_then(|o| o.keys().next())
                    .is_none_or(|k| k == "messageCreate")
            })
            .count(),
    );
    let mut events: Vec<Event> = all
        .iter()
        .enumerate()
        .filter_map(|(index, event)| {
            let (kind, body) = event.as_object()?.iter().next()?;
            Some(Event {
                date: parse_created(body),
                index,
                kind: kind.as_str(),
                body,
            })
        })
        .collect();
    events.sort_by_key(|e| (e.date, std::cmp::Reverse(e.index)));

    // Everyone who ever appears, in order of first appearance; and those whose first appearance
    // is being added, who were not members at the start.
    let mut everyone = Ids::default();
    let mut late_joiners = Ids::default();
    for e in &events {
        let mut seen = Vec::new();
        match e.kind {
            "messageCreate" => {
                seen.extend(e.body.get("senderId").and_then(id_string));
                seen.extend(e.body.get("recipientId").and_then(id_string));
            }
            "joinConversation" => {
                seen.extend(e.body.get("initiatingUserId").and_then(id_string));
                seen.extend(ids(e.body, "participantsSnapshot"));
            }
            "participantsJoin" => {
                seen.extend(e.body.get("initiatingUserId").and_then(id_string));
                for id in ids(e.body, "userIds") {
                    if !everyone.contains(&id) {
                        late_joiners.push(id.clone());
                    }
                    seen.push(id);
                }
            }
            _ => {
                seen.extend(e.body.get("initiatingUserId").and_then(id_string));
                seen.extend(ids(e.body, "userIds"));
            }
        }
        for id in seen {
            everyone.push(id);
        }
    }
    let mut members: Ids = everyone
        .iter()
        .filter(|id| !late_joiners.contains(id))
        .cloned()
        .collect();

    let mut title = String::new();
    for e in &events {
        match e.kind {
            "joinConversation" => {
                let snapshot = ids(e.body, "participantsSnapshot");
                if !snapshot.is_empty() {
                    members = snapshot.into_iter().collect();
                }
            }
            "participantsJoin" => {
                for id in ids(e.body, "userIds") {
                    members.push(id);
                }
            }
            "participantsLeave" => {
                let gone = ids(e.body, "userIds");
                members.retain(|m| !gone.contains(m));
            }
            "conversationNameUpdate" => {
                if let Some(name) = str_field(e.body, "name") {
                    title = name.trim().to_owned();
                }
            }
            "messageCreate" => {
                let sender = e.body.get("senderId").and_then(id_string);
                if let Some(s) = &sender {
                    members.push(s.clone());
                }
                let item = docs.len() as u64;
                let span = spans.as_ref().and_then(|s| s.get(e.index).copied());
                let mut doc = message_doc(e, span, src, item, names, conv_id.as_deref());
                doc.subject = title.clone();
                // The other members now, or, when the sender is alone so far, everyone the
                // conversation ever had; counted first, so that a large group's list is never
                // built (`super::recipients` leaves it out).
                let others = |ids: &Ids| {
                    ids.len() - sender.as_ref().map_or(0, |s| usize::from(ids.contains(s)))
                };
                let pool = if others(&members) > 0 {
                    &members
                } else {
                    &everyone
                };
                doc.to = match e.body.get("recipientId").and_then(id_string) {
                    Some(r) => vec![person(&r, names)],
                    None => super::recipients(others(pool) + 1, &mut doc, || {
                        pool.iter()
                            .filter(|m| Some(*m) != sender.as_ref())
                            .map(|id| person(id, names))
                            .collect()
                    }),
                };
                docs.push(doc);
            }
            _ => {}
        }
    }
}

fn person(id: &str, names: &HashMap<String, String>) -> Mailbox {
    account("twitter", id, names.get(id).cloned())
}

fn message_doc(
    e: &Event,
    span: Option<Span<'_>>,
    src: &ChatSource,
    item: u64,
    names: &HashMap<String, String>,
    conv_id: Option<&str>,
) -> Doc {
    let m = e.body;
    let mut doc = chat_doc(src, FORMAT, item, span);
    doc.from = m
        .get("senderId")
        .and_then(id_string)
        .map(|id| person(&id, names));
    set_date(&mut doc, str_field(m, "createdAt"), e.date, src.now);
    doc.conversation = conv_id.map(str::to_owned);
    doc.message_id = m
        .get("id")
        .and_then(id_string)
        .map(|id| format!("twitter:{id}"));

    let mut text = str_field(m, "text").unwrap_or_default().to_owned();
    if let Some(urls) = m.get("urls").and_then(Value::as_array) {
        for u in urls {
            let short = str_field(u, "url").map(str::trim).unwrap_or_default();
            let long = str_field(u, "expanded").map(str::trim).unwrap_or_default();
            if !short.is_empty() && !long.is_empty() {
                text = text.replace(short, long);
            }
        }
    }
    let mut body = unescape_html(&text);
    if let Some(media) = m.get("mediaUrls").and_then(Value::as_array) {
        for url in media.iter().filter_map(Value::as_str).map(str::trim) {
            if url.is_empty() {
                continue;
            }
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(url);
            let name = file_name_of(url);
            doc.attachments.push(Attachment {
                name: (!name.is_empty()).then(|| name.to_owned()),
                mime_type: mime_from_name(name),
                size: 0,
            });
        }
    }
    doc.body = body;
    doc
}

/// Display names from an archive's own `account.js` (in `data_dir`, the archive's `data/`):
/// account id → `"Display Name (@username)"`. Missing or unreadable files give an empty map.
/// The file of an archive's `data/` folder that names the account holder.
pub const ACCOUNT_FILE: &str = "account.js";

/// Whether `bytes` read as an `account.js`: the assignment, then a JSON array.
pub fn check_account(bytes: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<Value>(strip_assignment(bytes)?) {
        Ok(Value::Array(_)) => Ok(()),
        Ok(_) => Err("not a JSON array".into()),
        Err(e) => Err(format!("not valid JSON: {e}")),
    }
}

pub fn load_archive_names(data_dir: &Path) -> HashMap<String, String> {
    let mut names = HashMap::new();
    let Ok(bytes) = std::fs::read(data_dir.join(ACCOUNT_FILE)) else {
        return names;
    };
    let Ok(json) = strip_assignment(&bytes) else {
        return names;
    };
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(json) else {
        return names;
    };
    for item in &items {
        let Some(acc) = item.get("account") else {
            continue;
        };
        let Some(id) = acc.get("accountId").and_then(id_string) else {
            continue;
        };
        let display = str_field(acc, "accountDisplayName")
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let user = str_field(acc, "username")
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let name = match (display, user) {
            (Some(d), Some(u)) => format!("{d} (@{u})"),
            (Some(d), None) => d.to_owned(),
            (None, Some(u)) => format!("@{u}"),
            (None, None) => continue,
        };
        names.insert(id, name);
    }
    names
}

/// A user-supplied id → name mapping: a JSON object `{"id": "name", ...}`, or CSV lines
/// `id,name` with an optional header row (a first row whose id is not a number). Ids may be
/// written with a `twitter:` prefix.
pub fn load_names_file(path: &Path) -> Result<HashMap<String, String>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read names file {}: {e}", path.display()))?;
    parse_names(&bytes).map_err(|e| format!("names file {}: {e}", path.display()))
}

fn clean_id(id: &str) -> String {
    let id = id.trim();
    id.strip_prefix("twitter:").unwrap_or(id).trim().to_owned()
}

fn parse_names(bytes: &[u8]) -> Result<HashMap<String, String>, String> {
    let body = trim_start_bytes(bytes);
    let mut names = HashMap::new();
    if body.starts_with(b"{") {
        let v: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
        let obj = v.as_object().ok_or("expected a JSON object of id → name")?;
        for (id, name) in obj {
            let (id, Some(name)) = (clean_id(id), name.as_str().map(str::trim)) else {
                continue;
            };
            if !id.is_empty() && !name.is_empty() {
                names.insert(id, name.to_owned());
            }
        }
        return Ok(names);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    for (row, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("invalid CSV: {e}"))?;
        let (Some(id), Some(name)) = (rec.get(0), rec.get(1)) else {
            continue;
        };
        let (id, name) = (clean_id(id), name.trim());
        if row == 0 && !id.bytes().all(|b| b.is_ascii_digit()) {
            continue; // header row
        }
        if !id.is_empty() && !name.is_empty() {
            names.insert(id, name.to_owned());
        }
    }
    if names.is_empty() {
        return Err("no `id,name` rows found".into());
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DateQuality;
    use chrono::TimeZone;

    fn src() -> ChatSource<'static> {
        ChatSource {
            path: "/dump/data/direct-messages.js",
            now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            stated: None,
        }
    }

    const ONE_TO_ONE: &str = r#"window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "111-222",
      "messages" : [
        { "messageCreate" : {
            "recipientId" : "111", "reactions" : [], "urls" : [],
            "text" : "ok &amp; thanks", "mediaUrls" : [
              "https://ton.twitter.com/dm/9/8/photo.jpg" ],
            "senderId" : "222", "id" : "9002",
            "createdAt" : "2016-09-20T18:00:00.000Z" } },
        { "messageCreate" : {
            "recipientId" : "222", "reactions" : [],
            "urls" : [ { "url" : "https://t.co/abc", "expanded" : "https://example.org/report", "display" : "example.org/report" } ],
            "text" : "read https://t.co/abc", "mediaUrls" : [ ],
            "senderId" : "111", "id" : "9001",
            "createdAt" : "2016-09-20T17:30:00.000Z" } }
      ]
    }
  }
]"#;

    const GROUP: &str = r#"window.YTD.direct_messages_group.part0 = [
  { "dmConversation" : { "conversationId" : "555", "messages" : [
      { "messageCreate" : { "senderId" : "333", "text" : "hi all", "id" : "4",
          "createdAt" : "2016-10-04T00:00:00.000Z", "urls" : [], "mediaUrls" : [] } },
      { "participantsLeave" : { "userIds" : [ "222" ], "createdAt" : "2016-10-03T00:00:00.000Z" } },
      { "messageCreate" : { "senderId" : "222", "text" : "welcome", "id" : "3",
          "createdAt" : "2016-10-02T00:00:00.000Z" } },
      { "participantsJoin" : { "initiatingUserId" : "111", "userIds" : [ "333" ], "createdAt" : "2016-10-01T12:00:00.000Z" } },
      { "conversationNameUpdate" : { "initiatingUserId" : "111", "name" : "Plans", "createdAt" : "2016-10-01T06:00:00.000Z" } },
      { "messageCreate" : { "senderId" : "111", "text" : "start", "id" : "2",
          "createdAt" : "2016-10-01T00:00:00.000Z" } },
      { "joinConversation" : { "initiatingUserId" : "222", "participantsSnapshot" : [ "111", "222", "444" ],
          "createdAt" : "2016-09-30T00:00:00.000Z" } }
  ] } }
]"#;

    fn names() -> HashMap<String, String> {
        HashMap::from([("111".to_owned(), "Ann Lee (@annlee)".to_owned())])
    }

    #[test]
    fn detects_dm_files() {
        assert!(looks_like(
            b"\xEF\xBB\xBF window.YTD.direct_messages.part0 = ["
        ));
        assert!(looks_like(b"window.YTD.direct_messages_group.part0 = ["));
        assert!(!looks_like(b"window.YTD.tweets.part0 = ["));
        assert!(!looks_like(b"[]"));
    }

    #[test]
    fn one_to_one_messages() {
        let docs = parse(ONE_TO_ONE.as_bytes(), &src(), &names()).unwrap();
        assert_eq!(docs.len(), 2);
        let (a, b) = (&docs[0], &docs[1]);
        // chronological order: 9001 first
        assert_eq!(a.message_id.as_deref(), Some("twitter:9001"));
        // Its source is its own event object in the file.
        let own =
            &ONE_TO_ONE[a.source.offset as usize..(a.source.offset + a.source.length) as usize];
        assert!(own.starts_with(r#"{ "messageCreate" : {"#), "{own}");
        assert!(own.contains("9001") && own.ends_with('}'), "{own}");
        assert_eq!(a.format, "twitter-dm");
        assert_eq!(a.conversation.as_deref(), Some("111-222"));
        let from = a.from.as_ref().unwrap();
        assert_eq!(from.address, "twitter:111");
        assert_eq!(from.name.as_deref(), Some("Ann Lee (@annlee)"));
        assert_eq!(a.to.len(), 1);
        assert_eq!(a.to[0].address, "twitter:222");
        assert_eq!(a.to[0].name, None);
        assert_eq!(a.body, "read https://example.org/report");
        assert_eq!(
            a.date,
            Some(Utc.with_ymd_and_hms(2016, 9, 20, 17, 30, 0).unwrap())
        );
        assert_eq!(a.date_quality, DateQuality::Ok);
        assert_eq!(a.date_raw.as_deref(), Some("2016-09-20T17:30:00.000Z"));
        assert_eq!(b.message_id.as_deref(), Some("twitter:9002"));
        assert_eq!(b.from.as_ref().unwrap().address, "twitter:222");
        assert_eq!(b.to[0].address, "twitter:111");
        assert_eq!(
            b.body,
            "ok & thanks\nhttps://ton.twitter.com/dm/9/8/photo.jpg"
        );
        assert_eq!(b.attachments.len(), 1);
        assert_eq!(b.attachments[0].name.as_deref(), Some("photo.jpg"));
        assert_eq!(b.attachments[0].mime_type, "image/jpeg");
        assert_ne!(a.id, b.id);
        assert_ne!(a.source.sha256, b.source.sha256);
    }

    #[test]
    fn group_membership_over_time() {
        let docs = parse(GROUP.as_bytes(), &src(), &names()).unwrap();
        let got: Vec<(String, Vec<String>, String)> = docs
            .iter()
            .map(|d| {
                (
                    d.from.as_ref().unwrap().address.clone(),
                    d.to.iter().map(|m| m.address.clone()).collect(),
                    d.subject.clone(),
                )
            })
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                (
                    "twitter:111".into(),
                    s(&["twitter:222", "twitter:444"]),
                    "".into()
                ),
                (
                    "twitter:222".into(),
                    s(&["twitter:111", "twitter:444", "twitter:333"]),
                    "Plans".into()
                ),
                (
                    "twitter:333".into(),
                    s(&["twitter:111", "twitter:444"]),
                    "Plans".into()
                ),
            ]
        );
        assert_eq!(docs[2].message_id.as_deref(), Some("twitter:4"));
        assert_eq!(docs[2].conversation.as_deref(), Some("555"));
    }

    #[test]
    fn group_without_membership_events_uses_all_participants() {
        let js = r#"window.YTD.direct_messages_group.part0 = [ { "dmConversation" : {
            "conversationId" : "9", "messages" : [
              { "messageCreate" : { "senderId" : "2", "text" : "b", "id" : "2", "createdAt" : "2017-01-02T00:00:00.000Z" } },
              { "messageCreate" : { "senderId" : "1", "text" : "a", "id" : "1", "createdAt" : "2017-01-01T00:00:00.000Z" } }
            ] } } ];"#;
        let docs = parse(js.as_bytes(), &src(), &HashMap::new()).unwrap();
        assert_eq!(docs[0].to.len(), 1);
        assert_eq!(docs[0].to[0].address, "twitter:2");
        assert_eq!(docs[1].to[0].address, "twitter:1");
    }

    #[test]
    fn bad_dates_are_recorded_not_invented() {
        let js = r#"window.YTD.direct_messages.part0 = [ { "dmConversation" : {
            "conversationId" : "1-2", "messages" : [
              { "messageCreate" : { "senderId" : "1", "recipientId" : "2", "text" : "x", "id" : "1", "createdAt" : "yesterday" } },
              { "messageCreate" : { "senderId" : "1", "recipientId" : "2", "text" : "y", "id" : "2" } }
            ] } } ]"#;
        let docs = parse(js.as_bytes(), &src(), &HashMap::new()).unwrap();
        assert_eq!(docs.len(), 2);
        let q: Vec<_> = docs.iter().map(|d| d.date_quality).collect();
        assert!(q.contains(&DateQuality::Unparseable));
        assert!(q.contains(&DateQuality::Missing));
        assert!(docs.iter().all(|d| d.date.is_none()));
    }

    #[test]
    fn bad_input_is_an_error() {
        let names = HashMap::new();
        assert!(parse(b"", &src(), &names).is_err());
        assert!(parse(b"[]", &src(), &names).is_err());
        assert!(parse(b"window.YTD.direct_messages.part0", &src(), &names).is_err());
        assert!(parse(b"window.YTD.direct_messages.part0 = {}", &src(), &names).is_err());
        assert!(parse(b"window.YTD.direct_messages.part0 = [", &src(), &names).is_err());
        assert_eq!(
            parse(
                b"window.YTD.direct_messages.part0 = [1, {}, {\"dmConversation\": 3}]",
                &src(),
                &names
            )
            .unwrap()
            .len(),
            0
        );
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        for fixture in [ONE_TO_ONE, GROUP] {
            for end in 0..=fixture.len() {
                let _ = parse(&fixture.as_bytes()[..end], &src(), &names());
                let _ = looks_like(&fixture.as_bytes()[..end]);
            }
        }
        let mut x: u32 = 12345;
        for _ in 0..200 {
            let junk: Vec<u8> = (0..64)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            let _ = parse(&junk, &src(), &names());
        }
        // Wrong types everywhere.
        let odd = r#"window.YTD.direct_messages.part0 = [ { "dmConversation" : {
            "conversationId" : 5, "messages" : [ { "messageCreate" : { "senderId" : 1, "recipientId" : [],
            "text" : 3, "urls" : [ { "url" : "", "expanded" : "x" }, 7 ], "mediaUrls" : [ 1, "" ], "id" : null } },
            { "participantsJoin" : { "userIds" : "x" } }, { "participantsLeave" : null }, {} , [] ] } } ]"#;
        let docs = parse(odd.as_bytes(), &src(), &names()).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].conversation.as_deref(), Some("5"));
        assert_eq!(docs[0].from.as_ref().unwrap().address, "twitter:1");
    }

    #[test]
    fn archive_names() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_archive_names(dir.path()).is_empty());
        std::fs::write(
            dir.path().join("account.js"),
            r#"window.YTD.account.part0 = [ { "account" : { "email" : "a@b.example",
               "username" : "annlee", "accountId" : "111", "accountDisplayName" : "Ann Lee" } } ]"#,
        )
        .unwrap();
        let names = load_archive_names(dir.path());
        assert_eq!(
            names.get("111").map(String::as_str),
            Some("Ann Lee (@annlee)")
        );
        std::fs::write(
            dir.path().join("account.js"),
            "window.YTD.account.part0 = [ {",
        )
        .unwrap();
        assert!(load_archive_names(dir.path()).is_empty());
    }

    #[test]
    fn names_files() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("names.json");
        std::fs::write(&json, r#"{"111": "Ann", "twitter:222": " Bob ", "333": 4}"#).unwrap();
        let m = load_names_file(&json).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["222"], "Bob");
        let csv = dir.path().join("names.csv");
        std::fs::write(&csv, "id,name\n111,\"Lee, Ann\"\n222,Bob\nbad\n").unwrap();
        let m = load_names_file(&csv).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["111"], "Lee, Ann");
        std::fs::write(&csv, "111,Ann\n").unwrap();
        assert_eq!(load_names_file(&csv).unwrap()["111"], "Ann");
        std::fs::write(&csv, "").unwrap();
        assert!(load_names_file(&csv).is_err());
        std::fs::write(&json, "{ broken").unwrap();
        assert!(load_names_file(&json).is_err());
        assert!(load_names_file(&dir.path().join("missing")).is_err());
    }
}
