//! The settings of a [`super::CountVectorizer`], with scikit-learn's defaults and checks.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// What a feature is made of (sklearn's `analyzer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Analyzer {
    /// Word n-grams of the tokens matched by `(?u)\b\w\w+\b` (Python's `\w`), joined with one space.
    #[default]
    Word,
    /// Character n-grams of the whole document after runs of two or more whitespace characters became one space.
    Char,
    /// Character n-grams inside each whitespace-separated word padded with one space on each side.
    CharWb,
}

impl FromStr for Analyzer {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text {
            "word" => Ok(Self::Word),
            "char" => Ok(Self::Char),
            "char_wb" => Ok(Self::CharWb),
            other => Err(Error::InvalidConfig {
                name: "analyzer",
                reason: format!("'{other}' is not one of word, char, char_wb"),
            }),
        }
    }
}

impl fmt::Display for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Word => "word",
            Self::Char => "char",
            Self::CharWb => "char_wb",
        })
    }
}

/// A document-frequency bound (`min_df` / `max_df`): an absolute number of documents or a fraction of them.
///
/// Both bounds are inclusive. A fraction is turned into a count exactly as sklearn does it: `fraction * n_docs`
/// in floating point, compared with the integer document frequency without rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DocFrequency {
    /// At least 1 document (sklearn's integer form).
    Count(u64),
    /// A fraction in `[0, 1]` of the documents (sklearn's float form).
    Fraction(f64),
}

impl DocFrequency {
    /// The bound in documents for a corpus of `n_docs` documents.
    pub fn documents(self, n_docs: usize) -> f64 {
        match self {
            Self::Count(count) => count as f64,
            Self::Fraction(fraction) => fraction * n_docs as f64,
        }
    }

    fn validate(self, name: &'static str) -> Result<()> {
        match self {
            Self::Count(0) => Err(Error::InvalidConfig {
                name,
                reason: "an absolute count must be at least 1".into(),
            }),
            Self::Fraction(f) if !(0.0..=1.0).contains(&f) => Err(Error::InvalidConfig {
                name,
                reason: format!("a fraction must lie in [0.0, 1.0], got {f}"),
            }),
            _ => Ok(()),
        }
    }
}

/// Parses like the `ngrams` flags: an integer is a count (`2`), anything else a fraction (`0.5`, `1.0`, `1e-3`).
impl FromStr for DocFrequency {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if let Ok(count) = text.parse::<u64>() {
            return Ok(Self::Count(count));
        }
        match text.parse::<f64>() {
            Ok(fraction) if fraction.is_finite() => Ok(Self::Fraction(fraction)),
            _ => Err(Error::InvalidConfig {
                name: "document frequency",
                reason: format!("'{text}' is neither an integer count nor a fraction"),
            }),
        }
    }
}

/// The settings of a [`super::CountVectorizer`]. `Default` gives sklearn's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CountVectorizerConfig {
    /// Lowercase documents with Python's `str.lower()` before analysis (default `true`).
    pub lowercase: bool,
    /// Word, char or char_wb n-grams (default word).
    pub analyzer: Analyzer,
    /// Smallest and largest n, both inclusive (default `(1, 1)`); `1 <= min_n <= max_n`.
    pub ngram_range: (usize, usize),
    /// Tokens removed before word n-grams are built (word analyzer only; sklearn ignores them otherwise).
    pub stop_words: Option<Vec<String>>,
    /// Drop features found in fewer documents (default `Count(1)`).
    pub min_df: DocFrequency,
    /// Drop features found in more documents (default `Fraction(1.0)`).
    pub max_df: DocFrequency,
    /// Keep only this many features with the highest total count (ties: the term that sorts first wins).
    pub max_features: Option<usize>,
    /// Report presence (1) instead of counts.
    pub binary: bool,
    /// A fixed vocabulary (feature index = position in the list); fitting then learns nothing and `min_df`,
    /// `max_df` and `max_features` are ignored, as in sklearn.
    pub vocabulary: Option<Vec<String>>,
    /// Worker threads for analysing documents (1 = the calling thread only). Results do not depend on it.
    pub threads: usize,
}

impl Default for CountVectorizerConfig {
    fn default() -> Self {
        Self {
            lowercase: true,
            analyzer: Analyzer::Word,
            ngram_range: (1, 1),
            stop_words: None,
            min_df: DocFrequency::Count(1),
            max_df: DocFrequency::Fraction(1.0),
            max_features: None,
            binary: false,
            vocabulary: None,
            threads: 1,
        }
    }
}

impl CountVectorizerConfig {
    /// Checks the settings that sklearn rejects before it reads a document (plus `min_n == 0`, which sklearn
    /// silently turns into empty-string n-grams).
    pub fn validate(&self) -> Result<()> {
        let (min_n, max_n) = self.ngram_range;
        if min_n > max_n {
            return Err(Error::NgramRangeReversed { min_n, max_n });
        }
        if min_n == 0 {
            return Err(Error::NgramRangeFromZero { max_n });
        }
        self.min_df.validate("min_df")?;
        self.max_df.validate("max_df")?;
        if self.max_features == Some(0) {
            return Err(Error::InvalidConfig {
                name: "max_features",
                reason: "must be at least 1".into(),
            });
        }
        if self.threads == 0 {
            return Err(Error::InvalidConfig {
                name: "threads",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_frequency_parses_counts_and_fractions() {
        assert_eq!("2".parse::<DocFrequency>().unwrap(), DocFrequency::Count(2));
        assert_eq!(
            "1.0".parse::<DocFrequency>().unwrap(),
            DocFrequency::Fraction(1.0)
        );
        assert_eq!(
            "0.25".parse::<DocFrequency>().unwrap(),
            DocFrequency::Fraction(0.25)
        );
        assert!("two".parse::<DocFrequency>().is_err());
        assert_eq!(DocFrequency::Fraction(0.5).documents(5), 2.5);
    }

    #[test]
    fn validate_rejects_what_sklearn_rejects() {
        let bad = |f: fn(&mut CountVectorizerConfig)| {
            let mut c = CountVectorizerConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert_eq!(
            bad(|c| c.ngram_range = (2, 1)),
            "Invalid value for ngram_range=(2, 1) lower boundary larger than the upper boundary."
        );
        assert!(bad(|c| c.ngram_range = (0, 2)).contains("ngram_range=(0, 2)"));
        assert!(bad(|c| c.min_df = DocFrequency::Fraction(1.5)).contains("min_df"));
        assert!(bad(|c| c.max_df = DocFrequency::Count(0)).contains("max_df"));
        assert!(bad(|c| c.max_features = Some(0)).contains("max_features"));
        CountVectorizerConfig::default().validate().unwrap();
    }
}
