//! Finite-difference gradient checking shared by the gradient tests.
#![allow(dead_code, clippy::unwrap_used)]

use ndarray::{ArrayD, IxDyn};
use nn::{Params, Result, Tape, Var};
use rand::Rng;
use tensor::seeded_rng;

/// A random array with entries in `[-scale, scale)`.
pub fn rand_array(shape: &[usize], scale: f32, seed: u64) -> ArrayD<f32> {
    let mut r = seeded_rng(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || (r.random::<f32>() * 2.0 - 1.0) * scale)
}

/// Check the analytic gradient of `f` (which builds a scalar from the parameter vars) against
/// central differences for every element of every parameter. The scalar is `Σ out ⊙ R` for a fixed
/// random `R` when `f` returns a non-scalar, so every output element matters.
pub fn check(params: &Params, f: impl Fn(&mut Tape, &[Var]) -> Result<Var>) {
    let weights_for = |shape: &[usize]| rand_array(shape, 1.0, 991);
    let eval = |ps: &Params| -> (f64, Option<nn::Grads>, Vec<Var>) {
        let mut tape = Tape::new(ps);
        let vars: Vec<Var> = ps.iter().map(|(id, _)| tape.param(id)).collect();
        let out = f(&mut tape, &vars).unwrap();
        let loss = if tape.value(out).len() == 1 {
            out
        } else {
            let r = tape.constant(weights_for(tape.shape(out)));
            let m = tape.mul(out, r).unwrap();
            tape.sum(m)
        };
        let l = f64::from(tape.value(loss).iter().next().copied().unwrap());
        let g = tape.backward(loss).unwrap();
        (l, Some(g), vars)
    };
    let (_, grads, _) = eval(params);
    let grads = grads.unwrap();
    let eps = 1e-2f32;
    let mut worst = 0.0f64;
    for (id, p) in params.iter() {
        if !p.trainable {
            assert!(
                grads.get(id).is_none(),
                "frozen parameter {} got a gradient",
                p.name
            );
            continue;
        }
        let analytic = grads
            .get(id)
            .cloned()
            .unwrap_or_else(|| ArrayD::zeros(p.value.raw_dim()));
        for k in 0..p.value.len() {
            let mut plus = params.clone();
            let mut minus = params.clone();
            plus.get_mut(id).value.as_slice_mut().unwrap()[k] += eps;
            minus.get_mut(id).value.as_slice_mut().unwrap()[k] -= eps;
            let numeric = (eval(&plus).0 - eval(&minus).0) / (2.0 * f64::from(eps));
            let a = f64::from(analytic.as_slice().unwrap()[k]);
            let err = (a - numeric).abs() / (1.0 + a.abs().max(numeric.abs()));
            worst = worst.max(err);
            assert!(
                err < 2e-3,
                "{}[{k}]: analytic {a} vs numeric {numeric}",
                p.name
            );
        }
    }
    assert!(worst.is_finite());
}

/// A parameter store from `(name, array)` pairs, all trainable.
pub fn store(entries: Vec<(&str, ArrayD<f32>)>) -> Params {
    let mut ps = Params::new();
    for (n, a) in entries {
        ps.add(n, a, true);
    }
    ps
}
