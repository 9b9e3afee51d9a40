//! Terminal safety. Leaked text is hostile: an escape sequence in a subject line can recolour,
//! retitle or clear a terminal, and bidi controls can make text read differently from what it is.
//! Every string from a dump goes through [`for_terminal`] before text output prints it; JSON
//! output needs no such care because JSON escapes control characters itself (bidi and zero-width
//! characters are kept there: a machine should see the data as it is).

use std::fmt::Write;

/// Replaces control, bidi-override and zero-width characters with visible escapes (`\x1b`,
/// `\u{202e}`). Newlines and tabs become spaces, since text output is line-oriented.
///
/// ```
/// use trawl::output::sanitize::for_terminal;
/// assert_eq!(for_terminal("red\x1b[31m"), "red\\x1b[31m");
/// assert_eq!(for_terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
/// ```
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = if (c as u32) < 0x100 {
                    write!(out, "\\x{:02x}", c as u32)
                } else {
                    write!(out, "\\u{{{:x}}}", c as u32)
                };
            }
            c if is_invisible_format(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Bidi controls (U+061C, U+200E-F, U+202A-E, U+2066-9), zero-width characters (U+200B-D,
/// U+2060, U+FEFF) and other invisible formatting that can disguise text.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{00ad}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_hostile_characters() {
        assert_eq!(for_terminal("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(for_terminal("x\u{9b}y"), "x\\x9by");
        assert_eq!(for_terminal("l1\nl2\tz"), "l1 l2 z");
        assert_eq!(for_terminal("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(for_terminal("Élodie 東京"), "Élodie 東京");
        assert_eq!(for_terminal("bell\x07"), "bell\\x07");
    }
}
