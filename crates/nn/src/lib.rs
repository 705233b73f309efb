//! rnnlab-nn: reverse-mode autograd, recurrent layers and training.

pub mod error;
pub mod ops;
pub mod params;
pub mod tape;

pub use error::{Error, Result};
pub use ops::recurrent::{RecurrentOutput, SeqInput};
pub use params::{Grads, Param, ParamId, Params};
pub use tape::{Tape, Var};
