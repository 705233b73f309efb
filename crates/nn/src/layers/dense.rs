//! `Dense`: `activation(x·kernel + bias)` over the last axis.

use rand::Rng;

use super::{Activation, DenseConfig, Layer, LayerConfig};
use crate::Result;
use crate::error::shape_err;
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};

/// A fully connected layer applied to the last axis (so it maps `(batch, time, in)` to
/// `(batch, time, units)` like Keras' `Dense`). Kernel `(in, units)` glorot-uniform, bias zeros.
#[derive(Debug, Clone)]
pub struct Dense {
    name: String,
    in_dim: usize,
    units: usize,
    activation: Activation,
    kernel: ParamId,
    bias: Option<ParamId>,
}

impl Dense {
    /// [`Error::Shape`](crate::Error::Shape) naming the layer when `x`'s last axis is not the
    /// kernel's input width.
    fn check_input(&self, tape: &Tape, x: Var) -> Result<()> {
        let s = tape.shape(x);
        if s.last() == Some(&self.in_dim) {
            return Ok(());
        }
        Err(shape_err(
            format!("layer {} (Dense) input vs kernel", self.name),
            s,
            &[self.in_dim, self.units],
        ))
    }

    /// Create the layer's weights in `params`.
    pub fn build<R: Rng + ?Sized>(
        cfg: &DenseConfig,
        name: &str,
        in_dim: usize,
        params: &mut Params,
        rng: &mut R,
    ) -> Self {
        let kernel = params.add(
            format!("{name}/kernel"),
            tensor::init::glorot_uniform(rng, in_dim, cfg.units).into_dyn(),
            true,
        );
        let bias = cfg.use_bias.then(|| {
            params.add(
                format!("{name}/bias"),
                ndarray::ArrayD::zeros(vec![cfg.units]),
                true,
            )
        });
        Self {
            name: name.to_string(),
            in_dim,
            units: cfg.units,
            activation: cfg.activation,
            kernel,
            bias,
        }
    }

    /// The kernel's id.
    #[must_use]
    pub fn kernel(&self) -> ParamId {
        self.kernel
    }

    /// The bias's id, if any.
    #[must_use]
    pub fn bias(&self) -> Option<ParamId> {
        self.bias
    }
}

impl Layer for Dense {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> &'static str {
        "Dense"
    }
    fn forward(&self, tape: &mut Tape, x: Var) -> Result<Var> {
        self.check_input(tape, x)?;
        let w = tape.param(self.kernel);
        let y = match self.bias {
            Some(b) => {
                let b = tape.param(b);
                tape.affine(x, w, b)?
            }
            None => tape.matmul(x, w)?,
        };
        Ok(self.activation.apply(tape, y))
    }
    fn forward_cross_entropy(&self, tape: &mut Tape, x: Var, targets: &[usize]) -> Result<Var> {
        if self.activation != Activation::Linear {
            let out = self.forward(tape, x)?;
            return tape.cross_entropy(out, targets);
        }
        self.check_input(tape, x)?;
        let w = tape.param(self.kernel);
        let b = self.bias.map(|b| tape.param(b));
        tape.affine_cross_entropy(x, w, b, false, targets)
    }
    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>> {
        match input.split_last() {
            Some((&last, lead)) if last == self.in_dim => Ok([lead, &[self.units]].concat()),
            _ => Err(shape_err(
                format!("layer {} (Dense) input vs kernel", self.name),
                input,
                &[self.in_dim, self.units],
            )),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn params(&self) -> Vec<ParamId> {
        std::iter::once(self.kernel).chain(self.bias).collect()
    }
    fn config(&self) -> LayerConfig {
        LayerConfig::Dense(DenseConfig {
            name: Some(self.name.clone()),
            units: self.units,
            activation: self.activation,
            use_bias: self.bias.is_some(),
        })
    }
}
