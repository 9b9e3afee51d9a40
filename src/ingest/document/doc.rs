//! Word 97-2003 binary documents (`.doc`): the text of the `WordDocument` stream, found through
//! the piece table (MS-DOC: the FIB gives the `CLX` in the `0Table`/`1Table` stream, its
//! `PlcPcd` the pieces, each 8-bit cp1252 or UTF-16LE at its offset), and the metadata of
//! `SummaryInformation` (`ole.rs`). Word 6 and Word 95 files have no piece table when saved
//! whole: their text is the bytes between `fcMin` and `fcMin + ccpText`, in windows-1252.
//!
//! The text is every story in piece order (body, then footnotes, headers, comments, end notes,
//! text boxes). Field codes (`{ PAGE }`, between the 0x13 and 0x14 marks) are left out and their
//! results kept; cell and row marks become tabs and line ends. A document whose FIB says
//! `fEncrypted` is refused as encrypted. Left out: the text of embedded objects, deleted
//! revisions (they are in the pieces and read like the rest), fast-saved Word 6 files' later
//! pieces, and formatting.
//!
//! Written by hand: no maintained crate reads `.doc` text (the candidates are wrappers of
//! `antiword`/`catdoc` or abandoned), and the piece table is a few dozen lines over `cfb`.

use super::ole::{self, le_u16, le_u32};
use super::{ExtractError, Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

/// `fEncrypted` in the FIB's flags.
const F_ENCRYPTED: u16 = 0x0100;
/// `fWhichTblStm`: the table stream is `1Table`, else `0Table`.
const F_WHICH_TABLE: u16 = 0x0200;

pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let unextractable = |e: &str| ExtractError::Unextractable(e.to_owned());
    let mut cf = ole::open(bytes)?;
    let (word, mut cut) = ole::stream(&mut cf, "WordDocument")
        .ok_or_else(|| unextractable("no WordDocument stream"))?;
    let ident = le_u16(&word, 0).ok_or_else(|| unextractable("WordDocument without a FIB"))?;
    let n_fib = le_u16(&word, 2).unwrap_or(0);
    let flags = le_u16(&word, 0x0A).unwrap_or(0);
    if flags & F_ENCRYPTED != 0 {
        return Err(ExtractError::Encrypted(
            "Word document whose FIB says fEncrypted".into(),
        ));
    }
    if ident != 0xA5EC && ident != 0xA5DC {
        return Err(unextractable("WordDocument stream without a Word FIB"));
    }
    let mut damaged = false;
    // Word 97 and later (nFib 0x00C1 and up) keep text in pieces; older files hold it whole.
    let raw = if n_fib >= 0x00C1 {
        let table_name = if flags & F_WHICH_TABLE != 0 {
            "1Table"
        } else {
            "0Table"
        };
        let (table, table_cut) = ole::stream(&mut cf, table_name)
            .ok_or_else(|| unextractable("Word document without its table stream"))?;
        cut |= table_cut;
        let fc_clx = le_u32(&word, 0x01A2).unwrap_or(0) as usize;
        let lcb_clx = le_u32(&word, 0x01A6).unwrap_or(0) as usize;
        let clx = table
            .get(fc_clx..fc_clx.saturating_add(lcb_clx))
            .ok_or_else(|| unextractable("Word piece table outside its stream"))?;
        piece_text(&word, clx, &mut damaged)
    } else {
        let fc_min = le_u32(&word, 0x18).unwrap_or(0) as usize;
        // The Word 6/95 FIB keeps ccpText where Word 97 keeps fcSpare.
        let ccp_text = le_u32(&word, 0x34).unwrap_or(0) as usize;
        let end = fc_min.saturating_add(ccp_text).min(word.len());
        let text = word.get(fc_min..end).unwrap_or_default();
        ole::decode_ansi(text, None)
    };
    let mut out = ole::summary_information(bytes);
    let mut buf = TextBuf::default();
    clean(&raw, &mut buf);
    if damaged {
        out.flag(FLAG_DAMAGED);
    }
    if cut || buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(out)
}

/// The text of every piece of the `CLX` (MS-DOC 2.9.38): `Prc` blocks to skip, then the `Pcdt`
/// with its `PlcPcd`.
fn piece_text(word: &[u8], clx: &[u8], damaged: &mut bool) -> String {
    let mut at = 0usize;
    // Prc: 0x01, a 16-bit size, that many bytes of property modifiers.
    while clx.get(at) == Some(&0x01) {
        let size = le_u16(clx, at + 1).unwrap_or(0) as usize;
        at = at.saturating_add(3 + size);
    }
    if clx.get(at) != Some(&0x02) {
        *damaged = true;
        return String::new();
    }
    let lcb = le_u32(clx, at + 1).unwrap_or(0) as usize;
    let plc = clx
        .get(at + 5..(at + 5).saturating_add(lcb).min(clx.len()))
        .unwrap_or_default();
    // n + 1 character positions, then n piece descriptors of 8 bytes.
    let n = plc.len().saturating_sub(4) / 12;
    let mut text = String::new();
    for i in 0..n {
        let (Some(cp_start), Some(cp_end)) = (le_u32(plc, i * 4), le_u32(plc, i * 4 + 4)) else {
            break;
        };
        let chars = cp_end.saturating_sub(cp_start) as usize;
        let Some(fc) = le_u32(plc, (n + 1) * 4 + i * 8 + 2) else {
            break;
        };
        let piece = if fc & 0x4000_0000 != 0 {
            // Compressed: 8-bit text at half the stored offset.
            let start = ((fc & 0x3FFF_FFFF) / 2) as usize;
            word.get(start..start.saturating_add(chars))
                .map(|b| ole::decode_ansi(b, None))
        } else {
            let start = fc as usize;
            word.get(start..start.saturating_add(chars.saturating_mul(2)))
                .map(|b| {
                    let units: Vec<u16> = b
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    String::from_utf16_lossy(&units)
                })
        };
        match piece {
            Some(p) => text.push_str(&p),
            None => *damaged = true,
        }
        if text.len() > super::MAX_TEXT_BYTES {
            break;
        }
    }
    text
}

/// Word's special characters made plain: paragraph, cell and line marks become line ends and
/// tabs, field codes are dropped (their results kept), object anchors removed.
fn clean(raw: &str, buf: &mut TextBuf) {
    // Nesting of fields whose code (before the 0x14 separator) is being skipped.
    let mut in_code: Vec<bool> = Vec::new();
    for c in raw.chars() {
        match c {
            '\u{13}' => in_code.push(true),
            '\u{14}' => {
                if let Some(top) = in_code.last_mut() {
                    *top = false;
                }
            }
            '\u{15}' => {
                in_code.pop();
            }
            _ if in_code.last() == Some(&true) => {}
            '\r' | '\u{0B}' | '\u{0C}' | '\u{0E}' => buf.push('\n'),
            '\u{07}' => buf.push('\t'),
            '\u{1E}' => buf.push('-'),
            '\u{01}' | '\u{02}' | '\u{03}' | '\u{04}' | '\u{05}' | '\u{08}' | '\u{1F}' => {}
            c => buf.push(c),
        }
        if buf.full {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ole::tests::compound;
    use super::super::{extract, DocFormat, ExtractError};
    use super::*;

    /// A Word 97 FIB whose piece table holds one compressed and one UTF-16 piece.
    fn word97(encrypted: bool) -> Vec<u8> {
        let mut word = vec![0u8; 0x600];
        word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
        word[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
        let flags = F_WHICH_TABLE | if encrypted { F_ENCRYPTED } else { 0 };
        word[0x0A..0x0C].copy_from_slice(&flags.to_le_bytes());
        let ansi = b"Wire \x13 PAGE \x141\x15 \x93sent\x94\r";
        word[0x400..0x400 + ansi.len()].copy_from_slice(ansi);
        let wide: Vec<u8> = "Zürich\r"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        word[0x500..0x500 + wide.len()].copy_from_slice(&wide);
        let (a, w) = (ansi.len() as u32, 7u32);
        let mut plc = Vec::new();
        for cp in [0, a, a + w] {
            plc.extend_from_slice(&cp.to_le_bytes());
        }
        for fc in [(0x400u32 * 2) | 0x4000_0000, 0x500] {
            plc.extend_from_slice(&[0, 0]);
            plc.extend_from_slice(&fc.to_le_bytes());
            plc.extend_from_slice(&[0, 0]);
        }
        let mut clx = vec![0x01, 2, 0, 0xAA, 0xBB, 0x02];
        clx.extend_from_slice(&(plc.len() as u32).to_le_bytes());
        clx.extend_from_slice(&plc);
        word[0x01A2..0x01A6].copy_from_slice(&16u32.to_le_bytes());
        word[0x01A6..0x01AA].copy_from_slice(&(clx.len() as u32).to_le_bytes());
        let mut table = vec![0u8; 16];
        table.extend_from_slice(&clx);
        compound(&[("WordDocument", &word), ("1Table", &table)])
    }

    #[test]
    fn word97_pieces_fields_and_quotes() {
        let out = extract(&word97(false), DocFormat::Doc).unwrap();
        assert_eq!(out.text, "Wire 1 \u{201c}sent\u{201d}\nZürich\n");
        assert!(out.flags.is_empty(), "{:?}", out.flags);
        let err = extract(&word97(true), DocFormat::Doc).unwrap_err();
        assert!(matches!(err, ExtractError::Encrypted(_)), "{err}");
    }

    #[test]
    fn damaged_inputs_never_panic() {
        let doc = word97(false);
        super::super::tests::assert_survives_damage(&doc, DocFormat::Doc, 97);
    }
}
