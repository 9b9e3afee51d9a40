//! PowerPoint 97-2003 binary presentations (`.ppt`): the text atoms of the `PowerPoint
//! Document` stream (MS-PPT `TextCharsAtom`, UTF-16LE, and `TextBytesAtom`, 8-bit), in stream
//! order, and the metadata of `SummaryInformation` (`ole.rs`). Slide text (`SlideListWithText`
//! and the slides' own text boxes) and notes come in the order PowerPoint wrote them; the
//! master slides' placeholder text ("Click to edit Master title style") is left out, and a text
//! met again (PowerPoint keeps a slide's text both in its list and in its text box, and an
//! incremental save keeps older copies) is read once. A file whose
//! `Current User` stream carries the encrypted header token is refused as encrypted.
//!
//! Left out: text of embedded objects and charts, and the order of the slide show: a file saved
//! incrementally can still hold the text of an edit it superseded, which is read too (search
//! over a leak would rather have it than not).
//!
//! Written by hand: no maintained crate reads `.ppt`; the record walk is short, over `cfb`.

use std::collections::HashSet;

use super::ole::{self, le_u16, le_u32};
use super::{ExtractError, Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

const TEXT_CHARS_ATOM: u16 = 0x0FA0;
const TEXT_BYTES_ATOM: u16 = 0x0FA8;
const MAIN_MASTER: u16 = 0x03F8;
const SLIDE_LIST_WITH_TEXT: u16 = 0x0FF0;
/// `CurrentUserAtom.headerToken` of an encrypted document (MS-PPT 2.3.2).
const ENCRYPTED_TOKEN: u32 = 0xF3D1_C4DF;
/// Containers nested deeper than this are not entered (real files nest a handful).
const MAX_DEPTH: usize = 32;

pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let mut cf = ole::open(bytes)?;
    if let Some((user, _)) = ole::stream(&mut cf, "Current User") {
        if le_u32(&user, 12) == Some(ENCRYPTED_TOKEN) {
            return Err(ExtractError::Encrypted(
                "PowerPoint document whose Current User header token says encrypted".into(),
            ));
        }
    }
    let (doc, cut) = ole::stream(&mut cf, "PowerPoint Document")
        .ok_or_else(|| ExtractError::Unextractable("no PowerPoint Document stream".to_owned()))?;
    let mut out = ole::summary_information(bytes);
    let mut buf = TextBuf::default();
    let mut seen = HashSet::new();
    if walk(&doc, 0, &mut buf, &mut seen) {
        out.flag(FLAG_DAMAGED);
    }
    if cut || buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(out)
}

/// Appends the text atoms of the records in `data`, entering containers; true when a record
/// runs past its container.
fn walk(data: &[u8], depth: usize, buf: &mut TextBuf, seen: &mut HashSet<String>) -> bool {
    let mut at = 0usize;
    let mut damaged = false;
    while at + 8 <= data.len() && !buf.full {
        let (Some(ver_inst), Some(kind), Some(len)) =
            (le_u16(data, at), le_u16(data, at + 2), le_u32(data, at + 4))
        else {
            break;
        };
        let body_start = at + 8;
        let body_end = match body_start.checked_add(len as usize) {
            Some(end) if end <= data.len() => end,
            _ => {
                damaged = true;
                data.len()
            }
        };
        let body = &data[body_start..body_end];
        let container = ver_inst & 0x000F == 0x000F;
        let instance = ver_inst >> 4;
        match kind {
            TEXT_CHARS_ATOM => {
                let units: Vec<u16> = body
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                push_text(buf, seen, String::from_utf16_lossy(&units));
            }
            // 8-bit text is the low bytes of UTF-16: Latin-1.
            TEXT_BYTES_ATOM => push_text(buf, seen, body.iter().map(|&b| char::from(b)).collect()),
            MAIN_MASTER => {}
            SLIDE_LIST_WITH_TEXT if instance == 1 => {}
            _ if container && depth < MAX_DEPTH => damaged |= walk(body, depth + 1, buf, seen),
            _ => {}
        }
        at = body_end;
    }
    damaged
}

/// One text atom: PowerPoint ends paragraphs with `\r` and lines with `\v`.
/// Text already read is not read again.
fn push_text(buf: &mut TextBuf, seen: &mut HashSet<String>, text: String) {
    let text = text.trim_end_matches(['\r', '\n', '\u{0B}']);
    if text.trim().is_empty() || !seen.insert(text.to_owned()) {
        return;
    }
    for c in text.chars() {
        buf.push(match c {
            '\r' | '\u{0B}' => '\n',
            c => c,
        });
    }
    buf.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::ole::tests::compound;
    use super::super::{extract, DocFormat, ExtractError};
    use super::*;

    fn record(ver_inst: u16, kind: u16, body: &[u8]) -> Vec<u8> {
        let mut r = ver_inst.to_le_bytes().to_vec();
        r.extend_from_slice(&kind.to_le_bytes());
        r.extend_from_slice(&(body.len() as u32).to_le_bytes());
        r.extend_from_slice(body);
        r
    }

    fn deck(token: u32) -> Vec<u8> {
        let wide: Vec<u8> = "Quarterly plan\rsecret"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let master = record(
            0x000F,
            MAIN_MASTER,
            &record(0, TEXT_BYTES_ATOM, b"Click to edit"),
        );
        let mut list = record(0, TEXT_CHARS_ATOM, &wide);
        list.extend(record(0, TEXT_BYTES_ATOM, b"Caf\xe9 notes"));
        list.extend(record(0, TEXT_CHARS_ATOM, &wide));
        let mut document = master;
        document.extend(record(0x000F, SLIDE_LIST_WITH_TEXT, &list));
        let document = record(0x000F, 0x03E8, &document);
        let mut user = record(0, 0x0FF6, &[0; 8]);
        user[12..16].copy_from_slice(&token.to_le_bytes());
        compound(&[("PowerPoint Document", &document), ("Current User", &user)])
    }

    #[test]
    fn slide_text_without_the_master() {
        let out = extract(&deck(0xE391_C05F), DocFormat::Ppt).unwrap();
        assert_eq!(out.text, "Quarterly plan\nsecret\nCafé notes\n");
        assert!(out.flags.is_empty(), "{:?}", out.flags);
        let err = extract(&deck(ENCRYPTED_TOKEN), DocFormat::Ppt).unwrap_err();
        assert!(matches!(err, ExtractError::Encrypted(_)), "{err}");
    }

    #[test]
    fn damaged_inputs_never_panic() {
        super::super::tests::assert_survives_damage(&deck(0), DocFormat::Ppt, 101);
    }
}
