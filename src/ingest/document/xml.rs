//! XML helpers shared by the DOCX and ODT readers: a reader tolerant of damaged files, the text
//! an event stands for, the first value of named metadata elements, and W3CDTF dates.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::clean_field;

/// A quick-xml reader tolerant of the mismatched end tags of damaged files.
pub(super) fn xml_reader(xml: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    reader
}

/// The text an event stands for: character data, CDATA or an entity reference.
pub(super) fn event_text<'e>(event: &'e Event<'_>) -> Option<Cow<'e, str>> {
    match event {
        Event::Text(t) => Some(t.xml10_content()),
        Event::CData(t) => Some(t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => Some(Cow::Owned(c.to_string())),
            Ok(None) => quick_xml::escape::resolve_predefined_entity(r.as_ref()).map(Cow::Borrowed),
            Err(_) => None,
        },
        _ => None,
    }
}

/// The text of the first element named (qualified) `names[i]`, for each i.
pub(super) fn xml_fields(xml: &str, names: &[&str]) -> (Vec<Option<String>>, bool) {
    let mut values: Vec<Option<String>> = vec![None; names.len()];
    let mut current: Option<(usize, String)> = None;
    let mut reader = xml_reader(xml);
    let damaged = loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => break false,
            Ok(event) => event,
            Err(_) => break true,
        };
        match &event {
            Event::Start(e) => {
                current = names
                    .iter()
                    .position(|n| *n == e.name().as_ref())
                    .filter(|&i| values[i].is_none())
                    .map(|i| (i, String::new()));
            }
            Event::End(_) => {
                if let Some((i, text)) = current.take() {
                    values[i] = clean_field(&text);
                }
            }
            _ => {
                if let (Some((_, text)), Some(t)) = (current.as_mut(), event_text(&event)) {
                    if text.len() < 64 << 10 {
                        text.push_str(&t);
                    }
                }
            }
        }
    };
    (values, damaged)
}

/// W3CDTF (`2016-10-28T09:30:00Z`, fractions, offsets) or the zone-less form of ODF; no zone
/// means UTC.
pub(super) fn parse_w3c_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), format) {
            return Some(dt.and_utc());
        }
    }
    let padded = match s.len() {
        4 => format!("{s}-01-01"),
        7 => format!("{s}-01"),
        _ => s.to_owned(),
    };
    let date = NaiveDate::parse_from_str(&padded, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}
