//! The analyzers the schema refers to by name, registered on every index we create or open.
//!
//! One analyzer serves prose and names alike: split on anything that is not a letter or digit,
//! drop absurdly long tokens (base64 runs, URLs glued together), lower-case, fold accents to ASCII.
//! There is deliberately no stemming: an investigator who searches "conference" wants that word,
//! not "confer". `dana.reyes@reyes2016.example.com` becomes `dana reyes reyes2016 example com`,
//! which is what lets `from:reyes` find the address and the name alike.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::Index;

/// Name of the analyzer used by every full-text field.
pub const TEXT: &str = "trawl_text";

/// Tokens longer than this (in bytes) are dropped.
const MAX_TOKEN_LEN: usize = 64;

/// The analyzer behind [`TEXT`]. Query parsing runs the same one, so both sides agree.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
