//! HTML: `<title>`, `<meta name="author">`, and the text without scripts and styles (through
//! mail-parser's HTML-to-text). The charset is UTF-8 when the bytes are valid UTF-8, else the
//! declared `charset=`, else the one detected from the bytes (see `decode`). Left out: metadata other than title and author, tag
//! attributes (link targets among them), and anything a script would render.

use super::decode::{decode_text, decode_text_with};
use super::{clean_field, Extracted, FLAG_TRUNCATED, MAX_MARKUP_BYTES};

/// `<!doctype html` or `<html` at the start, after whitespace and perhaps an XML declaration or
/// a comment.
pub(super) fn looks_like_html(bytes: &[u8]) -> bool {
    let head = decode_text(&bytes[..bytes.len().min(1024)], usize::MAX).text;
    let head = head.to_ascii_lowercase();
    let trimmed = head.trim_start();
    let Some(at) = ["<!doctype html", "<html"]
        .iter()
        .filter_map(|needle| trimmed.find(needle))
        .min()
    else {
        return false;
    };
    at == 0 || trimmed.starts_with('<')
}

pub(super) fn extract(bytes: &[u8]) -> Extracted {
    let decoded = decode_text_with(bytes, MAX_MARKUP_BYTES, |head| {
        declared_charset(head).and_then(|cs| encoding_rs::Encoding::for_label(cs.as_bytes()))
    });
    let (html, truncated) = (decoded.text, decoded.truncated);
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = Extracted {
        title: html_title(&html, &lower),
        author: html_author(&html, &lower),
        text: mail_parser::decoders::html::html_to_text(&html),
        charset: Some(decoded.charset.to_owned()),
        ..Extracted::default()
    };
    if truncated {
        out.flag(FLAG_TRUNCATED);
    }
    out
}

/// The `charset=` an HTML head declares (`<meta charset=...>` or the http-equiv form).
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")? + "charset=".len();
    let value: String = head[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

fn html_title(html: &str, lower: &str) -> Option<String> {
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start
        + lower[start..]
            .find("</title")
            .unwrap_or(lower.len() - start);
    clean_field(&mail_parser::decoders::html::html_to_text(
        &html[start..end],
    ))
}

fn html_author(html: &str, lower: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = lower[from..].find("<meta") {
        let start = from + found + "<meta".len();
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let attrs = html_attributes(&html[start..end]);
        let attr = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        if attr("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("author")) {
            if let Some(content) = attr("content") {
                return clean_field(&mail_parser::decoders::html::html_to_text(content));
            }
        }
        from = end;
    }
    None
}

/// `key=value` pairs of a tag's attribute text, values quoted or not.
fn html_attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut attrs = Vec::new();
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let key_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '/' | '>'))
            .unwrap_or(rest.len());
        if key_len == 0 {
            return attrs;
        }
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let Some(after_eq) = rest.strip_prefix('=') else {
            attrs.push((key, ""));
            continue;
        };
        rest = after_eq.trim_start();
        let value;
        if let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let body = &rest[1..];
            let len = body.find(quote).unwrap_or(body.len());
            value = &body[..len];
            rest = body.get(len + 1..).unwrap_or("");
        } else {
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = &rest[..len];
            rest = &rest[len..];
        }
        attrs.push((key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::assert_survives_damage;
    use super::super::{extract, sniff, DocFormat};

    #[test]
    fn html_title_author_and_text() {
        let html = br#"<!DOCTYPE html>
<html><head><title>Payroll &amp; bonuses</title>
<META content="Ann Example" NAME="Author"><style>p { color: red }</style>
<script>var secret = "js";</script></head>
<body><h1>Bonus plan</h1><p>Paid via <b>shell</b> company.</p></body></html>"#;
        assert_eq!(sniff(html, "page.txt"), Some(DocFormat::Html));
        let out = extract(html, DocFormat::Html).unwrap();
        assert_eq!(out.title.as_deref(), Some("Payroll & bonuses"));
        assert_eq!(out.author.as_deref(), Some("Ann Example"));
        assert!(out.text.contains("Bonus plan"), "{:?}", out.text);
        assert!(
            out.text.contains("Paid via shell company."),
            "{:?}",
            out.text
        );
        assert!(!out.text.contains("secret") && !out.text.contains("color"));

        let latin =
            b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head></html>";
        assert_eq!(
            extract(latin, DocFormat::Html).unwrap().title.as_deref(),
            Some("Café")
        );
        assert_eq!(sniff(b"<p>fragment</p>", "a.htm"), Some(DocFormat::Html));
        assert_eq!(sniff(b"<p>fragment</p>", "a.txt"), Some(DocFormat::Text));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        let html = b"<!doctype html><html><head><title>T</title><meta name=author content=\"A";
        assert_survives_damage(html, DocFormat::Html, 1);
    }
}
