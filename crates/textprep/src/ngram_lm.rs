//! Count-based language models over token ids, the baselines a neural language model has to beat:
//! an add-α [`UnigramLm`] and an interpolated Kneser–Ney [`KneserNeyBigram`] (Chen & Goodman's
//! interpolated form, one discount, the continuation unigram itself interpolated with the uniform
//! distribution so that every token of the vocabulary keeps a non-zero probability).
//!
//! Both are trained on a token stream (ids below `vocab`) and report the perplexity of a held-out
//! stream; the first held-out token is scored by the bigram model with the last training token as its
//! context, so the streams read as one text cut in two.
//!
//! ```
//! use textprep::ngram_lm::{KneserNeyBigram, UnigramLm};
//! let train = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];
//! let held_out = [2, 0, 1, 2];
//! let uni = UnigramLm::fit(&train, 3, 1.0)?;
//! let bi = KneserNeyBigram::fit(&train, 3, 0.75)?;
//! // The text is a cycle: the bigram model knows what comes next, the unigram model does not.
//! assert!(bi.perplexity(&held_out, train.last().copied())? < 1.5);
//! assert!(uni.perplexity(&held_out)? > 2.5);
//! # Ok::<(), textprep::Error>(())
//! ```

use crate::{Error, Result};

fn check_tokens(tokens: &[u32], vocab: usize, what: &'static str) -> Result<()> {
    if tokens.is_empty() {
        return Err(Error::InvalidConfig {
            name: what,
            reason: "no tokens".into(),
        });
    }
    match tokens.iter().position(|&t| t as usize >= vocab) {
        Some(position) => Err(Error::IndexOutOfRange {
            index: tokens[position],
            position,
            len: vocab,
        }),
        None => Ok(()),
    }
}

fn check_vocab(vocab: usize) -> Result<()> {
    if vocab == 0 {
        return Err(Error::InvalidConfig {
            name: "vocab",
            reason: "the vocabulary size must be at least 1".into(),
        });
    }
    Ok(())
}

/// `exp` of the mean negative log-probability (nats) over `tokens`.
fn perplexity_of(tokens: &[u32], mut prob: impl FnMut(usize, u32) -> f64) -> f64 {
    let nats: f64 = tokens
        .iter()
        .enumerate()
        .map(|(i, &t)| -prob(i, t).ln())
        .sum();
    (nats / tokens.len() as f64).exp()
}

/// A unigram model with add-α smoothing: `P(w) = (c(w) + α) / (N + α·V)`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnigramLm {
    counts: Vec<u64>,
    total: u64,
    alpha: f64,
}

impl UnigramLm {
    /// Counts `train` (ids below `vocab`) with smoothing `alpha ≥ 0` (1: Laplace).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero vocabulary, an empty stream or a negative / non-finite
    /// `alpha`; [`Error::IndexOutOfRange`] for an id not below `vocab`.
    pub fn fit(train: &[u32], vocab: usize, alpha: f64) -> Result<Self> {
        check_vocab(vocab)?;
        check_tokens(train, vocab, "training tokens")?;
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::InvalidConfig {
                name: "alpha",
                reason: format!("must be a non-negative number, got {alpha}"),
            });
        }
        let mut counts = vec![0u64; vocab];
        for &t in train {
            counts[t as usize] += 1;
        }
        Ok(Self {
            counts,
            total: train.len() as u64,
            alpha,
        })
    }

    /// The vocabulary size.
    #[must_use]
    pub fn vocab(&self) -> usize {
        self.counts.len()
    }

    /// `P(token)`; 0 for an id outside the vocabulary.
    #[must_use]
    pub fn prob(&self, token: u32) -> f64 {
        match self.counts.get(token as usize) {
            Some(&c) => {
                (c as f64 + self.alpha) / (self.total as f64 + self.alpha * self.vocab() as f64)
            }
            None => 0.0,
        }
    }

    /// Perplexity of `held_out` (infinite when an unseen token gets probability 0, i.e. `alpha` 0).
    ///
    /// # Errors
    /// As [`UnigramLm::fit`] for the held-out ids.
    pub fn perplexity(&self, held_out: &[u32]) -> Result<f64> {
        check_tokens(held_out, self.vocab(), "held-out tokens")?;
        Ok(perplexity_of(held_out, |_, t| self.prob(t)))
    }
}

/// An interpolated Kneser–Ney bigram model with discount `D`:
///
/// `P(w | v) = max(c(v,w) − D, 0) / c(v) + D·N₁₊(v•) / c(v) · P_cont(w)`, and for a context never seen
/// `P(w | v) = P_cont(w)`, where `P_cont(w) = max(N₁₊(•w) − D, 0) / N₁₊(••) + D·|{w: N₁₊(•w) > 0}| / N₁₊(••) · 1/V`.
#[derive(Debug, Clone, PartialEq)]
pub struct KneserNeyBigram {
    vocab: usize,
    discount: f64,
    /// Bigram counts per context, sorted by next token.
    followers: Vec<Vec<(u32, u64)>>,
    /// `c(v)` as a context.
    context_counts: Vec<u64>,
    /// Continuation probabilities `P_cont(w)`.
    continuation: Vec<f64>,
}

impl KneserNeyBigram {
    /// Counts the bigrams of `train` (ids below `vocab`) with discount `0 < discount < 1` (0.75 is usual).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero vocabulary, fewer than two tokens or a discount outside
    /// `(0, 1)`; [`Error::IndexOutOfRange`] for an id not below `vocab`.
    pub fn fit(train: &[u32], vocab: usize, discount: f64) -> Result<Self> {
        check_vocab(vocab)?;
        check_tokens(train, vocab, "training tokens")?;
        if train.len() < 2 {
            return Err(Error::InvalidConfig {
                name: "training tokens",
                reason: "a bigram model needs at least two tokens".into(),
            });
        }
        if !(discount > 0.0 && discount < 1.0) {
            return Err(Error::InvalidConfig {
                name: "discount",
                reason: format!("must be between 0 and 1 (exclusive), got {discount}"),
            });
        }
        let mut pairs: Vec<(u32, u32)> = train.windows(2).map(|w| (w[0], w[1])).collect();
        pairs.sort_unstable();
        let mut followers: Vec<Vec<(u32, u64)>> = vec![Vec::new(); vocab];
        let mut context_counts = vec![0u64; vocab];
        let mut left_contexts = vec![0u64; vocab];
        let mut types = 0u64;
        for run in pairs.chunk_by(|a, b| a == b) {
            let (v, w) = run[0];
            followers[v as usize].push((w, run.len() as u64));
            context_counts[v as usize] += run.len() as u64;
            left_contexts[w as usize] += 1;
            types += 1;
        }
        let seen = left_contexts.iter().filter(|&&n| n > 0).count() as f64;
        let total = types as f64;
        let continuation = left_contexts
            .iter()
            .map(|&n| {
                (n as f64 - discount).max(0.0) / total + discount * seen / total / vocab as f64
            })
            .collect();
        Ok(Self {
            vocab,
            discount,
            followers,
            context_counts,
            continuation,
        })
    }

    /// The vocabulary size.
    #[must_use]
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// `P(next | context)`; `context` `None` (the start of a text) gives `P_cont(next)`; 0 for ids
    /// outside the vocabulary.
    #[must_use]
    pub fn prob(&self, context: Option<u32>, next: u32) -> f64 {
        let Some(&p_cont) = self.continuation.get(next as usize) else {
            return 0.0;
        };
        let Some(v) = context.filter(|&v| (v as usize) < self.vocab) else {
            return p_cont;
        };
        let c = self.context_counts[v as usize];
        if c == 0 {
            return p_cont;
        }
        let row = &self.followers[v as usize];
        let count = row
            .binary_search_by_key(&next, |&(w, _)| w)
            .map_or(0, |i| row[i].1);
        let c = c as f64;
        (count as f64 - self.discount).max(0.0) / c + self.discount * row.len() as f64 / c * p_cont
    }

    /// Perplexity of `held_out`; its first token is scored with `context` (e.g. the last training token).
    ///
    /// # Errors
    /// As [`KneserNeyBigram::fit`] for the held-out ids.
    pub fn perplexity(&self, held_out: &[u32], context: Option<u32>) -> Result<f64> {
        check_tokens(held_out, self.vocab, "held-out tokens")?;
        Ok(perplexity_of(held_out, |i, t| {
            let prev = if i == 0 {
                context
            } else {
                Some(held_out[i - 1])
            };
            self.prob(prev, t)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unigram_by_hand() {
        let lm = UnigramLm::fit(&[0, 0, 1], 3, 1.0).unwrap();
        assert!((lm.prob(0) - 3.0 / 6.0).abs() < 1e-12);
        assert!((lm.prob(2) - 1.0 / 6.0).abs() < 1e-12);
        // Perplexity of [0, 2]: exp(-(ln(1/2) + ln(1/6)) / 2) = sqrt(12).
        let pp = lm.perplexity(&[0, 2]).unwrap();
        assert!((pp - 12f64.sqrt()).abs() < 1e-9, "{pp}");
        // A uniform model has perplexity V.
        let flat = UnigramLm::fit(&[0, 1, 2, 3], 4, 0.0).unwrap();
        assert!((flat.perplexity(&[3, 1, 0]).unwrap() - 4.0).abs() < 1e-9);
    }

    #[test]
    fn kneser_ney_by_hand() {
        // Bigrams of [0,1,0,2]: (0,1) (1,0) (0,2); V = 3, D = 0.5.
        let lm = KneserNeyBigram::fit(&[0, 1, 0, 2], 3, 0.5).unwrap();
        // N1+(•w): w0 ← {1}, w1 ← {0}, w2 ← {0}: 1 each, 3 types, 3 seen words.
        // P_cont(w) = 0.5/3 + 0.5·3/3/3 = 1/3 for all three.
        for w in 0..3 {
            assert!((lm.prob(None, w) - 1.0 / 3.0).abs() < 1e-12);
        }
        // P(1 | 0) = (1 − 0.5)/2 + 0.5·2/2·1/3 = 0.25 + 1/6.
        assert!((lm.prob(Some(0), 1) - (0.25 + 1.0 / 6.0)).abs() < 1e-12);
        // P(0 | 0) = 0 + 0.5·2/2·1/3.
        assert!((lm.prob(Some(0), 0) - 1.0 / 6.0).abs() < 1e-12);
        // Context 2 was never followed by anything: the continuation distribution.
        assert!((lm.prob(Some(2), 1) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(UnigramLm::fit(&[0, 1], 0, 1.0).is_err());
        assert!(UnigramLm::fit(&[], 3, 1.0).is_err());
        assert!(UnigramLm::fit(&[0, 3], 3, 1.0).is_err());
        assert!(UnigramLm::fit(&[0], 3, -1.0).is_err());
        let lm = UnigramLm::fit(&[0, 1], 3, 1.0).unwrap();
        assert!(lm.perplexity(&[]).is_err());
        assert!(lm.perplexity(&[5]).is_err());
        assert!(KneserNeyBigram::fit(&[0], 3, 0.75).is_err());
        assert!(KneserNeyBigram::fit(&[0, 1], 3, 1.0).is_err());
        assert!(KneserNeyBigram::fit(&[0, 1], 3, 0.0).is_err());
        let kn = KneserNeyBigram::fit(&[0, 1], 3, 0.75).unwrap();
        assert!(kn.perplexity(&[0, 9], None).is_err());
    }

    proptest! {
        /// Every conditional distribution sums to one and gives each token a positive probability.
        #[test]
        fn distributions_sum_to_one(
            train in proptest::collection::vec(0u32..6, 2..60),
            discount in 0.05f64..0.95,
        ) {
            let vocab = 7;
            let kn = KneserNeyBigram::fit(&train, vocab, discount).unwrap();
            for context in std::iter::once(None).chain((0..vocab as u32).map(Some)) {
                let probs: Vec<f64> = (0..vocab as u32).map(|w| kn.prob(context, w)).collect();
                let sum: f64 = probs.iter().sum();
                prop_assert!((sum - 1.0).abs() < 1e-9, "context {:?}: {}", context, sum);
                prop_assert!(probs.iter().all(|&p| p > 0.0));
            }
            let uni = UnigramLm::fit(&train, vocab, 0.5).unwrap();
            let sum: f64 = (0..vocab as u32).map(|w| uni.prob(w)).sum();
            prop_assert!((sum - 1.0).abs() < 1e-9);
        }
    }
}
