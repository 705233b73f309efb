//! The network side: building the chosen `nn::Sequential`, and the newtype that lets `series`' forecast driver call
//! it (`series::SequenceModel` and `nn::Sequential` live in two other crates, hence the wrapper).

use ndarray::{Array3, ArrayView3, Ix3};
use nn::layers::{dense, gru, lstm, simple_rnn};
use nn::{Activation, Sequential};

use crate::cli::{CellArg, HeadArg, ModelChoice};

/// An `nn` model seen as a `series` sequence model: (wells × months × features) in, the same shape out.
pub struct Net<'a>(pub &'a Sequential);

impl series::SequenceModel for Net<'_> {
    type Error = nn::Error;

    fn predict(&mut self, x: ArrayView3<f32>) -> Result<Array3<f32>, nn::Error> {
        let out = self.0.predict(&x.to_owned().into_dyn(), 1024)?;
        out.into_dimensionality::<Ix3>()
            .map_err(|e| nn::Error::Invalid(format!("the model's output is not 3-D: {e}")))
    }
}

/// `window` months of `features` in, one output per month and feature: `layers` recurrent layers returning
/// sequences, then `Dense(features)` with the chosen head.
pub fn build(
    choice: &ModelChoice,
    window: usize,
    features: usize,
    seed: u64,
) -> nn::Result<Sequential> {
    let mut model = Sequential::new(&[window, features], seed);
    for _ in 0..choice.layers {
        let layer = match choice.cell {
            CellArg::Lstm => lstm(choice.units),
            CellArg::Gru => gru(choice.units),
            CellArg::Rnn => simple_rnn(choice.units),
        };
        model.add(layer.return_sequences(true))?;
    }
    let head = match choice.head {
        HeadArg::Linear => Activation::Linear,
        HeadArg::Relu => Activation::Relu,
    };
    model.add(dense(features).activation(head))?;
    Ok(model)
}
