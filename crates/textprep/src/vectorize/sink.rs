//! Where the rows of a document-term matrix go when it is not built in memory: a [`RowSink`] receives the
//! matrix's shape first and then one row per document, so a writer can stream it out.

use super::sparse::CsrMatrix;
use super::vocabulary::Vocabulary;
use crate::error::Result;

/// Receives a document-term matrix row by row (see [`super::CountVectorizer::fit_transform_to`]).
pub trait RowSink {
    /// Called once, before any row: the fitted vocabulary (the columns), the number of rows and the number of
    /// stored entries that will follow.
    ///
    /// # Errors
    /// Whatever the sink cannot do (e.g. write); the vectorizer stops and returns it.
    fn start(&mut self, vocabulary: &Vocabulary, rows: usize, nnz: usize) -> Result<()>;

    /// Called once per document, in order: its columns (strictly increasing) and their counts.
    ///
    /// # Errors
    /// As [`RowSink::start`].
    fn row(&mut self, indices: &[u32], data: &[i64]) -> Result<()>;
}

/// A [`RowSink`] that builds the matrix in memory.
#[derive(Debug, Default)]
pub struct MatrixBuilder {
    matrix: Option<CsrMatrix>,
}

impl MatrixBuilder {
    /// The matrix built (`None` if no vocabulary was ever started).
    pub fn finish(self) -> Option<CsrMatrix> {
        self.matrix
    }
}

impl RowSink for MatrixBuilder {
    fn start(&mut self, vocabulary: &Vocabulary, _rows: usize, _nnz: usize) -> Result<()> {
        self.matrix = Some(CsrMatrix::with_columns(vocabulary.len()));
        Ok(())
    }

    fn row(&mut self, indices: &[u32], data: &[i64]) -> Result<()> {
        if let Some(matrix) = &mut self.matrix {
            matrix.push_sorted_row(indices, data);
        }
        Ok(())
    }
}

/// Per-column statistics of a fitted corpus: what a summary of the matrix needs, without the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnStats {
    /// The number of documents (rows).
    pub documents: usize,
    /// In how many documents each column occurs (its number of stored entries).
    pub document_frequency: Vec<u64>,
    /// The sum of each column's values (with `binary`, equal to its document frequency).
    pub totals: Vec<u64>,
}

impl ColumnStats {
    /// The number of stored entries of the matrix.
    pub fn nnz(&self) -> usize {
        self.document_frequency.iter().sum::<u64>() as usize
    }

    /// Adds the rows of `matrix` (with as many columns as these statistics).
    pub(crate) fn add_rows(&mut self, matrix: &CsrMatrix) {
        self.documents += matrix.shape().0;
        for (&col, &value) in matrix.indices().iter().zip(matrix.data()) {
            self.document_frequency[col as usize] += 1;
            self.totals[col as usize] += value.unsigned_abs();
        }
    }

    /// Empty statistics for `n_cols` columns.
    pub(crate) fn zeros(n_cols: usize) -> Self {
        Self {
            documents: 0,
            document_frequency: vec![0; n_cols],
            totals: vec![0; n_cols],
        }
    }
}
