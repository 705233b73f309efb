//! Importing PyTorch `state_dict` and Keras weights into our layout.
//!
//! Our layout is Keras': kernel `(in, G·u)`, recurrent kernel `(u, G·u)`, gate blocks side by side.
//!
//! | Source | Conversion |
//! |---|---|
//! | PyTorch `nn.LSTM` `weight_ih_l{k}` `(4h, in)`, `weight_hh_l{k}` `(4h, h)`, `bias_ih_l{k}`, `bias_hh_l{k}` | transpose both matrices; gate order `i, f, g, o` is already ours; bias = `bias_ih + bias_hh`, or, for a layer built with `torch_biases(true)`, `bias = bias_ih` and `recurrent_bias = bias_hh` (then training moves both like PyTorch) |
//! | PyTorch `nn.GRU` (`r, z, n`) | reorder row blocks to `z, r, n`, transpose; bias `(2, 3h)` = `[bias_ih; bias_hh]` reordered the same way (`b_hn` stays separate: it is inside `r ⊙ (…)`) |
//! | PyTorch `nn.RNN` (tanh) | transpose; biases as for LSTM |
//! | PyTorch `nn.Linear` `weight (out, in)`, `bias` | transpose |
//! | Keras `LSTM` / `GRU(reset_after=True)` / `SimpleRNN` / `Dense` `<layer>/kernel`, `/recurrent_kernel`, `/bias` | as is |
//! | Keras `GRU(reset_after=False)` (bias `(3u)`) | as is, into a layer built with `gru(u).reset_after(false)` |
//! | Keras `Embedding` `<layer>/embeddings` `(vocab, dim)` | as is |
//! | Keras `Bidirectional` `<layer>/forward_<inner>/…`, `<layer>/backward_<inner>/…` | each direction as its inner layer; merge modes `concat`, `sum`, `mul`, `ave` |
//! | Keras `Dropout` | no weights: skipped |
//!
//! Bidirectional PyTorch layers: the `_reverse` tensors go to the backward direction.

use ndarray::{Array2, ArrayD, Axis, Ix2, concatenate, stack};

use crate::io::TensorFile;
use crate::layers::{Cell, Dense, Layer, LayerConfig, Recurrent};
use crate::model::Sequential;
use crate::params::Params;
use crate::{Error, Result};

/// A recurrent layer's weights in our (Keras) layout.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrentWeights {
    /// `(in, G·u)`.
    pub kernel: ArrayD<f32>,
    /// `(u, G·u)`.
    pub recurrent_kernel: ArrayD<f32>,
    /// `(G·u)`, or `(2, 3u)` for GRU (`reset_after`).
    pub bias: ArrayD<f32>,
    /// PyTorch's second bias `bias_hh` `(G·u)` for LSTM and SimpleRNN (`None` from Keras and
    /// for GRU, whose `(2, 3u)` bias holds both). [`Recurrent::set_weights`] keeps it separate
    /// when the layer was built with `torch_biases`, and adds it into `bias` otherwise.
    pub recurrent_bias: Option<ArrayD<f32>>,
}

fn matrix(file: &TensorFile, name: &str) -> Result<Array2<f32>> {
    let a = file.get(name)?;
    a.clone()
        .into_dimensionality::<Ix2>()
        .map_err(|_| Error::Shape {
            context: format!("tensor {name} must be 2-D"),
            left: a.shape().to_vec(),
            right: vec![],
        })
}

fn vector(file: &TensorFile, name: &str, len: usize) -> Result<ArrayD<f32>> {
    let a = file.get(name)?;
    if a.shape() != [len] {
        return Err(Error::Shape {
            context: format!("tensor {name}"),
            left: a.shape().to_vec(),
            right: vec![len],
        });
    }
    Ok(a.clone())
}

/// GRU blocks `r, z, n` → `z, r, n` along `axis`.
fn torch_gru_order(a: &ArrayD<f32>, axis: usize, h: usize) -> Result<ArrayD<f32>> {
    let block = |k: usize| a.slice_axis(Axis(axis), ndarray::Slice::from(k * h..(k + 1) * h));
    concatenate(Axis(axis), &[block(1), block(0), block(2)])
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Convert PyTorch recurrent tensors `{prefix}weight_ih_l{layer}[_reverse]` etc. for `cell`.
///
/// # Errors
/// [`Error::UnknownName`] for a missing tensor (listing those present); [`Error::Shape`] for
/// inconsistent shapes; [`Error::Invalid`] for [`Cell::GruResetBefore`] (PyTorch's `nn.GRU` is
/// the `reset_after` form, a different function).
pub fn from_torch(
    cell: Cell,
    file: &TensorFile,
    prefix: &str,
    layer: usize,
    reverse: bool,
) -> Result<RecurrentWeights> {
    if cell == Cell::GruResetBefore {
        return Err(Error::Invalid(format!(
            "PyTorch's nn.GRU ({prefix}weight_ih_l{layer}) applies the reset gate after the recurrent \
             product: import it into a GRU built with reset_after(true), not reset_after(false)"
        )));
    }
    let suffix = if reverse { "_reverse" } else { "" };
    let name = |w: &str| format!("{prefix}{w}_l{layer}{suffix}");
    let w_ih = matrix(file, &name("weight_ih"))?;
    let w_hh = matrix(file, &name("weight_hh"))?;
    let g = cell.gates();
    let h = w_hh.ncols();
    if w_hh.nrows() != g * h || w_ih.nrows() != g * h {
        return Err(Error::Shape {
            context: format!("{} for a {} ({g} gates)", name("weight_ih/hh"), cell.kind()),
            left: w_ih.shape().to_vec(),
            right: w_hh.shape().to_vec(),
        });
    }
    let b_ih = vector(file, &name("bias_ih"), g * h)?;
    let b_hh = vector(file, &name("bias_hh"), g * h)?;
    let kernel = w_ih
        .reversed_axes()
        .as_standard_layout()
        .into_owned()
        .into_dyn();
    let recurrent_kernel = w_hh
        .reversed_axes()
        .as_standard_layout()
        .into_owned()
        .into_dyn();
    Ok(match cell {
        Cell::Lstm | Cell::SimpleRnn => RecurrentWeights {
            kernel,
            recurrent_kernel,
            bias: b_ih,
            recurrent_bias: Some(b_hh),
        },
        Cell::Gru | Cell::GruResetBefore => RecurrentWeights {
            kernel: torch_gru_order(&kernel, 1, h)?,
            recurrent_kernel: torch_gru_order(&recurrent_kernel, 1, h)?,
            bias: stack(
                Axis(0),
                &[
                    torch_gru_order(&b_ih, 0, h)?.view(),
                    torch_gru_order(&b_hh, 0, h)?.view(),
                ],
            )
            .map_err(|e| Error::Invalid(e.to_string()))?,
            recurrent_bias: None,
        },
    })
}

/// Read Keras weights `<layer>/kernel`, `<layer>/recurrent_kernel`, `<layer>/bias`.
///
/// # Errors
/// [`Error::UnknownName`] for a missing tensor; [`Error::Invalid`] when the GRU bias says the
/// other GRU form: `(3u)` is Keras `reset_after=False` (import it into
/// `gru(u).reset_after(false)`), `(2, 3u)` is `reset_after=True`.
pub fn from_keras(cell: Cell, file: &TensorFile, layer: &str) -> Result<RecurrentWeights> {
    let kernel = file.get(&format!("{layer}/kernel"))?.clone();
    let recurrent_kernel = file.get(&format!("{layer}/recurrent_kernel"))?.clone();
    let bias = file.get(&format!("{layer}/bias"))?.clone();
    match (cell, bias.ndim()) {
        (Cell::Gru, 1) => {
            return Err(Error::Invalid(format!(
                "{layer}/bias has shape {:?}, the bias of a Keras GRU(reset_after=False): \
                 build the layer with gru(units).reset_after(false)",
                bias.shape()
            )));
        }
        (Cell::GruResetBefore, 2) => {
            return Err(Error::Invalid(format!(
                "{layer}/bias has shape {:?}, the bias of a Keras GRU(reset_after=True): \
                 build the layer with gru(units) (reset_after true), not reset_after(false)",
                bias.shape()
            )));
        }
        _ => {}
    }
    Ok(RecurrentWeights {
        kernel,
        recurrent_kernel,
        bias,
        recurrent_bias: None,
    })
}

/// The prefix of one direction of the Keras `Bidirectional` layer `layer` in `file`:
/// `<layer>/<direction>_<inner>` (Keras names the copies `forward_<inner>` and
/// `backward_<inner>`) or `<layer>/<direction>` (nn's own names), found by its `kernel`.
///
/// # Errors
/// [`Error::UnknownName`] listing the file's tensors under `<layer>/` when there is none;
/// [`Error::Invalid`] when several inner layers match.
pub fn keras_direction(file: &TensorFile, layer: &str, direction: &str) -> Result<String> {
    let head = format!("{layer}/{direction}");
    let found: Vec<String> = file
        .tensors
        .keys()
        .filter_map(|n| {
            let inner = n.strip_prefix(&head)?.strip_suffix("/kernel")?;
            (inner.is_empty() || (inner.starts_with('_') && !inner.contains('/')))
                .then(|| format!("{head}{inner}"))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::UnknownName {
            kind: "tensor",
            name: format!("{head}_<inner layer>/kernel"),
            valid: file
                .tensors
                .keys()
                .filter(|n| n.starts_with(&format!("{layer}/")))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        }),
        many => Err(Error::Invalid(format!(
            "Keras Bidirectional {layer}: several {direction} layers in the file ({})",
            many.join(", ")
        ))),
    }
}

/// Dense weights from Keras (`<layer>/kernel`, `<layer>/bias`).
///
/// # Errors
/// [`Error::UnknownName`] for a missing tensor.
pub fn dense_from_keras(
    file: &TensorFile,
    layer: &str,
) -> Result<(ArrayD<f32>, Option<ArrayD<f32>>)> {
    let k = file.get(&format!("{layer}/kernel"))?.clone();
    let b = file.tensors.get(&format!("{layer}/bias")).cloned();
    Ok((k, b))
}

/// Dense weights from a PyTorch `nn.Linear` (`{prefix}weight (out, in)`, `{prefix}bias`).
///
/// # Errors
/// [`Error::UnknownName`] for a missing weight.
pub fn dense_from_torch(
    file: &TensorFile,
    prefix: &str,
) -> Result<(ArrayD<f32>, Option<ArrayD<f32>>)> {
    let w = matrix(file, &format!("{prefix}weight"))?;
    let b = file.tensors.get(&format!("{prefix}bias")).cloned();
    Ok((
        w.reversed_axes()
            .as_standard_layout()
            .into_owned()
            .into_dyn(),
        b,
    ))
}

impl Recurrent {
    /// Replace this layer's weights, checking every shape.
    ///
    /// # Errors
    /// [`Error::Shape`] naming the parameter and both shapes.
    pub fn set_weights(&self, params: &mut Params, w: RecurrentWeights) -> Result<()> {
        let (k, r, b) = self.weight_ids();
        params.set(k, w.kernel)?;
        params.set(r, w.recurrent_kernel)?;
        match (self.recurrent_bias_id(), w.recurrent_bias) {
            (Some(rb), Some(second)) => {
                params.set(b, w.bias)?;
                params.set(rb, second)
            }
            (Some(rb), None) => {
                let zeros = ArrayD::zeros(params.get(rb).value.raw_dim());
                params.set(b, w.bias)?;
                params.set(rb, zeros)
            }
            (None, Some(second)) => {
                if w.bias.shape() != second.shape() {
                    return Err(Error::Shape {
                        context: format!("layer {}: bias vs recurrent bias", self.name()),
                        left: w.bias.shape().to_vec(),
                        right: second.shape().to_vec(),
                    });
                }
                params.set(b, &w.bias + &second)
            }
            (None, None) => params.set(b, w.bias),
        }
    }
}

impl Dense {
    /// Replace this layer's kernel and bias, checking shapes.
    ///
    /// # Errors
    /// [`Error::Shape`]; [`Error::Invalid`] when a bias is given to a layer without one or vice versa.
    pub fn set_weights(
        &self,
        params: &mut Params,
        kernel: ArrayD<f32>,
        bias: Option<ArrayD<f32>>,
    ) -> Result<()> {
        params.set(self.kernel(), kernel)?;
        match (self.bias(), bias) {
            (Some(id), Some(b)) => params.set(id, b),
            (None, None) => Ok(()),
            _ => Err(Error::Invalid(format!(
                "layer {}: bias presence differs between the file and the layer",
                self.name()
            ))),
        }
    }
}

impl Sequential {
    fn layer_any(&self, name: &str) -> Result<&dyn Layer> {
        self.layer(name).ok_or_else(|| Error::UnknownName {
            kind: "layer",
            name: name.into(),
            valid: self
                .layers
                .iter()
                .map(|l| l.name().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Load Keras weights into our layer `layer` from the Keras layer `keras_layer` of `file`:
    /// Dense (`kernel`, `bias`), recurrent (`kernel`, `recurrent_kernel`, `bias`), Embedding
    /// (`embeddings`), Bidirectional (each direction from `<keras_layer>/forward_<inner>/…` and
    /// `<keras_layer>/backward_<inner>/…`, or `…/forward/…` and `…/backward/…` as nn names
    /// them); a Dropout layer has no weights and takes nothing.
    ///
    /// # Errors
    /// Unknown layer or tensor names (listing the valid ones); shape mismatches; a GRU bias of
    /// the other `reset_after` form (see [`from_keras`]).
    pub fn import_keras_layer(
        &mut self,
        layer: &str,
        file: &TensorFile,
        keras_layer: &str,
    ) -> Result<()> {
        match self.layer_any(layer)?.config() {
            LayerConfig::Dense(_) => {
                let (k, b) = dense_from_keras(file, keras_layer)?;
                let d = self.dense_layer(layer)?;
                d.set_weights(&mut self.params, k, b)
            }
            LayerConfig::Recurrent(c) => {
                let w = from_keras(c.cell, file, keras_layer)?;
                let r = self.recurrent_layer(layer)?;
                r.set_weights(&mut self.params, w)
            }
            LayerConfig::Bidirectional(c) => {
                let forward = keras_direction(file, keras_layer, "forward")?;
                let backward = keras_direction(file, keras_layer, "backward")?;
                let wf = from_keras(c.layer.cell, file, &forward)?;
                let wb = from_keras(c.layer.cell, file, &backward)?;
                let bi = self.bidirectional_layer(layer)?;
                let (f, b) = bi.directions();
                f.set_weights(&mut self.params, wf)?;
                b.set_weights(&mut self.params, wb)
            }
            LayerConfig::Embedding(_) => {
                let table = file.get(&format!("{keras_layer}/embeddings"))?.clone();
                let id = self.param_id(&format!("{layer}/embeddings"))?;
                self.params.set(id, table)
            }
            LayerConfig::Dropout(_) => Ok(()),
            LayerConfig::TiedDense(_) => Err(Error::Invalid(format!(
                "layer {layer} (TiedDense) has no Keras counterpart to import from"
            ))),
        }
    }

    /// Load Keras weights into every layer, matching layer names exactly (see
    /// [`Sequential::import_keras_layer`]).
    ///
    /// # Errors
    /// As [`Sequential::import_keras_layer`].
    pub fn import_keras(&mut self, file: &TensorFile) -> Result<()> {
        let names: Vec<String> = self.layers.iter().map(|l| l.name().to_string()).collect();
        for n in names {
            self.import_keras_layer(&n, file, &n)?;
        }
        Ok(())
    }

    /// Load PyTorch weights `{prefix}weight_ih_l{torch_layer}` … into our recurrent or
    /// bidirectional layer `layer` (a bidirectional layer takes the `_reverse` tensors for its
    /// backward direction).
    ///
    /// # Errors
    /// As [`from_torch`]; unknown layer names.
    pub fn import_torch_recurrent(
        &mut self,
        layer: &str,
        file: &TensorFile,
        prefix: &str,
        torch_layer: usize,
    ) -> Result<()> {
        match self.layer_any(layer)?.config() {
            LayerConfig::Recurrent(c) => {
                let w = from_torch(c.cell, file, prefix, torch_layer, false)?;
                let r = self.recurrent_layer(layer)?;
                r.set_weights(&mut self.params, w)
            }
            LayerConfig::Bidirectional(c) => {
                let wf = from_torch(c.layer.cell, file, prefix, torch_layer, false)?;
                let wb = from_torch(c.layer.cell, file, prefix, torch_layer, true)?;
                let bi = self.bidirectional_layer(layer)?;
                let (f, b) = bi.directions();
                f.set_weights(&mut self.params, wf)?;
                b.set_weights(&mut self.params, wb)
            }
            other => Err(Error::Invalid(format!(
                "layer {layer} is a {} layer, not recurrent",
                other.prefix()
            ))),
        }
    }

    /// Load a PyTorch `nn.Linear` (`{prefix}weight`, `{prefix}bias`) into our Dense layer `layer`.
    ///
    /// # Errors
    /// Unknown names; shape mismatches.
    pub fn import_torch_dense(
        &mut self,
        layer: &str,
        file: &TensorFile,
        prefix: &str,
    ) -> Result<()> {
        let (k, b) = dense_from_torch(file, prefix)?;
        let d = self.dense_layer(layer)?;
        d.set_weights(&mut self.params, k, b)
    }
}
