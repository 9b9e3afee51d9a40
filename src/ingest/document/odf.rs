//! OpenDocument packages: text (ODT), spreadsheets (ODS) and presentations (ODP). Their text
//! is the paragraphs and headings of `content.xml`, with `text:s` spaces, tabs and line breaks:
//! in a spreadsheet each cell's paragraphs under its sheet's name, in a presentation each
//! slide's frames and its speaker notes (`presentation:notes`), in page order. `meta.xml` gives
//! title, (initial) creator, last creator and dates. A package whose manifest carries
//! `manifest:encryption-data` is password-protected: its `content.xml` is ciphertext, and it is
//! refused as encrypted. Left out: tracked deletions, annotations' author and date, headers and
//! footers (they live in `styles.xml`, which is not read), embedded objects, and the value a
//! repeated cell (`table:number-columns-repeated`) repeats: it is read once.

use quick_xml::events::{BytesStart, Event};

use super::package::Package;
use super::xml::{event_text, parse_w3c_date, xml_fields, xml_reader};
use super::{ExtractError, Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

/// The document of an ODF package; `kind` ("ODT", "ODS", "ODP") names it in errors.
pub(super) fn extract(bytes: &[u8], kind: &str) -> Result<Extracted, ExtractError> {
    let unextractable = ExtractError::Unextractable;
    let mut pkg = Package::open(bytes, kind).map_err(unextractable)?;
    if let Some(manifest) = pkg.read_optional("META-INF/manifest.xml") {
        if manifest.contains("manifest:encryption-data") {
            return Err(ExtractError::Encrypted(format!(
                "{kind} package whose manifest declares encrypted parts"
            )));
        }
    }
    let content = pkg
        .read("content.xml")
        .map_err(unextractable)?
        .ok_or_else(|| unextractable(format!("{kind} without content.xml")))?;
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
        // ODF's dc:creator is who saved last; the author is the initial creator when named.
        out.last_modified_by = creator.clone();
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
                // A spreadsheet's sheets, each under its name.
                "table:table" if skip_depth == 0 => {
                    if let Ok(Some(name)) = e.try_get_attribute("table:name") {
                        if let Ok(name) = name.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        {
                            buf.push_str(&name);
                            buf.push('\n');
                        }
                    }
                }
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
    use super::super::{extract, sniff, DocFormat, ODP_MIMETYPE, ODS_MIMETYPE, ODT_MIMETYPE};

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
        assert_eq!(out.last_modified_by.as_deref(), Some("Last Editor"));
        assert_eq!(out.created, utc("2015-03-01T10:11:12.123456789Z"));
        assert_eq!(out.modified, utc("2015-03-02T08:00:00Z"));
    }

    #[test]
    fn ods_sheets_and_odp_notes() {
        let ods_content = r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet>
<table:table table:name="Accounts"><table:table-row><table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/><table:table-cell><text:p>Cayman</text:p></table:table-cell></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;
        let ods = zip_of(&[
            ("mimetype", ODS_MIMETYPE.as_bytes()),
            ("content.xml", ods_content.as_bytes()),
        ]);
        assert_eq!(sniff(&ods, "x.zip"), Some(DocFormat::Ods));
        let out = extract(&ods, DocFormat::Ods).unwrap();
        assert_eq!(out.text, "Accounts\n42\nCayman\n");

        let odp_content = r#"<office:document-content xmlns:office="o" xmlns:draw="d" xmlns:text="x" xmlns:presentation="p"><office:body><office:presentation>
<draw:page draw:name="page1"><draw:frame><draw:text-box><text:p>Quarterly plan</text:p></draw:text-box></draw:frame>
<presentation:notes><draw:frame><draw:text-box><text:p>Say nothing</text:p></draw:text-box></draw:frame></presentation:notes></draw:page>
</office:presentation></office:body></office:document-content>"#;
        let odp = zip_of(&[
            ("mimetype", ODP_MIMETYPE.as_bytes()),
            ("content.xml", odp_content.as_bytes()),
        ]);
        assert_eq!(sniff(&odp, "x"), Some(DocFormat::Odp));
        let out = extract(&odp, DocFormat::Odp).unwrap();
        assert_eq!(out.text, "Quarterly plan\nSay nothing\n");
    }

    #[test]
    fn an_encrypted_package_is_refused_as_encrypted() {
        let manifest = r#"<manifest:manifest xmlns:manifest="m"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum="x"/></manifest:file-entry></manifest:manifest>"#;
        let odt = zip_of(&[
            ("mimetype", ODT_MIMETYPE.as_bytes()),
            ("META-INF/manifest.xml", manifest.as_bytes()),
            ("content.xml", b"\x8f\x01ciphertext"),
        ]);
        let err = extract(&odt, DocFormat::Odt).unwrap_err();
        assert!(
            matches!(err, super::super::ExtractError::Encrypted(_)),
            "{err}"
        );
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&odt_fixture(), DocFormat::Odt, 1);
    }
}
