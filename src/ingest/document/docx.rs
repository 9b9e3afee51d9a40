//! DOCX (WordprocessingML): the text of the body, then footnotes, endnotes, comments, headers and
//! footers; `docProps/core.xml` for title, creator and dates. Left out: deleted tracked changes
//! (`w:delText`), field codes (`w:instrText`), the `mc:Fallback` copies of text boxes, styles,
//! numbering labels and embedded objects.

use quick_xml::events::Event;

use super::package::Package;
use super::xml::{event_text, xml_reader};
use super::{Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut pkg = Package::open(bytes, "DOCX")?;
    let body = pkg
        .read("word/document.xml")?
        .ok_or("DOCX without word/document.xml")?;
    let mut buf = TextBuf::default();
    if docx_text(&body, &mut buf) {
        pkg.flags.push(FLAG_DAMAGED);
    }
    drop(body);
    let parts = ["footnotes", "endnotes", "comments"]
        .iter()
        .map(|p| format!("word/{p}.xml"))
        .chain(pkg.names(|n| {
            let part = n.strip_prefix("word/").unwrap_or("");
            (part.starts_with("header") || part.starts_with("footer"))
                && part.ends_with(".xml")
                && !part.contains('/')
        }))
        .collect::<Vec<_>>();
    for part in parts {
        if buf.full {
            break;
        }
        let Some(xml) = pkg.read_optional(&part) else {
            continue;
        };
        let mut part_text = TextBuf::default();
        if docx_text(&xml, &mut part_text) {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let part_text = part_text.text.trim();
        if !part_text.is_empty() {
            buf.push('\n');
            buf.push_str(part_text);
            buf.push('\n');
        }
    }
    let mut out = Extracted::default();
    pkg.core_properties(&mut out);
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// Appends the text of a WordprocessingML part; true when its XML broke off.
fn docx_text(xml: &str, buf: &mut TextBuf) -> bool {
    let mut reader = xml_reader(xml);
    let mut in_text = false;
    // Inside tab-stop definitions (`w:tabs`), or inside `mc:Fallback`, which repeats the text
    // boxes of `mc:Choice` for old readers.
    let mut skip_depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return false,
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tabs" | "Fallback" => skip_depth += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "tabs" | "Fallback" => skip_depth = skip_depth.saturating_sub(1),
                "p" if skip_depth == 0 => buf.push('\n'),
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => match e.local_name().as_ref() {
                "tab" | "ptab" => buf.push('\t'),
                "br" | "cr" | "p" => buf.push('\n'),
                "noBreakHyphen" => buf.push('-'),
                _ => {}
            },
            _ if in_text && skip_depth == 0 => {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_survives_damage, utc, zip_of};
    use super::super::{extract, sniff, DocFormat};

    const DOCX_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<w:body>
<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Offshore</w:t></w:r><w:r><w:t xml:space="preserve"> accounts &amp; trusts</w:t></w:r></w:p>
<w:p><w:r><w:t>Name</w:t><w:tab/><w:t>Amount</w:t><w:br/><w:t>Second line</w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:instrText>PAGE</w:instrText><w:delText>removed words</w:delText><w:t>Kept&#233;</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:t>In a box</w:t></mc:Choice><mc:Fallback><w:p><w:r><w:t>In a box</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent></w:r></w:p>
</w:body></w:document>"#;

    const DOCX_CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Board  minutes</dc:title><dc:creator>Jane Roe</dc:creator><cp:lastModifiedBy>Someone Else</cp:lastModifiedBy>
<dcterms:created xsi:type="dcterms:W3CDTF">2016-10-28T09:30:00Z</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">2016-10-29T12:00:00+02:00</dcterms:modified>
</cp:coreProperties>"#;

    const DOCX_FOOTER: &str =
        r#"<w:ftr xmlns:w="x"><w:p><w:r><w:t>Confidential footer</w:t></w:r></w:p></w:ftr>"#;

    fn docx_fixture() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", DOCX_BODY.as_bytes()),
            ("word/footer1.xml", DOCX_FOOTER.as_bytes()),
            ("docProps/core.xml", DOCX_CORE.as_bytes()),
        ])
    }

    #[test]
    fn docx_text_and_core_properties() {
        let docx = docx_fixture();
        assert_eq!(sniff(&docx, "whatever.zip"), Some(DocFormat::Docx));
        let out = extract(&docx, DocFormat::Docx).unwrap();
        assert_eq!(
            out.text,
            "Offshore accounts & trusts\nName\tAmount\nSecond line\n\nKepté\nIn a box\n\n\
             Confidential footer\n"
        );
        assert_eq!(out.title.as_deref(), Some("Board minutes"));
        assert_eq!(out.author.as_deref(), Some("Jane Roe"));
        assert_eq!(out.last_modified_by.as_deref(), Some("Someone Else"));
        assert_eq!(out.created, utc("2016-10-28T09:30:00Z"));
        assert_eq!(out.modified, utc("2016-10-29T10:00:00Z"));
        assert!(out.flags.is_empty(), "{:?}", out.flags);
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&docx_fixture(), DocFormat::Docx, 1);
    }
}
