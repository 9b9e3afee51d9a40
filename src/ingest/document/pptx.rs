//! PPTX (PresentationML): each slide's text in the order of the slide show
//! (`ppt/presentation.xml`'s slide list through its relationships), followed by that slide's
//! speaker notes; `docProps/core.xml` for title, creator, last modifier and dates. A package
//! whose slide list cannot be followed is read slide file by slide file, in number order.
//!
//! Left out: slide layouts and masters (placeholder prompts), comments, charts, SmartArt data,
//! embedded objects and the text of pictures.

use std::collections::HashMap;

use quick_xml::events::Event;

use super::package::Package;
use super::xml::{event_text, xml_reader};
use super::{ExtractError, Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED};

pub(super) fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let unextractable = ExtractError::Unextractable;
    let mut pkg = Package::open(bytes, "PPTX").map_err(unextractable)?;
    let presentation = pkg
        .read("ppt/presentation.xml")
        .map_err(unextractable)?
        .ok_or_else(|| unextractable("PPTX without ppt/presentation.xml".into()))?;
    let mut slides = slide_order(
        &presentation,
        pkg.read_optional("ppt/_rels/presentation.xml.rels"),
    );
    if slides.is_empty() {
        slides = pkg.names(|n| {
            n.strip_prefix("ppt/slides/slide")
                .and_then(|r| r.strip_suffix(".xml"))
                .is_some_and(|num| num.parse::<u32>().is_ok())
        });
        slides.sort_by_key(|n| {
            n.trim_start_matches("ppt/slides/slide")
                .trim_end_matches(".xml")
                .parse::<u32>()
                .unwrap_or(u32::MAX)
        });
    }
    let mut buf = TextBuf::default();
    for slide in slides {
        if buf.full {
            break;
        }
        let Some(xml) = pkg.read_optional(&slide) else {
            continue;
        };
        if drawing_text(&xml, &mut buf) {
            pkg.flags.push(FLAG_DAMAGED);
        }
        let (dir, file) = slide.rsplit_once('/').unwrap_or(("", &slide));
        let notes = pkg
            .read_optional(&format!("{dir}/_rels/{file}.rels"))
            .and_then(|rels| {
                relationships(&rels)
                    .into_iter()
                    .find(|r| r.kind.ends_with("/notesSlide"))
                    .map(|r| resolve(dir, &r.target))
            });
        if let Some(xml) = notes.and_then(|n| pkg.read_optional(&n)) {
            if drawing_text(&xml, &mut buf) {
                pkg.flags.push(FLAG_DAMAGED);
            }
        }
        buf.push('\n');
    }
    let mut out = Extracted::default();
    pkg.core_properties(&mut out);
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// The slide parts in show order: `p:sldId` elements' `r:id`s through the relationships.
fn slide_order(presentation: &str, rels: Option<String>) -> Vec<String> {
    let Some(rels) = rels else {
        return Vec::new();
    };
    let targets: HashMap<String, String> = relationships(&rels)
        .into_iter()
        .map(|r| (r.id, resolve("ppt", &r.target)))
        .collect();
    let mut reader = xml_reader(presentation);
    let mut order = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sldId" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "id" && a.key.prefix().is_some());
                if let Some(target) = id
                    .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
                    .and_then(|id| targets.get(id.as_ref()))
                {
                    order.push(target.clone());
                }
            }
            _ => {}
        }
    }
    order
}

struct Relationship {
    id: String,
    kind: String,
    target: String,
}

fn relationships(xml: &str) -> Vec<Relationship> {
    let mut reader = xml_reader(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default()
                };
                out.push(Relationship {
                    id: attr("Id"),
                    kind: attr("Type"),
                    target: attr("Target"),
                });
            }
            _ => {}
        }
    }
    out
}

/// A relationship target relative to the folder `dir` of its source part (or absolute).
fn resolve(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_owned();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Appends the text of a DrawingML part (`a:t` runs, `a:p` paragraphs, `a:br` breaks); true when
/// its XML broke off.
fn drawing_text(xml: &str, buf: &mut TextBuf) -> bool {
    let mut reader = xml_reader(xml);
    let mut in_text = false;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return false,
            Ok(event) => event,
            Err(_) => return true,
        };
        match &event {
            Event::Start(e) if e.name().as_ref() == "a:t" => in_text = true,
            Event::End(e) => match e.name().as_ref() {
                "a:t" => in_text = false,
                "a:p" if !buf.text.is_empty() && !buf.text.ends_with('\n') => buf.push('\n'),
                _ => {}
            },
            Event::Empty(e) if e.name().as_ref() == "a:br" => buf.push('\n'),
            _ if in_text => {
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
    use super::super::tests::{assert_survives_damage, zip_of};
    use super::super::{extract, sniff, DocFormat};
    use super::resolve;

    const PRESENTATION: &str = r#"<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId3"/><p:sldId id="257" r:id="rId2"/></p:sldIdLst></p:presentation>"#;
    const PRES_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide2.xml"/></Relationships>"#;
    const SLIDE1: &str = r#"<p:sld xmlns:p="p" xmlns:a="a"><p:txBody><a:p><a:r><a:t>Second slide</a:t></a:r></a:p></p:txBody></p:sld>"#;
    const SLIDE2: &str = r#"<p:sld xmlns:p="p" xmlns:a="a"><p:txBody><a:p><a:r><a:t>Offshore </a:t></a:r><a:r><a:t>structure</a:t></a:r><a:br/><a:r><a:t>&amp; more</a:t></a:r></a:p></p:txBody></p:sld>"#;
    const SLIDE2_RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide7.xml"/></Relationships>"#;
    const NOTES: &str = r#"<p:notes xmlns:p="p" xmlns:a="a"><a:p><a:r><a:t>Do not mention the trust</a:t></a:r></a:p></p:notes>"#;

    fn pptx_fixture() -> Vec<u8> {
        zip_of(&[
            ("ppt/presentation.xml", PRESENTATION.as_bytes()),
            ("ppt/_rels/presentation.xml.rels", PRES_RELS.as_bytes()),
            ("ppt/slides/slide1.xml", SLIDE1.as_bytes()),
            ("ppt/slides/slide2.xml", SLIDE2.as_bytes()),
            ("ppt/slides/_rels/slide2.xml.rels", SLIDE2_RELS.as_bytes()),
            ("ppt/notesSlides/notesSlide7.xml", NOTES.as_bytes()),
        ])
    }

    #[test]
    fn slides_in_show_order_with_their_notes() {
        let pptx = pptx_fixture();
        assert_eq!(sniff(&pptx, "deck.zip"), Some(DocFormat::Pptx));
        let out = extract(&pptx, DocFormat::Pptx).unwrap();
        assert_eq!(
            out.text,
            "Offshore structure\n& more\nDo not mention the trust\n\nSecond slide\n\n"
        );
    }

    #[test]
    fn targets_resolve_against_their_folder() {
        assert_eq!(
            resolve("ppt/slides", "../notesSlides/n1.xml"),
            "ppt/notesSlides/n1.xml"
        );
        assert_eq!(resolve("ppt", "slides/slide1.xml"), "ppt/slides/slide1.xml");
        assert_eq!(resolve("ppt", "/ppt/x.xml"), "ppt/x.xml");
        assert_eq!(resolve("ppt", "../../../x"), "x");
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&pptx_fixture(), DocFormat::Pptx, 5);
    }
}
