//! CSV/TSV: each row's cells joined by ` | `, one row per line, blank rows dropped. The delimiter
//! (comma, tab, semicolon or pipe) is guessed from the first lines; ragged rows are fine. There is
//! no metadata to read; a header row is text like any other.

use super::decode::decode_text;
use super::{Extracted, TextBuf, FLAG_DAMAGED, FLAG_TRUNCATED, MAX_MARKUP_BYTES, SNIFF_LEN};

pub(super) fn extract(bytes: &[u8]) -> Extracted {
    let decoded = decode_text(bytes, MAX_MARKUP_BYTES);
    let (source, truncated) = (decoded.text, decoded.truncated);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(guess_delimiter(&source))
        .from_reader(source.as_bytes());
    let mut buf = TextBuf::default();
    let mut damaged = false;
    for record in reader.records() {
        let Ok(record) = record else {
            damaged = true;
            break;
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        for (i, cell) in record.iter().enumerate() {
            if i > 0 {
                buf.push_str(" | ");
            }
            buf.push_str(cell.trim());
        }
        buf.push('\n');
        if buf.full {
            break;
        }
    }
    let mut out = Extracted {
        text: buf.text,
        charset: Some(decoded.charset.to_owned()),
        ..Extracted::default()
    };
    if truncated || buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    if damaged {
        out.flag(FLAG_DAMAGED);
    }
    out
}

/// The most frequent of comma, tab, semicolon and pipe outside quotes in the first lines; comma
/// when none occurs.
fn guess_delimiter(source: &str) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut lines = 0;
    for &b in source.as_bytes().iter().take(SNIFF_LEN) {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines += 1;
                if lines == 10 {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, &n)| (n, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    if count == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::assert_survives_damage;
    use super::super::{extract, sniff, DocFormat};

    #[test]
    fn csv_rows_and_tsv() {
        let csv = b"name,amount,note\nAlice,100,\"with, comma\"\nBob,200\n\n";
        assert_eq!(sniff(csv, "ledger.csv"), Some(DocFormat::Csv));
        let out = extract(csv, DocFormat::Csv).unwrap();
        assert_eq!(
            out.text,
            "name | amount | note\nAlice | 100 | with, comma\nBob | 200\n"
        );
        assert_eq!(out.title, None);

        let tsv = b"a\tb, c\td\n1\t2\t3\t4\n";
        assert_eq!(sniff(tsv, "x.TSV"), Some(DocFormat::Csv));
        assert_eq!(
            extract(tsv, DocFormat::Csv).unwrap().text,
            "a | b, c | d\n1 | 2 | 3 | 4\n"
        );
        // An unterminated quote does not lose the rest or panic.
        assert!(extract(b"a,\"b\nc,d", DocFormat::Csv)
            .unwrap()
            .text
            .contains('c'));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(b"a,\"b\"\"c\",d\n\"e", DocFormat::Csv, 1);
    }
}
