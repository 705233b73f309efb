//! Optimisers: SGD with momentum, Adam and RMSprop, each matching Keras 3 or PyTorch exactly.
//!
//! | Optimiser | Keras 3 update | PyTorch update |
//! |---|---|---|
//! | Adam | `α = lr·√(1−β2^t)/(1−β1^t)`, `p −= α·m/(√v + ε)`, ε = 1e-7 | `p −= lr/(1−β1^t) · m/(√v/√(1−β2^t) + ε)`, ε = 1e-8 |
//! | RMSprop | `p −= lr·g/√(v + ε)`, ρ = 0.9, ε = 1e-7 | `p −= lr·g/(√v + ε)`, α = 0.99, ε = 1e-8 |
//! | SGD | `v = μv − lr·g`, `p += v` | `b = μb + g`, `p −= lr·b` (equal for a constant lr) |
//!
//! Both use `m = β1·m + (1−β1)·g`, `v = β2·v + (1−β2)·g²`; the flavours differ only in where ε
//! enters relative to the bias correction, which shows in the first steps and for tiny gradients.
//!
//! Every optimiser can hand out its internal state ([`Optimizer::state`]: step count and moment
//! arrays) and take it back ([`Optimizer::set_state`]), so a checkpoint can carry it and a resumed
//! run continues bit for bit (see [`crate::checkpoint`]).

use std::collections::BTreeMap;

use ndarray::{ArrayD, Zip};
use rayon::prelude::*;
use tensor::reduce::{PIECE, worth_splitting};

use crate::params::{Grads, Params};
use crate::{Error, Result};

/// Applies gradients to parameters.
pub trait Optimizer: std::fmt::Debug + Send {
    /// Update every trainable parameter that has a gradient.
    ///
    /// # Errors
    /// [`Error::Shape`] when a gradient's shape differs from its parameter's.
    fn step(&mut self, params: &mut Params, grads: &Grads) -> Result<()>;

    /// The optimiser's name (`adam`, `sgd`, `rmsprop`).
    fn name(&self) -> &'static str;

    /// A copy of the internal state (step count and per-parameter slot arrays). The default is
    /// the state of a stateless optimiser: its name and nothing else.
    fn state(&self) -> OptimizerState {
        OptimizerState {
            name: self.name().to_string(),
            ..OptimizerState::default()
        }
    }

    /// Replace the internal state with `state` (taken from an optimiser of the same kind).
    ///
    /// # Errors
    /// [`Error::Invalid`] when `state` belongs to another optimiser or names a slot this one
    /// does not keep. The default accepts only a stateless state of the same name.
    fn set_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect(self.name(), &[])?;
        if state.step != 0 {
            return Err(Error::Invalid(format!(
                "optimiser {} keeps no step count, the state has {}",
                self.name(),
                state.step
            )));
        }
        Ok(())
    }
}

/// An optimiser's internal state: what it needs besides the gradients to take its next step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptimizerState {
    /// The optimiser's name (`adam`, `sgd`, `rmsprop`).
    pub name: String,
    /// Steps taken so far (Adam's `t`; 0 for optimisers without a step count).
    pub step: u64,
    /// Per-parameter arrays by slot name (Adam `m` and `v`, SGD `velocity`, RMSprop `v`),
    /// indexed by [`ParamId::index`](crate::ParamId::index); `None` for a parameter that has not
    /// had a gradient yet.
    pub slots: BTreeMap<String, Vec<Option<ArrayD<f32>>>>,
}

impl OptimizerState {
    /// Check that this state belongs to optimiser `name` and holds no slot outside `slots`.
    fn expect(&self, name: &str, slots: &[&str]) -> Result<()> {
        if self.name != name {
            return Err(Error::Invalid(format!(
                "the optimiser state is for {:?}, the model is compiled with {name:?}",
                self.name
            )));
        }
        if let Some(bad) = self.slots.keys().find(|k| !slots.contains(&k.as_str())) {
            return Err(Error::Invalid(format!(
                "optimiser {name} keeps no slot {bad:?} (it keeps: {})",
                slots.join(", ")
            )));
        }
        Ok(())
    }

    fn slot(&self, name: &str) -> Vec<Option<ArrayD<f32>>> {
        self.slots.get(name).cloned().unwrap_or_default()
    }
}

/// Whose formula (and defaults) to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Keras 3.
    Keras,
    /// PyTorch.
    PyTorch,
}

/// The slot array of parameter `i` (zeros of `like`'s shape when it has none yet).
///
/// # Errors
/// [`Error::Shape`] when a slot restored from a state has another shape than the gradient.
fn slots<'a>(
    state: &'a mut Vec<Option<ArrayD<f32>>>,
    i: usize,
    like: &ArrayD<f32>,
) -> Result<&'a mut ArrayD<f32>> {
    if state.len() <= i {
        state.resize(i + 1, None);
    }
    let slot = state[i].get_or_insert_with(|| ArrayD::zeros(like.raw_dim()));
    if slot.shape() != like.shape() {
        return Err(crate::error::shape_err(
            format!("optimiser state of parameter {i} vs its gradient"),
            slot.shape(),
            like.shape(),
        ));
    }
    Ok(slot)
}

fn check(params: &Params, grads: &Grads) -> Result<()> {
    for (id, g) in grads.iter() {
        let p = params.get(id);
        if p.value.shape() != g.shape() {
            return Err(crate::error::shape_err(
                format!("optimiser: gradient of {}", p.name),
                g.shape(),
                p.value.shape(),
            ));
        }
    }
    Ok(())
}

/// Adam.
#[derive(Debug, Clone)]
pub struct Adam {
    /// Learning rate.
    pub lr: f32,
    /// β1.
    pub beta1: f32,
    /// β2.
    pub beta2: f32,
    /// ε.
    pub eps: f32,
    /// Formula.
    pub flavor: Flavor,
    t: u64,
    m: Vec<Option<ArrayD<f32>>>,
    v: Vec<Option<ArrayD<f32>>>,
}

impl Adam {
    /// Keras defaults: lr 1e-3, β 0.9 / 0.999, ε 1e-7, Keras formula.
    #[must_use]
    pub fn keras() -> Self {
        Self::new(1e-3, 0.9, 0.999, 1e-7, Flavor::Keras)
    }

    /// PyTorch defaults: lr 1e-3, β 0.9 / 0.999, ε 1e-8, PyTorch formula.
    #[must_use]
    pub fn pytorch() -> Self {
        Self::new(1e-3, 0.9, 0.999, 1e-8, Flavor::PyTorch)
    }

    /// Any settings.
    #[must_use]
    pub fn new(lr: f32, beta1: f32, beta2: f32, eps: f32, flavor: Flavor) -> Self {
        Self {
            lr,
            beta1,
            beta2,
            eps,
            flavor,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// The same optimiser with learning rate `lr`.
    #[must_use]
    pub fn with_lr(mut self, lr: f32) -> Self {
        self.lr = lr;
        self
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut Params, grads: &Grads) -> Result<()> {
        check(params, grads)?;
        self.t += 1;
        let t = self.t as i32;
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let bc1 = 1.0 - b1.powi(t);
        let bc2 = 1.0 - b2.powi(t);
        // Keras: p -= a·m/(√v + ε) with a = lr·√bc2/bc1; PyTorch: p -= a·m/(√v/sq + ε) with
        // a = lr/bc1, sq = √bc2. One fused pass over (p, g, m, v) updates the moments and the
        // weight together (the same arithmetic, in the same order, as three separate passes).
        let (a, sq) = match self.flavor {
            Flavor::Keras => (self.lr * bc2.sqrt() / bc1, 1.0),
            Flavor::PyTorch => (self.lr / bc1, bc2.sqrt()),
        };
        let (c1, c2) = (1.0 - b1, 1.0 - b2);
        for (id, g) in grads.iter() {
            if !params.get(id).trainable {
                continue;
            }
            slots(&mut self.m, id.index(), g)?;
            slots(&mut self.v, id.index(), g)?;
            let (Some(Some(m)), Some(Some(v))) =
                (self.m.get_mut(id.index()), self.v.get_mut(id.index()))
            else {
                continue;
            };
            let p = &mut params.get_mut(id).value;
            match self.flavor {
                Flavor::Keras => adam_pass(
                    p,
                    g,
                    m,
                    v,
                    c1,
                    c2,
                    #[inline(always)]
                    move |m, v| m * a / (v.sqrt() + eps),
                ),
                Flavor::PyTorch => {
                    adam_pass(
                        p,
                        g,
                        m,
                        v,
                        c1,
                        c2,
                        #[inline(always)]
                        move |m, v| a * m / (v.sqrt() / sq + eps),
                    );
                }
            }
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "adam"
    }
    fn state(&self) -> OptimizerState {
        OptimizerState {
            name: self.name().into(),
            step: self.t,
            slots: BTreeMap::from([("m".into(), self.m.clone()), ("v".into(), self.v.clone())]),
        }
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect(self.name(), &["m", "v"])?;
        self.t = state.step;
        self.m = state.slot("m");
        self.v = state.slot("v");
        Ok(())
    }
}

/// The weights, gradients and two moments of one element range, as the zipped chunks give them.
type AdamPiece<'a> = (((&'a mut [f32], &'a [f32]), &'a mut [f32]), &'a mut [f32]);

/// One fused Adam pass: `m += (g − m)·c1`, `v += (g² − v)·c2`, `p −= delta(m, v)` per element,
/// over plain slices when all four arrays are contiguous (so the loop vectorises), through
/// `Zip` otherwise.
fn adam_pass(
    p: &mut ArrayD<f32>,
    g: &ArrayD<f32>,
    m: &mut ArrayD<f32>,
    v: &mut ArrayD<f32>,
    c1: f32,
    c2: f32,
    delta: impl Fn(f32, f32) -> f32 + Sync,
) {
    #[inline(always)]
    fn update(
        p: &mut f32,
        g: f32,
        m: &mut f32,
        v: &mut f32,
        c: (f32, f32),
        d: &impl Fn(f32, f32) -> f32,
    ) {
        *m += (g - *m) * c.0;
        *v += (g * g - *v) * c.1;
        *p -= d(*m, *v);
    }
    match (
        p.as_slice_mut(),
        g.as_slice(),
        m.as_slice_mut(),
        v.as_slice_mut(),
    ) {
        (Some(ps), Some(gs), Some(ms), Some(vs)) if ps.len() == gs.len() => {
            // Compiled for the widest vector set: the same IEEE operations per element (sqrt and
            // division are correctly rounded at every width), 16 lanes at a time.
            let piece = |(((ps, gs), ms), vs): AdamPiece<'_>| {
                tensor::activation::with_widest_simd(
                    #[inline(always)]
                    || {
                        for (((p, &g), m), v) in ps.iter_mut().zip(gs).zip(ms).zip(vs) {
                            update(p, g, m, v, (c1, c2), &delta);
                        }
                    },
                );
            };
            // Element ranges over the pool when large: each element's update is the same.
            if worth_splitting(ps.len()) {
                ps.par_chunks_mut(PIECE)
                    .zip(gs.par_chunks(PIECE))
                    .zip(ms.par_chunks_mut(PIECE))
                    .zip(vs.par_chunks_mut(PIECE))
                    .for_each(piece);
            } else {
                piece((((ps, gs), ms), vs));
            }
        }
        _ => Zip::from(p)
            .and(g)
            .and(m)
            .and(v)
            .for_each(|p, &g, m, v| update(p, g, m, v, (c1, c2), &delta)),
    }
}

/// Stochastic gradient descent with optional momentum (Keras form).
#[derive(Debug, Clone)]
pub struct Sgd {
    /// Learning rate.
    pub lr: f32,
    /// Momentum μ (0 for plain SGD).
    pub momentum: f32,
    velocity: Vec<Option<ArrayD<f32>>>,
}

impl Sgd {
    /// SGD with learning rate `lr` and momentum `momentum` (Keras default: 0.01, 0).
    #[must_use]
    pub fn new(lr: f32, momentum: f32) -> Self {
        Self {
            lr,
            momentum,
            velocity: Vec::new(),
        }
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut Params, grads: &Grads) -> Result<()> {
        check(params, grads)?;
        for (id, g) in grads.iter() {
            if !params.get(id).trainable {
                continue;
            }
            let p = &mut params.get_mut(id).value;
            if self.momentum == 0.0 {
                Zip::from(p).and(g).for_each(|p, &g| *p -= self.lr * g);
            } else {
                let v = slots(&mut self.velocity, id.index(), g)?;
                let (mu, lr) = (self.momentum, self.lr);
                Zip::from(&mut *v)
                    .and(g)
                    .for_each(|v, &g| *v = mu * *v - lr * g);
                *p += &*v;
            }
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "sgd"
    }
    fn state(&self) -> OptimizerState {
        OptimizerState {
            name: self.name().into(),
            step: 0,
            slots: BTreeMap::from([("velocity".into(), self.velocity.clone())]),
        }
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect(self.name(), &["velocity"])?;
        self.velocity = state.slot("velocity");
        Ok(())
    }
}

/// RMSprop (no momentum, not centred).
#[derive(Debug, Clone)]
pub struct RmsProp {
    /// Learning rate.
    pub lr: f32,
    /// Decay ρ (PyTorch's α).
    pub rho: f32,
    /// ε.
    pub eps: f32,
    /// Formula.
    pub flavor: Flavor,
    v: Vec<Option<ArrayD<f32>>>,
}

impl RmsProp {
    /// Keras defaults: lr 1e-3, ρ 0.9, ε 1e-7.
    #[must_use]
    pub fn keras() -> Self {
        Self {
            lr: 1e-3,
            rho: 0.9,
            eps: 1e-7,
            flavor: Flavor::Keras,
            v: Vec::new(),
        }
    }

    /// PyTorch defaults: lr 1e-2, α 0.99, ε 1e-8.
    #[must_use]
    pub fn pytorch() -> Self {
        Self {
            lr: 1e-2,
            rho: 0.99,
            eps: 1e-8,
            flavor: Flavor::PyTorch,
            v: Vec::new(),
        }
    }
}

impl Optimizer for RmsProp {
    fn step(&mut self, params: &mut Params, grads: &Grads) -> Result<()> {
        check(params, grads)?;
        for (id, g) in grads.iter() {
            if !params.get(id).trainable {
                continue;
            }
            let (rho, lr, eps, flavor) = (self.rho, self.lr, self.eps, self.flavor);
            let v = slots(&mut self.v, id.index(), g)?;
            Zip::from(&mut *v)
                .and(g)
                .for_each(|v, &g| *v = rho * *v + (1.0 - rho) * g * g);
            let p = &mut params.get_mut(id).value;
            match flavor {
                Flavor::Keras => Zip::from(p)
                    .and(g)
                    .and(&*v)
                    .for_each(|p, &g, &v| *p -= lr * g / (v + eps).sqrt()),
                Flavor::PyTorch => Zip::from(p)
                    .and(g)
                    .and(&*v)
                    .for_each(|p, &g, &v| *p -= lr * g / (v.sqrt() + eps)),
            }
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "rmsprop"
    }
    fn state(&self) -> OptimizerState {
        OptimizerState {
            name: self.name().into(),
            step: 0,
            slots: BTreeMap::from([("v".into(), self.v.clone())]),
        }
    }
    fn set_state(&mut self, state: &OptimizerState) -> Result<()> {
        state.expect(self.name(), &["v"])?;
        self.v = state.slot("v");
        Ok(())
    }
}

/// An optimiser with Keras defaults by name: `adam`, `sgd`, `rmsprop`.
///
/// # Errors
/// [`Error::UnknownName`] listing the valid names.
pub fn by_name(name: &str) -> Result<Box<dyn Optimizer>> {
    match name {
        "adam" => Ok(Box::new(Adam::keras())),
        "sgd" => Ok(Box::new(Sgd::new(0.01, 0.0))),
        "rmsprop" => Ok(Box::new(RmsProp::keras())),
        _ => Err(Error::UnknownName {
            kind: "optimiser",
            name: name.into(),
            valid: "adam, sgd, rmsprop".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    fn one(value: f32, grad: f32) -> (Params, Grads) {
        let mut ps = Params::new();
        let id = ps.add("p", ArrayD::from_elem(vec![1], value), true);
        let mut g = Grads::with_len(1);
        g.accumulate(id, ArrayD::from_elem(vec![1], grad));
        (ps, g)
    }

    fn first(ps: &Params) -> f64 {
        f64::from(ps.iter().next().map(|(_, p)| p.value[[0]]).unwrap())
    }

    #[test]
    fn adam_first_steps_match_hand_formulas() {
        // Reference values computed in f64 from the two libraries' formulas.
        let g = 1e-4f64;
        let (lr, b1, b2) = (1e-3f64, 0.9f64, 0.999f64);
        let m = (1.0 - b1) * g;
        let v = (1.0 - b2) * g * g;
        let keras = 1.0 - lr * (1.0 - b2).sqrt() / (1.0 - b1) * m / (v.sqrt() + 1e-7);
        let torch = 1.0 - lr / (1.0 - b1) * m / (v.sqrt() / (1.0 - b2).sqrt() + 1e-8);
        let (mut ps, gr) = one(1.0, g as f32);
        Adam::keras().step(&mut ps, &gr).unwrap();
        assert!(
            (first(&ps) - keras).abs() < 1e-7,
            "{} vs {keras}",
            first(&ps)
        );
        let (mut ps, gr) = one(1.0, g as f32);
        Adam::pytorch().step(&mut ps, &gr).unwrap();
        assert!(
            (first(&ps) - torch).abs() < 1e-7,
            "{} vs {torch}",
            first(&ps)
        );
        assert!(
            (keras - torch).abs() > 1e-6,
            "the flavours must differ for a small gradient"
        );
    }

    #[test]
    fn sgd_momentum_and_rmsprop() {
        let (mut ps, g) = one(1.0, 0.5);
        let mut sgd = Sgd::new(0.1, 0.9);
        sgd.step(&mut ps, &g).unwrap();
        sgd.step(&mut ps, &g).unwrap();
        // v1 = -0.05, p = 0.95; v2 = -0.045 - 0.05 = -0.095, p = 0.855
        assert!((first(&ps) - 0.855).abs() < 1e-6);
        let (mut ps, g) = one(1.0, 0.5);
        RmsProp::keras().step(&mut ps, &g).unwrap();
        let expect = 1.0 - 1e-3 * 0.5 / (0.1f64 * 0.25 + 1e-7).sqrt();
        assert!((first(&ps) - expect).abs() < 1e-6);
    }

    #[test]
    fn unknown_optimiser_lists_valid() {
        let e = by_name("adamw").unwrap_err().to_string();
        assert_eq!(e, "unknown optimiser \"adamw\"; valid: adam, sgd, rmsprop");
    }

    /// A large parameter's Adam step (split over the pool into element ranges), the clipping
    /// norm, the clipping and the finite scan give the same bits on 1, 2 and 3 threads.
    #[test]
    fn adam_and_clipping_split_over_threads_give_the_one_thread_bits() {
        let n = 5 * tensor::reduce::PIECE + 123;
        let wave = |k: f32| {
            ArrayD::from_shape_fn(vec![n / 3, 3], move |i| {
                ((i[0] * 3 + i[1]) as f32 * k).sin()
            })
        };
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let mut ps = Params::new();
                    let id = ps.add("big", wave(0.37), true);
                    let mut adam = Adam::pytorch();
                    let mut norms = Vec::new();
                    for step in 0..3u8 {
                        let mut g = Grads::with_len(1);
                        g.accumulate(id, wave(0.011 + f32::from(step)));
                        g.accumulate(id, wave(0.5));
                        assert!(g.first_non_finite().is_none());
                        norms.push(g.clip_global_norm(1.0).unwrap().to_bits());
                        adam.step(&mut ps, &g).unwrap();
                    }
                    let bits: Vec<u32> = ps.get(id).value.iter().map(|v| v.to_bits()).collect();
                    (norms, bits)
                })
        };
        let one = run(1);
        assert_eq!(run(2), one);
        assert_eq!(run(3), one);
    }
}
