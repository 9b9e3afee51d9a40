//! Text decoding shared by the text, HTML and CSV readers and the zip packages.
//!
//! In order: a byte-order mark (UTF-8, UTF-16LE/BE); UTF-16 without one, told by the zero
//! high (or low) bytes of Latin text in every other position; valid UTF-8 (unless escape
//! sequences make it ISO-2022-JP, which is 7-bit and so valid UTF-8 too); a caller's declared
//! charset (an HTML `<meta charset>`); else the charset `chardetng` guesses from the bytes
//! (Shift-JIS, EUC-JP, GBK, Big5, EUC-KR, KOI8-R, windows-1250/1251/1252, ...), decoded by
//! `encoding_rs`. The charset used is returned with the text, so a document says how it was read.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::Encoding;

/// How much of a file the charset detector reads: enough for its statistics to settle, and a
/// bound on its time for a file of any size.
const DETECT_SAMPLE: usize = 64 * 1024;

/// How much of a file the UTF-16 check looks at.
const UTF16_SAMPLE: usize = 4096;

pub(super) enum Utf16 {
    Le,
    Be,
}

impl Utf16 {
    fn charset(&self) -> &'static str {
        match self {
            Utf16::Le => "UTF-16LE",
            Utf16::Be => "UTF-16BE",
        }
    }
}

/// Text as decoded, whether input was left undecoded, and the charset it was read as (its
/// WHATWG name, as `encoding_rs` gives it: `UTF-8`, `Shift_JIS`, `KOI8-R`, `UTF-16LE`, ...).
pub(super) struct Decoded {
    pub text: String,
    pub truncated: bool,
    pub charset: &'static str,
}

pub(super) fn utf16_bom(bytes: &[u8]) -> Option<Utf16> {
    match bytes {
        [0xff, 0xfe, ..] => Some(Utf16::Le),
        [0xfe, 0xff, ..] => Some(Utf16::Be),
        _ => None,
    }
}

/// UTF-16 without a byte-order mark: in text written mostly in Latin, Greek or Cyrillic script
/// (and markup), one byte of nearly every code unit is zero, always on the same side; and the
/// sample decodes to characters, not to control codes or lone surrogates. Text wholly in CJK
/// script has no zero bytes to go by and is not recognised (nor is it by any detector without
/// a dictionary).
pub(super) fn utf16_unmarked(bytes: &[u8]) -> Option<Utf16> {
    let sample = &bytes[..bytes.len().min(UTF16_SAMPLE) & !1];
    if sample.len() < 8 {
        return None;
    }
    let units = sample.len() / 2;
    let zeros_at = |side: usize| {
        sample
            .iter()
            .skip(side)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    // Zeros on the other side come from code units such as U+0100 or a high surrogate D800.
    let order = if odd * 2 >= units && even * 4 <= odd {
        Utf16::Le
    } else if even * 2 >= units && odd * 4 <= even {
        Utf16::Be
    } else {
        return None;
    };
    let mut chars = 0usize;
    let mut bad = 0usize;
    let mut decoded = char::decode_utf16(code_units(sample, &order)).peekable();
    while let Some(c) = decoded.next() {
        match c {
            // A surrogate pair cut by the end of the sample is not a fault of the text.
            Err(_) if decoded.peek().is_none() => {}
            Err(_) => bad += 1,
            Ok(c) if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c') => bad += 1,
            Ok(_) => {}
        }
        chars += 1;
    }
    drop(decoded);
    (bad * 100 <= chars).then_some(order)
}

fn code_units<'a>(bytes: &'a [u8], order: &'a Utf16) -> impl Iterator<Item = u16> + 'a {
    bytes.chunks_exact(2).map(move |pair| match order {
        Utf16::Le => u16::from_le_bytes([pair[0], pair[1]]),
        Utf16::Be => u16::from_be_bytes([pair[0], pair[1]]),
    })
}

pub(super) fn decode_utf16(bytes: &[u8], order: &Utf16) -> String {
    char::decode_utf16(code_units(bytes, order))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// The charset `chardetng` finds most likely for `bytes` (read up to [`DETECT_SAMPLE`]), UTF-8
/// excluded: callers ask once the bytes are known not to be UTF-8.
pub(super) fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    let sample = &bytes[..bytes.len().min(DETECT_SAMPLE)];
    detector.feed(sample, sample.len() == bytes.len());
    detector.guess(None, Utf8Detection::Deny)
}

/// Decodes at most `max_input` bytes of text, detecting the charset when the text does not
/// declare one (see the module comment).
pub(super) fn decode_text(bytes: &[u8], max_input: usize) -> Decoded {
    decode_text_with(bytes, max_input, |_| None)
}

/// [`decode_text`], with `declared` giving the charset the document itself names, if any, for
/// text that is not UTF-8.
pub(super) fn decode_text_with(
    bytes: &[u8],
    max_input: usize,
    declared: impl FnOnce(&[u8]) -> Option<&'static Encoding>,
) -> Decoded {
    if let Some(order) = utf16_bom(bytes) {
        return utf16(&bytes[2..], max_input, order);
    }
    if let Some(body) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        let take = body.len().min(max_input);
        return Decoded {
            text: String::from_utf8_lossy(&body[..take]).into_owned(),
            truncated: take < body.len(),
            charset: "UTF-8",
        };
    }
    if let Some(order) = utf16_unmarked(bytes) {
        return utf16(bytes, max_input, order);
    }
    let take = bytes.len().min(max_input);
    let truncated = take < bytes.len();
    let head = &bytes[..take];
    let utf8 = |text: String| Decoded {
        text,
        truncated,
        charset: "UTF-8",
    };
    match std::str::from_utf8(head) {
        Ok(s) if s.as_bytes().contains(&0x1b) && detect(head) == encoding_rs::ISO_2022_JP => {
            legacy(head, encoding_rs::ISO_2022_JP, truncated)
        }
        Ok(s) => utf8(s.to_owned()),
        // The cut split the last character: the rest is valid UTF-8.
        Err(e) if truncated && e.error_len().is_none() => {
            utf8(String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned())
        }
        Err(_) => {
            let encoding = declared(head)
                .filter(|e| *e != encoding_rs::UTF_8)
                .unwrap_or_else(|| detect(bytes));
            legacy(head, encoding, truncated)
        }
    }
}

fn utf16(body: &[u8], max_input: usize, order: Utf16) -> Decoded {
    let take = body.len().min(max_input.saturating_mul(2)) & !1;
    Decoded {
        text: decode_utf16(&body[..take], &order),
        truncated: take < body.len() & !1,
        charset: order.charset(),
    }
}

fn legacy(head: &[u8], encoding: &'static Encoding, truncated: bool) -> Decoded {
    Decoded {
        text: encoding.decode_without_bom_handling(head).0.into_owned(),
        truncated,
        charset: encoding.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paragraph long enough for a detector's statistics, in `encoding`.
    fn encoded(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{} cannot write the sample", encoding.name());
        bytes.into_owned()
    }

    const RUSSIAN: &str = "Секретный отчёт о переводе денег. В гимназии он не был в числе \
        первых учеников, но всё же окончил курс. Надежды на разрешение спора в пятницу нет.";
    const JAPANESE: &str =
        "送金の記録は社内の担当者にだけ送られた。羅生門の下で雨やみを待っていた。\
        ある日の暮方の事である。一人の下人が、羅生門の下で雨やみを待っていた。";
    const CHINESE: &str =
        "这份文件记录了转账的细节，只发给了公司内部的负责人。会议将在星期五举行，\
        请各位准时参加并带上相关材料。";
    const TRADITIONAL: &str =
        "這份文件記錄了轉帳的細節，只發給了公司內部的負責人。會議將在星期五舉行，\
        請各位準時參加並帶上相關材料。";
    const CZECH: &str = "Příliš žluťoučký kůň úpěl ďábelské ódy. Zpráva o převodu peněz byla \
        odeslána jen odpovědným osobám ve společnosti. Schůzka se koná v pátek.";

    #[test]
    fn undeclared_legacy_charsets_are_detected_and_decoded() {
        for (text, encoding) in [
            (RUSSIAN, encoding_rs::KOI8_R),
            (RUSSIAN, encoding_rs::WINDOWS_1251),
            (JAPANESE, encoding_rs::SHIFT_JIS),
            (JAPANESE, encoding_rs::EUC_JP),
            (CHINESE, encoding_rs::GBK),
            (TRADITIONAL, encoding_rs::BIG5),
            (CZECH, encoding_rs::WINDOWS_1250),
        ] {
            let bytes = encoded(text, encoding);
            let out = decode_text(&bytes, usize::MAX);
            // chardetng names the Russian KOI8 its superset, KOI8-U: the same letters.
            let expected = match encoding.name() {
                "KOI8-R" => "KOI8-U",
                name => name,
            };
            assert_eq!(out.charset, expected, "{text}");
            assert_eq!(out.text, text, "{}", encoding.name());
            assert!(!out.truncated);
        }
    }

    #[test]
    fn iso_2022_jp_is_told_from_the_utf8_it_also_is() {
        let bytes = encoded(JAPANESE, encoding_rs::ISO_2022_JP);
        assert!(std::str::from_utf8(&bytes).is_ok());
        let out = decode_text(&bytes, usize::MAX);
        assert_eq!((out.charset, out.text.as_str()), ("ISO-2022-JP", JAPANESE));
        // An escape byte alone (a terminal colour code in a log) leaves UTF-8 as it is.
        let log = "\x1b[31merror\x1b[0m: disk full\n".repeat(20);
        assert_eq!(decode_text(log.as_bytes(), usize::MAX).charset, "UTF-8");
    }

    #[test]
    fn utf16_without_a_byte_order_mark() {
        let text = "Meeting notes: transfer to account 4471 approved. Секретный отчёт, 𐌓𐌀𐌔.\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let out = decode_text(&le, usize::MAX);
        assert_eq!((out.charset, out.text.as_str()), ("UTF-16LE", text));
        let out = decode_text(&be, usize::MAX);
        assert_eq!((out.charset, out.text.as_str()), ("UTF-16BE", text));
        // Capped by characters, as UTF-8 input is.
        let out = decode_text(&le, 10);
        assert!(out.truncated);
        assert_eq!(out.text, &text[..10]);
    }

    #[test]
    fn binary_is_not_taken_for_utf16() {
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
        exe.resize(512, 0);
        assert!(utf16_unmarked(&exe).is_none());
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02";
        assert!(utf16_unmarked(png).is_none());
        // Little-endian integers: zero high bytes, but the low ones are control codes.
        let ints: Vec<u8> = (0u16..200).flat_map(|i| (i % 16).to_le_bytes()).collect();
        assert!(utf16_unmarked(&ints).is_none());
        assert!(utf16_unmarked(b"plain ascii text").is_none());
    }

    #[test]
    fn a_declared_charset_is_taken_over_a_guess() {
        let bytes = encoded(RUSSIAN, encoding_rs::KOI8_R);
        let out = decode_text_with(&bytes, usize::MAX, |_| Some(encoding_rs::WINDOWS_1251));
        assert_eq!(out.charset, "windows-1251");
        // A declaration of UTF-8 that the bytes belie is not believed.
        let out = decode_text_with(&bytes, usize::MAX, |_| Some(encoding_rs::UTF_8));
        assert_eq!((out.charset, out.text.as_str()), ("KOI8-U", RUSSIAN));
    }
}
