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

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// `1.5 · 2^23`: adding it rounds an f32 of magnitude < 2^22 to the nearest integer.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// `e^x` without a libm call: Cephes' range reduction `x = n·ln 2 + r` and degree-6 polynomial,
/// branch-free so loops over slices vectorise. Relative error below 3·10⁻⁷ on `[-87, 88]`;
/// inputs are clamped to that range (so `e^-100` gives ~1.6·10⁻³⁸ and `e^100` ~1.65·10³⁸, not
/// 0 and ∞ — harmless inside sigmoid and tanh, which is where it is used).
#[inline(always)]
#[must_use]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let t = x * LOG2E + ROUND_MAGIC;
    let n = t - ROUND_MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_2e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2^n from the integer in t's low mantissa bits (t = 1.5·2^23 + n).
    let n_int = t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits()) as i32;
    let scale = f32::from_bits(((n_int + 127) as u32) << 23);
    y * scale
}

/// Sigmoid through [`fast_exp`] (absolute error below 10⁻⁷).
#[inline(always)]
#[must_use]
pub fn fast_sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + fast_exp(-x))
}

/// `tanh` through [`fast_exp`]: `1 − 2/(e^{2x}+1)` (absolute error below 2·10⁻⁷).
#[inline(always)]
#[must_use]
pub fn fast_tanh(x: f32) -> f32 {
    1.0 - 2.0 / (fast_exp(2.0 * x) + 1.0)
}

/// Run `f` compiled for the widest vector instruction set the CPU has (AVX-512 or AVX2 + FMA on
/// x86-64, detected at run time through `pulp`; the baseline otherwise).
///
/// Element-wise loops written as plain scalar code inside `f` (using the `#[inline(always)]`
/// functions of this module) are then auto-vectorised 8 or 16 lanes wide instead of SSE2's 4.
/// **Mark the closure `#[inline(always)]`** (`with_widest_simd(#[inline(always)] || ...)`), and
/// any function it calls: the target features only reach code inlined into the dispatched
/// function, and without the attribute the compiler may keep the closure out of line, compiled
/// for the baseline (measured: the LSTM gate loops ran 4 lanes wide that way). Each element
/// still sees the same IEEE operations in the same order (no fused multiply-add is introduced, no
/// reduction is reordered), so the results are bit-identical whichever set is picked.
#[inline(always)]
pub fn with_widest_simd<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

/// [`fast_sigmoid`] over a slice, in place (vectorised with [`with_widest_simd`]).
pub fn sigmoid_slice(xs: &mut [f32]) {
    with_widest_simd(
        #[inline(always)]
        || {
            for v in xs {
                *v = fast_sigmoid(*v);
            }
        },
    );
}

/// [`fast_tanh`] over a slice, in place (vectorised with [`with_widest_simd`]).
pub fn tanh_slice(xs: &mut [f32]) {
    with_widest_simd(
        #[inline(always)]
        || {
            for v in xs {
                *v = fast_tanh(*v);
            }
        },
    );
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
    fn fast_functions_are_accurate() {
        let mut worst = (0.0f64, 0.0f64, 0.0f64);
        for k in -8700..=8800 {
            let x = k as f32 * 0.01;
            let e = f64::from(x).exp();
            let rel = (f64::from(fast_exp(x)) - e).abs() / e;
            worst.0 = worst.0.max(rel);
            let s = 1.0 / (1.0 + (-f64::from(x)).exp());
            worst.1 = worst.1.max((f64::from(fast_sigmoid(x)) - s).abs());
            worst.2 = worst
                .2
                .max((f64::from(fast_tanh(x)) - f64::from(x).tanh()).abs());
        }
        assert!(worst.0 < 3e-7, "exp {}", worst.0);
        assert!(worst.1 < 1e-7, "sigmoid {}", worst.1);
        assert!(worst.2 < 2e-7, "tanh {}", worst.2);
        assert!(fast_sigmoid(-200.0) < 1e-37);
        assert_eq!(fast_tanh(50.0), 1.0);
        assert_eq!(fast_tanh(-50.0), -1.0);
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
