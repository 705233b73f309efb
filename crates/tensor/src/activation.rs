//! Element-wise activations and their derivatives.
//!
//! Derivatives are written in terms of the activation's *output* `y` where that is the cheap form
//! (`σ' = y(1-y)`, `tanh' = 1-y²`, `relu' = [y>0]`), because the backward passes keep outputs.

use ndarray::{ArrayBase, DataMut, Dimension};

/// The logistic sigmoid `1 / (1 + e^{-x})`, computed without overflow for large `|x|`.
#[inline]
#[must_use]
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Derivative of the sigmoid expressed through its output `y = σ(x)`.
#[inline]
#[must_use]
pub fn sigmoid_grad_from_output(y: f32) -> f32 {
    y * (1.0 - y)
}

/// Derivative of `tanh` expressed through its output `y = tanh(x)`.
#[inline]
#[must_use]
pub fn tanh_grad_from_output(y: f32) -> f32 {
    1.0 - y * y
}

/// `max(x, 0)`.
#[inline]
#[must_use]
pub fn relu(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

/// Derivative of `relu` through its output (0 at the kink, as Keras and PyTorch use).
#[inline]
#[must_use]
pub fn relu_grad_from_output(y: f32) -> f32 {
    if y > 0.0 { 1.0 } else { 0.0 }
}

/// Apply [`sigmoid`] in place.
pub fn sigmoid_inplace<S: DataMut<Elem = f32>, D: Dimension>(a: &mut ArrayBase<S, D>) {
    a.mapv_inplace(sigmoid);
}

/// Apply `tanh` in place.
pub fn tanh_inplace<S: DataMut<Elem = f32>, D: Dimension>(a: &mut ArrayBase<S, D>) {
    a.mapv_inplace(f32::tanh);
}

/// Apply [`relu`] in place.
pub fn relu_inplace<S: DataMut<Elem = f32>, D: Dimension>(a: &mut ArrayBase<S, D>) {
    a.mapv_inplace(relu);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-6;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn sigmoid_is_stable_and_correct() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-100.0) >= 0.0 && sigmoid(-100.0) < 1e-30);
        assert_eq!(sigmoid(100.0), 1.0);
        for &x in &[-3.0f32, -0.5, 0.2, 2.5] {
            let expect = 1.0 / (1.0 + (-f64::from(x)).exp());
            assert!((f64::from(sigmoid(x)) - expect).abs() < 1e-7);
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for &x in &[-2.0f64, -0.3, 0.4, 1.7] {
            let s = |v: f64| 1.0 / (1.0 + (-v).exp());
            let y = sigmoid(x as f32);
            assert!((f64::from(sigmoid_grad_from_output(y)) - numeric(s, x)).abs() < 1e-6);
            let t = (x as f32).tanh();
            assert!((f64::from(tanh_grad_from_output(t)) - numeric(f64::tanh, x)).abs() < 1e-6);
            let r = relu(x as f32);
            let rn = numeric(|v| v.max(0.0), x);
            assert!((f64::from(relu_grad_from_output(r)) - rn).abs() < 1e-6);
        }
    }
}
