//! `--csv`: one row per hit, with a header row, for spreadsheets.
//!
//! Leaked text is hostile here too: a cell starting with `=`, `+`, `-`, `@`, tab or carriage
//! return is a formula to Excel and LibreOffice ("CSV injection"), so such cells get a leading
//! `'`, the spreadsheet convention for "this is text".

use super::json::Hit;
use crate::doc::Mailbox;

/// Rows stream to stdout as they are written (the csv writer buffers, then flushes in blocks).
pub type Writer = csv::Writer<std::io::Stdout>;

pub fn writer() -> Writer {
    csv::Writer::from_writer(std::io::stdout())
}

const HEADER: [&str; 12] = [
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
];

pub fn write_header(w: &mut Writer) -> csv::Result<()> {
    w.write_record(HEADER)
}

pub fn write_hit(w: &mut Writer, h: &Hit) -> csv::Result<()> {
    let list = |l: &[Mailbox]| {
        l.iter()
            .map(Mailbox::display)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let row = [
        h.id.clone(),
        h.date.clone().unwrap_or_default(),
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
    ];
    w.write_record(row.iter().map(|c| defuse(c)))
}

/// Flushes what is left.
pub fn finish(mut w: Writer) -> std::io::Result<()> {
    w.flush()
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
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("Re: budget"), "Re: budget");
    }
}
