//! Text of an MSG's compressed RTF body (`PR_RTF_COMPRESSED`), for messages that carry no plain
//! or HTML body: decompressed by the `compressed-rtf` crate ([MS-OXRTFCP]), then read by a
//! small RTF scanner. Outlook's RTF bodies are either ordinary RTF (`\fromtext`) or HTML
//! encapsulated in RTF (`\fromhtml1`, [MS-OXRTFEX]): the HTML sits in `\*\htmltag` groups
//! and the RTF that only renders it sits between `\htmlrtf` and `\htmlrtf0`. The scanner gives
//! back the HTML in the second case, which the caller turns into text.

use encoding_rs::Encoding;

/// Header of a compressed RTF stream: compressed size, raw size, type, CRC.
const HEADER: usize = 16;
const COMPRESSED: u32 = 0x75465A4C;
const UNCOMPRESSED: u32 = 0x414C454D;

/// The decompressed RTF of a `PR_RTF_COMPRESSED` stream, or none when the stream is not one.
/// The header is checked here first: the crate slices and allocates by what it states.
pub(super) fn decompress(data: &[u8], max_bytes: usize) -> Option<String> {
    let word = |i: usize| {
        data.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (comp_size, raw_size, kind) = (word(0)?, word(4)? as usize, word(8)?);
    if comp_size as usize + 4 != data.len() || raw_size > max_bytes {
        return None;
    }
    match kind {
        // Each compressed byte gives at most 17 bytes of output (a two-byte reference of up to
        // 17), so the output is bounded by the input as well.
        COMPRESSED if raw_size <= (data.len() - HEADER).saturating_mul(17) => {}
        UNCOMPRESSED if HEADER + raw_size <= data.len() => {}
        _ => return None,
    }
    compressed_rtf::decompress_rtf(data).ok()
}

/// What an RTF body holds: the HTML it encapsulates, or its text.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Content {
    Html(String),
    Text(String),
}

/// Groups nested deeper than this are skipped: no document needs them, and a hostile one
/// would otherwise grow the state stack without end.
const MAX_DEPTH: usize = 256;

/// Destinations whose text is not part of what the document says.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "object",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "generator",
    "xmlnstbl",
    "fldinst",
    "header",
    "footer",
    "mmathPr",
    "pgdsctbl",
    "filetbl",
    "revtbl",
];

#[derive(Clone, Copy)]
struct State {
    skip: bool,
    /// Inside `\htmlrtf`: RTF that only renders encapsulated HTML.
    htmlrtf: bool,
    /// Characters to skip after a `\u` (the `\ucN` in force).
    uc: u32,
}

/// Reads `rtf` into the HTML it encapsulates or its text, at most `max_bytes` of it.
pub(super) fn content(rtf: &str, max_bytes: usize) -> Content {
    let b = rtf.as_bytes();
    let html = b.windows(10).take(1024).any(|w| w == b"\\fromhtml1");
    let mut out = Out {
        text: String::new(),
        pending: Vec::new(),
        encoding: encoding_rs::WINDOWS_1252,
        max_bytes,
    };
    let mut stack: Vec<State> = Vec::new();
    let mut st = State {
        skip: false,
        htmlrtf: false,
        uc: 1,
    };
    // After `\*`: the next control word starts a destination skipped unless known.
    let mut starred = false;
    // Right after `{`: a control word here names the group's destination.
    let mut group_start = false;
    let mut skip_chars = 0u32;
    let mut i = 0;
    while i < b.len() && out.text.len() < max_bytes {
        let c = b[i];
        match c {
            b'{' => {
                out.flush();
                stack.push(st);
                if stack.len() > MAX_DEPTH {
                    st.skip = true;
                }
                group_start = true;
                starred = false;
                skip_chars = 0;
                i += 1;
                continue;
            }
            b'}' => {
                out.flush();
                st = stack.pop().unwrap_or(st);
                group_start = false;
                starred = false;
                skip_chars = 0;
                i += 1;
                continue;
            }
            b'\\' => {
                let (word, param, next) = control(b, i + 1);
                i = next;
                let at_start = std::mem::replace(&mut group_start, false);
                match word {
                    Control::Symbol(b'*') => {
                        starred = true;
                        group_start = at_start;
                        continue;
                    }
                    Control::Symbol(b'\'') => {
                        let hex = b.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                        if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                            i += 2;
                            if skip_chars > 0 {
                                skip_chars -= 1;
                            } else if visible(&st, html) {
                                out.pending.push(v);
                            }
                        }
                    }
                    Control::Symbol(s) => {
                        if visible(&st, html) {
                            match s {
                                b'\\' | b'{' | b'}' => out.push(s as char),
                                b'~' => out.push(' '),
                                b'_' => out.push('-'),
                                _ => {}
                            }
                        }
                    }
                    Control::Word(w) => {
                        let name = std::str::from_utf8(w).unwrap_or("");
                        if at_start && (starred || SKIPPED.contains(&name)) {
                            // `\*\htmltag` holds encapsulated HTML: kept when reading HTML.
                            let keep = html && (name == "htmltag" || name == "mhtmltag");
                            if !keep {
                                st.skip = true;
                            }
                        }
                        starred = false;
                        match name {
                            "ansicpg" => {
                                if let Some(e) = param.and_then(super::props::encoding_of) {
                                    out.encoding = e;
                                }
                            }
                            "uc" => st.uc = param.unwrap_or(1).clamp(0, 8) as u32,
                            "htmlrtf" => st.htmlrtf = param != Some(0),
                            "u" => {
                                if let Some(p) = param {
                                    if visible(&st, html) {
                                        let unit = p as i16 as u16;
                                        out.flush();
                                        out.push(char::from_u32(unit as u32).unwrap_or('\u{FFFD}'));
                                    }
                                    skip_chars = st.uc;
                                }
                                continue;
                            }
                            "par" | "line" | "row" | "sect" | "page" if visible(&st, html) => {
                                out.push('\n')
                            }
                            "tab" | "cell" if visible(&st, html) => out.push('\t'),
                            _ => {}
                        }
                    }
                }
                continue;
            }
            b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        group_start = false;
        starred = false;
        if skip_chars > 0 {
            skip_chars -= 1;
        } else if visible(&st, html) {
            out.pending.push(c);
        }
        i += 1;
    }
    out.flush();
    if html {
        Content::Html(out.text)
    } else {
        Content::Text(out.text)
    }
}

fn visible(st: &State, html: bool) -> bool {
    !(st.skip || (html && st.htmlrtf))
}

/// Text read so far, and bytes of `\'hh` escapes and plain characters waiting to be decoded
/// together (a double-byte character is two escapes).
struct Out {
    text: String,
    pending: Vec<u8>,
    encoding: &'static Encoding,
    max_bytes: usize,
}

impl Out {
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let (s, _, _) = self.encoding.decode(&self.pending);
            self.text.push_str(&s);
            self.pending.clear();
        }
        if self.text.len() > self.max_bytes {
            let mut cut = self.max_bytes;
            while !self.text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.truncate(cut);
        }
    }

    fn push(&mut self, c: char) {
        self.flush();
        self.text.push(c);
    }
}

enum Control<'a> {
    Word(&'a [u8]),
    Symbol(u8),
}

/// The control word or symbol after a backslash at `i`, its numeric parameter, and where the
/// text after it starts (a space that ends a control word belongs to it).
fn control(b: &[u8], i: usize) -> (Control<'_>, Option<i32>, usize) {
    let start = i;
    let mut j = i;
    while j < b.len() && b[j].is_ascii_alphabetic() && j - start < 32 {
        j += 1;
    }
    if j == start {
        return match b.get(i) {
            Some(&s) => (Control::Symbol(s), None, i + 1),
            None => (Control::Symbol(0), None, i),
        };
    }
    let word = &b[start..j];
    let num_start = j;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    while j < b.len() && b[j].is_ascii_digit() && j - num_start < 11 {
        j += 1;
    }
    let param = std::str::from_utf8(&b[num_start..j])
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .map(|v| v.clamp(i32::MIN as i64, i32::MAX as i64) as i32);
    if b.get(j) == Some(&b' ') {
        j += 1;
    }
    (Control::Word(word), param, j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rtf_gives_its_text() {
        let rtf = r"{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fswiss Arial;}}{\colortbl\red0;}\pard\f0\fs20 Caf\'e9 body\par second \{line\}\par}";
        assert_eq!(
            content(rtf, 1 << 20),
            Content::Text("Café body\nsecond {line}\n".into())
        );
    }

    #[test]
    fn encapsulated_html_is_given_back() {
        let rtf = r"{\rtf1\ansi\ansicpg932\fromhtml1 {\fonttbl{\f0 MS PGothic;}}{\*\htmltag19 <html>}{\*\htmltag64 <p>}\htmlrtf \'41\par\htmlrtf0 \'93\'fa\'96\'7b{\*\htmltag72 </p>}\u26085?{\*\htmltag27 </html>}}";
        let Content::Html(h) = content(rtf, 1 << 20) else {
            panic!("not html")
        };
        assert_eq!(h, "<html><p>日本</p>日</html>");
    }

    #[test]
    fn hostile_streams_are_refused_not_trusted() {
        assert_eq!(decompress(b"", 1 << 20), None);
        assert_eq!(decompress(&[0u8; 15], 1 << 20), None);
        // An uncompressed stream that states more bytes than it has.
        let mut d = Vec::new();
        d.extend_from_slice(&12u32.to_le_bytes());
        d.extend_from_slice(&1000u32.to_le_bytes());
        d.extend_from_slice(&UNCOMPRESSED.to_le_bytes());
        d.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(decompress(&d, 1 << 20), None);
        // Deep nesting and unterminated escapes do not panic.
        let deep = "{".repeat(100_000) + r"\'4";
        let _ = content(&deep, 1 << 20);
    }

    #[test]
    fn compressed_rtf_round_trips() {
        let rtf = r"{\rtf1\ansi\ansicpg1252\fromtext \pard hello world\par}";
        let packed = compressed_rtf::compress_rtf(rtf).unwrap();
        let back = decompress(&packed, 1 << 20).unwrap();
        assert_eq!(back, rtf);
        assert_eq!(
            content(&back, 1 << 20),
            Content::Text("hello world\n".into())
        );
    }
}
