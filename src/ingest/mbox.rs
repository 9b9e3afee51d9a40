//! mbox files: many messages in one file, each introduced by a `From ` line.
//!
//! Handles mboxo and mboxrd (a body line `>From ` or `>>From ` loses one `>` when read back),
//! LF and CRLF files, and a truncated last message. A `From ` line counts as a separator only at
//! the start of the file or after a blank line, and only when it looks like one (an address-ish
//! token and a time or year), so an unescaped "From what I hear" in a body of an mboxo file does not
//! split a message. Each message keeps the byte offset of its `From ` line and the length up to
//! the next one, so `dd skip=OFFSET count=LENGTH` gives back exactly the stored bytes.

use std::borrow::Cow;

use std::path::Path;

use super::eml::Origin;
use super::format::{Format, Sniff};
use super::{Context, FileOutcome, Skip, Unit};
use crate::doc::Doc;

/// The registry's sniff: the first line is a `From ` separator.
pub(crate) fn sniff(s: &Sniff) -> bool {
    looks_like_mbox(s.head)
}

/// The registry's reader for an mbox in memory (an archive member): its messages split and
/// parsed one by one, a message whose parser panics listed as a skip of its own.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    skip_member: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let bytes = unit.bytes;
    let origin = Origin {
        path: unit.vpath,
        offset: 0,
        format: Format::Mbox.as_str(),
        now: ctx.now,
    };
    for s in split(bytes) {
        let offset = s.start as u64;
        let stored = &bytes[s.start..s.end];
        match super::parse_message_isolated(offset, stored, origin) {
            Ok(docs) => docs.into_iter().for_each(&mut *emit),
            Err(skip) => skip_member(super::message_locator(unit.vpath, offset), skip),
        }
    }
    Ok(Format::Mbox)
}

/// The registry's stream reader for an mbox file: read through a hash, parsed in batches
/// across the pool (`parse_mbox_stream`), in the memory of two batches whatever its size.
pub(crate) fn stream(
    path: &Path,
    ctx: &Context,
    previous_sha256: Option<&str>,
    emit: &mut dyn FnMut(Doc),
) -> Result<FileOutcome, Skip> {
    let unreadable = |e: std::io::Error| Skip::Unreadable(e.to_string());
    if let Some(prev) = previous_sha256 {
        let sha = super::hash_file(path).map_err(unreadable)?;
        if sha == prev {
            return Ok(FileOutcome::Unchanged { sha256: sha });
        }
    }
    let path_str = crate::source::encode_path(path);
    let origin = Origin {
        path: &path_str,
        offset: 0,
        format: Format::Mbox.as_str(),
        now: ctx.now,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut hashing = super::HashingReader::new(file);
    let mut stream = MboxStream::new(std::io::BufReader::with_capacity(1 << 16, &mut hashing));
    let mut member_skips = Vec::new();
    let docs = super::parse_mbox_stream(
        &mut stream,
        origin,
        super::MBOX_BATCH_BYTES,
        &mut &mut *emit,
        &mut |p, s| member_skips.push((p, s)),
    )
    .map_err(unreadable)?;
    drop(stream);
    Ok(FileOutcome::Indexed {
        format: Format::Mbox.as_str(),
        docs,
        sha256: hashing.finish(),
        member_skips,
        // An mbox does not say how many messages it holds: they are what the split finds.
        stated: None,
        read: None,
    })
}

/// A message's place in an mbox file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the `From ` line.
    pub start: usize,
    /// Offset of the first header line, just after the `From ` line.
    pub content: usize,
    /// One past the last byte (the next `From ` line, or the end of the file).
    pub end: usize,
}

/// True when `data` starts like an mbox: a `From ` separator line on its first line.
pub fn looks_like_mbox(data: &[u8]) -> bool {
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    is_from_line(first)
}

/// Reads an mbox one message at a time from any buffered reader, so a multi-gigabyte mbox
/// never has to fit in memory: only the current message does.
pub struct MboxStream<R> {
    reader: R,
    /// Offset of the next unread byte.
    pos: u64,
    /// The message being accumulated, from its `From ` line, and where it started.
    current: Vec<u8>,
    current_start: u64,
    prev_blank: bool,
    line: Vec<u8>,
    started: bool,
    done: bool,
}

impl<R: std::io::BufRead> MboxStream<R> {
    pub fn new(reader: R) -> Self {
        MboxStream {
            reader,
            pos: 0,
            current: Vec::new(),
            current_start: 0,
            prev_blank: true,
            line: Vec::new(),
            started: false,
            done: false,
        }
    }

    /// The next message as `(offset of its From line, stored bytes up to the next From line)`.
    /// Bytes before the first `From ` line (there should be none) are skipped.
    pub fn next_message(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        loop {
            self.line.clear();
            let n = self.reader.read_until(b'\n', &mut self.line)?;
            if n == 0 {
                self.done = true;
                if self.started {
                    return Ok(Some((
                        self.current_start,
                        std::mem::take(&mut self.current),
                    )));
                }
                return Ok(None);
            }
            let line_start = self.pos;
            self.pos += n as u64;
            let separator = self.prev_blank && is_from_line(&self.line);
            self.prev_blank = matches!(self.line.as_slice(), b"\n" | b"\r\n");
            if separator {
                let finished = std::mem::replace(&mut self.current, self.line.clone());
                let finished_start = std::mem::replace(&mut self.current_start, line_start);
                let had = std::mem::replace(&mut self.started, true);
                if had {
                    return Ok(Some((finished_start, finished)));
                }
            } else if self.started {
                self.current.extend_from_slice(&self.line);
            }
        }
    }
}

/// Finds every message in `data`.
pub fn split(data: &[u8]) -> Vec<Span> {
    let mut stream = MboxStream::new(data);
    let mut spans = Vec::new();
    while let Ok(Some((start, stored))) = stream.next_message() {
        let start = start as usize;
        let first_line = stored
            .iter()
            .position(|&b| b == b'\n')
            .map_or(stored.len(), |i| i + 1);
        spans.push(Span {
            start,
            content: start + first_line,
            end: start + stored.len(),
        });
    }
    spans
}

/// Parses one stored mbox message (From line included) found at `offset`, with the documents
/// found inside it (see [`super::eml::parse_message_tree`]).
pub fn parse_stored_tree(offset: u64, stored: &[u8], origin: Origin<'_>) -> Vec<Doc> {
    let message = message_of_stored(stored);
    super::eml::parse_message_tree(stored, &message, Origin { offset, ..origin }, None)
}

/// The message an mbox stores as `stored` (its `From ` line and `>From` escapes included):
/// without the `From ` line, unescaped.
pub fn message_of_stored(stored: &[u8]) -> Cow<'_, [u8]> {
    let first_line = stored
        .iter()
        .position(|&b| b == b'\n')
        .map_or(stored.len(), |i| i + 1);
    unescape(&stored[first_line..])
}

/// Strips one `>` from lines matching `^>+From `. Borrows when there is nothing to undo.
pub fn unescape(msg: &[u8]) -> Cow<'_, [u8]> {
    let needs = msg.starts_with(b">") || msg.windows(2).any(|w| w == b"\n>");
    if !needs {
        return Cow::Borrowed(msg);
    }
    let mut out = Vec::with_capacity(msg.len());
    for line in msg.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    Cow::Owned(out)
}

/// `From sender date...`: the sender token, then something with a time (`14:02`) or a year.
fn is_from_line(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return false;
    };
    let mut toks = rest.split_whitespace();
    if toks.next().is_none() {
        return false;
    }
    toks.any(|t| {
        let b = t.as_bytes();
        let time = b.len() >= 4
            && b[0].is_ascii_digit()
            && t.contains(':')
            && t.chars().all(|c| c.is_ascii_digit() || c == ':');
        let year = b.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
        time || year
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBOX: &[u8] = b"From a@x.example Wed Sep 21 14:02:11 2016\nFrom: a@x.example\nSubject: one\n\nFrom what I hear\n>From here\n>>From there\n\nFrom b@x.example Thu Sep 22 09:00:00 2016\nFrom: b@x.example\nSubject: two\n\nbody\n";

    #[test]
    fn splits_on_from_lines_after_blank_lines_only() {
        let spans = split(MBOX);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].start, 0);
        assert_eq!(&MBOX[spans[1].start..spans[1].start + 5], b"From ");
        assert_eq!(spans[0].end, spans[1].start);
        assert_eq!(spans[1].end, MBOX.len());
    }

    #[test]
    fn mboxrd_unescaping_removes_one_quote() {
        let spans = split(MBOX);
        let m = unescape(&MBOX[spans[0].content..spans[0].end]);
        let text = String::from_utf8_lossy(&m);
        assert!(text.contains("\nFrom here\n"));
        assert!(text.contains("\n>From there\n"));
    }

    #[test]
    fn crlf_and_truncated_last_message() {
        let data = b"From a@x.example Wed Sep 21 14:02:11 2016\r\nFrom: a@x.example\r\nSubject: one\r\n\r\nhi\r\n\r\nFrom b@x.example Thu Sep 22 09:00:00 2016\r\nFrom: b@x.exa";
        let spans = split(data);
        assert_eq!(spans.len(), 2);
        assert!(looks_like_mbox(data));
    }

    #[test]
    fn prose_from_lines_are_not_separators() {
        assert!(!is_from_line(b"From what I hear, nothing.\n"));
        assert!(!is_from_line(b"From \n"));
        assert!(is_from_line(
            b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
        ));
        assert!(is_from_line(
            b"From stephen.marquard@uct.ac.za Sat Jan  5 09:14:16 2008\r\n"
        ));
    }
}
