//! The tape: an arena of recorded values and the ops that made them, with reverse-mode `backward`.
//!
//! A [`Var`] is an index into the tape. Ops append a node holding their output value and, when
//! the tape records, what the backward pass needs (inputs and caches). `backward` walks the nodes
//! in reverse order once. A tape made with [`Tape::inference`] stores values only and refuses
//! `backward`; the fused recurrent kernels then also skip their caches.

use ndarray::{ArrayD, IxDyn};

use crate::ops::backward::{backward_node, gather_backward_into};
use crate::ops::recurrent::{GruCache, LstmCache, RnnCache};
use crate::params::{Grads, ParamId, Params};
use crate::{Error, Result};

/// A value on a [`Tape`] (an index; cheap to copy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Var(pub(crate) usize);

/// What produced a node, with what its backward pass needs.
#[derive(Debug)]
pub(crate) enum Op {
    Constant,
    Param(ParamId),
    /// A differentiable leaf that is not a stored parameter (its gradient is in `Grads::var`).
    Variable,
    MatMul(Var, Var),
    /// `a · bᵀ` with `b` 2-D `(n, k)` (see `Tape::matmul_transposed`).
    MatMulT(Var, Var),
    Add(Var, Var),
    Sub(Var, Var),
    Mul(Var, Var),
    Scale(Var, f32),
    Sigmoid(Var),
    Tanh(Var),
    Relu(Var),
    Softmax(Var),
    LogSoftmax(Var),
    Concat(Vec<Var>, usize),
    Slice {
        a: Var,
        axis: usize,
        start: usize,
    },
    Select {
        a: Var,
        axis: usize,
        index: usize,
    },
    Reshape(Var),
    Reverse(Var, usize),
    Sum(Var),
    Mean(Var),
    Gather {
        table: Var,
        indices: Vec<usize>,
    },
    Dropout {
        a: Var,
        mask: ArrayD<f32>,
    },
    Mse {
        pred: Var,
        target: ArrayD<f32>,
    },
    Mae {
        pred: Var,
        target: ArrayD<f32>,
    },
    CrossEntropy {
        logits: Var,
        targets: Vec<usize>,
        /// Each row's `ln Σ e^logit` (the backward pass rebuilds the softmax from it).
        log_sum_exp: Vec<f32>,
    },
    /// `x · w + b`, or `x · wᵀ + b` when `transposed` (see `Tape::affine`, `Tape::affine_transposed`).
    Affine {
        x: Var,
        w: Var,
        b: Var,
        transposed: bool,
    },
    /// The mean cross-entropy of the logits `x · w + b` (or `x · wᵀ + b`) against integer
    /// targets, the logits not kept (see `Tape::affine_cross_entropy`).
    AffineCrossEntropy {
        x: Var,
        w: Var,
        b: Option<Var>,
        transposed: bool,
        /// `softmax − one_hot` of every row, `(rows, classes)`: the gradient of each row's loss
        /// with respect to its logits.
        grad: ArrayD<f32>,
        /// The column sums of `grad` (the bias gradient before scaling), taken while the rows were
        /// written, when the bias needs a gradient.
        bias_sums: Option<Vec<f32>>,
    },
    Lstm(Box<LstmCache>),
    Gru(Box<GruCache>),
    Rnn(Box<RnnCache>),
    /// A second output of a multi-output op (the final LSTM cell state): its gradient is handed
    /// to the op at `of` instead of flowing through a normal input edge.
    Aux {
        of: Var,
    },
    /// A node recorded without backward information (inference mode).
    NoGrad,
}

#[derive(Debug)]
pub(crate) struct Node {
    /// `None` for parameter nodes, whose value lives in the [`Params`] store.
    pub(crate) value: Option<ArrayD<f32>>,
    pub(crate) op: Op,
    pub(crate) needs_grad: bool,
}

/// Records values and ops for one forward pass over a borrowed [`Params`] store.
#[derive(Debug)]
pub struct Tape<'p> {
    pub(crate) params: &'p Params,
    pub(crate) nodes: Vec<Node>,
    pub(crate) record: bool,
    pub(crate) training: bool,
}

impl<'p> Tape<'p> {
    /// A recording tape in training mode (dropout active).
    #[must_use]
    pub fn new(params: &'p Params) -> Self {
        Self {
            params,
            nodes: Vec::with_capacity(64),
            record: true,
            training: true,
        }
    }

    /// A tape that records nothing for backward (inference: dropout off, no caches kept).
    #[must_use]
    pub fn inference(params: &'p Params) -> Self {
        Self {
            params,
            nodes: Vec::with_capacity(64),
            record: false,
            training: false,
        }
    }

    /// Whether this tape records for backward.
    #[must_use]
    pub fn is_recording(&self) -> bool {
        self.record
    }

    /// Whether dropout is active.
    #[must_use]
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// The parameter store this tape reads.
    #[must_use]
    pub fn params(&self) -> &'p Params {
        self.params
    }

    /// Put a constant (input data, targets) on the tape.
    pub fn constant(&mut self, value: ArrayD<f32>) -> Var {
        let value = if value.is_standard_layout() {
            value
        } else {
            value.as_standard_layout().into_owned()
        };
        self.push_raw(Some(value), Op::Constant, false)
    }

    /// A differentiable input that is not a stored parameter (e.g. to get `∂loss/∂x`); its
    /// gradient is returned by [`Grads::var`](crate::Grads::var). On an inference tape it is a
    /// constant.
    pub fn variable(&mut self, value: ArrayD<f32>) -> Var {
        let rec = self.record;
        let value = if value.is_standard_layout() {
            value
        } else {
            value.as_standard_layout().into_owned()
        };
        self.push_raw(Some(value), Op::Variable, rec)
    }

    /// Refer to a stored parameter (no copy). Trainable parameters get gradients.
    pub fn param(&mut self, id: ParamId) -> Var {
        let trainable = self.params.get(id).trainable && self.record;
        self.push_raw(None, Op::Param(id), trainable)
    }

    /// The value of `v`.
    #[must_use]
    pub fn value(&self, v: Var) -> &ArrayD<f32> {
        let node = &self.nodes[v.0];
        match (&node.value, &node.op) {
            (Some(value), _) => value,
            (None, Op::Param(id)) => &self.params.get(*id).value,
            (None, _) => unreachable_value(),
        }
    }

    /// The shape of `v`.
    #[must_use]
    pub fn shape(&self, v: Var) -> &[usize] {
        self.value(v).shape()
    }

    /// Take the value of `v` out of an inference tape's last node cheaply (clones otherwise).
    #[must_use]
    pub fn to_array(&self, v: Var) -> ArrayD<f32> {
        self.value(v).clone()
    }

    /// Whether `v` needs a gradient (depends on a trainable parameter on a recording tape).
    pub(crate) fn needs_grad(&self, v: Var) -> bool {
        self.nodes[v.0].needs_grad
    }

    pub(crate) fn push_raw(&mut self, value: Option<ArrayD<f32>>, op: Op, needs_grad: bool) -> Var {
        self.nodes.push(Node {
            value,
            op,
            needs_grad,
        });
        Var(self.nodes.len() - 1)
    }

    /// Push an op result: records `op` only when the tape records and an input needs a gradient.
    pub(crate) fn push(&mut self, value: ArrayD<f32>, op: Op, inputs: &[Var]) -> Var {
        // Every stored value is kept in standard (row-major) layout so that kernels can view it
        // as a matrix without copying.
        let value = if value.is_standard_layout() {
            value
        } else {
            value.as_standard_layout().into_owned()
        };
        let needs = self.record && inputs.iter().any(|&v| self.needs_grad(v));
        let op = if needs { op } else { Op::NoGrad };
        self.push_raw(Some(value), op, needs)
    }

    /// Whether any of `inputs` needs a gradient (used by ops to skip building caches).
    pub(crate) fn any_needs_grad(&self, inputs: &[Var]) -> bool {
        self.record && inputs.iter().any(|&v| self.needs_grad(v))
    }

    /// Reverse-mode differentiation of the scalar `loss` with respect to every trainable
    /// parameter that it depends on.
    ///
    /// # Errors
    /// [`Error::Backward`] on an inference tape or when `loss` is not a scalar (one element).
    pub fn backward(&self, loss: Var) -> Result<Grads> {
        if !self.record {
            return Err(Error::Backward(
                "the tape is in inference mode and recorded nothing".into(),
            ));
        }
        let seed_value = self.value(loss);
        if seed_value.len() != 1 {
            return Err(Error::Backward(format!(
                "loss must have one element, got shape {:?}",
                seed_value.shape()
            )));
        }
        let mut grads: Vec<Option<ArrayD<f32>>> = Vec::new();
        grads.resize_with(loss.0 + 1, || None);
        let mut aux: Vec<Option<ArrayD<f32>>> = Vec::new();
        aux.resize_with(loss.0 + 1, || None);
        grads[loss.0] = Some(ArrayD::from_elem(IxDyn(seed_value.shape()), 1.0));
        let mut out = Grads::with_len(self.params.len());
        for i in (0..=loss.0).rev() {
            if !self.nodes[i].needs_grad {
                continue;
            }
            let Some(g) = grads[i].take() else { continue };
            match &self.nodes[i].op {
                Op::Param(id) => out.accumulate(*id, g),
                // An embedding lookup straight from a stored table: its rows go into the table's
                // gradient in place (no dense zeros of the table's size, no second pass adding it
                // to the gradient a tied output layer already left there).
                Op::Gather { table, indices } if self.param_of(*table).is_some() => {
                    if let Some(id) = self.param_of(*table) {
                        if out.by_param.len() <= id.0 {
                            out.by_param.resize(id.0 + 1, None);
                        }
                        let slot = &mut out.by_param[id.0];
                        gather_backward_into(slot, self.shape(*table), indices, &g)?;
                    }
                }
                Op::Variable => {
                    out.vars.insert(i, g);
                }
                Op::Aux { of } => accumulate(&mut aux, *of, g),
                _ => {
                    let aux_g = aux[i].take();
                    backward_node(self, i, g, aux_g, &mut grads)?;
                }
            }
        }
        Ok(out)
    }
}

impl Tape<'_> {
    /// The stored parameter `v` refers to, when `v` is a parameter node that needs a gradient.
    fn param_of(&self, v: Var) -> Option<crate::params::ParamId> {
        match self.nodes[v.0].op {
            Op::Param(id) if self.nodes[v.0].needs_grad => Some(id),
            _ => None,
        }
    }
}

/// Add `g` into the gradient slot of `v`.
pub(crate) fn accumulate(grads: &mut [Option<ArrayD<f32>>], v: Var, g: ArrayD<f32>) {
    match &mut grads[v.0] {
        Some(acc) => *acc += &g,
        slot @ None => *slot = Some(g),
    }
}

#[cold]
fn unreachable_value() -> ! {
    // Only parameter nodes are stored without a value; every other constructor stores one.
    panic!("tape node without a value")
}
