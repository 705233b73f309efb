//! Drawing the next token from a model's logits: softmax with a temperature, optionally restricted to
//! the `k` most likely tokens (top-k), from a seeded random number generator.
//!
//! ```
//! use nn::sampling::Sampler;
//! use rand::SeedableRng;
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
//! let greedy = Sampler { temperature: 1.0, top_k: Some(1) };
//! assert_eq!(greedy.sample(&[0.1, 2.0, -1.0], &mut rng)?, 1);
//! let p = Sampler { temperature: 2.0, top_k: None }.probabilities(&[0.0, 2.0_f32.ln() * 2.0])?;
//! assert!((p[1] / p[0] - 2.0).abs() < 1e-6); // logits halved by T = 2 (the logit is an f32)
//! # Ok::<(), nn::Error>(())
//! ```

use rand::Rng;

use crate::{Error, Result};

/// How to turn logits into a draw: `p_i ∝ exp(logit_i / temperature)` over the `top_k` largest logits
/// (all of them when `None`). A low temperature sharpens the distribution towards the arg-max, a high
/// one flattens it towards uniform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampler {
    /// Divides the logits before the softmax; must be finite and positive.
    pub temperature: f32,
    /// Keep only the `k` largest logits (ties broken by the lower index); `Some(0)` is invalid.
    pub top_k: Option<usize>,
}

impl Default for Sampler {
    /// Temperature 1, no top-k: draws from the model's own distribution.
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: None,
        }
    }
}

impl Sampler {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a temperature that is not finite and positive, or `top_k = Some(0)`.
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Err(Error::Invalid(format!(
                "temperature must be a positive number, got {}",
                self.temperature
            )));
        }
        if self.top_k == Some(0) {
            return Err(Error::Invalid("top-k must be at least 1".into()));
        }
        Ok(())
    }

    /// The distribution the sampler draws from (in f64, summing to 1; zero outside the top k).
    ///
    /// # Errors
    /// As [`Sampler::validate`]; [`Error::Invalid`] for empty logits or a NaN / infinite logit (naming
    /// its index).
    pub fn probabilities(&self, logits: &[f32]) -> Result<Vec<f64>> {
        self.validate()?;
        if logits.is_empty() {
            return Err(Error::Invalid("cannot sample from empty logits".into()));
        }
        if let Some(i) = logits.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "logit {i} is {} (the model produced a non-finite value)",
                logits[i]
            )));
        }
        let keep = self.kept(logits);
        let t = f64::from(self.temperature);
        let max = keep
            .iter()
            .map(|&i| f64::from(logits[i]))
            .fold(f64::NEG_INFINITY, f64::max);
        let mut p = vec![0.0; logits.len()];
        let mut total = 0.0;
        for &i in &keep {
            let e = ((f64::from(logits[i]) - max) / t).exp();
            p[i] = e;
            total += e;
        }
        // `total` ≥ 1: the arg-max contributes exp(0).
        for v in &mut p {
            *v /= total;
        }
        Ok(p)
    }

    /// Draws one index from [`Sampler::probabilities`] with a single uniform number from `rng`.
    ///
    /// # Errors
    /// As [`Sampler::probabilities`].
    pub fn sample<R: Rng + ?Sized>(&self, logits: &[f32], rng: &mut R) -> Result<usize> {
        let p = self.probabilities(logits)?;
        let u: f64 = rng.random();
        let mut acc = 0.0;
        let mut last = 0;
        for (i, &pi) in p.iter().enumerate() {
            if pi > 0.0 {
                acc += pi;
                last = i;
                if u < acc {
                    return Ok(i);
                }
            }
        }
        // Rounding left `acc` a hair below 1 and `u` above it: the last possible token.
        Ok(last)
    }

    /// Indices of the logits that take part: all, or the `k` largest (ties: lower index first).
    fn kept(&self, logits: &[f32]) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..logits.len()).collect();
        if let Some(k) = self.top_k.filter(|&k| k < logits.len()) {
            idx.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
            idx.truncate(k);
        }
        idx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use tensor::ProjectRng;

    #[test]
    fn probabilities_are_the_tempered_softmax() {
        let logits = [1.0f32, 2.0, 0.5, -1.0];
        for t in [0.5f32, 1.0, 3.0] {
            let p = Sampler {
                temperature: t,
                top_k: None,
            }
            .probabilities(&logits)
            .unwrap();
            let e: Vec<f64> = logits
                .iter()
                .map(|&l| (f64::from(l) / f64::from(t)).exp())
                .collect();
            let s: f64 = e.iter().sum();
            for (pi, ei) in p.iter().zip(&e) {
                assert!((pi - ei / s).abs() < 1e-12, "T={t}: {pi} vs {}", ei / s);
            }
        }
    }

    #[test]
    fn top_k_keeps_only_the_largest_and_renormalises() {
        let logits = [1.0f32, 3.0, 2.0, 3.0, -5.0];
        let p = Sampler {
            temperature: 1.0,
            top_k: Some(2),
        }
        .probabilities(&logits)
        .unwrap();
        assert_eq!(p[0], 0.0);
        assert_eq!(p[2], 0.0);
        assert_eq!(p[4], 0.0);
        assert!((p[1] - 0.5).abs() < 1e-12 && (p[3] - 0.5).abs() < 1e-12);
        // k larger than the vocabulary keeps everything.
        let all = Sampler {
            temperature: 1.0,
            top_k: Some(10),
        }
        .probabilities(&logits)
        .unwrap();
        assert!(all.iter().all(|&v| v > 0.0));
    }

    #[test]
    fn top_1_and_a_tiny_temperature_are_greedy() {
        let mut rng = ProjectRng::seed_from_u64(1);
        let logits = [0.3f32, -0.2, 0.31, 0.0];
        for _ in 0..50 {
            assert_eq!(
                Sampler {
                    temperature: 1.0,
                    top_k: Some(1)
                }
                .sample(&logits, &mut rng)
                .unwrap(),
                2
            );
            assert_eq!(
                Sampler {
                    temperature: 1e-4,
                    top_k: None
                }
                .sample(&logits, &mut rng)
                .unwrap(),
                2
            );
        }
    }

    #[test]
    fn draws_follow_the_distribution() {
        let mut rng = ProjectRng::seed_from_u64(3);
        let sampler = Sampler {
            temperature: 0.7,
            top_k: None,
        };
        let logits = [0.0f32, 1.0, -0.5];
        let p = sampler.probabilities(&logits).unwrap();
        let n = 20_000;
        let mut counts = [0usize; 3];
        for _ in 0..n {
            counts[sampler.sample(&logits, &mut rng).unwrap()] += 1;
        }
        for (c, pi) in counts.iter().zip(&p) {
            let freq = *c as f64 / n as f64;
            // 5 standard deviations of a binomial proportion.
            let sd = (pi * (1.0 - pi) / n as f64).sqrt();
            assert!((freq - pi).abs() < 5.0 * sd, "{freq} vs {pi}");
        }
    }

    #[test]
    fn same_seed_same_draws() {
        let sampler = Sampler {
            temperature: 1.3,
            top_k: Some(3),
        };
        let logits = [0.5f32, 0.1, 0.9, 0.4, 0.2];
        let draw = |seed| {
            let mut rng = ProjectRng::seed_from_u64(seed);
            (0..100)
                .map(|_| sampler.sample(&logits, &mut rng).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(5), draw(5));
        assert_ne!(draw(5), draw(6));
    }

    #[test]
    fn bad_settings_and_logits_are_errors() {
        for t in [0.0f32, -1.0, f32::NAN, f32::INFINITY] {
            let err = Sampler {
                temperature: t,
                top_k: None,
            }
            .validate()
            .unwrap_err();
            assert!(err.to_string().contains("temperature"), "{err}");
        }
        assert!(
            Sampler {
                temperature: 1.0,
                top_k: Some(0)
            }
            .validate()
            .is_err()
        );
        let s = Sampler::default();
        assert!(s.probabilities(&[]).is_err());
        let err = s.probabilities(&[0.0, f32::NAN]).unwrap_err().to_string();
        assert!(err.contains("logit 1"), "{err}");
    }
}
