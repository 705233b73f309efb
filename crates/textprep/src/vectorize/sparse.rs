//! The document-term matrix in compressed sparse row form (scipy's `csr_matrix` layout).

use ndarray::Array2;

/// A sparse matrix of counts in CSR form: row `r` holds the columns `indices[indptr[r]..indptr[r + 1]]`
/// (strictly increasing, as after scipy's `sort_indices`) with the values at the same positions of `data`.
///
/// Counts are `i64` because sklearn's default `dtype` is `numpy.int64`; the dense form is therefore the same
/// `int64` matrix `X.toarray()` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrMatrix {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<i64>,
}

impl CsrMatrix {
    /// Builds a matrix from its parts; `None` if they are inconsistent (lengths, bounds or unsorted rows).
    pub fn from_parts(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<i64>,
    ) -> Option<Self> {
        let consistent = indptr.first() == Some(&0)
            && indptr.last() == Some(&indices.len())
            && indices.len() == data.len()
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indptr.windows(2).all(|w| {
                let row = &indices[w[0]..w[1]];
                row.windows(2).all(|p| p[0] < p[1]) && row.iter().all(|&c| (c as usize) < n_cols)
            });
        consistent.then_some(Self {
            n_cols,
            indptr,
            indices,
            data,
        })
    }

    /// A matrix from parts known to be consistent (rows sorted, columns below `n_cols`).
    pub(crate) fn from_sorted_parts(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<i64>,
    ) -> Self {
        debug_assert!(
            Self::from_parts(n_cols, indptr.clone(), indices.clone(), data.clone()).is_some()
        );
        Self {
            n_cols,
            indptr,
            indices,
            data,
        }
    }

    /// An empty matrix with `n_cols` columns, to which rows are appended.
    pub(crate) fn with_columns(n_cols: usize) -> Self {
        Self {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends the rows of `other` (same number of columns) below this one.
    pub(crate) fn append_rows(&mut self, other: &CsrMatrix) {
        let base = self.indices.len();
        self.indices.extend_from_slice(&other.indices);
        self.data.extend_from_slice(&other.data);
        self.indptr
            .extend(other.indptr[1..].iter().map(|p| p + base));
    }

    /// Appends one row given as its feature ids (any order, repeats counted); `ids` is left sorted.
    pub(crate) fn push_row_of_ids(&mut self, ids: &mut [u32]) {
        ids.sort_unstable();
        let mut i = 0;
        while i < ids.len() {
            let id = ids[i];
            let mut j = i + 1;
            while j < ids.len() && ids[j] == id {
                j += 1;
            }
            self.indices.push(id);
            self.data.push((j - i) as i64);
            i = j;
        }
        self.indptr.push(self.indices.len());
    }

    /// Appends one row given as its columns (strictly increasing, below the column count) and values.
    pub(crate) fn push_sorted_row(&mut self, indices: &[u32], data: &[i64]) {
        debug_assert!(indices.windows(2).all(|p| p[0] < p[1]) && indices.len() == data.len());
        self.indices.extend_from_slice(indices);
        self.data.extend_from_slice(data);
        self.indptr.push(self.indices.len());
    }

    /// `(rows, columns)`, like numpy's `shape`.
    pub fn shape(&self) -> (usize, usize) {
        (self.indptr.len() - 1, self.n_cols)
    }

    /// The number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row pointers: `rows + 1` offsets into `indices` and `data`.
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// Column of every stored entry, increasing within a row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Value of every stored entry.
    pub fn data(&self) -> &[i64] {
        &self.data
    }

    /// The columns and values of row `row`.
    pub fn row(&self, row: usize) -> (&[u32], &[i64]) {
        let span = self.indptr[row]..self.indptr[row + 1];
        (&self.indices[span.clone()], &self.data[span])
    }

    /// Sets every stored value to 1 (sklearn's `binary=True`).
    pub(crate) fn make_binary(&mut self) {
        self.data.fill(1);
    }

    /// The dense matrix (what `X.toarray()` gives).
    pub fn to_dense(&self) -> Array2<i64> {
        let (rows, cols) = self.shape();
        let mut dense = Array2::zeros((rows, cols));
        for row in 0..rows {
            let (columns, values) = self.row(row);
            for (&col, &value) in columns.iter().zip(values) {
                dense[[row, col as usize]] = value;
            }
        }
        dense
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_ids_become_sorted_counts() {
        let mut m = CsrMatrix::with_columns(4);
        m.push_row_of_ids(&mut [3, 1, 3, 0]);
        m.push_row_of_ids(&mut []);
        m.push_row_of_ids(&mut [2, 2]);
        assert_eq!(m.indptr(), [0, 3, 3, 4]);
        assert_eq!(m.indices(), [0, 1, 3, 2]);
        assert_eq!(m.data(), [1, 1, 2, 2]);
        assert_eq!(
            m.to_dense(),
            ndarray::arr2(&[[1, 1, 0, 2], [0, 0, 0, 0], [0, 0, 2, 0]])
        );
    }

    #[test]
    fn from_parts_rejects_unsorted_rows() {
        assert!(CsrMatrix::from_parts(3, vec![0, 2], vec![2, 1], vec![1, 1]).is_none());
        assert!(CsrMatrix::from_parts(3, vec![0, 2], vec![1, 2], vec![1, 1]).is_some());
    }
}
