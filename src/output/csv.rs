//! `--csv`: one row per hit, with a header row, for spreadsheets.
//!
//! Leaked text is hostile here too: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
//! return is a formula to Excel and LibreOffice ("CSV injection"), so such cells get a leading
//! `'`, the spreadsheet convention for "this is text".
//!
//! `date` is the document's own date; `file_date`, the last column, the file's modification time
//! of a document that has none.

use super::json::Hit;
use crate::doc::Mailbox;

const HEADER: [&str; 13] = [
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
];

/// One CSV record, quoted as needed, with its line ending. Rows are built one at a time so
/// `--all` streams.
fn record<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(cells: I) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cells)?;
    w.into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
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
    ];
    record(cells.iter().map(|c| defuse(c)))
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
