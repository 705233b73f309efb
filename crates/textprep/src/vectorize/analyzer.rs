//! Turning one document into its features (sklearn's `build_analyzer`): preprocessing, tokenizing and n-grams.
//!
//! Features are handed to a callback as `&str` slices of reusable buffers, so analysing a document allocates
//! nothing per token.

use std::collections::HashSet;

use super::config::{Analyzer, CountVectorizerConfig};
use super::pyword::{is_space, python_lower_into};
use super::tokenize::{Span, lowered_tokens, tokenize};

/// The analysis part of a configuration, ready to run on documents.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    lowercase: bool,
    analyzer: Analyzer,
    min_n: usize,
    max_n: usize,
    stop_words: HashSet<String>,
}

/// Buffers reused from one document to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    tokens: Vec<(usize, usize)>,
    spans: Vec<Span>,
    bounds: Vec<usize>,
    joined: String,
    text: String,
    lowered: String,
}

impl Analysis {
    /// Takes the analysis settings of a (validated) configuration.
    pub(crate) fn new(config: &CountVectorizerConfig) -> Self {
        let stop_words = match (config.analyzer, &config.stop_words) {
            (Analyzer::Word, Some(words)) => words.iter().cloned().collect(),
            _ => HashSet::new(),
        };
        Self {
            lowercase: config.lowercase,
            analyzer: config.analyzer,
            min_n: config.ngram_range.0,
            max_n: config.ngram_range.1,
            stop_words,
        }
    }

    /// Calls `emit` with every feature of `doc`, in the order sklearn's analyzer yields them.
    pub(crate) fn features(&self, doc: &str, scratch: &mut Scratch, emit: &mut impl FnMut(&str)) {
        let mut lowered = std::mem::take(&mut scratch.lowered);
        let text = if self.lowercase {
            python_lower_into(doc, &mut lowered);
            lowered.as_str()
        } else {
            doc
        };
        match self.analyzer {
            Analyzer::Word => self.word_ngrams(text, scratch, emit),
            Analyzer::Char => self.char_ngrams(text, scratch, emit),
            Analyzer::CharWb => self.char_wb_ngrams(text, scratch, emit),
        }
        scratch.lowered = lowered;
    }

    /// Whether features are word n-grams (which [`Analysis::word_tokens`] serves).
    pub(crate) fn is_word(&self) -> bool {
        self.analyzer == Analyzer::Word
    }

    /// The smallest and largest n.
    pub(crate) fn ngram_range(&self) -> (usize, usize) {
        (self.min_n, self.max_n)
    }

    /// For the word analyzer: calls `emit` with each token of the preprocessed document after stop-word
    /// removal, in order, for callers that build the n-grams over token ids themselves.
    pub(crate) fn word_tokens(
        &self,
        doc: &str,
        scratch: &mut Scratch,
        emit: &mut impl FnMut(&str),
    ) {
        let Scratch {
            tokens,
            spans,
            lowered,
            ..
        } = scratch;
        let mut keep = |token: &str| {
            if self.stop_words.is_empty() || !self.stop_words.contains(token) {
                emit(token);
            }
        };
        if self.lowercase {
            lowered_tokens(doc, spans, lowered, &mut keep);
        } else {
            tokens.clear();
            tokenize(doc, tokens);
            for &(a, b) in tokens.iter() {
                keep(&doc[a..b]);
            }
        }
    }

    /// `(?u)\b\w\w+\b` tokens minus stop words, then n-grams joined with one space.
    fn word_ngrams(&self, text: &str, scratch: &mut Scratch, emit: &mut impl FnMut(&str)) {
        let Scratch { tokens, joined, .. } = scratch;
        tokens.clear();
        tokenize(text, tokens);
        if !self.stop_words.is_empty() {
            tokens.retain(|&(a, b)| !self.stop_words.contains(&text[a..b]));
        }
        let count = tokens.len();
        for n in self.min_n..=self.max_n.min(count) {
            for window in tokens.windows(n) {
                let (start, end) = (window[0].0, window[n - 1].1);
                // Tokens separated by exactly one space already spell the n-gram inside the text.
                let contiguous = window
                    .windows(2)
                    .all(|pair| &text[pair[0].1..pair[1].0] == " ");
                if contiguous {
                    emit(&text[start..end]);
                } else {
                    joined.clear();
                    for (i, &(a, b)) in window.iter().enumerate() {
                        if i > 0 {
                            joined.push(' ');
                        }
                        joined.push_str(&text[a..b]);
                    }
                    emit(joined);
                }
            }
        }
    }

    /// Character n-grams after runs of two or more whitespace characters became one space.
    fn char_ngrams(&self, text: &str, scratch: &mut Scratch, emit: &mut impl FnMut(&str)) {
        let Scratch {
            bounds,
            text: squeezed,
            ..
        } = scratch;
        squeeze_whitespace(text, squeezed);
        char_bounds(squeezed, bounds);
        let chars = bounds.len() - 1;
        for n in self.min_n..=self.max_n.min(chars) {
            for i in 0..=chars - n {
                emit(&squeezed[bounds[i]..bounds[i + n]]);
            }
        }
    }

    /// sklearn's `_char_wb_ngrams`: each whitespace-separated word padded with one space on each side; a padded
    /// word shorter than n is emitted whole, once, and ends that word's n-grams.
    fn char_wb_ngrams(&self, text: &str, scratch: &mut Scratch, emit: &mut impl FnMut(&str)) {
        let Scratch {
            bounds,
            text: padded,
            ..
        } = scratch;
        for word in text.split(is_space).filter(|w| !w.is_empty()) {
            padded.clear();
            padded.push(' ');
            padded.push_str(word);
            padded.push(' ');
            char_bounds(padded, bounds);
            let len = bounds.len() - 1;
            for n in self.min_n..=self.max_n {
                let mut offset = 0;
                emit(&padded[bounds[0]..bounds[n.min(len)]]);
                while offset + n < len {
                    offset += 1;
                    emit(&padded[bounds[offset]..bounds[offset + n]]);
                }
                if offset == 0 {
                    break;
                }
            }
        }
    }
}

/// sklearn's `_white_spaces.sub(" ", doc)`: every run of two or more `\s` characters becomes one space; a lone
/// whitespace character (a tab, a no-break space) stays as it is.
fn squeeze_whitespace(text: &str, out: &mut String) {
    out.clear();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_space(c) && chars.peek().is_some_and(|&next| is_space(next)) {
            while chars.peek().is_some_and(|&next| is_space(next)) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Byte offsets of every character of `text` plus its end.
fn char_bounds(text: &str, bounds: &mut Vec<usize>) {
    bounds.clear();
    bounds.extend(text.char_indices().map(|(at, _)| at));
    bounds.push(text.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorize::config::CountVectorizerConfig;

    fn features(config: CountVectorizerConfig, doc: &str) -> Vec<String> {
        let mut out = Vec::new();
        Analysis::new(&config).features(doc, &mut Scratch::default(), &mut |f| {
            out.push(f.to_owned())
        });
        out
    }

    #[test]
    fn word_ngrams_follow_sklearn_order_and_skip_stop_words() {
        let config = CountVectorizerConfig {
            ngram_range: (1, 2),
            stop_words: Some(vec!["не".into()]),
            ..Default::default()
        };
        assert_eq!(
            features(config, "Он НЕ делает\tработу, a"),
            ["он", "делает", "работу", "он делает", "делает работу"]
        );
    }

    #[test]
    fn combining_marks_split_tokens_like_python() {
        // и + U+0306 is not one word in Python: the mark is not \w, so "и" alone is too short.
        assert_eq!(
            features(CountVectorizerConfig::default(), "и\u{306}од x² ½"),
            ["од", "x²"]
        );
    }

    #[test]
    fn char_squeezes_only_runs_of_whitespace() {
        let config = CountVectorizerConfig {
            analyzer: Analyzer::Char,
            ngram_range: (2, 2),
            ..Default::default()
        };
        assert_eq!(features(config, "a\tb  c"), ["a\t", "\tb", "b ", " c"]);
    }

    #[test]
    fn char_wb_emits_short_padded_words_once() {
        let config = CountVectorizerConfig {
            analyzer: Analyzer::CharWb,
            ngram_range: (3, 5),
            ..Default::default()
        };
        assert_eq!(
            features(config, "ab  cde"),
            [
                " ab", "ab ", " ab ", " cd", "cde", "de ", " cde", "cde ", " cde "
            ]
        );
    }
}
