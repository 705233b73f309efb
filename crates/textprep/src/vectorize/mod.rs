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
mod occurrences;
mod prune;
mod pyprintable_table;
pub mod pyrepr;
pub mod pyword;
mod pyword_table;
mod rank;
mod sink;
mod source;
mod sparse;
mod term_list;
mod text_count;
mod tokenize;
mod vocabulary;
mod word_count;

pub use config::{Analyzer, CountVectorizerConfig, DocFrequency};
pub use sink::{ColumnStats, MatrixBuilder, RowSink};
pub use source::{DocumentSource, LineDocuments, split_lines};
pub use sparse::CsrMatrix;
pub use term_list::TermList;
pub use vocabulary::Vocabulary;

use crate::error::{Error, Result};
use analyzer::Analysis;
use count::{Fitted, Learner};

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
        let fitted = self.learn(&docs, true, false)?;
        let matrix = fitted.matrix.ok_or(Error::NotFitted)?;
        self.vocabulary = Some(fitted.vocabulary);
        Ok(matrix)
    }

    /// Learns the vocabulary of `docs` reading them once and keeping only the vocabulary and each feature's
    /// counts (memory grows with the vocabulary, not with the input), and returns the matrix's per-column
    /// statistics: what a summary needs without the matrix. A fixed vocabulary stays as given and is counted.
    ///
    /// ```
    /// use textprep::vectorize::{CountVectorizer, CountVectorizerConfig};
    ///
    /// let docs = ["он не делает работу", "не он делает работу"];
    /// let mut vectorizer = CountVectorizer::new(CountVectorizerConfig { ngram_range: (1, 2), ..Default::default() })?;
    /// let stats = vectorizer.fit_source(&docs)?;
    /// assert_eq!((stats.documents, stats.nnz()), (2, 14));
    /// assert_eq!(stats.totals[..3], [2, 2, 2]);
    /// # Ok::<(), textprep::Error>(())
    /// ```
    pub fn fit_source(&mut self, docs: &dyn DocumentSource) -> Result<ColumnStats> {
        if self.fixed {
            let columns = self.vocabulary.as_ref().ok_or(Error::NotFitted)?.len();
            let mut stats = ColumnStats::zeros(columns);
            docs.for_each_batch(&mut |batch| {
                stats.add_rows(&self.transform(batch)?);
                Ok(())
            })?;
            return Ok(stats);
        }
        let fitted = self.learn(docs, false, true)?;
        self.vocabulary = Some(fitted.vocabulary);
        // Counted: the pass was asked for statistics.
        fitted.stats.ok_or(Error::NotFitted)
    }

    /// Learns the vocabulary of `docs` and hands their document-term matrix to `sink`: first the shape, then
    /// each row in document order (what [`CountVectorizer::fit_transform`] returns, row by row).
    ///
    /// A source that [holds its documents in memory](DocumentSource::holds_in_memory) is read once and its
    /// occurrences kept; any other is read twice (learn, then count each document as it goes to `sink`), so
    /// memory grows with the vocabulary and not with the input.
    ///
    /// ```
    /// use textprep::vectorize::{CountVectorizer, CountVectorizerConfig, MatrixBuilder};
    ///
    /// let docs = ["он не делает работу", "не он делает работу"];
    /// let mut vectorizer = CountVectorizer::new(CountVectorizerConfig::default())?;
    /// let mut rows = MatrixBuilder::default();
    /// vectorizer.fit_transform_to(&docs, &mut rows)?;
    /// assert_eq!(rows.finish(), Some(vectorizer.fit_transform(&docs)?));
    /// # Ok::<(), textprep::Error>(())
    /// ```
    pub fn fit_transform_to(
        &mut self,
        docs: &dyn DocumentSource,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        if self.fixed {
            return self.transform_to(docs, sink);
        }
        let Fitted {
            vocabulary,
            n_docs,
            stats,
            matrix,
        } = self.learn(docs, docs.holds_in_memory(), false)?;
        let vocabulary = self.vocabulary.insert(vocabulary);
        match (matrix, stats) {
            (Some(matrix), _) => send_rows(&matrix, vocabulary, sink),
            (None, Some(stats)) => {
                sink.start(vocabulary, n_docs, stats.nnz())?;
                self.transform_rows(docs, sink)
            }
            // A pass that does not record counts statistics.
            (None, None) => Err(Error::NotFitted),
        }
    }

    /// Counts the vocabulary's features in `docs` and hands the matrix to `sink` row by row (see
    /// [`CountVectorizer::fit_transform_to`]); a source not held in memory is read twice, the first time to
    /// count the stored entries `sink` is told about first.
    pub fn transform_to(&self, docs: &dyn DocumentSource, sink: &mut dyn RowSink) -> Result<()> {
        let vocabulary = self.vocabulary.as_ref().ok_or(Error::NotFitted)?;
        if docs.holds_in_memory() {
            let mut matrix = CsrMatrix::with_columns(vocabulary.len());
            docs.for_each_batch(&mut |batch| {
                matrix.append_rows(&self.transform(batch)?);
                Ok(())
            })?;
            return send_rows(&matrix, vocabulary, sink);
        }
        let (mut rows, mut nnz) = (0, 0);
        docs.for_each_batch(&mut |batch| {
            let part = self.transform(batch)?;
            rows += part.shape().0;
            nnz += part.nnz();
            Ok(())
        })?;
        sink.start(vocabulary, rows, nnz)?;
        self.transform_rows(docs, sink)
    }

    /// The counting pass over `docs`, then sorting and pruning.
    fn learn(&self, docs: &dyn DocumentSource, record: bool, stats: bool) -> Result<Fitted> {
        let mut learner = Learner::new(&self.analysis, self.config.threads, record, stats);
        docs.for_each_batch(&mut |batch| learner.feed(batch))?;
        learner.finish(&self.config)
    }

    /// Counts each batch of `docs` and sends its rows to `sink`.
    fn transform_rows(&self, docs: &dyn DocumentSource, sink: &mut dyn RowSink) -> Result<()> {
        docs.for_each_batch(&mut |batch| {
            let part = self.transform(batch)?;
            for row in 0..part.shape().0 {
                let (indices, data) = part.row(row);
                sink.row(indices, data)?;
            }
            Ok(())
        })
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

/// Hands `matrix` to `sink`: its shape, then its rows.
fn send_rows(matrix: &CsrMatrix, vocabulary: &Vocabulary, sink: &mut dyn RowSink) -> Result<()> {
    let rows = matrix.shape().0;
    sink.start(vocabulary, rows, matrix.nnz())?;
    for row in 0..rows {
        let (indices, data) = matrix.row(row);
        sink.row(indices, data)?;
    }
    Ok(())
}
