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
/// Below this `e^x` is under half the smallest subnormal (0 in f32); `-inf` is clamped here.
const EXP_LOW: f32 = -104.0;
/// Above this `e^x` overflows f32 (∞); `+inf` is clamped here (and still gives ∞).
const EXP_HIGH: f32 = 89.0;

/// `e^x` without a libm call, within 2 ulp of `f32::exp` over the whole f32 range (tests check
/// every 2^-10 step of `[-104, 89]` and a proptest any finite input): Cephes' range reduction
/// `x = n·ln 2 + r` (`|r| ≤ ln2/2`, `ln 2` split in two) and degree-6 polynomial, then `2^n`
/// applied as two exact powers of two so that results overflow to `∞` and underflow through the
/// subnormals to `0` as `f32::exp` does (`e^-inf = 0`, `e^inf = ∞`, NaN stays NaN).
///
/// Branch-free, so loops over slices vectorise (see [`with_widest_simd`]). Evaluated with fused
/// multiply-adds (`f32::mul_add`: one instruction on AVX2/AVX-512, a correctly rounded library
/// call on CPUs without FMA), so every instruction set gives the same bits.
#[inline(always)]
#[must_use]
pub fn fast_exp(x: f32) -> f32 {
    // `clamp` keeps a NaN, which then reaches the result through `r`.
    let (y, n_int) = exp_reduced(x.clamp(EXP_LOW, EXP_HIGH));
    // n (in [-150, 129]) applied as 2^h · 2^(n-h) with h = n/2: both factors are normal f32, and
    // only the last multiply rounds.
    let half = n_int >> 1;
    let first = f32::from_bits(((half + 127) as u32) << 23);
    let second = f32::from_bits(((n_int - half + 127) as u32) << 23);
    y * first * second
}

/// The shared core of the exponentials: for `x` in `[EXP_LOW, EXP_HIGH]` (or NaN), `(y, n)` with
/// `e^x = y · 2^n`, `y` in about `[0.7, 1.42]`.
#[inline(always)]
fn exp_reduced(x: f32) -> (f32, i32) {
    let t = x.mul_add(LOG2E, ROUND_MAGIC);
    let n = t - ROUND_MAGIC;
    let r = n.mul_add(-LN2_HI, x);
    let r = n.mul_add(-LN2_LO, r);
    let mut p = 1.987_569_2e-4_f32;
    p = p.mul_add(r, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 0.5);
    let y = (p * r).mul_add(r, r) + 1.0;
    // n from t's low mantissa bits (t = 1.5·2^23 + n).
    (y, t.to_bits().wrapping_sub(ROUND_MAGIC.to_bits()) as i32)
}

/// Lowest argument of [`saturating_exp`]: `2^n` with `n ≥ -125` stays a normal number.
const SAT_EXP_LOW: f32 = -86.0;
/// Highest argument of [`saturating_exp`] (`e^88 ≈ 1.65·10³⁸`, below `f32::MAX`).
const SAT_EXP_HIGH: f32 = 88.0;

/// `e^x` for the logistic functions, which saturate long before `e^x` leaves the normal
/// numbers: `x` is clamped to `[-86, 88]` (so `e^x` is never below `e^-86 ≈ 4·10⁻³⁸` nor
/// infinite), and `2^n` is applied by adding `n` to the exponent bits. Same reduction and
/// polynomial as [`fast_exp`] at a third fewer operations; NaN stays NaN.
#[inline(always)]
fn saturating_exp(x: f32) -> f32 {
    let (y, n_int) = exp_reduced(x.clamp(SAT_EXP_LOW, SAT_EXP_HIGH));
    f32::from_bits(y.to_bits().wrapping_add((n_int as u32) << 23))
}

/// [`fast_exp`] over a slice, in place (vectorised with [`with_widest_simd`]).
pub fn exp_slice(xs: &mut [f32]) {
    with_widest_simd(
        #[inline(always)]
        || {
            for v in xs {
                *v = fast_exp(*v);
            }
        },
    );
}

/// Sigmoid `1/(1 + e^{-x})` through the exponential of [`fast_exp`] on the range where the
/// sigmoid is not yet saturated (absolute error below 10⁻⁷; one exact division). Fused
/// multiply-adds throughout, so every instruction set gives the same bits.
#[inline(always)]
#[must_use]
pub fn fast_sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + saturating_exp(-x))
}

/// `tanh` as `1 − 2/(e^{2x}+1)` through the exponential of [`fast_sigmoid`] (absolute error below
/// 2·10⁻⁷).
#[inline(always)]
#[must_use]
pub fn fast_tanh(x: f32) -> f32 {
    1.0 - 2.0 / (saturating_exp(2.0 * x) + 1.0)
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
    fn fast_logistics_saturate_and_keep_nan() {
        assert_eq!(fast_sigmoid(f32::INFINITY), 1.0);
        assert_eq!(fast_sigmoid(1000.0), 1.0);
        assert!(fast_sigmoid(f32::NEG_INFINITY) < 1e-37);
        assert!(fast_sigmoid(-1000.0) >= 0.0);
        assert_eq!(fast_tanh(f32::INFINITY), 1.0);
        assert_eq!(fast_tanh(f32::NEG_INFINITY), -1.0);
        assert!(fast_sigmoid(f32::NAN).is_nan());
        assert!(fast_tanh(f32::NAN).is_nan());
        assert_eq!(fast_sigmoid(0.0), 0.5);
        assert_eq!(fast_tanh(0.0), 0.0);
        // Monotone across the clamp points of the exponential.
        let xs: Vec<f32> = (-9000..=9000).map(|k| k as f32 * 0.01).collect();
        for w in xs.windows(2) {
            assert!(
                fast_sigmoid(w[0]) <= fast_sigmoid(w[1]),
                "sigmoid at {}",
                w[0]
            );
            assert!(fast_tanh(w[0]) <= fast_tanh(w[1]), "tanh at {}", w[0]);
        }
    }

    /// Distance in units in the last place between two f32 of the same sign (0 for equal bits,
    /// `u32::MAX` when one is NaN and the other is not).
    fn ulps(a: f32, b: f32) -> u32 {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => 0,
            (false, false) => a.to_bits().abs_diff(b.to_bits()),
            _ => u32::MAX,
        }
    }

    #[test]
    fn fast_exp_is_within_two_ulp_of_libm_over_the_whole_range() {
        let mut worst = (0u32, 0.0f32);
        // Every 2^-10 step from below the underflow to above the overflow threshold.
        for k in -106 * 1024..=90 * 1024 {
            let x = k as f32 / 1024.0;
            let d = ulps(fast_exp(x), x.exp());
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 <= 2, "{} ulp at x = {}", worst.0, worst.1);
        assert_eq!(fast_exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(fast_exp(-1000.0), 0.0);
        assert_eq!(fast_exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(fast_exp(1000.0), f32::INFINITY);
        assert_eq!(fast_exp(f32::MAX), f32::INFINITY);
        assert_eq!(fast_exp(f32::MIN), 0.0);
        assert!(fast_exp(f32::NAN).is_nan());
        assert_eq!(fast_exp(0.0), 1.0);
        // Subnormal results: e^-100 ≈ 3.7·10⁻⁴⁴.
        assert!(ulps(fast_exp(-100.0), (-100.0f32).exp()) <= 2);
    }

    #[test]
    fn exp_slice_equals_the_scalar_function() {
        let mut xs: Vec<f32> = (0..1003).map(|i| (i as f32 - 500.0) * 0.2).collect();
        xs.extend([f32::NEG_INFINITY, f32::INFINITY, f32::NAN, -0.0]);
        let want: Vec<f32> = xs.iter().map(|&x| fast_exp(x)).collect();
        exp_slice(&mut xs);
        for (a, b) in xs.iter().zip(&want) {
            assert_eq!(ulps(*a, *b), 0);
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_exp_matches_libm_for_any_input(x in proptest::num::f32::ANY) {
            let d = ulps(fast_exp(x), x.exp());
            proptest::prop_assert!(d <= 2, "{} ulp at x = {}", d, x);
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
