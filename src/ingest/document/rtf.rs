//! RTF: the text of the document, and the `\info` group's title, author, operator (who saved
//! last), creation and revision times.
//!
//! Characters come three ways: plain bytes, `\'hh` escapes in the code page in force (the
//! font's `\fcharset`, else the document's `\ansicpg`, else windows-1252; consecutive escapes
//! are decoded together, so double-byte code pages such as 932 work), and `\uN` Unicode escapes,
//! after which the `\ucN` fallback characters are skipped. Paragraph, line, section and page
//! marks become line ends, `\tab` and `\cell` tabs. Groups that hold no text are skipped:
//! font, colour and style tables, `\info`, pictures, object data, field instructions (their
//! results are kept), list tables, bookmarks and every `\*` destination trawl does not know.
//!
//! Written by hand: `rtf-parser` lexes a whole file into a token vector from a `&str` (an RTF
//! file is bytes in a code page, not UTF-8) and had no code-page support when checked; its fork
//! `rtf-parser-tt` is young and single-maintained. The reader below is one pass over the bytes,
//! with memory bounded by the text it keeps.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::ole::decode_ansi;
use super::{clean_field, Extracted, TextBuf, FLAG_TRUNCATED};

/// Groups nested deeper than this are read as if at this depth (real files nest a few dozen).
const MAX_DEPTH: usize = 512;

/// Whether the head is RTF.
pub(super) fn sniff(head: &[u8]) -> bool {
    head.starts_with(b"{\\rtf")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    Text,
    Skip,
    FontTable,
    Info,
    Title,
    Author,
    Operator,
    Created,
    Revised,
    /// `\upr`: a field given twice, in ANSI and (in its `\ud` group) in Unicode; only the
    /// Unicode one is read.
    Upr,
}

#[derive(Clone, Copy)]
struct Group {
    dest: Dest,
    /// Fallback characters after `\uN`.
    uc: usize,
    /// Code page of the font in force, if its table gave one.
    codepage: Option<u16>,
    /// Inside `\upr`: the destination its `\ud` group reads as.
    upr: Option<Dest>,
}

#[derive(Default)]
struct Info {
    title: String,
    author: String,
    operator: String,
    /// yr, mo, dy, hr, min of `\creatim` and `\revtim`.
    created: [u32; 5],
    revised: [u32; 5],
}

pub(super) fn extract(bytes: &[u8]) -> Extracted {
    let mut r = Reader {
        bytes,
        at: 0,
        buf: TextBuf::default(),
        pending: Vec::new(),
        high_surrogate: None,
        skip_fallback: 0,
        doc_codepage: 1252,
        fonts: HashMap::new(),
        font: None,
        info: Info::default(),
    };
    r.run();
    let mut out = Extracted {
        title: clean_field(&r.info.title),
        author: clean_field(&r.info.author),
        last_modified_by: clean_field(&r.info.operator),
        created: rtf_time(r.info.created),
        modified: rtf_time(r.info.revised),
        ..Extracted::default()
    };
    if r.buf.full {
        out.flag(FLAG_TRUNCATED);
    }
    out.text = r.buf.text;
    out
}

fn rtf_time(t: [u32; 5]) -> Option<DateTime<Utc>> {
    let [yr, mo, dy, hr, min] = t;
    let date = NaiveDate::from_ymd_opt(yr as i32, mo, dy)?;
    Some(date.and_hms_opt(hr, min, 0)?.and_utc())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    buf: TextBuf,
    /// `\'hh` bytes not yet decoded (a double-byte character may span two escapes).
    pending: Vec<u8>,
    high_surrogate: Option<u16>,
    /// Fallback characters still to skip after a `\uN`.
    skip_fallback: usize,
    doc_codepage: u16,
    /// Font number → code page of its `\fcharset`.
    fonts: HashMap<i32, u16>,
    /// The font being defined in the font table.
    font: Option<i32>,
    info: Info,
}

impl Reader<'_> {
    fn run(&mut self) {
        let mut stack: Vec<Group> = Vec::new();
        let mut g = Group {
            dest: Dest::Text,
            uc: 1,
            codepage: None,
            upr: None,
        };
        // Groups opened past MAX_DEPTH, closed without popping.
        let mut overflow = 0usize;
        // Just after `{`: a first control word may name a destination.
        let mut group_start = false;
        while self.at < self.bytes.len() && !self.buf.full {
            let b = self.bytes[self.at];
            match b {
                b'{' => {
                    self.flush(&g);
                    self.at += 1;
                    if stack.len() < MAX_DEPTH {
                        stack.push(g);
                    } else {
                        overflow += 1;
                    }
                    group_start = true;
                    self.skip_fallback = 0;
                    continue;
                }
                b'}' => {
                    self.flush(&g);
                    self.at += 1;
                    if overflow > 0 {
                        overflow -= 1;
                    } else if let Some(outer) = stack.pop() {
                        g = outer;
                    }
                    self.skip_fallback = 0;
                }
                b'\\' => {
                    self.control(&mut g, group_start);
                }
                b'\r' | b'\n' => self.at += 1,
                _ => {
                    self.at += 1;
                    if self.skip_fallback > 0 {
                        self.skip_fallback -= 1;
                    } else {
                        self.flush(&g);
                        self.text_char(&g, char::from(b), b);
                    }
                }
            }
            group_start = false;
        }
        self.flush(&g);
    }

    /// A byte of plain text: ASCII as is, anything else in the code page in force.
    fn text_char(&mut self, g: &Group, c: char, b: u8) {
        if b.is_ascii() {
            self.emit(g, c);
        } else {
            self.pending.push(b);
            self.flush(g);
        }
    }

    fn codepage(&self, g: &Group) -> u16 {
        g.codepage.unwrap_or(self.doc_codepage)
    }

    /// Decodes the pending `\'hh` bytes.
    fn flush(&mut self, g: &Group) {
        if self.pending.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.pending);
        let text = decode_ansi(&bytes, Some(self.codepage(g)));
        for c in text.chars() {
            self.emit(g, c);
        }
    }

    fn emit(&mut self, g: &Group, c: char) {
        match g.dest {
            Dest::Text => self.buf.push(c),
            Dest::Title if self.info.title.len() < 4096 => self.info.title.push(c),
            Dest::Author if self.info.author.len() < 4096 => self.info.author.push(c),
            Dest::Operator if self.info.operator.len() < 4096 => self.info.operator.push(c),
            _ => {}
        }
    }

    /// A control word or symbol at `self.at` (a backslash).
    fn control(&mut self, g: &mut Group, group_start: bool) {
        let start = self.at + 1;
        let Some(&first) = self.bytes.get(start) else {
            self.at = start;
            return;
        };
        if !first.is_ascii_alphabetic() {
            // A control symbol.
            self.at = start + 1;
            match first {
                b'\'' => {
                    let hex = self.bytes.get(start + 1..start + 3);
                    let value = hex
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let Some(v) = value {
                        self.at = start + 3;
                        if self.skip_fallback > 0 {
                            self.skip_fallback -= 1;
                        } else {
                            self.pending.push(v);
                        }
                    }
                }
                b'*' if group_start => g.dest = Dest::Skip,
                b'~' => self.symbol(g, '\u{a0}'),
                b'_' => self.symbol(g, '\u{2011}'),
                b'-' => {}
                b'\\' | b'{' | b'}' => self.symbol(g, char::from(first)),
                b'\r' | b'\n' => self.symbol(g, '\n'),
                b'\t' => self.symbol(g, '\t'),
                _ => {}
            }
            return;
        }
        let mut end = start;
        while end < self.bytes.len() && end - start < 32 && self.bytes[end].is_ascii_alphabetic() {
            end += 1;
        }
        let word = std::str::from_utf8(&self.bytes[start..end]).unwrap_or("");
        let mut num_end = end;
        if self.bytes.get(num_end) == Some(&b'-') {
            num_end += 1;
        }
        while num_end < self.bytes.len()
            && num_end - end < 11
            && self.bytes[num_end].is_ascii_digit()
        {
            num_end += 1;
        }
        let param: Option<i64> = std::str::from_utf8(&self.bytes[end..num_end])
            .ok()
            .and_then(|n| n.parse().ok());
        self.at = num_end;
        if self.bytes.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        if word == "bin" {
            // Raw binary data of the given length follows.
            self.flush(g);
            let n = usize::try_from(param.unwrap_or(0)).unwrap_or(0);
            self.at = self.at.saturating_add(n);
            return;
        }
        if self.skip_fallback > 0 && word != "u" {
            self.skip_fallback -= 1;
            return;
        }
        if word != "u" {
            self.flush(g);
        }
        self.word(g, word, param, group_start);
    }

    /// A special character from a control symbol or word, counted as a fallback character.
    fn symbol(&mut self, g: &Group, c: char) {
        if self.skip_fallback > 0 {
            self.skip_fallback -= 1;
            return;
        }
        self.flush(g);
        self.emit(g, c);
    }

    fn word(&mut self, g: &mut Group, word: &str, param: Option<i64>, group_start: bool) {
        let n = param.unwrap_or(0);
        if word == "upr" && g.dest != Dest::Skip {
            g.upr = Some(g.dest);
            g.dest = Dest::Upr;
            return;
        }
        if word == "ud" {
            if let Some(dest) = g.upr.take() {
                g.dest = dest;
            }
            return;
        }
        // Destinations: a group that starts with one of these holds no body text.
        if group_start || g.dest == Dest::Info {
            let dest = match word {
                "fonttbl" => Some(Dest::FontTable),
                "info" => Some(Dest::Info),
                "title" if g.dest == Dest::Info => Some(Dest::Title),
                "author" if g.dest == Dest::Info => Some(Dest::Author),
                "operator" if g.dest == Dest::Info => Some(Dest::Operator),
                "creatim" if g.dest == Dest::Info => Some(Dest::Created),
                "revtim" if g.dest == Dest::Info => Some(Dest::Revised),
                "colortbl" | "stylesheet" | "pict" | "objdata" | "fldinst" | "listtable"
                | "listoverridetable" | "rsidtbl" | "generator" | "xmlnstbl" | "themedata"
                | "colorschememapping" | "datastore" | "latentstyles" | "bkmkstart" | "bkmkend"
                | "pntext" | "pntxta" | "pntxtb" | "filetbl" | "revtbl" | "mmathPr"
                | "wgrffmtfilter" | "nonshppict" | "private" | "userprops" | "docvar"
                | "listtext" | "falt" | "panose" => Some(Dest::Skip),
                _ => None,
            };
            if let Some(dest) = dest {
                let filled = match dest {
                    Dest::Title => !self.info.title.is_empty(),
                    Dest::Author => !self.info.author.is_empty(),
                    Dest::Operator => !self.info.operator.is_empty(),
                    _ => false,
                };
                if g.dest != Dest::Skip {
                    // A field given twice keeps its first value.
                    g.dest = if filled { Dest::Skip } else { dest };
                }
                return;
            }
        }
        match (g.dest, word) {
            (Dest::FontTable, "f") => self.font = i32::try_from(n).ok(),
            (Dest::FontTable, "fcharset") => {
                if let (Some(font), Some(cp)) = (self.font, charset_codepage(n)) {
                    self.fonts.insert(font, cp);
                }
            }
            (Dest::Created | Dest::Revised, "yr" | "mo" | "dy" | "hr" | "min") => {
                let t = if g.dest == Dest::Created {
                    &mut self.info.created
                } else {
                    &mut self.info.revised
                };
                let i = ["yr", "mo", "dy", "hr", "min"]
                    .iter()
                    .position(|w| *w == word);
                if let Some(i) = i {
                    t[i] = u32::try_from(n).unwrap_or(0);
                }
            }
            (_, "ansicpg") => {
                if let Ok(cp) = u16::try_from(n) {
                    self.doc_codepage = cp;
                }
            }
            (_, "mac") => self.doc_codepage = 10000,
            (_, "pc") => self.doc_codepage = 437,
            (_, "pca") => self.doc_codepage = 850,
            (_, "f") => {
                g.codepage = i32::try_from(n)
                    .ok()
                    .and_then(|f| self.fonts.get(&f).copied())
            }
            (_, "uc") => g.uc = usize::try_from(n).unwrap_or(1).min(16),
            (_, "u") => {
                // Signed 16-bit: negative values are code units above 0x7FFF.
                let unit = (n.rem_euclid(65536)) as u16;
                self.unicode(g, unit);
                self.skip_fallback = g.uc;
            }
            (_, "par" | "line" | "sect" | "page" | "row" | "lbr") => self.emit(g, '\n'),
            (_, "tab" | "cell" | "nestcell") => self.emit(g, '\t'),
            (_, "emdash") => self.emit(g, '\u{2014}'),
            (_, "endash") => self.emit(g, '\u{2013}'),
            (_, "bullet") => self.emit(g, '\u{2022}'),
            (_, "lquote") => self.emit(g, '\u{2018}'),
            (_, "rquote") => self.emit(g, '\u{2019}'),
            (_, "ldblquote") => self.emit(g, '\u{201c}'),
            (_, "rdblquote") => self.emit(g, '\u{201d}'),
            (_, "emspace" | "enspace" | "qmspace") => self.emit(g, ' '),
            _ => {}
        }
    }

    fn unicode(&mut self, g: &Group, unit: u16) {
        match unit {
            0xD800..=0xDBFF => self.high_surrogate = Some(unit),
            0xDC00..=0xDFFF => {
                if let Some(high) = self.high_surrogate.take() {
                    let c = char::decode_utf16([high, unit]).next().and_then(Result::ok);
                    self.emit(g, c.unwrap_or('\u{fffd}'));
                }
            }
            _ => {
                self.high_surrogate = None;
                self.emit(g, char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
            }
        }
    }
}

/// The Windows code page of an RTF `\fcharsetN` (the ones that differ from the document's).
fn charset_codepage(charset: i64) -> Option<u16> {
    Some(match charset {
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{assert_survives_damage, utc};
    use super::super::{extract, DocFormat};

    const RTF: &[u8] = br#"{\rtf1\ansi\ansicpg1250\deff0{\fonttbl{\f0\fswiss Arial;}{\f1\fcharset128 MS Gothic;}}
{\colortbl;\red0\green0\blue0;}{\stylesheet{\s0 Normal;}}
{\info{\upr{\title Wire? list}{\*\ud{\title Wire\u353\'3f list}}}{\author Jan Nov\'e1k}{\author Other}{\operator Eva}{\creatim\yr2016\mo10\dy3\hr9\min30}{\revtim\yr2016\mo10\dy4\hr8\min0}}
{\*\generator Riched20;}\pard\plain P\'f8\'edli\'9a\par
Caf\u233?\tab {\b bold}\line x\~y\emdash z\par
{\f1 \'91\'97\'8b\'e0}{\field{\*\fldinst HYPERLINK "http://x"}{\fldrslt link text}}\par
{\pict\wmetafile8 0102ff}\u-10179\'3f\u-8704\'3f done\bin3 {}x}"#;

    #[test]
    fn text_code_pages_unicode_and_info() {
        let out = extract(RTF, DocFormat::Rtf).unwrap();
        assert_eq!(
            out.text,
            "Příliš\nCafé\tbold\nx\u{a0}y\u{2014}z\n送金link text\n\u{1f600} done"
        );
        assert_eq!(out.title.as_deref(), Some("Wireš list"));
        assert_eq!(out.author.as_deref(), Some("Jan Novák"));
        assert_eq!(out.last_modified_by.as_deref(), Some("Eva"));
        assert_eq!(out.created, utc("2016-10-03T09:30:00Z"));
        assert_eq!(out.modified, utc("2016-10-04T08:00:00Z"));
    }

    #[test]
    fn damaged_inputs_never_panic() {
        assert_survives_damage(RTF, DocFormat::Rtf, 1);
        let deep = "{".repeat(100_000);
        let _ = extract(deep.as_bytes(), DocFormat::Rtf);
    }
}
