//! Word2Vec hyper-parameters: a plain struct with gensim's defaults and a `validate()`.

use crate::error::{Error, Result};

/// Which Word2Vec model to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Skip-gram: each context word's input vector predicts the centre word (gensim `sg=1`).
    SkipGram,
    /// Continuous bag of words: the mean of the context's input vectors predicts the centre word
    /// (gensim `sg=0, cbow_mean=1`, gensim's default).
    Cbow,
}

/// Training hyper-parameters. `Default` is gensim 4.4's `Word2Vec()` defaults except `threads`
/// (gensim: 3 workers; here: all cores).
#[derive(Debug, Clone, PartialEq)]
pub struct Word2VecParams {
    /// Skip-gram or CBOW.
    pub architecture: Architecture,
    /// Vector dimension (gensim `vector_size`, default 100).
    pub dim: usize,
    /// Maximum distance between the centre and a context word (default 5); the effective window is drawn
    /// uniformly from `1..=window` at each position.
    pub window: usize,
    /// Negative samples per positive example (default 5).
    pub negative: usize,
    /// Exponent of the unigram distribution negatives are drawn from (default 0.75).
    pub ns_exponent: f64,
    /// Frequent-word subsampling threshold (default 1e-3; 0 disables).
    pub sample: f64,
    /// Passes over the corpus (default 5).
    pub epochs: usize,
    /// Initial learning rate (default 0.025).
    pub alpha: f32,
    /// Final learning rate, reached linearly at the end of the last epoch (default 0.0001).
    pub min_alpha: f32,
    /// Worker threads (default: available parallelism).
    pub threads: usize,
    /// Seed of every random draw (initial vectors and the training streams).
    pub seed: u64,
}

impl Default for Word2VecParams {
    fn default() -> Self {
        Self {
            architecture: Architecture::Cbow,
            dim: 100,
            window: 5,
            negative: 5,
            ns_exponent: 0.75,
            sample: 1e-3,
            epochs: 5,
            alpha: 0.025,
            min_alpha: 0.0001,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            seed: 1,
        }
    }
}

fn invalid(name: &'static str, value: impl ToString, reason: &'static str) -> Error {
    Error::InvalidParam {
        name,
        value: value.to_string(),
        reason,
    }
}

/// The widest vectors rnnlab trains or reads (a guard against absurd sizes in parameters and file headers).
pub const MAX_DIM: usize = 100_000;

impl Word2VecParams {
    /// Checks every field's range.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        if self.dim == 0 {
            return Err(invalid("dim", self.dim, "must be at least 1"));
        }
        if self.dim > MAX_DIM {
            return Err(invalid("dim", self.dim, "must be at most 100000"));
        }
        if self.window == 0 {
            return Err(invalid("window", self.window, "must be at least 1"));
        }
        if self.negative == 0 {
            return Err(invalid(
                "negative",
                self.negative,
                "must be at least 1 (negative sampling is the only objective)",
            ));
        }
        if !self.ns_exponent.is_finite() {
            return Err(invalid("ns_exponent", self.ns_exponent, "must be finite"));
        }
        if !(self.sample.is_finite() && self.sample >= 0.0) {
            return Err(invalid(
                "sample",
                self.sample,
                "must be a finite number >= 0",
            ));
        }
        if self.epochs == 0 {
            return Err(invalid("epochs", self.epochs, "must be at least 1"));
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(invalid("alpha", self.alpha, "must be a finite number > 0"));
        }
        if !(self.min_alpha.is_finite() && self.min_alpha >= 0.0 && self.min_alpha <= self.alpha) {
            return Err(invalid(
                "min_alpha",
                self.min_alpha,
                "must be in [0, alpha]",
            ));
        }
        if self.threads == 0 {
            return Err(invalid("threads", self.threads, "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_zeroes_do_not() {
        Word2VecParams::default().validate().unwrap();
        for bad in [
            Word2VecParams {
                dim: 0,
                ..Default::default()
            },
            Word2VecParams {
                window: 0,
                ..Default::default()
            },
            Word2VecParams {
                epochs: 0,
                ..Default::default()
            },
            Word2VecParams {
                threads: 0,
                ..Default::default()
            },
            Word2VecParams {
                sample: -1.0,
                ..Default::default()
            },
            Word2VecParams {
                alpha: f32::NAN,
                ..Default::default()
            },
        ] {
            let e = bad.validate().unwrap_err().to_string();
            assert!(e.starts_with("invalid parameter"), "{e}");
        }
    }
}
