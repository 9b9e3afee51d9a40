//! Workbooks read with calamine: XLSX (SpreadsheetML) and XLS (BIFF8, and BIFF5 of Excel 95).
//! The text is every sheet in workbook order, under its name, one row a line and the cells of a
//! row joined by tabs; numbers as calamine gives them, date cells as ISO dates. Metadata: XLSX's
//! `docProps/core.xml`, XLS's `SummaryInformation` stream (see `ole.rs`). ODS is an ODF package
//! and is read with the other ODF formats (`odf.rs`), whose `content.xml` walk needs no cell grid.
//!
//! Bounds: an XLSX's cells are streamed (`worksheet_cells_reader`), never laid out as a grid, so
//! a sheet with one cell at A1 and one at XFD1048576 costs two cells; its entries are checked
//! against the package limits by their declared sizes before calamine inflates them (the zip
//! crate stops every entry at its declared size). An XLS sheet is a calamine `Range`, a grid of
//! its used area: BIFF caps that at 65,536 rows by 256 columns. Text stops at
//! [`MAX_TEXT_BYTES`](super::MAX_TEXT_BYTES).
//!
//! Left out: formulas (their cached values are read), comments, charts, pictures, hidden-ness
//! (hidden sheets are read like the others), and embedded objects.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xls, XlsError, Xlsx};

use super::package::Package;
use super::{ole, ExtractError, Extracted, TextBuf, FLAG_TRUNCATED};

pub(super) fn extract_xlsx(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let unextractable = ExtractError::Unextractable;
    let mut pkg = Package::open(bytes, "XLSX").map_err(unextractable)?;
    pkg.check_declared_sizes("XLSX")
        .map_err(ExtractError::TooLarge)?;
    let mut out = Extracted::default();
    pkg.core_properties(&mut out);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| unextractable(format!("unreadable XLSX: {e}")))?;
    let mut buf = TextBuf::default();
    let mut damaged = false;
    for name in book.sheet_names() {
        if buf.full {
            break;
        }
        sheet_heading(&mut buf, &name);
        let mut cells = match book.worksheet_cells_reader(&name) {
            Ok(cells) => cells,
            Err(_) => {
                damaged = true;
                continue;
            }
        };
        let mut row = Row::default();
        loop {
            match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (r, c) = cell.get_position();
                    row.put(&mut buf, r, c, &data_ref_text(cell.get_value()));
                }
                Ok(None) => break,
                Err(_) => {
                    damaged = true;
                    break;
                }
            }
            if buf.full {
                break;
            }
        }
        row.end(&mut buf);
    }
    if damaged {
        pkg.flags.push(super::FLAG_DAMAGED);
    }
    if buf.full {
        pkg.flags.push(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(pkg.finish(out))
}

/// Cells a sheet may declare in its DIMENSIONS record: calamine reserves room for every one
/// before reading any (about 50 bytes each), so a record claiming billions aborts the process
/// on its allocation. Excel's own limit is far above, but no sheet with this many used cells
/// can be read in memory anyway.
const MAX_DECLARED_CELLS: u64 = 1 << 24;

/// Refuses a workbook whose DIMENSIONS records declare more cells than [`MAX_DECLARED_CELLS`],
/// or a range whose end is before its start (calamine's arithmetic wraps to a huge one), before
/// calamine sees it. Reads the BIFF records of the `Workbook` (or BIFF5 `Book`) stream.
fn check_declared_cells(bytes: &[u8]) -> Result<(), ExtractError> {
    let mut cf = ole::open(bytes)?;
    let Some((data, _)) = ole::stream(&mut cf, "Workbook").or_else(|| ole::stream(&mut cf, "Book"))
    else {
        return Ok(());
    };
    // The rows and columns the cells span, over every sheet (a bound on each sheet's, which a
    // nested substream cannot reset): calamine lays a sheet out densely, rows × columns values,
    // however few cells it has.
    let mut span: Option<(u64, u64, u64, u64)> = None;
    let too_many = |(r0, r1, c0, c1): (u64, u64, u64, u64)| {
        (r1 - r0 + 1).saturating_mul(c1 - c0 + 1) > MAX_DECLARED_CELLS
    };
    let mut at = 0;
    while let (Some(typ), Some(len)) = (ole::le_u16(&data, at), ole::le_u16(&data, at + 2)) {
        let body = at + 4;
        let Some(r) = data.get(body..body + usize::from(len)) else {
            break;
        };
        // FILEPASS: what follows is encrypted, and calamine says so.
        if typ == 0x002F {
            return Ok(());
        }
        // A cell record (number, label, RK, shared string, bool/error, formula, rich string,
        // multiple RKs) starts with its row and column.
        if matches!(
            typ,
            0x0203 | 0x0204 | 0x027E | 0x00FD | 0x0205 | 0x0006 | 0x00D6 | 0x00BD
        ) {
            if let (Some(row), Some(col)) = (ole::le_u16(r, 0), ole::le_u16(r, 2)) {
                let (row, col) = (u64::from(row), u64::from(col));
                let s = span.get_or_insert((row, row, col, col));
                *s = (
                    s.0.min(row),
                    s.1.max(row),
                    s.2.min(col),
                    s.3.max(col.max(if typ == 0x00BD {
                        u64::from(ole::le_u16(r, r.len().saturating_sub(2)).unwrap_or(0))
                    } else {
                        col
                    })),
                );
                if too_many(*s) {
                    return Err(ExtractError::TooLarge(format!(
                        "XLS sheet with cells spread over rows {}..{} and columns {}..{}, \
                         more than {MAX_DECLARED_CELLS} cells to hold in memory",
                        s.0, s.1, s.2, s.3
                    )));
                }
            }
        }
        if typ == 0x0200 {
            let (rf, rl, cf, cl) = match r.len() {
                10 => (
                    ole::le_u16(r, 0).map(u64::from),
                    ole::le_u16(r, 2).map(u64::from),
                    ole::le_u16(r, 4).map(u64::from),
                    ole::le_u16(r, 6).map(u64::from),
                ),
                14 | 16 => (
                    ole::le_u32(r, 0).map(u64::from),
                    ole::le_u32(r, 4).map(u64::from),
                    ole::le_u16(r, 8).map(u64::from),
                    ole::le_u16(r, 10).map(u64::from),
                ),
                _ => (None, None, None, None),
            };
            if let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) {
                // As calamine reads it: a first column past 0xFF or the last counts from 0.
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    let cells = rl
                        .checked_sub(rf)
                        .filter(|&rows| rows > 0)
                        .map(|rows| rows.saturating_mul(cl - cf));
                    match cells {
                        Some(n) if n <= MAX_DECLARED_CELLS => {}
                        _ => {
                            return Err(ExtractError::TooLarge(format!(
                                "XLS sheet declaring rows {rf}..{rl} and columns {cf}..{cl}, \
                                 more than {MAX_DECLARED_CELLS} cells to hold in memory"
                            )))
                        }
                    }
                }
            }
        }
        at = body + usize::from(len);
    }
    Ok(())
}

pub(super) fn extract_xls(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    check_declared_cells(bytes)?;
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsError::Password => ExtractError::Encrypted(
            "XLS workbook with a FILEPASS record (encrypted with a password)".into(),
        ),
        e => ExtractError::Unextractable(format!("unreadable XLS: {e}")),
    })?;
    let mut out = ole::summary_information(bytes);
    let mut buf = TextBuf::default();
    let mut damaged = false;
    for name in book.sheet_names() {
        if buf.full {
            break;
        }
        sheet_heading(&mut buf, &name);
        let range = match book.worksheet_range(&name) {
            Ok(range) => range,
            Err(_) => {
                damaged = true;
                continue;
            }
        };
        let mut row = Row::default();
        for (r, c, value) in range.used_cells() {
            let (r0, c0) = range.start().unwrap_or_default();
            row.put(&mut buf, r as u32 + r0, c as u32 + c0, &data_text(value));
            if buf.full {
                break;
            }
        }
        row.end(&mut buf);
    }
    if damaged {
        out.flag(super::FLAG_DAMAGED);
    }
    if buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    out.text = buf.text;
    Ok(out)
}

fn sheet_heading(buf: &mut TextBuf, name: &str) {
    if !buf.text.is_empty() && !buf.text.ends_with("\n\n") {
        buf.push('\n');
    }
    buf.push_str(name);
    buf.push('\n');
}

/// The row being written: cells arrive in row order, a new row number starts a new line.
#[derive(Default)]
struct Row {
    current: Option<u32>,
}

impl Row {
    fn put(&mut self, buf: &mut TextBuf, row: u32, _col: u32, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.current {
            Some(r) if r == row => buf.push('\t'),
            Some(_) => buf.push('\n'),
            None => {}
        }
        self.current = Some(row);
        buf.push_str(text);
    }

    fn end(&mut self, buf: &mut TextBuf) {
        if self.current.take().is_some() {
            buf.push('\n');
        }
    }
}

fn data_text(value: &Data) -> String {
    match value {
        Data::DateTime(d) => excel_date(d),
        Data::Error(_) | Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn data_ref_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_date(d),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// A date cell as an ISO date (midnight dropped), a duration or a bare number as calamine has it.
fn excel_date(d: &calamine::ExcelDateTime) -> String {
    if d.is_duration() {
        return d.to_string();
    }
    match d.as_datetime() {
        Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
        Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_survives_damage, utc, zip_of};
    use super::super::{extract, sniff, DocFormat};

    const WORKBOOK: &str = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/><sheet name="Wide" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
    const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    const STRINGS: &str = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Payee</t></si><si><t>Amount</t></si><si><t>Shell Co Ltd</t></si></sst>"#;
    const SHEET1: &str = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>125000.5</v></c></row></sheetData></worksheet>"#;
    // One cell at each far corner: streamed, it costs two cells, not a grid of 17 billion.
    const SHEET2: &str = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>corner</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData></worksheet>"#;
    const CORE: &str = r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Q3 ledger</dc:title><dc:creator>Ann</dc:creator><cp:lastModifiedBy>Bob</cp:lastModifiedBy><dcterms:created>2016-10-03T10:00:00Z</dcterms:created></cp:coreProperties>"#;

    fn xlsx_fixture() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            ("_rels/.rels", br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
            ("xl/workbook.xml", WORKBOOK.as_bytes()),
            ("xl/_rels/workbook.xml.rels", RELS.as_bytes()),
            ("xl/sharedStrings.xml", STRINGS.as_bytes()),
            ("xl/worksheets/sheet1.xml", SHEET1.as_bytes()),
            ("xl/worksheets/sheet2.xml", SHEET2.as_bytes()),
            ("docProps/core.xml", CORE.as_bytes()),
        ])
    }

    #[test]
    fn xlsx_sheets_cells_and_core_properties() {
        let xlsx = xlsx_fixture();
        assert_eq!(sniff(&xlsx, "book.zip"), Some(DocFormat::Xlsx));
        let out = extract(&xlsx, DocFormat::Xlsx).unwrap();
        assert_eq!(
            out.text,
            "Ledger\nPayee\tAmount\nShell Co Ltd\t125000.5\n\nWide\ncorner\nfar\n"
        );
        assert_eq!(out.title.as_deref(), Some("Q3 ledger"));
        assert_eq!(out.author.as_deref(), Some("Ann"));
        assert_eq!(out.last_modified_by.as_deref(), Some("Bob"));
        assert_eq!(out.created, utc("2016-10-03T10:00:00Z"));
        assert!(out.flags.is_empty(), "{:?}", out.flags);
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(&xlsx_fixture(), DocFormat::Xlsx, 7);
        let _ = extract(
            &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
            DocFormat::Xls,
        );
    }
}
