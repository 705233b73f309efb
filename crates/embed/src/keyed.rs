//! Trained word vectors and the queries gensim's `KeyedVectors` answers, on unit-normalised vectors.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::kernel::dot;

/// Words and their vectors, independent of the trainer (what a word2vec file holds).
#[derive(Debug, Clone)]
pub struct KeyedVectors {
    words: Vec<String>,
    index: FxHashMap<String, u32>,
    dim: usize,
    vectors: Vec<f32>,
    unit: Vec<f32>,
    counts: Option<Vec<u64>>,
}

/// Returns `v / |v|` (a zero vector stays zero).
fn unit(v: &[f32]) -> Vec<f32> {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter().map(|x| x / norm).collect()
    } else {
        v.to_vec()
    }
}

impl KeyedVectors {
    /// Builds from words and a row-major `words.len() × dim` matrix. A repeated word keeps its first vector
    /// (as gensim's loader does) and later copies are dropped.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `vectors.len() != words.len() * dim`, [`Error::InvalidParam`] for `dim = 0`.
    pub fn new(words: Vec<String>, vectors: Vec<f32>, dim: usize) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParam {
                name: "dim",
                value: "0".into(),
                reason: "must be at least 1",
            });
        }
        if vectors.len() != words.len() * dim {
            return Err(Error::DimensionMismatch {
                expected: words.len() * dim,
                got: vectors.len(),
            });
        }
        let mut index = FxHashMap::default();
        let mut kept_words = Vec::with_capacity(words.len());
        let mut kept = Vec::with_capacity(vectors.len());
        for (word, row) in words.into_iter().zip(vectors.chunks_exact(dim)) {
            if index.contains_key(&word) {
                continue;
            }
            index.insert(word.clone(), kept_words.len() as u32);
            kept_words.push(word);
            kept.extend_from_slice(row);
        }
        let unit_vectors = kept.chunks_exact(dim).flat_map(unit).collect();
        Ok(Self {
            words: kept_words,
            index,
            dim,
            vectors: kept,
            unit: unit_vectors,
            counts: None,
        })
    }

    /// Attaches corpus counts (kept by training; not stored in word2vec files).
    pub fn with_counts(mut self, counts: Vec<u64>) -> Self {
        if counts.len() == self.words.len() {
            self.counts = Some(counts);
        }
        self
    }

    /// Corpus counts, if known.
    pub fn counts(&self) -> Option<&[u64]> {
        self.counts.as_deref()
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words in stored order (most frequent first for trained vectors).
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The raw row-major vector matrix.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// The position of `word`.
    ///
    /// # Errors
    /// [`Error::UnknownWord`] naming the word.
    pub fn index_of(&self, word: &str) -> Result<usize> {
        self.index
            .get(word)
            .map(|&i| i as usize)
            .ok_or_else(|| Error::UnknownWord(word.to_string()))
    }

    /// True if `word` has a vector.
    pub fn contains(&self, word: &str) -> bool {
        self.index.contains_key(word)
    }

    /// The raw (not normalised) vector of `word`, as gensim's `wv[word]`.
    ///
    /// # Errors
    /// [`Error::UnknownWord`].
    pub fn vector(&self, word: &str) -> Result<&[f32]> {
        let i = self.index_of(word)?;
        Ok(self.row(i))
    }

    /// Row `i` of the raw matrix.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    /// The unit-length vector of word `i`.
    pub fn unit_row(&self, i: usize) -> &[f32] {
        &self.unit[i * self.dim..(i + 1) * self.dim]
    }

    /// Cosine similarity of two words.
    ///
    /// # Errors
    /// [`Error::UnknownWord`] for the first unknown word.
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        let (i, j) = (self.index_of(a)?, self.index_of(b)?);
        Ok(dot(self.unit_row(i), self.unit_row(j)))
    }

    /// gensim's `most_similar` (3CosAdd): the unit mean of the positive words' unit vectors and the negated
    /// negative words' unit vectors, then the `topn` words with the highest cosine to it, excluding the query words.
    ///
    /// # Errors
    /// [`Error::UnknownWord`] naming the first unknown word; [`Error::InvalidQuery`] if both lists are empty.
    pub fn most_similar(
        &self,
        positive: &[&str],
        negative: &[&str],
        topn: usize,
    ) -> Result<Vec<(String, f32)>> {
        self.most_similar_within(positive, negative, topn, self.len())
    }

    /// [`Self::most_similar`] searching only the first `restrict` words (gensim's `restrict_vocab`).
    ///
    /// # Errors
    /// As [`Self::most_similar`].
    pub fn most_similar_within(
        &self,
        positive: &[&str],
        negative: &[&str],
        topn: usize,
        restrict: usize,
    ) -> Result<Vec<(String, f32)>> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Error::InvalidQuery(
                "most_similar needs at least one word".into(),
            ));
        }
        let mut mean = vec![0f32; self.dim];
        let mut exclude = Vec::with_capacity(positive.len() + negative.len());
        for (words, weight) in [(positive, 1.0f32), (negative, -1.0f32)] {
            for word in words {
                let i = self.index_of(word)?;
                exclude.push(i);
                for (m, &u) in mean.iter_mut().zip(self.unit_row(i)) {
                    *m += weight * u;
                }
            }
        }
        let n = (positive.len() + negative.len()) as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        Ok(self.nearest(&unit(&mean), topn, restrict, &exclude))
    }

    /// gensim's `similar_by_vector`: the `topn` words nearest (by cosine) to an arbitrary vector; no word excluded.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a vector of the wrong length.
    pub fn similar_by_vector(&self, vector: &[f32], topn: usize) -> Result<Vec<(String, f32)>> {
        if vector.len() != self.dim {
            return Err(Error::DimensionMismatch {
                expected: self.dim,
                got: vector.len(),
            });
        }
        Ok(self.nearest(&unit(vector), topn, self.len(), &[]))
    }

    /// gensim's `doesnt_match`: the word whose unit vector is least similar to the unit mean of all of them.
    /// Unlike gensim (which drops unknown words with a warning), an unknown word is an error.
    ///
    /// # Errors
    /// [`Error::UnknownWord`]; [`Error::InvalidQuery`] for an empty list.
    pub fn doesnt_match(&self, words: &[&str]) -> Result<String> {
        if words.is_empty() {
            return Err(Error::InvalidQuery(
                "doesnt_match needs at least one word".into(),
            ));
        }
        let ids = words
            .iter()
            .map(|w| self.index_of(w))
            .collect::<Result<Vec<_>>>()?;
        let mut mean = vec![0f32; self.dim];
        for &i in &ids {
            for (m, &u) in mean.iter_mut().zip(self.unit_row(i)) {
                *m += u;
            }
        }
        let mean = unit(&mean);
        let mut worst = (f32::INFINITY, 0usize);
        for (k, &i) in ids.iter().enumerate() {
            let d = dot(self.unit_row(i), &mean);
            if d < worst.0 {
                worst = (d, k);
            }
        }
        Ok(words[worst.1].to_string())
    }

    /// The `topn` words among the first `restrict` with the highest dot product with the unit vector `target`,
    /// skipping `exclude`; ties by lower index first.
    fn nearest(
        &self,
        target: &[f32],
        topn: usize,
        restrict: usize,
        exclude: &[usize],
    ) -> Vec<(String, f32)> {
        let restrict = restrict.min(self.len());
        let mut scored: Vec<(f32, usize)> = (0..restrict)
            .filter(|i| !exclude.contains(i))
            .map(|i| (dot(self.unit_row(i), target), i))
            .collect();
        let order = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if topn < scored.len() {
            if topn > 0 {
                scored.select_nth_unstable_by(topn - 1, order);
            }
            scored.truncate(topn);
        }
        scored.sort_unstable_by(order);
        scored
            .into_iter()
            .map(|(s, i)| (self.words[i].clone(), s))
            .collect()
    }
}

/// Formats neighbours as the lesson's gensim prints them: a Python list of `('word', cosine)` tuples, the cosine
/// as Python's `repr` of a float (shortest round-trip digits of the `f32` value widened to `f64`, since gensim
/// returns `float(np.float32)`).
pub fn format_neighbours(neighbours: &[(String, f32)]) -> String {
    let items: Vec<String> = neighbours
        .iter()
        .map(|(w, s)| format!("({}, {})", py_str_repr(w), py_float_repr(f64::from(*s))))
        .collect();
    format!("[{}]", items.join(", "))
}

/// Python's `repr(str)` for printable text: single quotes unless the text has a single quote and no double one.
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(float)`: shortest round-trip digits (ties to even), positional for `1e-4 <= |x| < 1e16`.
pub(crate) fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let decimal = crate::decimal::shortest(&format!("{x:e}"), x);
    if (1e-4..1e16).contains(&x.abs()) {
        decimal.positional()
    } else {
        decimal.scientific()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> KeyedVectors {
        let words = ["king", "queen", "man", "woman", "apple"]
            .map(String::from)
            .to_vec();
        #[rustfmt::skip]
        let v = vec![
            1.0, 1.0, 0.0,
            1.0, 0.0, 1.0,
            0.0, 1.0, 0.0,
            0.0, 0.0, 1.0,
            -1.0, -0.2, -0.1,
        ];
        KeyedVectors::new(words, v, 3).unwrap()
    }

    #[test]
    fn analogy_by_3cosadd() {
        let kv = toy();
        let r = kv.most_similar(&["king", "woman"], &["man"], 1).unwrap();
        assert_eq!(r[0].0, "queen");
        // gensim: mean of unit(king)+unit(woman)-unit(man) over 3, normalised; cosine with unit(queen).
        let s = 1.0 / 2f32.sqrt();
        let mean = [s / 3.0, (s - 1.0) / 3.0, 1.0 / 3.0];
        let n = (mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]).sqrt();
        let expected = (mean[0] * s + mean[2] * s) / n;
        assert!((r[0].1 - expected).abs() < 1e-6);
    }

    #[test]
    fn queries_reject_unknown_words_by_name() {
        let kv = toy();
        let e = kv.most_similar(&["pear"], &[], 3).unwrap_err().to_string();
        assert!(e.contains("'pear'"), "{e}");
        assert!(kv.similarity("king", "pear").is_err());
        assert!(kv.vector("pear").is_err());
        assert!(kv.doesnt_match(&["king", "pear"]).is_err());
        assert!(kv.similar_by_vector(&[1.0], 2).is_err());
    }

    #[test]
    fn similar_by_vector_and_doesnt_match() {
        let kv = toy();
        let r = kv.similar_by_vector(&[2.0, 2.0, 0.0], 2).unwrap();
        assert_eq!(r[0].0, "king");
        assert!((r[0].1 - 1.0).abs() < 1e-6);
        assert_eq!(
            kv.doesnt_match(&["king", "queen", "apple"]).unwrap(),
            "apple"
        );
        assert!((kv.similarity("man", "woman").unwrap()).abs() < 1e-7);
    }

    #[test]
    fn formats_like_python() {
        assert_eq!(
            format_neighbours(&[("a'b".into(), 0.5), ("c".into(), 1e-5)]),
            "[(\"a'b\", 0.5), ('c', 9.999999747378752e-06)]"
        );
        assert_eq!(py_float_repr(1.0), "1.0");
        assert_eq!(py_float_repr(0.1f32 as f64), "0.10000000149011612");
    }
}
