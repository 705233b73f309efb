#![doc = include_str!("../README.md")]
//!
//! Modules: [`tape`] (the autograd tape), [`ops`] (every op, incl. the fused recurrent
//! kernels), [`params`] (parameter store and gradients), [`layers`], [`model`] (`Sequential`),
//! [`optim`], [`train`] (`compile` / `fit` / `evaluate`), [`checkpoint`] (save a run, resume it
//! to the same bits), [`summary`], [`io`] (safetensors, save / load), [`import`] (PyTorch and
//! Keras weights).

pub mod checkpoint;
pub mod error;
pub mod generate;
pub mod import;
pub mod io;
pub mod layers;
pub mod lm_metrics;
pub mod model;
pub mod ops;
pub mod optim;
pub mod params;
pub mod sampled_softmax;
pub mod sampling;
pub mod seq2seq;
pub mod seq_train;
pub mod summary;
pub mod tape;
pub mod train;
mod train_step;

pub use checkpoint::TrainState;
pub use error::{Error, Result};
pub use io::{TensorFile, read_safetensors};
pub use layers::{Activation, Layer, LayerConfig, Merge};
pub use model::{ModelState, Sequential};
pub use ops::recurrent::{RecurrentOutput, SeqInput};
pub use optim::{Adam, Flavor, Optimizer, OptimizerState, RmsProp, Sgd};
pub use params::{Grads, Param, ParamId, Params};
pub use tape::{Tape, Var};
pub use train::{EarlyStopping, FitConfig, FitControl, History, Loss, Metric};
