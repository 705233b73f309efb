//! Dead-output detection: a model whose output for a feature is the same number for every window and month (a
//! `Dense(relu)` head stuck at 0 predicts 0 for everything) has stopped learning that feature.

use ndarray::{ArrayView3, Axis};

/// The features (indices on the last axis of `pred`, batch × steps × features) whose predictions are constant over
/// every window and step: all equal to within `1e-7` of the largest magnitude (exactly 0 for a dead relu). An empty
/// prediction has no dead feature.
pub fn dead_features(pred: ArrayView3<f32>) -> Vec<usize> {
    if pred.is_empty() {
        return Vec::new();
    }
    (0..pred.len_of(Axis(2)))
        .filter(|&f| {
            let column = pred.index_axis(Axis(2), f);
            let (lo, hi) = column
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            hi.is_finite() && lo.is_finite() && hi - lo <= 1e-7 * hi.abs().max(lo.abs()).max(1.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, array};

    use super::*;

    #[test]
    fn constant_features_are_dead_and_varying_ones_live() {
        // Feature 0 stuck at 0 (dead relu), feature 1 varies a little, feature 2 constant but non-zero.
        let pred = array![
            [[0.0f32, 0.1, 0.3]],
            [[0.0, 0.1001, 0.3]],
            [[0.0, 0.1, 0.3]]
        ];
        assert_eq!(dead_features(pred.view()), vec![0, 2]);
        assert!(dead_features(Array3::<f32>::zeros((0, 12, 1)).view()).is_empty());
        assert!(dead_features(array![[[f32::NAN]]].view()).is_empty());
    }
}
