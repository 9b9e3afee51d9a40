//! `trawl show ID`: one message in full (headers, body, attachments, provenance), or with
//! `--raw` its original bytes read back from the dump and checked against the recorded hash.

use std::io::{IsTerminal, Write};

use anyhow::bail;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use super::search::{hit_from_doc, stored_str};
use super::{Exit, Globals};
use crate::cli::ShowArgs;
use crate::doc::{parse_id, Mailbox};
use crate::index::reader::{self, Opened};
use crate::output::json::{self, Hit};
use crate::output::sanitize::for_terminal;
use crate::output::text::format_date;
use crate::source::{self, Check, Source};

/// At most this many documents are shown for one Message-ID (the same message in many mailboxes).
const MAX_SAME_ID: usize = 50;

/// A message as `show --json` prints it: the hit fields plus the body.
#[derive(Debug, Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub hit: Hit,
    pub body: String,
    pub attachment_types: Vec<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub flags: Vec<String>,
    /// Documents found inside this one: attachments with text, forwarded messages.
    pub children: Vec<Child>,
    /// Every copy of this message the index holds (the same copy key: Message-ID and
    /// content), this one included, by path: empty when it has no other.
    pub locations: Vec<Location>,

    /// Where the message sits in its thread, when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<Place>,
}

/// A message's place in its thread: for navigating to the message it answers and the replies.
#[derive(Debug, Serialize)]
pub struct Place {
    pub thread: String,
    pub messages: usize,
    /// The message this one answers, when it is in the dump.
    pub in_reply_to_id: Option<String>,
    /// Messages that answer this one, oldest first.
    pub replies: Vec<String>,
    /// Put in the thread by its subject alone.
    pub by_subject: bool,
}

/// The place of item `id` in `threads`.
fn place(threads: &crate::index::threads::Threads, id: &str) -> Option<Place> {
    let id = parse_id(id)?;
    let e = threads.entry(id)?;
    let members = threads.members(e.thread);
    Some(Place {
        thread: format!("{:016x}", e.thread),
        messages: threads.messages(e.thread),
        in_reply_to_id: e.parent.map(|p| format!("{p:016x}")),
        replies: members
            .iter()
            .filter(|m| {
                threads.entry(**m).is_some_and(|r| {
                    r.parent == Some(id) && r.flags & crate::index::threads::COPY == 0
                })
            })
            .map(|m| format!("{m:016x}"))
            .collect(),
        by_subject: e.flags & crate::index::threads::BY_SUBJECT != 0,
    })
}

/// Where one copy of a message sits.
#[derive(Debug, Serialize)]
pub struct Location {
    pub id: String,
    pub path: String,
    pub offset: u64,
    pub length: u64,
    pub item: Option<u64>,
    pub custodian: Option<String>,
}

/// At most this many copies are listed for one message.
const MAX_LOCATIONS: usize = 1000;

/// The copies of the document at `addr`, itself included, sorted by path and offset; empty
/// when it has no copy key or no other copy.
fn locations(
    searcher: &tantivy::Searcher,
    f: &crate::index::schema::Fields,
    addr: tantivy::DocAddress,
) -> anyhow::Result<Vec<Location>> {
    let key = searcher
        .segment_reader(addr.segment_ord)
        .fast_fields()
        .u64(crate::index::schema::COPY)?
        .first(addr.doc_id);
    let Some(key) = key else {
        return Ok(Vec::new());
    };
    let q = TermQuery::new(Term::from_field_u64(f.copy, key), IndexRecordOption::Basic);
    let found = searcher.search(&q, &TopDocs::with_limit(MAX_LOCATIONS).order_by_score())?;
    if found.len() < 2 {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(found.len());
    for (_, a) in found {
        let d: TantivyDocument = searcher.doc(a)?;
        let h = hit_from_doc(&d, f);
        out.push(Location {
            id: h.id,
            path: h.path,
            offset: h.offset,
            length: h.length,
            item: h.item,
            custodian: h.custodian,
        });
    }
    out.sort_by(|a, b| {
        (a.path.as_str(), a.offset, a.item, a.id.as_str()).cmp(&(
            b.path.as_str(),
            b.offset,
            b.item,
            b.id.as_str(),
        ))
    });
    Ok(out)
}

/// A document found inside another, as `show` lists it.
#[derive(Debug, Serialize)]
pub struct Child {
    pub id: String,
    pub kind: String,
    pub subject: String,
}

pub fn run(g: &Globals, args: ShowArgs) -> anyhow::Result<Exit> {
    let opened = reader::open(&g.index)?;
    let tz = g.tz()?;
    let mut docs = find(&opened, &args.id)?;
    if !args.raw && !docs.is_empty() {
        let threads = opened.threads()?;
        for d in &mut docs {
            d.thread = place(&threads, &d.hit.id);
        }
    }
    if docs.is_empty() {
        eprintln!(
            "trawl: no document with id or Message-ID `{}`",
            for_terminal(&args.id)
        );
        return Ok(Exit::NoMatch);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (i, shown) in docs.iter().enumerate() {
        if args.raw {
            let passwords = crate::ingest::archive::load_passwords_arg(args.passwords.as_deref())?;
            write_raw(&mut out, &opened, &shown.hit, passwords)?;
        } else if args.json {
            json::write_line(&mut out, "message", shown)?;
        } else {
            if i > 0 {
                writeln!(out, "\n{}\n", "─".repeat(60))?;
            }
            write_text(&mut out, shown, tz)?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// Documents whose `parent` is `id`, in id order.
fn children(
    searcher: &tantivy::Searcher,
    f: &crate::index::schema::Fields,
    id: Option<u64>,
) -> anyhow::Result<Vec<Child>> {
    let Some(id) = id else { return Ok(Vec::new()) };
    let q = TermQuery::new(Term::from_field_u64(f.parent, id), IndexRecordOption::Basic);
    let mut out = Vec::new();
    for (_, addr) in searcher.search(&q, &TopDocs::with_limit(1000).order_by_score())? {
        let d: TantivyDocument = searcher.doc(addr)?;
        let h = hit_from_doc(&d, f);
        out.push(Child {
            id: h.id,
            kind: h.kind,
            subject: h.subject,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Documents whose id is `key` (16 hex digits), or whose Message-ID is `key`.
pub fn find(opened: &Opened, key: &str) -> anyhow::Result<Vec<Shown>> {
    let f = &opened.fields;
    let searcher = opened.searcher();
    let mut addrs = Vec::new();
    if key.len() == 16 {
        if let Some(id) = parse_id(key) {
            let q = TermQuery::new(Term::from_field_u64(f.id, id), IndexRecordOption::Basic);
            addrs = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        }
    }
    if addrs.is_empty() {
        let mid = key.trim().trim_start_matches('<').trim_end_matches('>');
        let q = TermQuery::new(
            Term::from_field_text(f.message_id, mid),
            IndexRecordOption::Basic,
        );
        addrs = searcher.search(&q, &TopDocs::with_limit(MAX_SAME_ID).order_by_score())?;
    }
    let mut out = Vec::new();
    for (_, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let all = |field| -> Vec<String> {
            doc.get_all(field)
                .filter_map(|v| tantivy::schema::Value::as_str(&v).map(str::to_owned))
                .collect()
        };
        out.push(Shown {
            hit: hit_from_doc(&doc, f),
            body: stored_str(&doc, f.body).unwrap_or_default(),
            attachment_types: all(f.attachment_type),
            children: children(
                &searcher,
                f,
                doc.get_first(f.id)
                    .and_then(|v| tantivy::schema::Value::as_u64(&v)),
            )?,
            in_reply_to: all(f.in_reply_to),
            references: all(f.references),
            flags: all(f.flags),
            thread: None,
            locations: locations(&searcher, f, addr)?,
        });
    }
    out.sort_by(|a, b| {
        a.hit
            .path
            .cmp(&b.hit.path)
            .then(a.hit.offset.cmp(&b.hit.offset))
    });
    Ok(out)
}

fn write_text<W: Write>(out: &mut W, s: &Shown, tz: chrono_tz::Tz) -> std::io::Result<()> {
    let h = &s.hit;
    let list = |l: &[Mailbox]| {
        for_terminal(
            &l.iter()
                .map(Mailbox::display)
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    writeln!(
        out,
        "From:       {}",
        h.from
            .as_ref()
            .map(|m| for_terminal(&m.display()))
            .unwrap_or_default()
    )?;
    for (label, l) in [("To:", &h.to), ("Cc:", &h.cc), ("Bcc:", &h.bcc)] {
        if !l.is_empty() {
            writeln!(out, "{label:<12}{}", list(l))?;
        }
    }
    let offset = h
        .tz_offset_minutes
        .map(|m| format!(" (sender's offset {:+03}:{:02})", m / 60, (m % 60).abs()))
        .unwrap_or_default();
    if h.date.is_some() && h.date_local {
        // A wall clock of unknown zone: no zone name and no offset to print beside it.
        writeln!(out, "Date:       {}", format_date(h, tz))?;
    } else if h.date.is_some() {
        writeln!(
            out,
            "Date:       {} {}{offset}",
            format_date(h, tz),
            tz.name()
        )?;
    } else if h.file_date.is_some() {
        writeln!(out, "Date:       (none in the document)")?;
    } else {
        writeln!(out, "Date:       ({})", h.date_quality)?;
    }
    if let Some(file) = h
        .file_date
        .as_deref()
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
    {
        writeln!(
            out,
            "File date:  {} {} (the file's modification time, not a date of the document)",
            file.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            tz.name()
        )?;
    } else if h.date_quality != "ok" {
        writeln!(
            out,
            "Date raw:   {} [{}]",
            for_terminal(h.date_raw.as_deref().unwrap_or("")),
            h.date_quality
        )?;
    }
    writeln!(out, "Subject:    {}", for_terminal(&h.subject))?;
    if let Some(image) = &h.image {
        if let Some(camera) = image.camera() {
            writeln!(out, "Camera:     {}", for_terminal(&camera))?;
        }
        if let Some(taken) = &image.taken {
            writeln!(
                out,
                "Taken:      {} (EXIF, as written)",
                for_terminal(taken)
            )?;
        }
        if let Some(g) = image.gps {
            writeln!(out, "GPS:        {:.6}, {:.6}", g.lat, g.lon)?;
        }
        if let (Some(w), Some(h)) = (image.width, image.height) {
            writeln!(out, "Pixels:     {w} x {h}")?;
        }
    }
    if h.ocr {
        writeln!(out, "Text:       read by OCR (Tesseract), not typed")?;
    }
    if let Some(folder) = &h.folder {
        writeln!(out, "Folder:     {}", for_terminal(folder))?;
    }
    if let Some(mid) = &h.message_id {
        writeln!(out, "Message-ID: <{}>", for_terminal(mid))?;
    }
    if !s.in_reply_to.is_empty() {
        writeln!(
            out,
            "In-Reply-To: {}",
            for_terminal(&s.in_reply_to.join(" "))
        )?;
    }
    if let Some(t) = &s.thread {
        let by = if t.by_subject {
            ", joined by subject"
        } else {
            ""
        };
        writeln!(
            out,
            "Thread:     {} ({} messages{by}; trawl thread {})",
            t.thread, t.messages, t.thread
        )?;
        if let Some(p) = &t.in_reply_to_id {
            writeln!(out, "Answers:    {p} (trawl show {p})")?;
        }
        for r in &t.replies {
            writeln!(out, "Reply:      {r} (trawl show {r})")?;
        }
    }
    writeln!(out, "Id:         {}", h.id)?;
    let part = h.item.map(|i| format!(", part {i}")).unwrap_or_default();
    writeln!(
        out,
        "Source:     {} (offset {}, {} bytes{part})",
        for_terminal(&h.path),
        h.offset,
        h.length
    )?;
    writeln!(out, "SHA-256:    {}", h.sha256)?;
    if let Some(c) = &h.custodian {
        writeln!(out, "Custodian:  {}", for_terminal(c))?;
    }
    if !s.locations.is_empty() {
        writeln!(out, "Copies:     {} in the index", s.locations.len())?;
        for l in &s.locations {
            let part = l.item.map(|i| format!(", part {i}")).unwrap_or_default();
            let custodian = l
                .custodian
                .as_deref()
                .map(|c| format!(", custodian {}", for_terminal(c)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} (offset {}{part}{custodian})",
                l.id,
                for_terminal(&l.path),
                l.offset
            )?;
        }
    }
    if !s.flags.is_empty() {
        writeln!(out, "Flags:      {}", s.flags.join(", "))?;
    }
    for (i, name) in h.attachments.iter().enumerate() {
        let ty = s.attachment_types.get(i).map(String::as_str).unwrap_or("");
        writeln!(out, "Attachment: {} ({ty})", for_terminal(name))?;
    }
    if let Some(p) = &h.parent {
        writeln!(out, "Found in:   {p} (trawl show {p})")?;
    }
    for c in &s.children {
        writeln!(
            out,
            "Contains:   {} {} {}",
            c.id,
            c.kind,
            for_terminal(&c.subject)
        )?;
    }
    writeln!(out)?;
    for line in s.body.lines() {
        writeln!(out, "{}", for_terminal(line))?;
    }
    Ok(())
}

/// Writes the bytes `h` was parsed from, read back from the dump (see [`crate::source`]) and
/// checked against the hash recorded at indexing: a warning when they differ (the dump
/// changed), an error when they cannot be read or the format cannot give them on their own. On a
/// terminal, control characters are escaped.
fn write_raw<W: Write>(
    out: &mut W,
    opened: &Opened,
    h: &Hit,
    passwords: Vec<String>,
) -> anyhow::Result<()> {
    let carrier = carrier_format(opened, h)?;
    let checked = source::Reader::default()
        .with_passwords(passwords)
        .check(&source_of(h, &carrier));
    let bytes = match checked {
        Ok(Check::Same(bytes)) => bytes,
        Ok(Check::Changed { bytes, sha256 }) => {
            eprintln!(
                "trawl: warning: the source of {} has changed since indexing \
                 (SHA-256 {} then, {sha256} now)",
                h.id, h.sha256
            );
            bytes
        }
        Err(e) => bail!(
            "{}: {}",
            for_terminal(&h.path),
            for_terminal(&e.to_string())
        ),
    };
    if std::io::stdout().is_terminal() {
        for line in String::from_utf8_lossy(&bytes).lines() {
            writeln!(out, "{}", for_terminal(line))?;
        }
    } else {
        out.write_all(&bytes)?;
    }
    Ok(())
}

/// The source of a hit, as [`source::read_back`] takes it.
pub fn source_of<'a>(h: &'a Hit, carrier_format: &'a str) -> Source<'a> {
    Source {
        path: &h.path,
        offset: h.offset,
        length: h.length,
        item: h.item,
        sha256: &h.sha256,
        format: carrier_format,
        kind: &h.kind,
    }
}

/// The format of the message a part was found in (its outermost carrier's, which says how the
/// message's bytes are stored: an mbox escapes them); a document's own format otherwise.
pub fn carrier_format(opened: &Opened, h: &Hit) -> anyhow::Result<String> {
    if h.item.is_none() {
        return Ok(h.format.clone());
    }
    let searcher = opened.searcher();
    let f = &opened.fields;
    let mut parent = h.parent.as_deref().and_then(parse_id);
    let mut format = h.format.clone();
    // Forwarded messages nest; the chain ends at the message with no item.
    for _ in 0..64 {
        let Some(id) = parent else { break };
        let q = TermQuery::new(Term::from_field_u64(f.id, id), IndexRecordOption::Basic);
        let Some((_, addr)) = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())?
            .into_iter()
            .next()
        else {
            break;
        };
        let d: TantivyDocument = searcher.doc(addr)?;
        let p = hit_from_doc(&d, f);
        format = p.format;
        if p.item.is_none() {
            break;
        }
        parent = p.parent.as_deref().and_then(parse_id);
    }
    Ok(format)
}
