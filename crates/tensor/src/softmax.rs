//! Numerically stable softmax and log-softmax along the last axis.

use ndarray::{ArrayBase, Axis, DataMut, Dimension};

/// Softmax along the last axis, in place, subtracting each row's maximum first so that large
/// logits do not overflow.
pub fn softmax_last_axis_inplace<S: DataMut<Elem = f32>, D: Dimension>(a: &mut ArrayBase<S, D>) {
    let last = Axis(a.ndim().saturating_sub(1));
    for mut lane in a.lanes_mut(last) {
        let max = lane.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut sum = 0.0f32;
        lane.mapv_inplace(|v| {
            let e = (v - max).exp();
            sum += e;
            e
        });
        let inv = 1.0 / sum;
        lane.mapv_inplace(|v| v * inv);
    }
}

/// Log-softmax along the last axis, in place: `x - max - ln Σ e^{x-max}`.
pub fn log_softmax_last_axis_inplace<S: DataMut<Elem = f32>, D: Dimension>(
    a: &mut ArrayBase<S, D>,
) {
    let last = Axis(a.ndim().saturating_sub(1));
    for mut lane in a.lanes_mut(last) {
        let max = lane.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let sum: f32 = lane.iter().map(|&v| (v - max).exp()).sum();
        let shift = max + sum.ln();
        lane.mapv_inplace(|v| v - shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn softmax_rows_sum_to_one_and_survive_huge_logits() {
        let mut a = array![[1000.0f32, 1001.0, 1002.0], [-5.0, 0.0, 5.0]];
        softmax_last_axis_inplace(&mut a);
        for row in a.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        let e = [(-2.0f64).exp(), (-1.0f64).exp(), 1.0];
        let s: f64 = e.iter().sum();
        assert!((f64::from(a[[0, 0]]) - e[0] / s).abs() < 1e-6);
    }

    #[test]
    fn log_softmax_is_log_of_softmax() {
        let mut a = array![[0.3f32, -1.2, 2.0, 0.0]];
        let mut b = a.clone();
        softmax_last_axis_inplace(&mut a);
        log_softmax_last_axis_inplace(&mut b);
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x.ln() - y).abs() < 1e-6);
        }
    }
}
