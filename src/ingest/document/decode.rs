//! Text decoding shared by the text, HTML and CSV readers and the zip packages: BOM-marked UTF-8
//! or UTF-16, else UTF-8 when valid, else windows-1252 (or a caller's fallback).

pub(super) enum Utf16 {
    Le,
    Be,
}

pub(super) fn utf16_bom(bytes: &[u8]) -> Option<Utf16> {
    match bytes {
        [0xff, 0xfe, ..] => Some(Utf16::Le),
        [0xfe, 0xff, ..] => Some(Utf16::Be),
        _ => None,
    }
}

pub(super) fn decode_utf16(bytes: &[u8], order: &Utf16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| match order {
            Utf16::Le => u16::from_le_bytes([pair[0], pair[1]]),
            Utf16::Be => u16::from_be_bytes([pair[0], pair[1]]),
        })
        .collect();
    String::from_utf16_lossy(&units)
}

pub(super) fn decode_windows_1252(bytes: &[u8]) -> String {
    match mail_parser::decoders::charsets::map::charset_decoder(b"windows-1252") {
        Some(decode) => decode(bytes),
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Decodes at most `max_input` bytes of text: BOM-marked UTF-8 or UTF-16, else UTF-8 when valid,
/// else windows-1252. Returns the text and whether input was left undecoded.
pub(super) fn decode_text(bytes: &[u8], max_input: usize) -> (String, bool) {
    decode_text_with(bytes, max_input, decode_windows_1252)
}

pub(super) fn decode_text_with(
    bytes: &[u8],
    max_input: usize,
    fallback: impl FnOnce(&[u8]) -> String,
) -> (String, bool) {
    if let Some(order) = utf16_bom(bytes) {
        let body = &bytes[2..];
        let take = body.len().min(max_input.saturating_mul(2) & !1);
        return (decode_utf16(&body[..take], &order), take < body.len());
    }
    if let Some(body) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        let take = body.len().min(max_input);
        return (
            String::from_utf8_lossy(&body[..take]).into_owned(),
            take < body.len(),
        );
    }
    let take = bytes.len().min(max_input);
    let truncated = take < bytes.len();
    let head = &bytes[..take];
    match std::str::from_utf8(head) {
        Ok(s) => (s.to_owned(), truncated),
        // The cut split the last character: the rest is valid UTF-8.
        Err(e) if truncated && e.error_len().is_none() => (
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned(),
            true,
        ),
        Err(_) => (fallback(head), truncated),
    }
}
