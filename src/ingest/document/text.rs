//! Plain text in any charset `decode` recognises (UTF-8, UTF-16 with or without a byte-order
//! mark, legacy charsets detected from the bytes). Nothing but the text is read: a text file has
//! no title, author or dates of its own.

use super::decode::decode_text;
use super::{Extracted, FLAG_TRUNCATED, MAX_TEXT_BYTES};

pub(super) fn extract(bytes: &[u8]) -> Extracted {
    let decoded = decode_text(bytes, MAX_TEXT_BYTES);
    let mut out = Extracted {
        text: decoded.text,
        charset: Some(decoded.charset.to_owned()),
        ..Extracted::default()
    };
    if decoded.truncated {
        out.flag(FLAG_TRUNCATED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::assert_survives_damage;
    use super::super::{extract, sniff, DocFormat, FLAG_TRUNCATED, MAX_TEXT_BYTES};

    #[test]
    fn text_encodings() {
        let out = extract(b"\xef\xbb\xbfhello world", DocFormat::Text).unwrap();
        assert_eq!(out.text, "hello world");
        assert_eq!(out.title, None);
        assert!(out.flags.is_empty());

        let out = extract(b"caf\xe9 costs \x8020", DocFormat::Text).unwrap();
        assert_eq!(out.text, "café costs €20");

        let mut le = vec![0xff, 0xfe];
        le.extend("résumé".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(extract(&le, DocFormat::Text).unwrap().text, "résumé");
        let mut be = vec![0xfe, 0xff];
        be.extend("naïve".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(extract(&be, DocFormat::Text).unwrap().text, "naïve");
        assert_eq!(sniff(&be, "notes"), Some(DocFormat::Text));
    }

    #[test]
    fn text_is_capped_at_a_char_boundary() {
        let big = "é".repeat(MAX_TEXT_BYTES / 2 + 10);
        let out = extract(big.as_bytes(), DocFormat::Text).unwrap();
        assert!(out.text.len() <= MAX_TEXT_BYTES);
        assert!(out.text.chars().all(|c| c == 'é'));
        assert_eq!(out.flags, vec![FLAG_TRUNCATED]);

        // Cutting the input in the middle of a UTF-8 character does not make it windows-1252.
        let mut odd = "a".repeat(MAX_TEXT_BYTES - 1);
        odd.push_str("éé");
        let out = extract(odd.as_bytes(), DocFormat::Text).unwrap();
        assert!(out.text.ends_with('a'));
        assert!(out.flags.contains(&FLAG_TRUNCATED));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(b"\xff\xfeh\0i\0\xc3", DocFormat::Text, 1);
    }
}
