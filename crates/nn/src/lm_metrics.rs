//! Scores of next-token (language) models: a mean cross-entropy in nats turned into bits per token
//! (bits per character for a character model) or perplexity, and the unigram baseline that any model
//! worth its training must beat.
//!
//! ```
//! use nn::lm_metrics::{bits_per_token, perplexity, unigram_bits};
//! assert!((bits_per_token(std::f64::consts::LN_2) - 1.0).abs() < 1e-12);
//! assert!((perplexity(4.0_f64.ln()) - 4.0).abs() < 1e-12);
//! // Two equally frequent symbols cost one bit each.
//! let bits = unigram_bits(&[0, 1, 0, 1], &[1, 0], 2, 0.0)?;
//! assert!((bits - 1.0).abs() < 1e-12);
//! # Ok::<(), nn::Error>(())
//! ```

use crate::{Error, Result};

/// A mean cross-entropy in nats (what the loss reports) in bits: `nats / ln 2`.
#[must_use]
pub fn bits_per_token(mean_nats: f64) -> f64 {
    mean_nats / std::f64::consts::LN_2
}

/// Perplexity of a mean cross-entropy in nats: `exp(nats)`, the effective number of equally likely
/// choices per token.
#[must_use]
pub fn perplexity(mean_nats: f64) -> f64 {
    mean_nats.exp()
}

/// The unigram baseline: the cross-entropy, in bits per token, of `held_out` under the token
/// frequencies of `train` with additive smoothing `alpha` (`p_i = (count_i + alpha) / (n + alpha·vocab)`;
/// `alpha = 1` is Laplace's rule and keeps a token unseen in training finite).
///
/// # Errors
/// [`Error::Invalid`] for empty `train` or `held_out`, a token not below `vocab`, a negative or
/// non-finite `alpha`, or (with `alpha = 0`) a held-out token never seen in training.
pub fn unigram_bits(train: &[u32], held_out: &[u32], vocab: usize, alpha: f64) -> Result<f64> {
    if train.is_empty() || held_out.is_empty() {
        return Err(Error::Invalid(
            "the unigram baseline needs training and held-out tokens".into(),
        ));
    }
    if !(alpha.is_finite() && alpha >= 0.0) {
        return Err(Error::Invalid(format!(
            "smoothing must be a non-negative number, got {alpha}"
        )));
    }
    let mut counts = vec![0u64; vocab];
    for &t in train {
        *counts
            .get_mut(t as usize)
            .ok_or_else(|| out_of_range(t, vocab))? += 1;
    }
    let denom = train.len() as f64 + alpha * vocab as f64;
    let mut nats = 0.0;
    for &t in held_out {
        let c = *counts
            .get(t as usize)
            .ok_or_else(|| out_of_range(t, vocab))?;
        let p = (c as f64 + alpha) / denom;
        if p <= 0.0 {
            return Err(Error::Invalid(format!(
                "held-out token {t} never occurs in training (use a positive smoothing)"
            )));
        }
        nats -= p.ln();
    }
    Ok(bits_per_token(nats / held_out.len() as f64))
}

fn out_of_range(t: u32, vocab: usize) -> Error {
    Error::Invalid(format!(
        "token {t} is not below the vocabulary size {vocab}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unigram_matches_a_hand_computation() {
        // Train counts: 0 ×3, 1 ×1, 2 ×0; vocab 3, alpha 1 → p = 4/7, 2/7, 1/7.
        let bits = unigram_bits(&[0, 0, 0, 1], &[0, 1, 2], 3, 1.0).unwrap();
        let want = -((4.0f64 / 7.0).log2() + (2.0f64 / 7.0).log2() + (1.0f64 / 7.0).log2()) / 3.0;
        assert!((bits - want).abs() < 1e-12, "{bits} vs {want}");
    }

    #[test]
    fn uniform_text_costs_log2_vocab() {
        let text: Vec<u32> = (0..64).map(|i| i % 8).collect();
        let bits = unigram_bits(&text, &text, 8, 0.0).unwrap();
        assert!((bits - 3.0).abs() < 1e-12);
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(unigram_bits(&[], &[0], 2, 1.0).is_err());
        let e = unigram_bits(&[0, 5], &[0], 2, 1.0).unwrap_err().to_string();
        assert!(e.contains("token 5"), "{e}");
        let e = unigram_bits(&[0], &[1], 2, 0.0).unwrap_err().to_string();
        assert!(e.contains("never occurs"), "{e}");
        assert!(unigram_bits(&[0], &[0], 2, -1.0).is_err());
    }

    #[test]
    fn conversions() {
        assert!((bits_per_token(2.0 * std::f64::consts::LN_2) - 2.0).abs() < 1e-12);
        assert!((perplexity(0.0) - 1.0).abs() < 1e-12);
    }
}
