//! A bag-of-words `CountVectorizer` that gives exactly what scikit-learn's gives.
//!
//! Same defaults (`lowercase`, token pattern `(?u)\b\w\w+\b` with Python's `\w`, word analyzer, `ngram_range`
//! `(1, 1)`), same options (`char`/`char_wb` analyzers, stop words, `min_df`/`max_df`, `max_features`, `binary`,
//! a fixed vocabulary), same feature indices (code-point order of the terms), same counts, and the same
//! `ValueError`s as [`Error`] values. Verified against sklearn's own output by the parity fixture in
//! `fixtures/parity/countvectorizer/`.
//!
//! Differences, on purpose: the matrix's column indices are sorted within each row (sklearn's `fit_transform`
//! leaves them in first-seen order; the matrix is the same); `ngram_range` with `min_n == 0` is an error (sklearn
//! produces empty-string n-grams); ties at the `max_features` cut go to the term that sorts first (sklearn's
//! choice depends on numpy's unstable sort). Only the default token pattern is supported.

mod analyzer;
mod config;
mod count;
mod prune;
mod pyprintable_table;
pub mod pyrepr;
pub mod pyword;
mod pyword_table;
mod sparse;
mod term_list;
mod tokenize;
mod vocabulary;
mod word_count;

pub use config::{Analyzer, CountVectorizerConfig, DocFrequency};
pub use sparse::CsrMatrix;
pub use term_list::TermList;
pub use vocabulary::Vocabulary;

use crate::error::{Error, Result};
use analyzer::Analysis;
use prune::Limits;

/// Converts text documents to a matrix of feature counts (sklearn's `CountVectorizer`).
///
/// ```
/// use textprep::vectorize::{CountVectorizer, CountVectorizerConfig};
///
/// let docs = ["он не делает работу", "не он делает работу"];
/// let mut vectorizer = CountVectorizer::new(CountVectorizerConfig { ngram_range: (1, 2), ..Default::default() })?;
/// let counts = vectorizer.fit_transform(&docs)?;
/// assert_eq!(vectorizer.feature_names()?[..3], ["делает", "делает работу", "не"]);
/// assert_eq!(counts.to_dense().row(0).to_vec(), [1, 1, 1, 1, 0, 1, 0, 1, 1]);
/// # Ok::<(), textprep::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CountVectorizer {
    config: CountVectorizerConfig,
    analysis: Analysis,
    vocabulary: Option<Vocabulary>,
    fixed: bool,
}

impl CountVectorizer {
    /// Checks `config` and prepares a vectorizer (fitted already if `config.vocabulary` is given).
    pub fn new(config: CountVectorizerConfig) -> Result<Self> {
        config.validate()?;
        let vocabulary = config
            .vocabulary
            .as_deref()
            .map(Vocabulary::from_terms)
            .transpose()?;
        Ok(Self {
            analysis: Analysis::new(&config),
            fixed: vocabulary.is_some(),
            vocabulary,
            config,
        })
    }

    /// The settings.
    pub fn config(&self) -> &CountVectorizerConfig {
        &self.config
    }

    /// Learns the vocabulary of `docs` (a fixed vocabulary stays as given).
    pub fn fit<D: AsRef<str> + Sync>(&mut self, docs: &[D]) -> Result<&mut Self> {
        self.fit_transform(docs)?;
        Ok(self)
    }

    /// Learns the vocabulary of `docs` and returns their document-term matrix.
    pub fn fit_transform<D: AsRef<str> + Sync>(&mut self, docs: &[D]) -> Result<CsrMatrix> {
        if self.fixed {
            return self.transform(docs);
        }
        let learned = count::learn(&self.analysis, docs, self.config.threads)?;
        let limits = Limits::new(
            self.config.min_df,
            self.config.max_df,
            self.config.max_features,
            docs.len(),
        )?;
        let mut matrix = learned.matrix;
        if self.config.binary {
            matrix.make_binary();
        }
        if limits.keep_all(docs.len()) {
            self.vocabulary = Some(Vocabulary::learned(learned.terms, learned.insertion_order));
            return Ok(matrix);
        }
        let new_index = limits.select(&matrix)?;
        let kept = new_index.iter().flatten().count();
        matrix.select_columns(&new_index, kept);
        let terms = if kept == learned.terms.len() {
            learned.terms
        } else {
            learned
                .terms
                .iter()
                .zip(&new_index)
                .filter_map(|(term, new)| new.map(|_| term))
                .collect()
        };
        let insertion_order = learned
            .insertion_order
            .iter()
            .filter_map(|&old| new_index[old as usize])
            .collect();
        self.vocabulary = Some(Vocabulary::learned(terms, insertion_order));
        Ok(matrix)
    }

    /// Counts the vocabulary's features in `docs`; other features are ignored.
    pub fn transform<D: AsRef<str> + Sync>(&self, docs: &[D]) -> Result<CsrMatrix> {
        let vocabulary = self.vocabulary.as_ref().ok_or(Error::NotFitted)?;
        let mut matrix = count::count_known(
            &self.analysis,
            docs,
            vocabulary.index(),
            vocabulary.len(),
            self.config.threads,
        )?;
        if self.config.binary {
            matrix.make_binary();
        }
        Ok(matrix)
    }

    /// The learned or fixed vocabulary (sklearn's `vocabulary_`), `None` before fitting.
    pub fn vocabulary(&self) -> Option<&Vocabulary> {
        self.vocabulary.as_ref()
    }

    /// Terms by feature index (sklearn's `get_feature_names_out()`).
    pub fn feature_names(&self) -> Result<&[String]> {
        Ok(self
            .vocabulary
            .as_ref()
            .ok_or(Error::NotFitted)?
            .feature_names())
    }

    /// Terms by feature index, stored back to back: [`CountVectorizer::feature_names`] without one allocation
    /// per term.
    pub fn terms(&self) -> Result<&TermList> {
        Ok(self.vocabulary.as_ref().ok_or(Error::NotFitted)?.terms())
    }
}
