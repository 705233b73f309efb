//! Parameter storage: an arena of named arrays that layers refer to by [`ParamId`].
//!
//! Layers own ids, not arrays; a [`Tape`](crate::Tape) borrows the store while it records, and
//! `backward` returns [`Grads`] indexed by the same ids, which an optimiser then applies to the
//! store. No array is copied onto the tape.

use ndarray::{ArrayD, IxDyn};

use crate::{Error, Result};

/// Index of a parameter in a [`Params`] store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub(crate) usize);

impl ParamId {
    /// The position of this parameter in its store.
    #[must_use]
    pub fn index(self) -> usize {
        self.0
    }
}

/// One stored parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name, e.g. `lstm/kernel` (Keras-style `<layer>/<weight>`).
    pub name: String,
    /// The value.
    pub value: ArrayD<f32>,
    /// Whether optimisers update it and `backward` computes its gradient.
    pub trainable: bool,
}

/// An arena of parameters.
#[derive(Debug, Clone, Default)]
pub struct Params {
    entries: Vec<Param>,
}

impl Params {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a parameter and return its id.
    pub fn add(&mut self, name: impl Into<String>, value: ArrayD<f32>, trainable: bool) -> ParamId {
        self.entries.push(Param {
            name: name.into(),
            value,
            trainable,
        });
        ParamId(self.entries.len() - 1)
    }

    /// The parameter with id `id`.
    ///
    /// # Panics
    /// Never for ids this store returned; an id from another store may be out of range.
    #[must_use]
    pub fn get(&self, id: ParamId) -> &Param {
        &self.entries[id.0]
    }

    /// Mutable access to a parameter.
    pub fn get_mut(&mut self, id: ParamId) -> &mut Param {
        &mut self.entries[id.0]
    }

    /// Replace a parameter's value, checking that the shape stays the same.
    ///
    /// # Errors
    /// [`Error::Shape`] naming the parameter when the shapes differ.
    pub fn set(&mut self, id: ParamId, value: ArrayD<f32>) -> Result<()> {
        let p = &mut self.entries[id.0];
        if p.value.shape() != value.shape() {
            return Err(crate::error::shape_err(
                format!("setting parameter {}", p.name),
                p.value.shape(),
                value.shape(),
            ));
        }
        p.value = value;
        Ok(())
    }

    /// Number of parameters (arrays).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the store is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Iterate over `(id, parameter)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &Param)> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, p)| (ParamId(i), p))
    }

    /// Total number of scalar weights, and how many of them are trainable.
    #[must_use]
    pub fn count(&self) -> (usize, usize) {
        let total = self.entries.iter().map(|p| p.value.len()).sum();
        let trainable = self
            .entries
            .iter()
            .filter(|p| p.trainable)
            .map(|p| p.value.len())
            .sum();
        (total, trainable)
    }

    /// Find a parameter by name.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<ParamId> {
        self.entries
            .iter()
            .position(|p| p.name == name)
            .map(ParamId)
    }
}

/// Gradients produced by [`Tape::backward`](crate::Tape::backward), indexed by [`ParamId`].
#[derive(Debug, Clone, Default)]
pub struct Grads {
    pub(crate) by_param: Vec<Option<ArrayD<f32>>>,
    pub(crate) vars: std::collections::HashMap<usize, ArrayD<f32>>,
}

impl Grads {
    /// Empty gradients for a store with `n` parameters.
    #[must_use]
    pub fn with_len(n: usize) -> Self {
        Self {
            by_param: vec![None; n],
            vars: std::collections::HashMap::new(),
        }
    }

    /// The gradient of parameter `id`, if the loss depends on it.
    #[must_use]
    pub fn get(&self, id: ParamId) -> Option<&ArrayD<f32>> {
        self.by_param.get(id.0).and_then(Option::as_ref)
    }

    /// The gradient of a [`Tape::variable`](crate::Tape::variable), if the loss depends on it.
    #[must_use]
    pub fn var(&self, v: crate::Var) -> Option<&ArrayD<f32>> {
        self.vars.get(&v.0)
    }

    /// Add `g` to the gradient of `id`.
    pub(crate) fn accumulate(&mut self, id: ParamId, g: ArrayD<f32>) {
        if self.by_param.len() <= id.0 {
            self.by_param.resize(id.0 + 1, None);
        }
        match &mut self.by_param[id.0] {
            Some(acc) => {
                let same_shape = acc.shape() == g.shape();
                match (acc.as_slice_mut(), g.as_slice()) {
                    // Vectorised, and split over the pool when large (the same bits).
                    (Some(a), Some(x)) if same_shape => tensor::reduce::add_assign(a, x),
                    _ => *acc += &g,
                }
            }
            slot @ None => *slot = Some(g),
        }
    }

    /// The global L2 norm over all gradients (in f64, returned as f32).
    #[must_use]
    pub fn global_norm(&self) -> f32 {
        let sq: f64 = self
            .by_param
            .iter()
            .flatten()
            .map(|g| match g.as_slice_memory_order() {
                Some(s) => tensor::reduce::sum_of_squares(s),
                None => g.iter().map(|&v| f64::from(v).powi(2)).sum(),
            })
            .sum();
        sq.sqrt() as f32
    }

    /// Scale all gradients so that their global norm is at most `max_norm`
    /// (PyTorch `clip_grad_norm_` / Keras `global_clipnorm`). Returns the norm before clipping.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a non-positive or non-finite `max_norm`.
    pub fn clip_global_norm(&mut self, max_norm: f32) -> Result<f32> {
        check_clip_norm(max_norm)?;
        let norm = self.global_norm();
        self.scale_to(norm, max_norm);
        Ok(norm)
    }

    /// Scale all gradients by `max_norm / norm` when `norm` (their global norm) is above
    /// `max_norm`.
    fn scale_to(&mut self, norm: f32, max_norm: f32) {
        if norm > max_norm {
            let scale = max_norm / norm;
            for g in self.by_param.iter_mut().flatten() {
                tensor::reduce::scale_array(g, scale);
            }
        }
    }

    /// A training step's gradient checks: the first NaN or infinite gradient element (as
    /// [`Grads::first_non_finite`]), or, when every one is finite and `max_norm` is given, the
    /// gradients clipped to that global norm (as [`Grads::clip_global_norm`]; nothing is clipped
    /// when one is not finite). With clipping the check costs no pass over the gradients of its
    /// own: the f64 sum of squares behind the norm is finite exactly when every gradient is (the
    /// square of an f32 cannot overflow an f64), so the element is looked for only when the norm
    /// is not finite. The norm is returned as an f32, which can also overflow with every
    /// gradient finite; the scan then finds nothing and the gradients are clipped as
    /// [`Grads::clip_global_norm`] does.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a non-positive or non-finite `max_norm`.
    pub fn check_finite_and_clip(
        &mut self,
        max_norm: Option<f32>,
    ) -> Result<Option<(ParamId, usize, f32)>> {
        let Some(max_norm) = max_norm else {
            return Ok(self.first_non_finite());
        };
        check_clip_norm(max_norm)?;
        let norm = self.global_norm();
        if !norm.is_finite() {
            if let Some(bad) = self.first_non_finite() {
                return Ok(Some(bad));
            }
        }
        self.scale_to(norm, max_norm);
        Ok(None)
    }

    /// The first gradient element that is NaN or infinite: the parameter, the flat index and the
    /// value.
    #[must_use]
    pub fn first_non_finite(&self) -> Option<(ParamId, usize, f32)> {
        self.iter().find_map(|(id, g)| {
            // A branch-free scan (vectorised) first; the position only when something is wrong.
            let clean = !tensor::reduce::array_has_non_finite(g);
            if clean {
                return None;
            }
            g.iter()
                .position(|v| !v.is_finite())
                .map(|i| (id, i, g.iter().nth(i).copied().unwrap_or(f32::NAN)))
        })
    }

    /// `Σ wᵢ · gᵢ` over `parts` `(gᵢ, wᵢ)` (shards' gradients and their shares of a batch), in
    /// order: each parameter's first gradient is scaled in place and the others added to it in the
    /// same pass ([`tensor::reduce::weighted_sum_assign`]), with the bits of scaling each gradient
    /// and adding them one by one. A parameter that only some parts have gets the sum of those.
    #[must_use]
    pub fn weighted_sum(parts: Vec<(Grads, f32)>) -> Grads {
        let len = parts
            .iter()
            .map(|(g, _)| g.by_param.len())
            .max()
            .unwrap_or(0);
        let mut columns: Vec<Vec<(ArrayD<f32>, f32)>> = (0..len).map(|_| Vec::new()).collect();
        for (g, w) in parts {
            for (column, slot) in columns.iter_mut().zip(g.by_param) {
                if let Some(a) = slot {
                    column.push((a, w));
                }
            }
        }
        let mut out = Grads::with_len(len);
        for (i, column) in columns.into_iter().enumerate() {
            let mut column = column.into_iter();
            let Some((mut acc, w0)) = column.next() else {
                continue;
            };
            let rest: Vec<(ArrayD<f32>, f32)> = column.collect();
            // Every other part's memory, when all are contiguous and of `acc`'s shape.
            let views: Option<Vec<(&[f32], f32)>> = rest
                .iter()
                .map(|(x, w)| {
                    let fits = x.shape() == acc.shape();
                    fits.then(|| x.as_slice()).flatten().map(|x| (x, *w))
                })
                .collect();
            match (acc.as_slice_mut(), views) {
                (Some(a), Some(views)) => {
                    tensor::reduce::weighted_sum_assign(a, w0, &views);
                    out.by_param[i] = Some(acc);
                }
                _ => {
                    tensor::reduce::scale_array(&mut acc, w0);
                    out.accumulate(ParamId(i), acc);
                    for (mut g, w) in rest {
                        tensor::reduce::scale_array(&mut g, w);
                        out.accumulate(ParamId(i), g);
                    }
                }
            }
        }
        out
    }

    /// Iterate over the gradients that exist.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &ArrayD<f32>)> {
        self.by_param
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.as_ref().map(|g| (ParamId(i), g)))
    }
}

/// A zero-dimensional (scalar) array.
pub(crate) fn scalar(v: f32) -> ArrayD<f32> {
    ArrayD::from_elem(IxDyn(&[]), v)
}

/// A clipping norm must be positive and finite.
fn check_clip_norm(max_norm: f32) -> Result<()> {
    if max_norm.is_finite() && max_norm > 0.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "clip norm must be positive and finite, got {max_norm}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_scales_to_the_global_norm() {
        let mut ps = Params::new();
        let a = ps.add("a", ArrayD::zeros(vec![2]), true);
        let b = ps.add("b", ArrayD::zeros(vec![1]), true);
        let mut g = Grads::with_len(2);
        g.accumulate(a, ArrayD::from_shape_vec(vec![2], vec![3.0, 0.0]).unwrap());
        g.accumulate(b, ArrayD::from_shape_vec(vec![1], vec![4.0]).unwrap());
        assert_eq!(g.clip_global_norm(10.0).unwrap(), 5.0);
        assert_eq!(g.get(b).unwrap()[[0]], 4.0);
        assert_eq!(g.clip_global_norm(1.0).unwrap(), 5.0);
        assert!((g.global_norm() - 1.0).abs() < 1e-6);
        assert!((g.get(a).unwrap()[[0]] - 0.6).abs() < 1e-6);
        assert!(g.clip_global_norm(0.0).is_err());
    }

    /// Gradients of two parameters, `b`'s holding `bad` at flat index 1 of 3.
    fn grads_with(bad: f32) -> (ParamId, Grads) {
        let mut ps = Params::new();
        let a = ps.add("a", ArrayD::zeros(vec![2]), true);
        let b = ps.add("b", ArrayD::zeros(vec![3]), true);
        let mut g = Grads::with_len(2);
        g.accumulate(a, ArrayD::from_shape_vec(vec![2], vec![3.0, -2.0]).unwrap());
        g.accumulate(
            b,
            ArrayD::from_shape_vec(vec![3], vec![4.0, bad, 1.5]).unwrap(),
        );
        (b, g)
    }

    /// The flat bits of every gradient.
    fn grad_bits(g: &Grads) -> Vec<u32> {
        g.iter()
            .flat_map(|(_, a)| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect()
    }

    /// Shards' gradients weighted and summed: a parameter every part has gets `Σ wᵢ·gᵢ` (each
    /// product rounded, the sums in order), one that only a later part has gets its share alone.
    #[test]
    fn weighted_sum_weights_every_part_in_order() {
        let (_, first) = grads_with(7.0);
        let (b, second) = grads_with(-2.0);
        let a = ParamId(0);
        let mut only_b = Grads::with_len(2);
        only_b.accumulate(
            b,
            ArrayD::from_shape_vec(vec![3], vec![1.0, 2.0, 3.0]).unwrap(),
        );
        let mut only_a_later = Grads::with_len(2);
        only_a_later.accumulate(a, ArrayD::from_shape_vec(vec![2], vec![0.5, 0.25]).unwrap());
        let sum = Grads::weighted_sum(vec![(only_b, 0.3), (first, 0.5), (second, 0.2)]);
        let want_b = [(1.0f32, 4.0f32, 4.0f32), (2.0, 7.0, -2.0), (3.0, 1.5, 1.5)]
            .map(|(o, f, s)| o * 0.3 + f * 0.5 + s * 0.2);
        assert_eq!(sum.get(b).unwrap().as_slice().unwrap(), &want_b);
        let want_a = [3.0f32 * 0.5 + 3.0 * 0.2, -2.0 * 0.5 + -2.0 * 0.2];
        assert_eq!(sum.get(a).unwrap().as_slice().unwrap(), &want_a);
        let lone = Grads::weighted_sum(vec![(Grads::with_len(2), 0.5), (only_a_later, 0.4)]);
        assert_eq!(
            lone.get(a).unwrap().as_slice().unwrap(),
            &[0.5 * 0.4, 0.25 * 0.4]
        );
        assert!(lone.get(b).is_none());
    }

    #[test]
    fn the_step_check_clips_finite_gradients_as_clip_global_norm_does() {
        for max_norm in [0.5f32, 100.0] {
            let (_, mut want) = grads_with(7.0);
            want.clip_global_norm(max_norm).unwrap();
            let (_, mut got) = grads_with(7.0);
            assert_eq!(got.check_finite_and_clip(Some(max_norm)).unwrap(), None);
            assert_eq!(grad_bits(&got), grad_bits(&want));
        }
        let (_, mut unclipped) = grads_with(7.0);
        let before = grad_bits(&unclipped);
        assert_eq!(unclipped.check_finite_and_clip(None).unwrap(), None);
        assert_eq!(grad_bits(&unclipped), before);
    }

    #[test]
    fn the_step_check_names_the_first_non_finite_gradient_and_clips_nothing() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for max_norm in [Some(0.5), Some(100.0), None] {
                let (b, mut g) = grads_with(bad);
                let before = grad_bits(&g);
                let found = g.check_finite_and_clip(max_norm).unwrap();
                let (id, index, value) = found.expect("the bad element is found");
                assert_eq!((id, index), (b, 1));
                assert_eq!(value.to_bits(), bad.to_bits());
                assert_eq!(grad_bits(&g), before);
            }
        }
        let (_, mut g) = grads_with(1.0);
        assert!(g.check_finite_and_clip(Some(0.0)).is_err());
        assert!(g.check_finite_and_clip(Some(f32::NAN)).is_err());
    }
}
