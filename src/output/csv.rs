//! `--csv`: one row per hit, with a header row, for spreadsheets.
//!
//! Leaked text is hostile here too: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
//! return is a formula to Excel and LibreOffice ("CSV injection"), so such cells get a leading
//! `'`, the spreadsheet convention for "this is text".
//!
//! `date` is the document's own date; `file_date` the file's modification time of a document
//! that has none. After it, the rest of the JSON hit that fits a cell: kind, format, where the
//! date came from and how good it is, the sender's offset, the part, the message it was found
//! in, the conversation, folder and custodian, attachment names (`; `-separated), charset,
//! copies, a timeline's gap, and the snippet (without highlight marks).
//!
//! Facets, histograms and pairs are one other table, a row per value ([`TABLE_HEADER`]):
//! `type` is `facet`, `histogram` or `pair`; `name` the facet, the histogram's unit or
//! `pairs`; `value` the facet value, the period or the sender; `value_name` its person's name;
//! `to` and `to_name` a pair's recipient; `count`; `first` and `last` a pair's dates, or the
//! UTC start of a histogram's period in `first`. A histogram's hits without a date are the
//! periods `(undated)` and `(file date)`.

use super::json::{FacetOut, HistogramOut, Hit};
use crate::doc::Mailbox;
use crate::query::facets::Pair;

const HEADER: [&str; 28] = [
    "id",
    "date",
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "message_id",
    "path",
    "offset",
    "length",
    "sha256",
    "file_date",
    "kind",
    "format",
    "date_quality",
    "date_source",
    "tz_offset_minutes",
    "item",
    "parent",
    "conversation",
    "folder",
    "custodian",
    "attachments",
    "charset",
    "copies",
    "gap_seconds",
    "snippet",
];

/// One CSV record, quoted as needed, with its line ending. Rows are built one at a time so
/// `--all` streams.
fn record<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(cells: I) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells)?;
    w.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// The columns of the facet, histogram and pair table.
pub const TABLE_HEADER: [&str; 9] = [
    "type",
    "name",
    "value",
    "value_name",
    "to",
    "to_name",
    "count",
    "first",
    "last",
];

pub fn table_header() -> csv::Result<Vec<u8>> {
    record(TABLE_HEADER)
}

/// A row of the facet, histogram and pair table, defused.
fn table_row(cells: [&str; 9]) -> csv::Result<Vec<u8>> {
    record(cells.iter().map(|c| defuse(c)))
}

pub fn facet_rows(f: &FacetOut) -> csv::Result<Vec<u8>> {
    let mut out = Vec::new();
    for v in &f.values {
        let count = v.count.to_string();
        let name = v.name.as_deref().unwrap_or("");
        out.extend(table_row([
            "facet", &f.name, &v.value, name, "", "", &count, "", "",
        ])?);
    }
    Ok(out)
}

pub fn histogram_rows(h: &HistogramOut) -> csv::Result<Vec<u8>> {
    let mut out = Vec::new();
    for b in &h.buckets {
        let count = b.count.to_string();
        let start = b.start.as_deref().unwrap_or("");
        out.extend(table_row([
            "histogram",
            &h.unit,
            &b.period,
            "",
            "",
            "",
            &count,
            start,
            "",
        ])?);
    }
    for (period, n) in [("(undated)", h.undated), ("(file date)", h.file_dated)] {
        if n > 0 {
            let count = n.to_string();
            out.extend(table_row([
                "histogram",
                &h.unit,
                period,
                "",
                "",
                "",
                &count,
                "",
                "",
            ])?);
        }
    }
    Ok(out)
}

pub fn pair_rows(pairs: &[Pair]) -> csv::Result<Vec<u8>> {
    let mut out = Vec::new();
    let day = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    for p in pairs {
        let (count, first, last) = (p.count.to_string(), day(p.first), day(p.last));
        out.extend(table_row([
            "pair",
            "pairs",
            &p.from,
            p.from_name.as_deref().unwrap_or(""),
            &p.to,
            p.to_name.as_deref().unwrap_or(""),
            &count,
            &first,
            &last,
        ])?);
    }
    Ok(out)
}

pub fn header() -> csv::Result<Vec<u8>> {
    record(HEADER)
}

pub fn row(h: &Hit) -> csv::Result<Vec<u8>> {
    let list = |l: &[Mailbox]| {
        l.iter()
            .map(Mailbox::display)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let cells = [
        h.id.clone(),
        date_cell(h),
        h.from.as_ref().map(Mailbox::display).unwrap_or_default(),
        list(&h.to),
        list(&h.cc),
        list(&h.bcc),
        h.subject.clone(),
        h.message_id.clone().unwrap_or_default(),
        h.path.clone(),
        h.offset.to_string(),
        h.length.to_string(),
        h.sha256.clone(),
        h.file_date.clone().unwrap_or_default(),
        h.kind.clone(),
        h.format.clone(),
        h.date_quality.clone(),
        h.date_source.clone(),
        opt(h.tz_offset_minutes),
        opt(h.item),
        h.parent.clone().unwrap_or_default(),
        h.conversation.clone().unwrap_or_default(),
        h.folder.clone().unwrap_or_default(),
        h.custodian.clone().unwrap_or_default(),
        h.attachments.join("; "),
        h.charset.clone().unwrap_or_default(),
        h.copies.to_string(),
        opt(h.gap_seconds),
        h.snippet.clone(),
    ];
    record(cells.iter().map(|c| defuse(c)))
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The date in RFC 3339 UTC; a local time of unknown zone without a zone designator, which is
/// how ISO 8601 writes a local time (`2016-09-20T17:30:00`).
fn date_cell(h: &Hit) -> String {
    let date = h.date.clone().unwrap_or_default();
    if h.date_local {
        date.trim_end_matches('Z').to_owned()
    } else {
        date
    }
}

/// Prefixes `'` to cells a spreadsheet would evaluate.
pub fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quoted() {
        assert_eq!(
            record(["a,b", "c\"d", "e"]).unwrap(),
            b"\"a,b\",\"c\"\"d\",e\n"
        );
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Re: budget"), "Re: budget");
    }
}
