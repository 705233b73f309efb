//! Dropping too rare, too common or surplus features (sklearn's `_limit_features`).

use super::config::DocFrequency;
use crate::error::{Error, Result};

/// The document-frequency window and the feature cap, resolved for one corpus.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    low: f64,
    high: f64,
    max_features: Option<usize>,
}

impl Limits {
    /// Resolves `min_df`/`max_df` for `n_docs` documents as sklearn does (`fraction * n_docs`, unrounded), and
    /// rejects a window in which `max_df` lies below `min_df`.
    pub(crate) fn new(
        min_df: DocFrequency,
        max_df: DocFrequency,
        max_features: Option<usize>,
        n_docs: usize,
    ) -> Result<Self> {
        let (low, high) = (min_df.documents(n_docs), max_df.documents(n_docs));
        if high < low {
            return Err(Error::MaxDfBelowMinDf);
        }
        Ok(Self {
            low,
            high,
            max_features,
        })
    }

    /// Whether these limits keep every feature of `n_docs` documents (each is in 1 to `n_docs` of them): the
    /// defaults `min_df = 1`, `max_df = 1.0` and no `max_features`.
    pub(crate) fn keep_all(&self, n_docs: usize) -> bool {
        self.low <= 1.0 && self.high >= n_docs as f64 && self.max_features.is_none()
    }

    /// The new index of every column (`None` = dropped), given each column's document frequency and total count:
    /// columns whose document frequency lies in
    /// `[low, high]`, then, if more than `max_features` remain, those with the highest total count; among equal
    /// totals the lower column (the term that sorts first) wins. Kept columns keep their order.
    ///
    /// sklearn ranks with numpy's default (unstable) argsort, so when equal totals straddle the cut its choice
    /// among them depends on numpy's sorting kernel; ours is the stable, documented one.
    pub(crate) fn select(&self, documents: &[u64], totals: &[u64]) -> Result<Vec<Option<u32>>> {
        let mut keep: Vec<bool> = documents
            .iter()
            .map(|&df| (df as f64) <= self.high && (df as f64) >= self.low)
            .collect();
        if let Some(limit) = self.max_features {
            let mut candidates: Vec<usize> = (0..keep.len()).filter(|&c| keep[c]).collect();
            if candidates.len() > limit {
                candidates.sort_by_key(|&c| std::cmp::Reverse(totals[c]));
                keep.fill(false);
                for &c in &candidates[..limit] {
                    keep[c] = true;
                }
            }
        }
        let mut next = 0u32;
        let new_index: Vec<Option<u32>> = keep
            .iter()
            .map(|&k| {
                k.then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        if next == 0 {
            return Err(Error::NoTermsRemain);
        }
        Ok(new_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Document frequencies and totals of four columns.
    const DOCUMENTS: [u64; 4] = [3, 1, 2, 2];
    const TOTALS: [u64; 4] = [3, 5, 2, 2];

    #[test]
    fn document_frequency_bounds_are_inclusive() {
        let limits = Limits::new(
            DocFrequency::Count(2),
            DocFrequency::Fraction(2.0 / 3.0),
            None,
            3,
        )
        .unwrap();
        assert_eq!(
            limits.select(&DOCUMENTS, &TOTALS).unwrap(),
            [None, None, Some(0), Some(1)]
        );
    }

    #[test]
    fn max_features_takes_highest_totals_and_breaks_ties_by_column() {
        let limits = Limits::new(
            DocFrequency::Count(1),
            DocFrequency::Fraction(1.0),
            Some(3),
            3,
        )
        .unwrap();
        assert_eq!(
            limits.select(&DOCUMENTS, &TOTALS).unwrap(),
            [Some(0), Some(1), Some(2), None]
        );
    }

    #[test]
    fn only_limits_that_cannot_drop_a_feature_keep_all() {
        let limits = |min, max, cap| Limits::new(min, max, cap, 3).unwrap();
        let (one, all) = (DocFrequency::Count(1), DocFrequency::Fraction(1.0));
        assert!(limits(one, all, None).keep_all(3));
        assert!(limits(DocFrequency::Fraction(0.0), DocFrequency::Count(3), None).keep_all(3));
        assert!(!limits(DocFrequency::Count(2), all, None).keep_all(3));
        assert!(!limits(one, DocFrequency::Count(2), None).keep_all(3));
        assert!(!limits(one, DocFrequency::Fraction(0.9), None).keep_all(3));
        assert!(!limits(one, all, Some(100)).keep_all(3));
        let everything = limits(one, all, None).select(&DOCUMENTS, &TOTALS).unwrap();
        assert!(everything.iter().all(Option::is_some));
    }

    #[test]
    fn errors_match_sklearn() {
        let err = Limits::new(DocFrequency::Count(3), DocFrequency::Count(2), None, 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "max_df corresponds to < documents than min_df"
        );
        let limits = Limits::new(DocFrequency::Count(4), DocFrequency::Count(5), None, 3).unwrap();
        assert_eq!(
            limits.select(&DOCUMENTS, &TOTALS).unwrap_err().to_string(),
            "After pruning, no terms remain. Try a lower min_df or a higher max_df."
        );
    }
}
