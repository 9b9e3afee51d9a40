//! Slack workspace exports (format `slack`).
//!
//! An export is a directory:
//!
//! ```text
//! users.json      [{"id": "U0BMQB6JE", "name": "hamza", "real_name": "Hamza Faran",
//!                   "profile": {"real_name": "...", "display_name": "..."}, "is_bot": false}, ...]
//! channels.json   [{"id": "C0JGLMMNX", "name": "general", "members": ["U0BMQB6JE", ...]}, ...]
//! groups.json     private channels, same shape (optional)
//! mpims.json      group DMs, same shape, named `mpdm-a--b--c-1` (optional)
//! dms.json        DMs: [{"id": "D...", "members": [two user ids]}] (optional)
//! general/2016-10-03.json   one file per channel and day: an array of messages
//! ```
//!
//! A message is `{"type": "message", "user": "U...", "text": "...", "ts": "1475514000.000200",
//! "subtype": "bot_message" | "file_share" | "channel_join" | ..., "bot_id", "username",
//! "files": [{"name", "mimetype", "size"}], "file": {...} (older exports), "thread_ts",
//! "attachments": [{"pretext", "title", "title_link", "text", "fallback"}], "user_profile"}`.
//!
//! Every JSON object of a day file becomes one document, numbered in file order; entries that
//! are not objects are not messages and are skipped. The sender is the bot (`slack:<bot_id>`,
//! named by `username`) for `bot_message`s, else `user`, else `bot_id`, else the commenter of a
//! `file_comment`. Message markup is resolved: `<@U123>` to `@handle`, `<#C1|general>` to
//! `#general`, `<!here>` to `@here`, `<http://x|label>` to `label (http://x)`, and `&amp;`,
//! `&lt;`, `&gt;` decoded. Link-preview and bot attachments (`attachments`) add their pretext,
//! title, link and text to the body, so integration messages with empty `text` stay searchable;
//! shared files become [`Attachment`]s with the size the export states.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    account, chat_doc, id_string, json_span, set_date, str_field, unescape_html, ChatSource,
};
use crate::doc::{Attachment, Doc, Mailbox};
use crate::ingest::format::{Format, Sniff};
use crate::ingest::{Context, Skip, Unit};

/// The format name documents carry.
pub const FORMAT: &str = "slack";

/// A workspace member, as `users.json` describes them.
#[derive(Debug, Clone, Default)]
struct User {
    /// The handle (`name`), used for `@mentions`.
    handle: Option<String>,
    /// The human name: real name, else display name, else handle.
    name: Option<String>,
}

/// A conversation the export lists: a channel, private group, group DM or DM.
#[derive(Debug, Clone, Default)]
struct Channel {
    id: String,
    name: Option<String>,
    members: Vec<String>,
    /// Public or private channel (`#name` subject), rather than a DM or group DM.
    is_channel: bool,
}

/// The workspace-wide tables of an export: users and conversations, to resolve ids in messages.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    users: HashMap<String, User>,
    channels: Vec<Channel>,
    /// Why a table could not be read (`users.json is not valid JSON: ...`): the export is read
    /// without it, and its messages carry the flag [`FLAG_DEGRADED`].
    pub problems: Vec<String>,
}

/// Flag: the message comes from an export whose users or channels could not be read, so names
/// and members are missing.
pub const FLAG_DEGRADED: &str = "export-degraded";

/// The tables at an export's root that the workspace reads, and what each gives messages.
pub const TABLES: [(&str, &str); 5] = [
    ("users.json", "senders' and mentioned users' names"),
    ("channels.json", "channel names and members"),
    ("groups.json", "private channels' names and members"),
    ("mpims.json", "group DMs' members"),
    ("dms.json", "DMs' members"),
];

/// Whether the export table `bytes` (one of [`TABLES`]) reads as a JSON array.
pub fn check_table(bytes: &[u8]) -> Result<(), String> {
    match serde_json::from_slice(super::trim_start_bytes(bytes)) {
        Ok(Value::Array(_)) => Ok(()),
        Ok(_) => Err("not a JSON array".into()),
        Err(e) => Err(format!("not valid JSON: {e}")),
    }
}

/// Whether `dir` is the root of a Slack export (it holds `users.json` and `channels.json`).
pub fn is_export_root(dir: &Path) -> bool {
    dir.join("users.json").is_file() && dir.join("channels.json").is_file()
}

/// A `.json` file at an export root: the export's own metadata (`users.json`, ...).
pub fn is_metadata_file(real: &Path) -> bool {
    is_json(real) && real.parent().is_some_and(is_export_root)
}

fn is_json(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some("json")
}

/// The export root and channel of a day file (`<root>/<channel>/<YYYY-MM-DD>.json`).
fn day_file(real: &Path) -> Option<(&Path, &str)> {
    if !is_json(real) {
        return None;
    }
    let dir = real.parent()?;
    if is_export_root(dir) {
        return None;
    }
    let root = dir.parent().filter(|r| is_export_root(r))?;
    let channel = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    Some((root, channel))
}

/// The registry's sniff, by place: a day file of an export (a folder holding `users.json` and
/// `channels.json`). A broken table does not make its day files something else: they are read
/// without it, and the table is listed as `export-degraded`.
pub(crate) fn sniff(s: &Sniff) -> bool {
    s.real.and_then(day_file).is_some()
}

/// The registry's reader: one day of a channel.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let not_day = || Skip::Unextractable("not a day file of a Slack export".to_owned());
    let (root, channel) = unit.real.and_then(day_file).ok_or_else(not_day)?;
    let ws = ctx.slack_workspace(root);
    let docs =
        parse_day(unit.bytes, channel, &ws, &unit.chat_source(ctx)).map_err(Skip::Unextractable)?;
    docs.into_iter().for_each(emit);
    Ok(Format::Slack)
}

fn nonempty(v: &Value, key: &str) -> Option<String> {
    str_field(v, key)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn read_array(path: &Path) -> Result<Vec<Value>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match serde_json::from_slice(super::trim_start_bytes(&bytes)) {
        Ok(Value::Array(a)) => Ok(a),
        Ok(_) => Err(format!("{} is not a JSON array", path.display())),
        Err(e) => Err(format!("{} is not valid JSON: {e}", path.display())),
    }
}

impl Workspace {
    /// Reads `users.json` and `channels.json` and, when present, `groups.json`, `mpims.json`,
    /// `dms.json` from the export root `root`. A table that cannot be read is left out and
    /// noted in [`Workspace::problems`]: the messages are still there to be read.
    pub fn load(root: &Path) -> Workspace {
        let mut ws = Workspace::default();
        let mut table = |file: &str, required: bool| -> Vec<Value> {
            let path = root.join(file);
            if !required && !path.is_file() {
                return Vec::new();
            }
            read_array(&path).unwrap_or_else(|e| {
                ws.problems.push(e);
                Vec::new()
            })
        };
        let users = table("users.json", true);
        let lists = [
            (table("channels.json", true), true),
            (table("groups.json", false), true),
            (table("mpims.json", false), false),
            (table("dms.json", false), false),
        ];
        ws.add_users(&users);
        for (list, is_channel) in lists {
            ws.add_channels(&list, is_channel);
        }
        ws
    }

    fn add_users(&mut self, users: &[Value]) {
        for u in users {
            let Some(id) = u.get("id").and_then(id_string) else {
                continue;
            };
            let profile = u.get("profile").unwrap_or(&Value::Null);
            let handle = nonempty(u, "name").or_else(|| nonempty(profile, "display_name"));
            let name = nonempty(profile, "real_name")
                .or_else(|| nonempty(u, "real_name"))
                .or_else(|| nonempty(profile, "display_name"))
                .or_else(|| handle.clone());
            self.users.insert(id, User { handle, name });
        }
    }

    fn add_channels(&mut self, list: &[Value], is_channel: bool) {
        for c in list {
            let Some(id) = c.get("id").and_then(id_string) else {
                continue;
            };
            let members = c
                .get("members")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(id_string).collect())
                .unwrap_or_default();
            self.channels.push(Channel {
                id,
                name: nonempty(c, "name"),
                members,
                is_channel,
            });
        }
    }

    /// The conversation a day-file directory is named after: by name, else by id (DM folders).
    fn channel(&self, dir_name: &str) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| c.name.as_deref() == Some(dir_name))
            .or_else(|| self.channels.iter().find(|c| c.id == dir_name))
    }

    fn user(&self, id: &str) -> Mailbox {
        account("slack", id, self.users.get(id).and_then(|u| u.name.clone()))
    }

    /// How a mention of user `id` reads: `@handle`, else `@label` from the markup, else `@id`.
    fn mention(&self, id: &str, label: Option<&str>) -> String {
        let handle = self.users.get(id).and_then(|u| u.handle.as_deref());
        let shown = handle.or(label.filter(|l| !l.is_empty())).unwrap_or(id);
        format!("@{}", shown.trim_start_matches('@'))
    }

    /// Resolves Slack's message markup (see the module docs) into plain text.
    fn resolve(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            out.push_str(&unescape_html(&rest[..open]));
            let after = &rest[open + 1..];
            let Some(close) = after.find('>') else {
                out.push_str(&unescape_html(&rest[open..]));
                rest = "";
                break;
            };
            let token = &after[..close];
            let (target, label) = match token.split_once('|') {
                Some((t, l)) => (t, Some(unescape_html(l))),
                None => (token, None),
            };
            let target_text = unescape_html(target);
            let resolved = if let Some(id) = target.strip_prefix('@') {
                self.mention(id, label.as_deref())
            } else if let Some(id) = target.strip_prefix('#') {
                let name = label
                    .filter(|l| !l.is_empty())
                    .or_else(|| {
                        self.channels
                            .iter()
                            .find(|c| c.id == id)
                            .and_then(|c| c.name.clone())
                    })
                    .unwrap_or_else(|| id.to_owned());
                format!("#{name}")
            } else if let Some(special) = target.strip_prefix('!') {
                match label.filter(|l| !l.is_empty()) {
                    Some(l) => l,
                    None => format!("@{}", special.split('^').next().unwrap_or(special)),
                }
            } else {
                match label.filter(|l| !l.is_empty()) {
                    Some(l) => {
                        let bare = target_text.strip_prefix("mailto:").unwrap_or(&target_text);
                        if l == bare || l == target_text {
                            l
                        } else {
                            format!("{l} ({target_text})")
                        }
                    }
                    None => target_text,
                }
            };
            out.push_str(&resolved);
            rest = &after[close + 1..];
        }
        out.push_str(&unescape_html(rest));
        out
    }
}

/// Reads Slack's `ts` (`"1475514000.000200"`, seconds since the epoch) as a UTC instant.
fn parse_ts(ts: &str) -> Option<DateTime<Utc>> {
    let ts = ts.trim();
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let mut digits: String = frac.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    let nanos: u32 = digits.parse().ok()?;
    DateTime::from_timestamp(secs, nanos)
}

/// A file the message shares, from an entry of `files` or the older `file`.
fn attachment(f: &Value) -> Option<Attachment> {
    let name = nonempty(f, "name").or_else(|| nonempty(f, "title"));
    let mime = nonempty(f, "mimetype");
    if name.is_none() && mime.is_none() {
        return None;
    }
    Some(Attachment {
        mime_type: mime
            .map(|m| m.to_ascii_lowercase())
            .unwrap_or_else(|| super::mime_from_name(name.as_deref().unwrap_or_default())),
        name,
        size: f.get("size").and_then(Value::as_u64).unwrap_or(0),
    })
}

/// Parses one day file of the conversation whose directory is named `channel`.
pub fn parse_day(
    bytes: &[u8],
    channel: &str,
    ws: &Workspace,
    src: &ChatSource,
) -> Result<Vec<Doc>, String> {
    let json = super::trim_start_bytes(bytes);
    let root: Value = serde_json::from_slice(json)
        .map_err(|e| format!("Slack day file is not valid JSON: {e}"))?;
    let spans = json_span::item_spans(bytes, json_span::root(json));
    let messages = root
        .as_array()
        .ok_or("Slack day file does not hold a JSON array of messages")?;
    src.state(messages.len());
    let chan = ws.channel(channel);
    let subject = match chan {
        Some(c) if !c.is_channel => c.name.clone().unwrap_or_default(),
        _ => format!("#{channel}"),
    };
    let mut docs = Vec::new();
    for (i, m) in messages.iter().enumerate().filter(|(_, m)| m.is_object()) {
        let item = docs.len() as u64;
        let span = spans.as_ref().and_then(|s| s.get(i).copied());
        let mut doc = chat_doc(src, FORMAT, item, span);
        if !ws.problems.is_empty() {
            doc.flags.push(FLAG_DEGRADED);
        }
        doc.conversation = Some(channel.to_owned());
        doc.subject = subject.clone();

        let subtype = str_field(m, "subtype").unwrap_or_default();
        let user = m.get("user").and_then(id_string);
        let bot = m.get("bot_id").and_then(id_string);
        let bot_name = || {
            nonempty(m, "username")
                .or_else(|| m.get("bot_profile").and_then(|p| nonempty(p, "name")))
        };
        let profile_name = || {
            m.get("user_profile")
                .and_then(|p| nonempty(p, "real_name").or_else(|| nonempty(p, "display_name")))
        };
        let commenter = m
            .get("comment")
            .and_then(|c| c.get("user"))
            .and_then(id_string);
        let sender_id = match (subtype == "bot_message", user, bot) {
            (true, _, Some(b)) => {
                doc.from = Some(account("slack", &b, bot_name()));
                Some(b)
            }
            (_, Some(u), _) => {
                let mut mb = ws.user(&u);
                if mb.name.is_none() {
                    mb.name = profile_name();
                }
                doc.from = Some(mb);
                Some(u)
            }
            (_, None, Some(b)) => {
                doc.from = Some(account("slack", &b, bot_name()));
                Some(b)
            }
            (_, None, None) => {
                if let Some(c) = &commenter {
                    doc.from = Some(ws.user(c));
                } else if let Some(name) = bot_name() {
                    doc.from = Some(Mailbox {
                        address: String::new(),
                        name: Some(name),
                        written: None,
                    });
                }
                commenter
            }
        };
        if let Some(c) = chan {
            doc.to = super::recipients(c.members.len(), &mut doc, || {
                c.members
                    .iter()
                    .filter(|id| Some(*id) != sender_id.as_ref())
                    .map(|id| ws.user(id))
                    .collect()
            });
        }

        let ts = m.get("ts").and_then(id_string);
        set_date(
            &mut doc,
            ts.as_deref(),
            ts.as_deref().and_then(parse_ts),
            src.now,
        );
        if let Some(ts) = &ts {
            doc.message_id = Some(format!("slack:{channel}:{ts}"));
            if let Some(thread) = m.get("thread_ts").and_then(id_string) {
                if &thread != ts {
                    doc.in_reply_to = vec![format!("slack:{channel}:{thread}")];
                }
            }
        }

        let mut body = ws.resolve(str_field(m, "text").unwrap_or_default());
        for a in m
            .get("attachments")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let mut parts = Vec::new();
            for key in ["pretext", "author_name", "title"] {
                parts.extend(nonempty(a, key).map(|s| ws.resolve(&s)));
            }
            parts.extend(nonempty(a, "title_link"));
            parts.extend(nonempty(a, "text").map(|s| ws.resolve(&s)));
            if parts.is_empty() {
                parts.extend(nonempty(a, "fallback").map(|s| ws.resolve(&s)));
            }
            for p in parts {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str(&p);
            }
        }
        doc.body = body;

        let files = m.get("files").and_then(Value::as_array);
        doc.attachments = files
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .chain(m.get("file"))
            .filter_map(attachment)
            .collect();
        docs.push(doc);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DateQuality;
    use chrono::TimeZone;

    fn src() -> ChatSource<'static> {
        ChatSource {
            path: "/dump/slack/general/2016-10-03.json",
            now: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            stated: None,
        }
    }

    fn workspace() -> Workspace {
        let users: Vec<Value> = serde_json::from_str(
            r#"[
              {"id": "U1", "name": "ann", "real_name": "Ann Lee", "profile": {"real_name": "Ann Lee", "display_name": "annie"}},
              {"id": "U2", "name": "bob", "profile": {"display_name": "Bobby"}},
              {"id": "U3", "name": "cat", "is_bot": false, "profile": {}}
            ]"#,
        )
        .unwrap();
        let channels: Vec<Value> = serde_json::from_str(
            r#"[{"id": "C1", "name": "general", "members": ["U1", "U2", "U3"]}]"#,
        )
        .unwrap();
        let dms: Vec<Value> =
            serde_json::from_str(r#"[{"id": "D1", "members": ["U1", "U2"]}]"#).unwrap();
        let mut ws = Workspace::default();
        ws.add_users(&users);
        ws.add_channels(&channels, true);
        ws.add_channels(&dms, false);
        ws
    }

    const DAY: &str = r#"[
      {"type": "message", "user": "U1", "text": "hi <@U2>, see <https://example.org/a?b=1&amp;c=2|the doc> &lt;3", "ts": "1475514000.000200"},
      {"type": "message", "subtype": "bot_message", "bot_id": "B9", "username": "deploybot", "text": "",
       "attachments": [{"fallback": "deploy done", "pretext": "Deploy", "text": "build <https://ci/1|#1> ok"}], "ts": "1475514001.000300"},
      {"type": "message", "subtype": "file_share", "user": "U2", "ts": "1475514002.000400",
       "files": [{"name": "plan.pdf", "mimetype": "application/pdf", "size": 1234}]},
      {"type": "message", "user": "U3", "text": "reply in <#C1> to <!here>", "ts": "1475514003.000500", "thread_ts": "1475514000.000200"},
      {"type": "message", "subtype": "channel_join", "user": "U9", "text": "<@U9|zed> has joined the channel", "ts": "garbage"},
      {"type": "message", "subtype": "file_comment", "text": "nice", "comment": {"user": "U1"}, "file": {"name": "x.png"}}
    ]"#;

    #[test]
    fn day_file_messages() {
        let ws = workspace();
        let docs = parse_day(DAY.as_bytes(), "general", &ws, &src()).unwrap();
        assert_eq!(docs.len(), 6);
        let d = &docs[0];
        assert_eq!(d.format, "slack");
        assert_eq!(d.subject, "#general");
        assert_eq!(d.conversation.as_deref(), Some("general"));
        assert_eq!(
            d.message_id.as_deref(),
            Some("slack:general:1475514000.000200")
        );
        let from = d.from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("slack:u1", Some("Ann Lee"))
        );
        let to: Vec<_> =
            d.to.iter()
                .map(|m| (m.address.as_str(), m.name.as_deref()))
                .collect();
        assert_eq!(to, [("slack:u2", Some("Bobby")), ("slack:u3", Some("cat"))]);
        assert_eq!(
            d.body,
            "hi @bob, see the doc (https://example.org/a?b=1&c=2) <3"
        );
        assert_eq!(
            d.date,
            Some(
                Utc.with_ymd_and_hms(2016, 10, 3, 17, 0, 0).unwrap()
                    + chrono::Duration::microseconds(200)
            )
        );
        assert_eq!(d.date_raw.as_deref(), Some("1475514000.000200"));
        assert!(d.in_reply_to.is_empty());

        let bot = &docs[1];
        let from = bot.from.as_ref().unwrap();
        assert_eq!(
            (from.address.as_str(), from.name.as_deref()),
            ("slack:b9", Some("deploybot"))
        );
        assert_eq!(bot.to.len(), 3);
        assert_eq!(bot.body, "Deploy\nbuild #1 (https://ci/1) ok");

        let share = &docs[2];
        assert_eq!(share.body, "");
        assert_eq!(share.attachments.len(), 1);
        assert_eq!(share.attachments[0].name.as_deref(), Some("plan.pdf"));
        assert_eq!(share.attachments[0].mime_type, "application/pdf");
        assert_eq!(share.attachments[0].size, 1234);

        let reply = &docs[3];
        assert_eq!(reply.body, "reply in #general to @here");
        assert_eq!(reply.in_reply_to, ["slack:general:1475514000.000200"]);

        let join = &docs[4];
        assert_eq!(join.from.as_ref().unwrap().address, "slack:u9");
        assert_eq!(join.from.as_ref().unwrap().name, None);
        assert_eq!(join.body, "@zed has joined the channel");
        assert_eq!(join.date_quality, DateQuality::Unparseable);
        assert_eq!(join.to.len(), 3);

        let comment = &docs[5];
        assert_eq!(comment.from.as_ref().unwrap().address, "slack:u1");
        assert_eq!(comment.date_quality, DateQuality::Missing);
        assert_eq!(comment.message_id, None);
        assert_eq!(comment.attachments[0].mime_type, "image/png");

        let ids: std::collections::HashSet<_> = docs.iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), 6);
    }

    #[test]
    fn dm_folder_by_id() {
        let ws = workspace();
        let day = r#"[{"type": "message", "user": "U2", "text": "psst", "ts": "1475514000.1"}]"#;
        let docs = parse_day(day.as_bytes(), "D1", &ws, &src()).unwrap();
        assert_eq!(docs[0].subject, "");
        assert_eq!(docs[0].to.len(), 1);
        assert_eq!(docs[0].to[0].address, "slack:u1");
        assert_eq!(
            docs[0].date,
            Some(
                Utc.with_ymd_and_hms(2016, 10, 3, 17, 0, 0).unwrap()
                    + chrono::Duration::milliseconds(100)
            )
        );
        // An unknown channel still parses, with no recipients.
        let docs = parse_day(day.as_bytes(), "random", &ws, &src()).unwrap();
        assert_eq!(docs[0].subject, "#random");
        assert!(docs[0].to.is_empty());
    }

    #[test]
    fn markup_edge_cases() {
        let ws = workspace();
        assert_eq!(ws.resolve("a < b"), "a < b");
        assert_eq!(
            ws.resolve("<mailto:a@b.example|a@b.example>"),
            "a@b.example"
        );
        assert_eq!(ws.resolve("<http://x>"), "http://x");
        assert_eq!(ws.resolve("<!subteam^S1|@ops> <!channel>"), "@ops @channel");
        assert_eq!(ws.resolve("<@UX>"), "@UX");
        assert_eq!(ws.resolve("<#C9|ops>"), "#ops");
        assert_eq!(parse_ts("12.x"), None);
        assert_eq!(parse_ts("-5"), None);
        assert_eq!(parse_ts("99999999999999999999"), None);
    }

    #[test]
    fn bad_input_is_an_error() {
        let ws = workspace();
        assert!(parse_day(b"", "general", &ws, &src()).is_err());
        assert!(parse_day(b"{}", "general", &ws, &src()).is_err());
        assert!(parse_day(b"[{", "general", &ws, &src()).is_err());
        assert_eq!(
            parse_day(b"[1, \"x\", null]", "general", &ws, &src())
                .unwrap()
                .len(),
            0
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_export_root(dir.path()));
        assert_eq!(Workspace::load(dir.path()).problems.len(), 2);
        std::fs::write(dir.path().join("users.json"), "[]").unwrap();
        std::fs::write(dir.path().join("channels.json"), "{}").unwrap();
        assert!(is_export_root(dir.path()));
        let ws = Workspace::load(dir.path());
        assert_eq!(ws.problems.len(), 1, "{:?}", ws.problems);
        assert!(ws.problems[0].contains("channels.json is not a JSON array"));
        std::fs::write(
            dir.path().join("channels.json"),
            "[{\"id\": \"C1\", \"name\": \"x\"}]",
        )
        .unwrap();
        let ws = Workspace::load(dir.path());
        assert!(ws.problems.is_empty());
        assert_eq!(ws.channels.len(), 1);
        // A truncated users.json costs the names, not the channels or the messages.
        std::fs::write(dir.path().join("users.json"), "[{\"id\": \"U1\", \"na").unwrap();
        let ws = Workspace::load(dir.path());
        assert_eq!(ws.channels.len(), 1);
        assert!(ws.problems[0].contains("users.json is not valid JSON"));
        let day = parse_day(DAY.as_bytes(), "x", &ws, &src()).unwrap();
        assert_eq!(day.len(), 6);
        assert!(day.iter().all(|d| d.flags.contains(&FLAG_DEGRADED)));
        assert_eq!(day[0].from.as_ref().unwrap().name, None);
    }

    #[test]
    fn no_panic_on_prefixes_and_odd_values() {
        let ws = workspace();
        for end in 0..=DAY.len() {
            let _ = parse_day(&DAY.as_bytes()[..end], "general", &ws, &src());
        }
        let odd = r#"[{"user": 5, "bot_id": [], "text": {"a": 1}, "ts": 7, "thread_ts": 8,
                       "attachments": [null, 3, {"text": 4}], "files": "x", "file": null, "comment": 3},
                      {"text": "<<<@>|>>", "ts": "1.2.3"}, {"text": "<@U1|", "subtype": "bot_message"}]"#;
        let docs = parse_day(odd.as_bytes(), "general", &ws, &src()).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].from.as_ref().unwrap().address, "slack:5");
        assert_eq!(docs[0].in_reply_to, ["slack:general:8"]);
        assert_eq!(docs[2].body, "<@U1|");
    }

    /// The real export in the shared corpora: every message object of every day file must
    /// become exactly one document.
    #[test]
    #[cfg_attr(
        not(trawl_corpora),
        ignore = "needs ../shared/corpora, absent at build time"
    )]
    fn real_export_hfaran() {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/edge-cases/slack-hfaran");
        let root = root.as_path();
        assert!(root.is_dir(), "{} is absent", root.display());
        assert!(is_export_root(root));
        let ws = Workspace::load(root);
        let mut objects = 0;
        let mut docs = Vec::new();
        for entry in walkdir::WalkDir::new(root)
            .min_depth(2)
            .max_depth(2)
            .sort_by_file_name()
        {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let channel = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .unwrap()
                .to_owned();
            let bytes = std::fs::read(path).unwrap();
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            objects += v
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m.is_object())
                .count();
            let p = path.to_string_lossy().into_owned();
            let s = ChatSource {
                path: &p,
                now: Utc::now(),
                stated: None,
            };
            docs.extend(parse_day(&bytes, &channel, &ws, &s).unwrap());
        }
        assert_eq!(docs.len(), objects);
        assert_eq!(objects, 158);
        assert!(docs.iter().all(|d| d.date_quality == DateQuality::Ok));
        assert!(docs.iter().all(|d| d.from.is_some()));
        assert!(docs.iter().all(|d| !d.to.is_empty()));
        assert!(docs.iter().any(|d| d
            .attachments
            .iter()
            .any(|a| a.name.as_deref() == Some("100_cities.js"))));
        assert!(!docs.iter().any(|d| d.body.contains("<@U")));
    }
}
