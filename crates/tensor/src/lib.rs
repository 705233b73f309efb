#![doc = include_str!("../README.md")]
//!
//! Modules: [`linalg`] (matrix products), [`activation`] (element-wise functions and derivatives),
//! [`softmax`] (stable softmax / log-softmax), [`reduce`] (broadcast shapes and gradient
//! reductions), [`init`] (Keras / PyTorch initialisers), [`rng`] (the seeded ChaCha8 RNG),
//! [`threads`] (how many threads work may split over).

pub mod activation;
pub mod cpu_time;
pub mod error;
pub mod init;
pub mod linalg;
pub mod reduce;
pub mod rng;
pub mod softmax;
pub mod threads;
mod tiled;

pub use error::{Error, Result};
pub use ndarray;
/// The rayon version whose pool [`linalg`] splits large products over (`RAYON_NUM_THREADS`).
pub use rayon;
pub use rng::{ProjectRng, seeded_rng};
