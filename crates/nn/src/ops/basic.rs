//! Element-wise, matrix and shape ops as methods on [`Tape`].
//!
//! Binary element-wise ops broadcast like numpy; their gradients are summed back to each
//! operand's shape. `matmul` multiplies `(..., k)` by a 2-D `(k, n)` (leading axes flattened, so a
//! Dense layer applies to every time step of a `(batch, time, features)` input).

use ndarray::{Array2, ArrayD, ArrayView2, Axis, IxDyn, Slice};
use rand::Rng;
use tensor::activation::{relu, sigmoid};
use tensor::reduce::{broadcast_shape, column_sums};
use tensor::softmax::{log_softmax_last_axis_inplace, softmax_last_axis_inplace};

use crate::error::shape_err;
use crate::params::scalar;
use crate::tape::{Op, Tape, Var};

/// A gradient for one input of an op.
pub(crate) type InputGrad = (Var, ArrayD<f32>);
use crate::{Error, Result};

/// View an array as 2-D `(prod(leading), last)`; the array must be in standard layout.
pub(crate) fn as_2d(a: &ArrayD<f32>) -> Result<ArrayView2<'_, f32>> {
    let last = *a.shape().last().unwrap_or(&1);
    let rows = a.len().checked_div(last).unwrap_or(0);
    a.view()
        .into_shape_with_order((rows, last))
        .map_err(|_| Error::Invalid(format!("array of shape {:?} is not contiguous", a.shape())))
}

/// The 2-D kernel of a product with `x: (..., k)`, as a `(k, n)` view: `w` itself, or `wᵀ` when
/// `transposed` (then `w` is `(n, k)`). [`Error::Shape`] names `op` when `w` is not 2-D or `k`
/// differs.
pub(crate) fn kernel_2d<'a>(
    op: &str,
    x_shape: &[usize],
    w: &'a ArrayD<f32>,
    transposed: bool,
) -> Result<ArrayView2<'a, f32>> {
    let inner = usize::from(transposed);
    let fits = w.ndim() == 2 && x_shape.last().is_some_and(|&k| k == w.shape()[inner]);
    if !fits {
        return Err(shape_err(op, x_shape, w.shape()));
    }
    let w2 = w
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .map_err(|_| shape_err(op, x_shape, w.shape()))?;
    Ok(if transposed { w2.reversed_axes() } else { w2 })
}

/// `out: (rows, n)` reshaped to `x_shape` with its last axis replaced by `n`.
fn with_last_axis(out: Array2<f32>, x_shape: &[usize]) -> Result<ArrayD<f32>> {
    let mut shape = x_shape.to_vec();
    if let Some(last) = shape.last_mut() {
        *last = out.ncols();
    }
    out.into_shape_with_order(IxDyn(&shape))
        .map_err(|e| Error::Invalid(e.to_string()))
}

impl Tape<'_> {
    /// Matrix product of `a: (..., k)` and `b: (k, n)`, giving `(..., n)`.
    ///
    /// # Errors
    /// [`Error::Shape`] when `b` is not 2-D or the inner dimensions differ.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        self.product(a, b, false)
    }

    /// Matrix product of `a: (..., k)` and the transpose of `b: (n, k)`, giving `(..., n)`, without
    /// copying `b` (a tied output layer's product with the embedding table).
    ///
    /// # Errors
    /// [`Error::Shape`] when `b` is not 2-D or the inner dimensions differ.
    pub fn matmul_transposed(&mut self, a: Var, b: Var) -> Result<Var> {
        self.product(a, b, true)
    }

    /// `a · b`, or `a · bᵀ` when `transposed`, over all leading axes of `a`.
    fn product(&mut self, a: Var, b: Var, transposed: bool) -> Result<Var> {
        let op_name = if transposed {
            "matmul_transposed"
        } else {
            "matmul"
        };
        let (av, bv) = (self.value(a), self.value(b));
        let b2 = kernel_2d(op_name, av.shape(), bv, transposed)?;
        let out = tensor::linalg::matmul(&as_2d(av)?, &b2)?;
        let out = with_last_axis(out, av.shape())?;
        let op = if transposed {
            Op::MatMulT(a, b)
        } else {
            Op::MatMul(a, b)
        };
        Ok(self.push(out, op, &[a, b]))
    }

    /// `x · w + b` for `x: (..., k)`, `w: (k, n)` and `b: (n)`, giving `(..., n)` (what a Dense
    /// layer computes): one matrix product over all leading axes, accumulated onto the bias
    /// broadcast into the output, so no second pass and no second array of the output's size.
    /// Its backward pass makes the two products and sums the bias gradient over rows.
    ///
    /// # Errors
    /// [`Error::Shape`] when `w` is not 2-D, the inner dimensions differ or `b` is not `(n)`.
    pub fn affine(&mut self, x: Var, w: Var, b: Var) -> Result<Var> {
        self.affine_product(x, w, b, false)
    }

    /// `x · wᵀ + b` for `x: (..., k)`, `w: (n, k)` and `b: (n)`, giving `(..., n)`: [`Tape::affine`]
    /// with the kernel read transposed (a tied output layer: `w` is the embedding table).
    ///
    /// # Errors
    /// [`Error::Shape`] when `w` is not 2-D, the inner dimensions differ or `b` is not `(n)`.
    pub fn affine_transposed(&mut self, x: Var, w: Var, b: Var) -> Result<Var> {
        self.affine_product(x, w, b, true)
    }

    /// `x · w + b`, or `x · wᵀ + b` when `transposed`: the product accumulated onto the bias.
    fn affine_product(&mut self, x: Var, w: Var, b: Var, transposed: bool) -> Result<Var> {
        let (xv, wv, bv) = (self.value(x), self.value(w), self.value(b));
        let w2 = kernel_2d("affine (input vs kernel)", xv.shape(), wv, transposed)?;
        let n = w2.ncols();
        if bv.shape() != [n] {
            return Err(shape_err("affine (kernel vs bias)", wv.shape(), bv.shape()));
        }
        let x2 = as_2d(xv)?;
        let bias = bv
            .as_slice()
            .ok_or_else(|| Error::Invalid("affine: bias is not contiguous".into()))?;
        let rows = x2.nrows();
        let mut data = Vec::with_capacity(rows * n);
        for _ in 0..rows {
            data.extend_from_slice(bias);
        }
        let mut out =
            Array2::from_shape_vec((rows, n), data).map_err(|e| Error::Invalid(e.to_string()))?;
        tensor::linalg::matmul_into(1.0, &x2, &w2, 1.0, &mut out.view_mut())?;
        let out = with_last_axis(out, xv.shape())?;
        Ok(self.push(
            out,
            Op::Affine {
                x,
                w,
                b,
                transposed,
            },
            &[x, w, b],
        ))
    }

    fn broadcast_check(&self, op: &'static str, a: Var, b: Var) -> Result<()> {
        broadcast_shape(op, self.shape(a), self.shape(b))
            .map(|_| ())
            .map_err(|_| shape_err(op, self.shape(a), self.shape(b)))
    }

    /// `a + b` with broadcasting.
    ///
    /// # Errors
    /// [`Error::Shape`] when the shapes do not broadcast.
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        self.broadcast_check("add", a, b)?;
        let out = self.value(a) + self.value(b);
        Ok(self.push(out, Op::Add(a, b), &[a, b]))
    }

    /// `a - b` with broadcasting.
    ///
    /// # Errors
    /// [`Error::Shape`] when the shapes do not broadcast.
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        self.broadcast_check("sub", a, b)?;
        let out = self.value(a) - self.value(b);
        Ok(self.push(out, Op::Sub(a, b), &[a, b]))
    }

    /// `a ⊙ b` (element-wise) with broadcasting.
    ///
    /// # Errors
    /// [`Error::Shape`] when the shapes do not broadcast.
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        self.broadcast_check("mul", a, b)?;
        let out = self.value(a) * self.value(b);
        Ok(self.push(out, Op::Mul(a, b), &[a, b]))
    }

    /// `s · a` for a constant scalar `s`.
    pub fn scale(&mut self, a: Var, s: f32) -> Var {
        let out = self.value(a).mapv(|v| v * s);
        self.push(out, Op::Scale(a, s), &[a])
    }

    /// Logistic sigmoid.
    pub fn sigmoid(&mut self, a: Var) -> Var {
        let out = self.value(a).mapv(sigmoid);
        self.push(out, Op::Sigmoid(a), &[a])
    }

    /// Hyperbolic tangent.
    pub fn tanh(&mut self, a: Var) -> Var {
        let out = self.value(a).mapv(f32::tanh);
        self.push(out, Op::Tanh(a), &[a])
    }

    /// `max(a, 0)`.
    pub fn relu(&mut self, a: Var) -> Var {
        let out = self.value(a).mapv(relu);
        self.push(out, Op::Relu(a), &[a])
    }

    /// Softmax along the last axis (numerically stable).
    pub fn softmax(&mut self, a: Var) -> Var {
        let mut out = self.value(a).clone();
        softmax_last_axis_inplace(&mut out);
        self.push(out, Op::Softmax(a), &[a])
    }

    /// Log-softmax along the last axis (numerically stable).
    pub fn log_softmax(&mut self, a: Var) -> Var {
        let mut out = self.value(a).clone();
        log_softmax_last_axis_inplace(&mut out);
        self.push(out, Op::LogSoftmax(a), &[a])
    }

    /// Concatenate along `axis`.
    ///
    /// # Errors
    /// [`Error::Shape`] when the other axes differ or `axis` is out of range.
    pub fn concat(&mut self, parts: &[Var], axis: usize) -> Result<Var> {
        let Some(&first) = parts.first() else {
            return Err(Error::Invalid("concat: no inputs".into()));
        };
        let views: Vec<_> = parts.iter().map(|&v| self.value(v).view()).collect();
        if axis >= self.shape(first).len() {
            return Err(Error::Invalid(format!(
                "concat: axis {axis} out of range for shape {:?}",
                self.shape(first)
            )));
        }
        let out = ndarray::concatenate(Axis(axis), &views).map_err(|_| {
            let other = parts
                .iter()
                .map(|&v| self.shape(v))
                .find(|s| *s != self.shape(first))
                .unwrap_or(&[]);
            shape_err(
                format!("concat along axis {axis}"),
                self.shape(first),
                other,
            )
        })?;
        Ok(self.push(out, Op::Concat(parts.to_vec(), axis), parts))
    }

    fn check_axis(&self, op: &str, a: Var, axis: usize) -> Result<()> {
        if axis < self.shape(a).len() {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "{op}: axis {axis} out of range for shape {:?}",
                self.shape(a)
            )))
        }
    }

    /// Elements `start..end` along `axis` (the axis is kept).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an axis or range out of bounds.
    pub fn slice(&mut self, a: Var, axis: usize, start: usize, end: usize) -> Result<Var> {
        self.check_axis("slice", a, axis)?;
        let n = self.shape(a)[axis];
        if start > end || end > n {
            return Err(Error::Invalid(format!(
                "slice: range {start}..{end} out of bounds for axis {axis} of length {n}"
            )));
        }
        let out = self
            .value(a)
            .slice_axis(Axis(axis), Slice::from(start..end))
            .as_standard_layout()
            .into_owned();
        Ok(self.push(out, Op::Slice { a, axis, start }, &[a]))
    }

    /// Element `index` along `axis` (the axis is removed).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an axis or index out of bounds.
    pub fn select(&mut self, a: Var, axis: usize, index: usize) -> Result<Var> {
        self.check_axis("select", a, axis)?;
        let n = self.shape(a)[axis];
        if index >= n {
            return Err(Error::Invalid(format!(
                "select: index {index} out of bounds for axis {axis} of length {n}"
            )));
        }
        let out = self
            .value(a)
            .index_axis(Axis(axis), index)
            .as_standard_layout()
            .into_owned();
        Ok(self.push(out, Op::Select { a, axis, index }, &[a]))
    }

    /// Reshape (row-major) to `shape`.
    ///
    /// # Errors
    /// [`Error::Shape`] when the element counts differ.
    pub fn reshape(&mut self, a: Var, shape: &[usize]) -> Result<Var> {
        let v = self.value(a);
        if v.len() != shape.iter().product::<usize>() {
            return Err(shape_err("reshape", v.shape(), shape));
        }
        let out = v
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order(IxDyn(shape))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(self.push(out, Op::Reshape(a), &[a]))
    }

    /// Reverse the order of elements along `axis` (e.g. time, for a backward-running layer).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an axis out of range.
    pub fn reverse(&mut self, a: Var, axis: usize) -> Result<Var> {
        self.check_axis("reverse", a, axis)?;
        let out = self
            .value(a)
            .slice_axis(Axis(axis), Slice::new(0, None, -1))
            .as_standard_layout()
            .into_owned();
        Ok(self.push(out, Op::Reverse(a, axis), &[a]))
    }

    /// Sum of all elements (a scalar).
    pub fn sum(&mut self, a: Var) -> Var {
        let out = scalar(self.value(a).sum());
        self.push(out, Op::Sum(a), &[a])
    }

    /// Mean of all elements (a scalar).
    pub fn mean(&mut self, a: Var) -> Var {
        let v = self.value(a);
        let out = scalar(v.sum() / v.len().max(1) as f32);
        self.push(out, Op::Mean(a), &[a])
    }

    /// Rows of `table: (vocab, dim)` at `indices` (an embedding lookup). The result has shape
    /// `index_shape + [dim]`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an index out of range; [`Error::Shape`] when `table` is not 2-D or
    /// `index_shape` does not hold `indices.len()` elements.
    pub fn gather(&mut self, table: Var, indices: &[usize], index_shape: &[usize]) -> Result<Var> {
        let t = self.value(table);
        if t.ndim() != 2 {
            return Err(shape_err("gather (table must be 2-D)", t.shape(), &[]));
        }
        if index_shape.iter().product::<usize>() != indices.len() {
            return Err(shape_err(
                "gather (index shape)",
                index_shape,
                &[indices.len()],
            ));
        }
        let (vocab, dim) = (t.shape()[0], t.shape()[1]);
        if let Some(&bad) = indices.iter().find(|&&i| i >= vocab) {
            return Err(Error::Invalid(format!(
                "gather: index {bad} out of range for a table of {vocab} rows"
            )));
        }
        let t2 = as_2d(t)?;
        let mut data = Vec::with_capacity(indices.len() * dim);
        for &i in indices {
            data.extend(t2.row(i).iter().copied());
        }
        let mut shape = index_shape.to_vec();
        shape.push(dim);
        let out = ArrayD::from_shape_vec(IxDyn(&shape), data)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(self.push(
            out,
            Op::Gather {
                table,
                indices: indices.to_vec(),
            },
            &[table],
        ))
    }

    /// Inverted dropout: in training mode each element is zeroed with probability `rate` and the
    /// rest scaled by `1/(1-rate)`; in inference mode the identity. Draws from `rng`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a rate outside `[0, 1)`.
    pub fn dropout<R: Rng + ?Sized>(&mut self, a: Var, rate: f32, rng: &mut R) -> Result<Var> {
        if !(0.0..1.0).contains(&rate) {
            return Err(Error::Invalid(format!(
                "dropout rate must be in [0, 1), got {rate}"
            )));
        }
        if !self.training || rate == 0.0 {
            return Ok(a);
        }
        let mask = ArrayD::from_shape_simple_fn(IxDyn(self.shape(a)), || keep_or_drop(rng, rate));
        let out = self.value(a) * &mask;
        Ok(self.push(out, Op::Dropout { a, mask }, &[a]))
    }
}

/// One value of an inverted-dropout mask: 0 with probability `rate` (one `f32` drawn from
/// `rng`), else `1 / (1 − rate)`. [`Tape::dropout`] draws its masks with it; a caller building its
/// own mask shape (variational or whole-word dropout) draws the same values.
pub fn keep_or_drop<R: Rng + ?Sized>(rng: &mut R, rate: f32) -> f32 {
    if rng.random::<f32>() < rate {
        0.0
    } else {
        1.0 / (1.0 - rate)
    }
}

/// The gradients of the inputs of a product `a · b` (or `a · bᵀ` when `transposed`) that need
/// one, from its output gradient `scale · g`: `scale · g · bᵀ` (`· b`) for `a`, `scale · aᵀ · g`
/// (`scale · gᵀ · a`) for `b`, the factor folded into the products.
pub(crate) fn product_backward(
    tape: &Tape<'_>,
    (a, b): (Var, Var),
    transposed: bool,
    g: &ArrayD<f32>,
    scale: f32,
) -> Result<Vec<InputGrad>> {
    let (av, bv) = (tape.value(a), tape.value(b));
    let b2 = bv
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let g2 = as_2d(g)?;
    let mut out = Vec::with_capacity(3);
    if tape.needs_grad(a) {
        let b_side = if transposed { b2.view() } else { b2.t() };
        let da = tensor::linalg::matmul_scaled(scale, &g2, &b_side)?
            .into_shape_with_order(IxDyn(av.shape()))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        out.push((a, da));
    }
    if tape.needs_grad(b) {
        let a2 = as_2d(av)?;
        let db = if transposed {
            tensor::linalg::matmul_scaled(scale, &g2.t(), &a2)?
        } else {
            tensor::linalg::matmul_scaled(scale, &a2.t(), &g2)?
        };
        out.push((b, db.into_dyn()));
    }
    Ok(out)
}

/// The gradients of [`Tape::affine`]'s (or [`Tape::affine_transposed`]'s) inputs that need one,
/// from its output gradient `scale · g`: those of the product ([`product_backward`]), and the
/// column sums of `g` (over every leading axis) times `scale` for `b`, when there is one. `sums`
/// are those column sums when the forward pass already took them.
pub(crate) fn affine_backward(
    tape: &Tape<'_>,
    (x, w, b): (Var, Var, Option<Var>),
    transposed: bool,
    g: &ArrayD<f32>,
    scale: f32,
    sums: Option<&[f32]>,
) -> Result<Vec<InputGrad>> {
    let mut out = product_backward(tape, (x, w), transposed, g, scale)?;
    if let Some(b) = b.filter(|&b| tape.needs_grad(b)) {
        let n = *g.shape().last().unwrap_or(&1);
        let mut db = match sums {
            Some(s) if s.len() == n => s.to_vec(),
            _ => {
                let flat = g
                    .as_slice()
                    .ok_or_else(|| Error::Invalid("affine: gradient is not contiguous".into()))?;
                column_sums(flat, n)
            }
        };
        tensor::reduce::scale_inplace(&mut db, scale);
        out.push((
            b,
            ArrayD::from_shape_vec(IxDyn(&[n]), db).map_err(|e| Error::Invalid(e.to_string()))?,
        ));
    }
    Ok(out)
}
