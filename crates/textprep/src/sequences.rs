//! Equal-length character sequences and their next-character targets, as index arrays and one-hot arrays.
//!
//! The convention (Karpathy's char-rnn and the Keras text-generation examples): sequence `k` starts at character
//! `s = k * stride`; its input is `X[k] = chars[s .. s + L]` and its target is the same window shifted by one,
//! `Y[k] = chars[s + 1 .. s + L + 1]`, so `Y[k][t]` is the character that follows `X[k][t]` and each sequence
//! consumes `L + 1` characters. With the default stride `L` the input windows do not overlap (the last target of
//! one sequence is the first input of the next). Characters after the last complete sequence are dropped and
//! counted in [`CharSequences::dropped`]. A model that predicts one character after a whole sequence uses
//! `Y[:, -1]`.

use ndarray::{Array, Array2, Array3, ArrayView2, Axis, Dimension, IntoDimension};

use crate::alphabet::Alphabet;
use crate::error::{Error, Result};

/// How to cut a text into sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceConfig {
    /// Characters per sequence, `L`. Default 40.
    pub sentence_len: usize,
    /// Distance between the starts of consecutive sequences; `None` means `sentence_len` (no overlap).
    pub stride: Option<usize>,
}

impl Default for SequenceConfig {
    fn default() -> Self {
        Self {
            sentence_len: 40,
            stride: None,
        }
    }
}

impl SequenceConfig {
    /// Non-overlapping sequences of `sentence_len` characters.
    pub fn new(sentence_len: usize) -> Self {
        Self {
            sentence_len,
            stride: None,
        }
    }

    /// The stride in effect.
    pub fn effective_stride(&self) -> usize {
        self.stride.unwrap_or(self.sentence_len)
    }

    /// Checks that the configuration can work.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero sentence length or stride.
    pub fn validate(&self) -> Result<()> {
        if self.sentence_len == 0 {
            return Err(Error::InvalidConfig {
                name: "sentence length",
                reason: "must be at least 1".to_owned(),
            });
        }
        if self.stride == Some(0) {
            return Err(Error::InvalidConfig {
                name: "stride",
                reason: "must be at least 1".to_owned(),
            });
        }
        Ok(())
    }

    /// How many sequences fit in `n_chars` characters, and how many characters are left over after the last.
    ///
    /// # Errors
    /// As [`validate`](Self::validate); [`Error::TextTooShort`] when not even one sequence (`L + 1` characters)
    /// fits.
    pub fn count(&self, n_chars: usize) -> Result<(usize, usize)> {
        self.validate()?;
        let needed = self.sentence_len.saturating_add(1);
        if n_chars < needed || self.sentence_len == usize::MAX {
            return Err(Error::TextTooShort {
                sentence_len: self.sentence_len,
                needed,
                available: n_chars,
            });
        }
        let stride = self.effective_stride();
        let n = (n_chars - needed) / stride + 1;
        let used = (n - 1) * stride + needed;
        Ok((n, n_chars - used))
    }
}

/// Inputs and next-character targets as index arrays of shape `(n_sequences, sentence_len)`.
///
/// Indices are `u32`: enough for any alphabet, so no text can overflow them, while the arrays stay
/// `alphabet_len` times smaller than the one-hot `f32` arrays (numpy reads them as `uint32`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharSequences {
    /// Inputs: `x[[k, t]]` is the index of character `k * stride + t`.
    pub x: Array2<u32>,
    /// Targets: `y[[k, t]] == x[[k, t + 1]]` for `t + 1 < L`, and the character after the window at `t = L - 1`.
    pub y: Array2<u32>,
    /// Characters after the last complete sequence (not in any input or target).
    pub dropped: usize,
}

impl CharSequences {
    /// Cuts encoded text (indices from [`Alphabet::encode`]) into sequences.
    ///
    /// ```
    /// use textprep::{CharSequences, SequenceConfig};
    /// let seq = CharSequences::from_indices(&[0, 1, 2, 3, 4, 5, 6, 7], &SequenceConfig::new(3))?;
    /// assert_eq!(seq.x, ndarray::array![[0, 1, 2], [3, 4, 5]]);
    /// assert_eq!(seq.y, ndarray::array![[1, 2, 3], [4, 5, 6]]);
    /// assert_eq!(seq.dropped, 1);
    /// # Ok::<(), textprep::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`SequenceConfig::count`]; [`Error::ArrayTooLarge`] when the arrays cannot be allocated (many
    /// overlapping sequences of a long text).
    pub fn from_indices(indices: &[u32], config: &SequenceConfig) -> Result<Self> {
        let (n, dropped) = config.count(indices.len())?;
        let len = config.sentence_len;
        let stride = config.effective_stride();
        let mut x = zeroed_array("input index array", [n, len])?;
        let mut y = zeroed_array("target index array", [n, len])?;
        for (k, (mut x_row, mut y_row)) in x.outer_iter_mut().zip(y.outer_iter_mut()).enumerate() {
            let start = k * stride;
            for t in 0..len {
                x_row[t] = indices[start + t];
                y_row[t] = indices[start + t + 1];
            }
        }
        Ok(Self { x, y, dropped })
    }

    /// Encodes `text` with `alphabet` and cuts it into sequences.
    ///
    /// # Errors
    /// As [`Alphabet::encode`] and [`SequenceConfig::count`].
    pub fn from_text(text: &str, alphabet: &Alphabet, config: &SequenceConfig) -> Result<Self> {
        Self::from_indices(&alphabet.encode(text)?, config)
    }

    /// The number of sequences.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no sequences (never, for sequences built by this crate).
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }
}

/// One-hot encodes an index array: `(n, len)` → `(n, len, alphabet_len)` with a single `1.0` per row.
///
/// # Errors
/// [`Error::IndexOutOfRange`] for an index not below `alphabet_len` (its position counts row by row);
/// [`Error::ArrayTooLarge`] when the array cannot be allocated.
pub fn one_hot(indices: ArrayView2<'_, u32>, alphabet_len: usize) -> Result<Array3<f32>> {
    let (n, len) = indices.dim();
    let mut out = zeroed_array("one-hot array", [n, len, alphabet_len])?;
    for (position, ((k, t), &index)) in indices.indexed_iter().enumerate() {
        let i = index as usize;
        if i >= alphabet_len {
            return Err(Error::IndexOutOfRange {
                index,
                position,
                len: alphabet_len,
            });
        }
        out[[k, t, i]] = 1.0;
    }
    Ok(out)
}

/// An array of zeros of `shape`, or [`Error::ArrayTooLarge`] naming the bytes it needs when the size overflows
/// or the allocator refuses it (instead of aborting the process).
fn zeroed_array<T: Clone + Default, Sh: IntoDimension + Copy>(
    what: &'static str,
    shape: Sh,
) -> Result<Array<T, Sh::Dim>> {
    let dims = shape.into_dimension();
    let shape = dims.slice().to_vec();
    let elements = shape.iter().map(|&d| d as u128).product::<u128>();
    let bytes = elements * std::mem::size_of::<T>() as u128;
    let too_large = || {
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        Error::ArrayTooLarge {
            what,
            shape: format!("({})", dims.join(", ")),
            bytes,
        }
    };
    let count = usize::try_from(elements).map_err(|_| too_large())?;
    if bytes > isize::MAX as u128 {
        return Err(too_large());
    }
    let mut data: Vec<T> = Vec::new();
    data.try_reserve_exact(count).map_err(|_| too_large())?;
    data.resize(count, T::default());
    Array::from_shape_vec(dims, data).map_err(|_| too_large())
}

/// The index of the `1.0` in each one-hot row (the inverse of [`one_hot`]); rows that are not one-hot give the
/// position of their largest value (the first on ties).
pub fn argmax_last_axis(one_hot: &Array3<f32>) -> Array2<u32> {
    one_hot.map_axis(Axis(2), |row| {
        let mut best = 0;
        for (i, &v) in row.iter().enumerate() {
            if v > row[best] {
                best = i;
            }
        }
        u32::try_from(best).unwrap_or(u32::MAX)
    })
}

/// The first `n_chars` characters of `text` (all of it if it is shorter): the "text fragment" of the lesson.
pub fn fragment(text: &str, n_chars: usize) -> &str {
    match text.char_indices().nth(n_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn counts_and_remainders() {
        let config = SequenceConfig::new(3);
        assert_eq!(config.count(4).unwrap(), (1, 0));
        assert_eq!(config.count(7).unwrap(), (2, 0));
        assert_eq!(config.count(9).unwrap(), (2, 2));
        let overlapping = SequenceConfig {
            sentence_len: 3,
            stride: Some(1),
        };
        assert_eq!(overlapping.count(6).unwrap(), (3, 0));
        let sparse = SequenceConfig {
            sentence_len: 2,
            stride: Some(5),
        };
        assert_eq!(sparse.count(9).unwrap(), (2, 1));
    }

    #[test]
    fn a_huge_request_is_an_error_naming_the_bytes() {
        let indices = array![[0u32, 1], [1, 0]];
        let err = one_hot(indices.view(), usize::MAX / 2).unwrap_err();
        let bytes = 4 * 2 * 2 * u128::from(u64::MAX / 2);
        assert_eq!(
            err.to_string(),
            format!(
                "the one-hot array of shape (2, 2, {}) needs {bytes} bytes, more than can be allocated",
                usize::MAX / 2
            )
        );
        // Fits the address space but not any machine's memory: the allocator refuses, no abort.
        let err = one_hot(indices.view(), 1 << 58).unwrap_err();
        assert!(matches!(err, Error::ArrayTooLarge { bytes, .. } if bytes == 1 << 62));
        let err = zeroed_array::<u32, _>("input index array", [usize::MAX, 3]).unwrap_err();
        assert!(err.to_string().starts_with(&format!(
            "the input index array of shape ({}, 3) needs ",
            usize::MAX
        )));
    }

    #[test]
    fn a_text_shorter_than_one_sequence_is_an_error() {
        let err = SequenceConfig::new(5).count(5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sentence length 5 needs at least 6 characters (5 and the next one), but the text has 5"
        );
        assert!(SequenceConfig::new(0).validate().is_err());
        let err = SequenceConfig::new(usize::MAX)
            .count(usize::MAX)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "sentence length {} needs at least 18446744073709551616 characters ({} and the next one), but the text has {}",
                usize::MAX,
                usize::MAX,
                usize::MAX
            )
        );
        assert!(
            SequenceConfig {
                sentence_len: 2,
                stride: Some(0)
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn overlapping_windows_with_a_stride() {
        let config = SequenceConfig {
            sentence_len: 2,
            stride: Some(1),
        };
        let seq = CharSequences::from_indices(&[5, 6, 7, 8], &config).unwrap();
        assert_eq!(seq.x, array![[5, 6], [6, 7]]);
        assert_eq!(seq.y, array![[6, 7], [7, 8]]);
        assert_eq!(seq.dropped, 0);
    }

    #[test]
    fn one_hot_and_back() {
        let indices = array![[0, 2], [1, 1]];
        let encoded = one_hot(indices.view(), 3).unwrap();
        assert_eq!(encoded.dim(), (2, 2, 3));
        let row: Vec<f32> = (0..3).map(|i| encoded[[0, 1, i]]).collect();
        assert_eq!(row, [0.0, 0.0, 1.0]);
        assert_eq!(argmax_last_axis(&encoded), indices);
        let err = one_hot(array![[0, 3]].view(), 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "index 3 at position 1 is not below the alphabet size 3"
        );
    }

    #[test]
    fn fragments_count_characters_not_bytes() {
        assert_eq!(fragment("ёлка", 2), "ёл");
        assert_eq!(fragment("ёлка", 10), "ёлка");
        assert_eq!(fragment("ёлка", 0), "");
    }
}
