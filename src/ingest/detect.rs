//! Deciding what a file is from its bytes, not its name: Enron's messages have no extension,
//! mbox files are called anything, and a `.eml` may be a JPEG.

use super::{mbox, Skip};

/// The formats trawl reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// One RFC 5322 message in a file (`.eml`, or no extension as in the Enron release).
    Message,
    /// One message in a maildir's `cur/` or `new/`.
    Maildir,
    Mbox,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Message => "eml",
            Format::Maildir => "maildir",
            Format::Mbox => "mbox",
        }
    }
}

/// How much of the file the sniffing looks at.
pub const SNIFF_LEN: usize = 8192;

/// Classifies `data`, or says why it is not something trawl indexes.
pub fn detect(data: &[u8]) -> Result<Format, Skip> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(Skip::Empty);
    }
    let head = &data[..data.len().min(SNIFF_LEN)];
    if mbox::looks_like_mbox(head) {
        return Ok(Format::Mbox);
    }
    // Headers first: real mail may carry a stray NUL byte, and is still mail.
    if looks_like_message(head) {
        return Ok(Format::Message);
    }
    if looks_binary(head) {
        return Err(Skip::Binary);
    }
    Err(Skip::NotMail)
}

/// NUL bytes, or many control characters, mean binary. High bytes alone do not: they are
/// Latin-1 or UTF-8 text in old mail.
pub fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    control * 10 > head.len()
}

/// The file opens with a header block: header lines (`Name: value`, or folded continuations) up
/// to a blank line or the end of the sniffed data, with at least two headers, one of them a field
/// every message generator writes.
fn looks_like_message(head: &[u8]) -> bool {
    // Only the header block matters: stop at the first blank line (after any leading ones).
    let start = head
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(head.len());
    let end = head[start..]
        .windows(2)
        .position(|w| w == b"\n\n" || w == b"\n\r")
        .map_or(head.len(), |i| start + i + 1);
    let text = String::from_utf8_lossy(&head[..end]);
    let mut headers = 0;
    let mut known = false;
    // Blank lines before the headers occur in exported mail; they do not end a header block.
    let text = text.trim_start_matches(['\r', '\n']);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if i == 0 {
                return false;
            }
            continue;
        }
        let name = line
            .split_once(':')
            .map(|(n, _)| n)
            .filter(|n| is_field_name(n));
        let Some(name) = name else {
            // Headers that run straight into the body with no blank line (seen in the Enron
            // release), or a block cut off mid-line: still a message once real headers were seen.
            if headers >= 2 && known {
                break;
            }
            return false;
        };
        headers += 1;
        let lower = name.to_ascii_lowercase();
        known |= matches!(
            lower.as_str(),
            "from"
                | "to"
                | "subject"
                | "date"
                | "message-id"
                | "received"
                | "return-path"
                | "mime-version"
                | "delivered-to"
                | "sender"
                | "reply-to"
                | "cc"
                | "x-from"
        );
    }
    headers >= 2 && known
}

/// RFC 5322 field names: printable ASCII except the colon, no spaces.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_content() {
        assert_eq!(detect(b""), Err(Skip::Empty));
        assert_eq!(detect(b" \n\r\n"), Err(Skip::Empty));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Err(Skip::Binary));
        assert_eq!(
            detect(b"From: a@b.example\nSubject: x\n\nbody"),
            Ok(Format::Message)
        );
        assert_eq!(
            detect(b"Message-ID: <1@x>\r\nDate: Mon, 1 Jan 2001 00:00:00 +0000\r\n\r\n"),
            Ok(Format::Message)
        );
        assert_eq!(
            detect(b"From a@b.example Mon Jan  1 00:00:00 2001\nFrom: a@b\n\nx"),
            Ok(Format::Mbox)
        );
        assert_eq!(
            detect(b"Meeting notes\nWe agreed: nothing.\n"),
            Err(Skip::NotMail)
        );
        assert_eq!(
            detect(b"Note: one header-like line\n\nthen prose"),
            Err(Skip::NotMail)
        );
    }

    #[test]
    fn truncated_header_block_is_still_a_message() {
        assert_eq!(
            detect(b"From: a@b.example\nTo: c@d.example\nContent-Type: multipart/mixed; bound"),
            Ok(Format::Message)
        );
        assert_eq!(
            detect(b"From: a@b.example\nSubject: Budget\nContent-Ty"),
            Ok(Format::Message)
        );
    }
}
