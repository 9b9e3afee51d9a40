//! Apple Mail's `.emlx` and `.partial.emlx` files: a line with the message's length in bytes,
//! the RFC 5322 message, then an XML property list of Mail's own (flags, a copy of the
//! subject and sender). The message inside is what is indexed, by [`super::eml`], and its
//! provenance is its byte range in the file: `show --raw` gives the message, not the wrapper.
//!
//! A `.partial.emlx` is a message whose attachments Mail stored apart, under
//! `../Attachments/<id>/`; its count line may state the length of the whole message rather than
//! of what the file holds. When the count does not end where the property list begins, the
//! message is taken to end where the list does begin (flag `emlx-count-mismatch`).

use super::eml::Origin;
use super::format::{Format, Sniff};
use super::{Context, Skip, Unit};
use crate::doc::Doc;

/// The registry's sniff: a count line, then an RFC 5322 header block.
pub(crate) fn sniff(s: &Sniff) -> bool {
    count_line(s.head).is_some_and(|(_, start)| super::detect::looks_like_message(&s.head[start..]))
}

/// The length the first line states and where the message starts, when the first line is a
/// count (digits, perhaps padded with blanks).
fn count_line(bytes: &[u8]) -> Option<(u64, usize)> {
    let end = bytes.iter().take(32).position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&bytes[..end]).ok()?.trim();
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((line.parse().ok()?, end + 1))
}

/// Where the message lies in an emlx file: its offset and length, and whether the count line
/// had to be corrected by the property list's place.
pub fn message_range(bytes: &[u8]) -> Option<(usize, usize, bool)> {
    let (count, start) = count_line(bytes)?;
    let rest = &bytes[start..];
    let plist = rest
        .windows(6)
        .rposition(|w| w == b"<?xml ")
        .filter(|&p| p == 0 || rest[p - 1] == b'\n');
    let fits = usize::try_from(count).ok().filter(|&n| n <= rest.len());
    match (fits, plist) {
        // The count ends where the list starts (blank lines between them allowed).
        (Some(n), Some(p)) if n <= p && rest[n..p].iter().all(u8::is_ascii_whitespace) => {
            Some((start, n, false))
        }
        (Some(n), None) => Some((start, n, false)),
        (_, Some(p)) => Some((start, p, true)),
        (None, None) => Some((start, rest.len(), true)),
    }
}

/// The registry's reader: the message inside, its attachments and forwarded messages.
pub(crate) fn read(
    unit: &Unit<'_>,
    ctx: &Context,
    emit: &mut dyn FnMut(Doc),
    _skip: &mut dyn FnMut(String, Skip),
) -> Result<Format, Skip> {
    let (offset, length, mismatch) = message_range(unit.bytes)
        .ok_or_else(|| Skip::Unextractable("no emlx count line".into()))?;
    let stored = &unit.bytes[offset..offset + length];
    let origin = Origin {
        path: unit.vpath,
        offset: offset as u64,
        format: Format::Emlx.as_str(),
        now: ctx.now,
    };
    let mut docs = super::parse_bounded(stored, |b| {
        super::eml::parse_message_tree(b, b, origin, None)
    });
    if let Some(first) = docs.first_mut() {
        if mismatch {
            first.flags.push("emlx-count-mismatch");
        }
        if unit.name().to_ascii_lowercase().ends_with(".partial.emlx") {
            first.flags.push("attachments-stored-apart");
        }
    }
    docs.into_iter().for_each(emit);
    Ok(Format::Emlx)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &[u8] = b"From: a@x.example\nSubject: s\n\nbody\n";

    fn emlx(count: usize, message: &[u8]) -> Vec<u8> {
        let mut v = format!("{count}        \n").into_bytes();
        v.extend_from_slice(message);
        v.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict/></plist>\n",
        );
        v
    }

    #[test]
    fn the_count_gives_the_message() {
        let f = emlx(MAIL.len(), MAIL);
        let (o, n, bad) = message_range(&f).unwrap();
        assert_eq!((&f[o..o + n], bad), (MAIL, false));
    }

    #[test]
    fn a_count_that_misses_the_list_is_corrected_by_it() {
        for count in [MAIL.len() + 500, MAIL.len() - 3] {
            let f = emlx(count, MAIL);
            let (o, n, bad) = message_range(&f).unwrap();
            assert_eq!((&f[o..o + n], bad), (MAIL, true), "{count}");
        }
        // No list at all: the count, when it fits; the rest of the file otherwise.
        let mut f = b"5\n".to_vec();
        f.extend_from_slice(MAIL);
        assert_eq!(message_range(&f), Some((2, 5, false)));
        let mut f = b"999\n".to_vec();
        f.extend_from_slice(MAIL);
        assert_eq!(message_range(&f), Some((4, MAIL.len(), true)));
        assert_eq!(message_range(b"From: a\n"), None);
    }
}
