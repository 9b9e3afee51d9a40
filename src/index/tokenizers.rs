//! The analyzers the schema refers to by name, registered on every index we create or open.
//!
//! One analyzer serves prose and names alike: split on anything that is not a letter or digit,
//! drop absurdly long tokens (base64 runs, URLs glued together), lower-case, fold accents to ASCII.
//! There is deliberately no stemming: an investigator who searches "conference" wants that word,
//! not "confer". `dana.reyes@reyes2016.example.com` becomes `dana reyes reyes2016 example com`,
//! which is what lets `from:reyes` find the address and the name alike.
//!
//! Chinese and Japanese are written without spaces between words: each Han ideograph and kana
//! is a token of its own ([`is_cjk`]), and a query word of several is a phrase of them, so
//! `送金` finds the two characters side by side. A dictionary segmenter would rank better, but
//! would add megabytes of dictionaries for a search that must above all not miss.
//!
//! That is tantivy's `SimpleTokenizer` → `RemoveLongFilter` → `LowerCaser` →
//! `AsciiFoldingFilter` with CJK characters split out, done in one pass by [`TextTokenizer`]:
//! the same tokens, positions and offsets (a property test holds it to the chain), at a
//! fraction of the cost on ASCII text.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::Index;

/// Name of the analyzer used by every full-text field.
pub const TEXT: &str = "trawl_text";

/// Tokens longer than this (in bytes) are dropped.
const MAX_TOKEN_LEN: usize = 64;

/// The analyzer behind [`TEXT`]. Query parsing runs the same one, so both sides agree.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(TextTokenizer::default())
}

/// Registers our analyzers on `index`. Must run after every create and every open.
pub fn register(index: &Index) {
    index.tokenizers().register(TEXT, text_analyzer());
}

/// The tokens `text` yields under [`TEXT`], as the index stores them.
pub fn tokens(text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Words are maximal runs of alphanumeric characters. An ASCII word (nearly every word of
/// nearly every message) is found with byte tests and lower-cased as it is copied; a word with
/// any other character goes through tantivy's own `LowerCaser` and `AsciiFoldingFilter`, so
/// the lower-casing and folding rules stay tantivy's. Indexing runs every subject, body and
/// name through here: the four-stage chain cost 5-6% of indexing CPU on the Enron half.
#[derive(Clone)]
pub struct TextTokenizer {
    token: Token,
    /// Lower-cases and folds one non-ASCII word, as the chain's filters would.
    non_ascii: TextAnalyzer,
}

impl Default for TextTokenizer {
    fn default() -> Self {
        TextTokenizer {
            token: Token::default(),
            non_ascii: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = TextTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TextTokenStream<'a> {
        self.token.reset();
        TextTokenStream {
            text,
            next: 0,
            token: &mut self.token,
            non_ascii: &mut self.non_ascii,
        }
    }
}

/// The tokens of one text under [`TextTokenizer`].
pub struct TextTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    next: usize,
    token: &'a mut Token,
    non_ascii: &'a mut TextAnalyzer,
}

/// What starts at a byte of the text: a character of a word, a CJK character (a word of its
/// own), or something between words; with its length in bytes.
enum At {
    Word(usize),
    Cjk(usize),
    Other(usize),
}

/// Han ideographs and Japanese kana. Chinese and Japanese are written without spaces, so a
/// run of them is a sentence, not a word: each character is a token of its own, as in
/// Lucene's standard tokenizer, and a query word of several (`送金`) is a phrase of them.
/// Korean Hangul is written with spaces and stays in words.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'       // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}'     // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'     // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK Unified Ideographs
        | '\u{F900}'..='\u{FAFF}'     // CJK Compatibility Ideographs
        | '\u{FF66}'..='\u{FF9F}'     // Half-width Katakana
        | '\u{20000}'..='\u{3FFFF}') // Extensions B and later, compatibility supplement
}

impl TextTokenStream<'_> {
    /// What starts at byte `i`, a character boundary where a non-ASCII character starts. Out of
    /// line: the loops of [`TokenStream::advance`] stay small enough to inline their ASCII
    /// tests, which nearly every byte of nearly every message takes (when this function also
    /// tested ASCII, it stopped being inlined and its calls cost a third of tokenizing).
    #[inline(never)]
    fn at_non_ascii(&self, i: usize) -> At {
        match self.text[i..].chars().next() {
            Some(c) if is_cjk(c) && c.is_alphanumeric() => At::Cjk(c.len_utf8()),
            Some(c) if c.is_alphanumeric() => At::Word(c.len_utf8()),
            Some(c) => At::Other(c.len_utf8()),
            None => At::Other(1),
        }
    }
}

impl TokenStream for TextTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        loop {
            let mut start = self.next;
            let mut cjk = None;
            while start < len {
                let b = bytes[start];
                if b.is_ascii() {
                    if b.is_ascii_alphanumeric() {
                        break;
                    }
                    start += 1;
                    continue;
                }
                match self.at_non_ascii(start) {
                    At::Other(n) => start += n,
                    At::Cjk(n) => {
                        cjk = Some(n);
                        break;
                    }
                    At::Word(_) => break,
                }
            }
            if start >= len {
                self.next = len;
                return false;
            }
            let (mut end, mut ascii) = (start, true);
            if let Some(n) = cjk {
                (end, ascii) = (start + n, false);
            } else {
                while end < len {
                    let b = bytes[end];
                    if b.is_ascii_alphanumeric() {
                        end += 1;
                    } else if b.is_ascii() {
                        break;
                    } else {
                        match self.at_non_ascii(end) {
                            At::Word(n) => {
                                ascii = false;
                                end += n;
                            }
                            At::Cjk(_) | At::Other(_) => break,
                        }
                    }
                }
            }
            self.next = end;
            // A dropped word still takes its position, as under RemoveLongFilter.
            self.token.position = self.token.position.wrapping_add(1);
            if end - start >= MAX_TOKEN_LEN {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.text.clear();
            let word = &self.text[start..end];
            if ascii {
                self.token.text.push_str(word);
                self.token.text.make_ascii_lowercase();
            } else {
                let mut folded = self.non_ascii.token_stream(word);
                if folded.advance() {
                    self.token.text.push_str(&folded.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    /// The chain [`TextTokenizer`] replaces.
    fn chain() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    type Tokens = Vec<(String, usize, usize, usize, usize)>;

    /// The chain, with each CJK character a token of its own: the chain on the text between
    /// CJK characters, positions and offsets carried on.
    fn reference(text: &str) -> Tokens {
        let mut out: Tokens = Vec::new();
        let mut position = 0;
        let mut segment = 0;
        let flush = |out: &mut Tokens, position: &mut usize, from: usize, to: usize| {
            let tokens = all(chain(), &text[from..to]);
            // The chain numbers positions from 0 and counts dropped long words too.
            let used = count_words(&text[from..to]);
            for (t, p, a, b, l) in tokens {
                out.push((t, *position + p, from + a, from + b, l));
            }
            *position += used;
        };
        for (i, c) in text.char_indices() {
            if is_cjk(c) && c.is_alphanumeric() {
                flush(&mut out, &mut position, segment, i);
                out.push((c.to_string(), position, i, i + c.len_utf8(), 1));
                position += 1;
                segment = i + c.len_utf8();
            }
        }
        flush(&mut out, &mut position, segment, text.len());
        out
    }

    /// Words the chain sees, dropped ones included: runs of alphanumeric characters.
    fn count_words(text: &str) -> usize {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .count()
    }

    #[test]
    fn cjk_characters_are_tokens_of_their_own() {
        assert_eq!(
            tokens("送金の記録 Секретный 東京Tower 한국어 文書"),
            [
                "送",
                "金",
                "の",
                "記",
                "録",
                "секретный",
                "東",
                "京",
                "tower",
                "한국어",
                "文",
                "書"
            ]
        );
    }

    fn all(mut analyzer: TextAnalyzer, text: &str) -> Tokens {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((
                t.text.clone(),
                t.position,
                t.offset_from,
                t.offset_to,
                t.position_length,
            ));
        }
        out
    }

    #[test]
    fn folds_case_and_accents_and_splits_addresses() {
        assert_eq!(
            tokens("Élodie <Dana.Reyes@Example.com>"),
            ["elodie", "dana", "reyes", "example", "com"]
        );
    }

    #[test]
    fn no_stemming() {
        assert_eq!(tokens("conference confer"), ["conference", "confer"]);
    }

    #[test]
    fn long_words_are_dropped_but_keep_their_position() {
        let long = "x".repeat(MAX_TOKEN_LEN);
        let got = all(text_analyzer(), &format!("a {long} b"));
        assert_eq!(
            got.iter().map(|t| (t.0.as_str(), t.1)).collect::<Vec<_>>(),
            [("a", 0), ("b", 2)]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4000))]

        /// Any text: the same tokens, positions, offsets and lengths as tantivy's chain (with
        /// CJK characters split out, see [`reference`]).
        #[test]
        fn same_tokens_as_the_chain_on_any_text(text in "\\PC{0,80}") {
            proptest::prop_assert_eq!(all(text_analyzer(), &text), reference(&text));
        }

        /// Text built from the cases that matter: ASCII and accented words, upper case, letters
        /// whose lower case changes length (İ, ẞ), digits, CJK, punctuation, words at the length
        /// limit, combining marks and emoji.
        #[test]
        fn same_tokens_as_the_chain_on_mail_like_text(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Dana", "REYES", "e-mail", "@", ".", " ", "\n", "Élodie", "straße", "İstanbul",
                    "ẞ", "ΣΊΣΥΦΟΣ", "東京", "送金の", "カタカナ", "2016", "x\u{301}", "😀", "naïve", "Ǆ", "ﬁle", "_",
                    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij", "é",
                    "ABCDEFGHIJ", "ø", "\u{a0}", "١٢٣",
                ]),
                0..16,
            )
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(all(text_analyzer(), &text), reference(&text));
        }
    }
}
