//! ODT (OpenDocument text): the paragraphs and headings of `content.xml`, with `text:s` spaces,
//! tabs and line breaks; `meta.xml` for title, (initial) creator and dates. Left out: tracked
//! deletions, annotations' author and date, headers and footers (they live in `styles.xml`, which
//! is not read), and embedded objects.

use quick_xml::events::{BytesStart, Event};

use super::package::Package;
use super::xml::{event_text, parse_w3c_date, xml_fields, xml_reader};
use super::{Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut pkg = Package::open(bytes, "ODT")?;
    let content = pkg.read("content.xml")?.ok_or("ODT without content.xml")?;
    let mut buf = TextBuf::default();
    if odt_text(&content, &mut buf) {
        pkg.flags.push(FLAG_DAMAGED);
    }
    drop(content);
    let mut out = Extracted::default();
    if let Some(meta) = pkg.read_optional("meta.xml") {
        let (fields, damaged) = xml_fields(
            &meta,
            &[
                "dc:title",
                "meta:initial-creator",
                "dc:creator",
                "meta:creation-date",
                "dc:date",
            ],
        );
        if damaged {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let mut fields = fields.into_iter();
        out.title = fields.next().flatten();
        let initial_creator = fields.next().flatten();
        let creator = fields.next().flatten();
        out.author = initial_creator.or(creator);
        out.created = fields.next().flatten().as_deref().and_then(parse_w3c_date);
        out.modified = fields.next().flatten().as_deref().and_then(parse_w3c_date);
    }
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// Appends the text of an ODF `content.xml`; true when its XML broke off.
fn odt_text(xml: &str, buf: &mut TextBuf) -> bool {
    let mut reader = xml_reader(xml);
    let mut para_depth = 0usize;
    // Inside tracked deletions, or the author/date of an annotation.
    let mut skip_depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return false,
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            Event::Start(e) => match e.name().as_ref() {
                "text:p" | "text:h" => para_depth += 1,
                n if odt_skipped(n) => skip_depth += 1,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "text:p" | "text:h" => {
                    para_depth = para_depth.saturating_sub(1);
                    if skip_depth == 0 {
                        buf.push('\n');
                    }
                }
                n if odt_skipped(n) => skip_depth = skip_depth.saturating_sub(1),
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => match e.name().as_ref() {
                "text:s" => {
                    for _ in 0..odt_space_count(e) {
                        buf.push(' ');
                    }
                }
                "text:tab" => buf.push('\t'),
                "text:line-break" | "text:p" | "text:h" => buf.push('\n'),
                _ => {}
            },
            _ if para_depth > 0 && skip_depth == 0 => {
                if let Some(t) = event_text(&event) {
                    buf.push_str(&t);
                }
            }
            _ => {}
        }
        if buf.full {
            return false;
        }
    }
}

fn odt_skipped(name: &str) -> bool {
    name == "text:tracked-changes" || name.starts_with("dc:")
}

/// `text:c` of a `text:s`: how many spaces it stands for (1 by default, at most 1000).
fn odt_space_count(e: &BytesStart<'_>) -> usize {
    e.try_get_attribute("text:c")
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .min(1000)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_survives_damage, utc, zip_of};
    use super::super::{extract, sniff, DocFormat, ODT_MIMETYPE};

    const ODT_CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:body><office:text>
<text:tracked-changes><text:changed-region><text:deletion><text:p>deleted secret</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:h text:outline-level="1">Wire transfers</text:h>
<text:p>From<text:s text:c="3"/>A<text:tab/>to <text:span>B &lt;bank&gt;</text:span><text:line-break/>next</text:p>
<text:p>Note<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2016-01-01</dc:date><text:p>check this</text:p></office:annotation></text:p>
</office:text></office:body></office:document-content>"#;

    const ODT_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:meta><dc:title>Transfers</dc:title><dc:creator>Last Editor</dc:creator><meta:initial-creator>First Author</meta:initial-creator>
<meta:creation-date>2015-03-01T10:11:12.123456789</meta:creation-date><dc:date>2015-03-02T08:00:00</dc:date></office:meta>
</office:document-meta>"#;

    fn odt_fixture() -> Vec<u8> {
        zip_of(&[
            ("mimetype", ODT_MIMETYPE.as_bytes()),
            ("content.xml", ODT_CONTENT.as_bytes()),
            ("meta.xml", ODT_META.as_bytes()),
        ])
    }

    #[test]
    fn odt_text_and_meta() {
        let odt = odt_fixture();
        assert_eq!(sniff(&odt, "file"), Some(DocFormat::Odt));
        let out = extract(&odt, DocFormat::Odt).unwrap();
        assert_eq!(
            out.text,
            "Wire transfers\nFrom   A\tto B <bank>\nnext\nNotecheck this\n\n"
        );
        assert_eq!(out.title.as_deref(), Some("Transfers"));
        assert_eq!(out.author.as_deref(), Some("First Author"));
        assert_eq!(out.created, utc("2015-03-01T10:11:12.123456789Z"));
        assert_eq!(out.modified, utc("2015-03-02T08:00:00Z"));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&odt_fixture(), DocFormat::Odt, 1);
    }
}
