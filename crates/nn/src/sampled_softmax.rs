//! Sampled softmax (Jean et al. 2015): a training loss for a vocabulary-sized output layer that
//! scores each batch against a subset of the classes, the batch's own targets plus classes drawn
//! from a log-uniform (Zipfian) proposal, instead of all of them.
//!
//! The output layer's product and softmax then cost `|candidates| / classes` of the full ones. Each
//! drawn class's logit is lowered by the log of its probability of having been drawn, so that
//! `Σ exp(logit − correction)` over the candidates estimates the full softmax's normaliser
//! (Horvitz–Thompson); the batch's targets are candidates with certainty and keep their logits. The
//! loss trains; scoring (perplexity) and generation use the full softmax.
//!
//! The proposal and the correction are those of TensorFlow's `sampled_softmax_loss` with its default
//! sampler (`log_uniform_candidate_sampler`, unique draws, expected counts from the number of
//! tries). Two differences: the candidates are shared by the whole batch, so every row's softmax also
//! runs over the other rows' targets (uncorrected); and a row's own target is not lowered by its
//! `ln Q` as TensorFlow's `subtract_log_q` does (it is a candidate with certainty, not a draw).
//!
//! The proposal assumes that class ids are ordered by falling frequency (as a vocabulary built by
//! counting is): `P(k) = ln((k + 2) / (k + 1)) / ln(classes + 1)`.

use rand::Rng;

use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// The classes one batch is scored against: sorted, without repeats, every target of the batch
/// among them. Shards of the batch score their own rows against the same candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    classes: usize,
    ids: Vec<usize>,
    correction: Vec<f32>,
}

impl Candidates {
    /// Every class, uncorrected: the sampled loss over these is the full softmax cross-entropy.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a target outside `0..classes`.
    pub fn all(targets: &[usize], classes: usize) -> Result<Self> {
        check_targets(targets, classes)?;
        Ok(Self {
            classes,
            ids: (0..classes).collect(),
            correction: vec![0.0; classes],
        })
    }

    /// The batch's distinct `targets` plus `samples` distinct classes drawn from the log-uniform
    /// proposal (the draws repeat until that many distinct classes came up; a drawn class that is
    /// also a target counts as drawn but is kept once). A drawn class `k` that is not a target has
    /// its logit lowered by `ln π_k`, `π_k = 1 − (1 − P(k))^tries` its probability of having been
    /// drawn in `tries` draws. When `samples` reaches the number of classes that are not targets,
    /// this is [`Candidates::all`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for no classes or a target outside `0..classes`.
    pub fn log_uniform<R: Rng + ?Sized>(
        targets: &[usize],
        classes: usize,
        samples: usize,
        rng: &mut R,
    ) -> Result<Self> {
        check_targets(targets, classes)?;
        let mut is_target = vec![false; classes];
        for &t in targets {
            is_target[t] = true;
        }
        let distinct_targets = is_target.iter().filter(|&&t| t).count();
        if samples >= classes - distinct_targets {
            return Self::all(targets, classes);
        }
        let mut drawn = vec![false; classes];
        let (mut distinct, mut tries) = (0usize, 0u64);
        while distinct < samples {
            let k = log_uniform_draw(classes, rng);
            tries += 1;
            if !drawn[k] {
                drawn[k] = true;
                distinct += 1;
            }
        }
        let mut ids = Vec::with_capacity(distinct_targets + samples);
        let mut correction = Vec::with_capacity(distinct_targets + samples);
        for k in 0..classes {
            if is_target[k] {
                ids.push(k);
                correction.push(0.0);
            } else if drawn[k] {
                ids.push(k);
                correction.push(inclusion_probability(k, classes, tries).ln() as f32);
            }
        }
        Ok(Self {
            classes,
            ids,
            correction,
        })
    }

    /// The number of classes of the full output.
    #[must_use]
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The candidate classes, ascending.
    #[must_use]
    pub fn ids(&self) -> &[usize] {
        &self.ids
    }

    /// Per candidate, what is subtracted from its logit (`ln π`; 0 for the targets).
    #[must_use]
    pub fn correction(&self) -> &[f32] {
        &self.correction
    }

    /// Each of `targets`' position among [`Candidates::ids`].
    fn positions(&self, targets: &[usize]) -> Result<Vec<usize>> {
        targets
            .iter()
            .map(|t| {
                self.ids.binary_search(t).map_err(|_| {
                    Error::Invalid(format!("sampled softmax: target {t} is not a candidate"))
                })
            })
            .collect()
    }
}

/// `P(k)` of the log-uniform proposal over `classes` classes.
#[must_use]
pub fn log_uniform_probability(k: usize, classes: usize) -> f64 {
    ((k as f64 + 2.0) / (k as f64 + 1.0)).ln() / (classes as f64 + 1.0).ln()
}

/// One class drawn from the log-uniform proposal: `⌊(classes + 1)^u⌋ − 1` for `u` uniform in `[0, 1)`.
fn log_uniform_draw<R: Rng + ?Sized>(classes: usize, rng: &mut R) -> usize {
    let u: f64 = rng.random();
    let k = ((classes as f64 + 1.0).ln() * u).exp().floor() as usize;
    k.saturating_sub(1).min(classes - 1)
}

/// The probability that class `k` came up at least once in `tries` draws.
fn inclusion_probability(k: usize, classes: usize, tries: u64) -> f64 {
    let p = log_uniform_probability(k, classes);
    -((tries as f64) * (-p).ln_1p()).exp_m1()
}

fn check_targets(targets: &[usize], classes: usize) -> Result<()> {
    if classes == 0 {
        return Err(Error::Invalid("sampled softmax: no classes".into()));
    }
    if let Some(&bad) = targets.iter().find(|&&t| t >= classes) {
        return Err(Error::Invalid(format!(
            "sampled softmax: target {bad} out of range for {classes} classes"
        )));
    }
    Ok(())
}

impl Tape<'_> {
    /// The mean sampled-softmax cross-entropy of `x · tableᵀ + bias` (a tied output layer: `table`
    /// is `(classes, k)`, `bias` `(classes)`) against integer class `targets` (one per row of `x`'s
    /// flattened leading axes), over the `candidates`' classes: their rows of the table
    /// and entries of the bias are gathered, the bias lowered by the candidates' corrections, and
    /// [`Tape::affine_cross_entropy`] runs on those. Gradients reach only the gathered rows and
    /// entries.
    ///
    /// # Errors
    /// [`Error::Shape`] when `table` is not 2-D, `x`'s width is not the table's, `bias` is not
    /// `(classes)`, or the number of targets differs from the number of rows of `x`;
    /// [`Error::Invalid`] when the candidates were drawn for another number of classes or a target
    /// is not among them.
    pub fn sampled_affine_cross_entropy(
        &mut self,
        x: Var,
        table: Var,
        bias: Option<Var>,
        targets: &[usize],
        candidates: &Candidates,
    ) -> Result<Var> {
        let rows = self.shape(table).first().copied().unwrap_or(0);
        if rows != candidates.classes {
            return Err(Error::Invalid(format!(
                "sampled softmax: candidates drawn for {} classes, the table has {rows} rows",
                candidates.classes
            )));
        }
        let n = candidates.ids.len();
        let w = self.gather(table, &candidates.ids, &[n])?;
        let correction =
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[n]), candidates.correction.clone())
                .map_err(|e| Error::Invalid(e.to_string()))?;
        let correction = self.constant(correction);
        let b = match bias {
            Some(bias) => {
                let column = self.reshape(bias, &[rows, 1])?;
                let picked = self.gather(column, &candidates.ids, &[n])?;
                let picked = self.reshape(picked, &[n])?;
                self.sub(picked, correction)?
            }
            None => self.scale(correction, -1.0),
        };
        let positions = candidates.positions(targets)?;
        self.affine_cross_entropy(x, w, Some(b), true, &positions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng(seed: u64) -> rand_chacha::ChaCha8Rng {
        rand_chacha::ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn candidates_hold_every_target_once_sorted_with_the_samples() {
        let targets = [7, 3, 7, 42, 0];
        let c = Candidates::log_uniform(&targets, 1000, 50, &mut rng(1)).unwrap();
        assert!(c.ids().windows(2).all(|w| w[0] < w[1]));
        for t in targets {
            let i = c.ids().binary_search(&t).unwrap();
            assert_eq!(c.correction()[i], 0.0);
        }
        // 4 distinct targets; 50 distinct draws, some of which may be targets.
        assert!((50..=54).contains(&c.ids().len()), "{}", c.ids().len());
        let drawn: Vec<f32> = c
            .ids()
            .iter()
            .zip(c.correction())
            .filter(|(k, _)| !targets.contains(k))
            .map(|(_, &v)| v)
            .collect();
        assert!(drawn.iter().all(|&v| v < 0.0 && v.is_finite()));
        let positions = c.positions(&targets).unwrap();
        for (&t, &p) in targets.iter().zip(&positions) {
            assert_eq!(c.ids()[p], t);
        }
        let missing = (0..1000).find(|k| !c.ids().contains(k)).unwrap();
        assert!(c.positions(&[missing]).is_err());
    }

    #[test]
    fn the_same_seed_draws_the_same_candidates() {
        let a = Candidates::log_uniform(&[1, 2], 500, 40, &mut rng(9)).unwrap();
        let b = Candidates::log_uniform(&[1, 2], 500, 40, &mut rng(9)).unwrap();
        let c = Candidates::log_uniform(&[1, 2], 500, 40, &mut rng(10)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.ids(), c.ids());
    }

    #[test]
    fn draws_follow_the_log_uniform_proposal() {
        let classes = 50;
        let mut counts = vec![0usize; classes];
        let mut r = rng(3);
        let n = 200_000;
        for _ in 0..n {
            counts[log_uniform_draw(classes, &mut r)] += 1;
        }
        let total: f64 = (0..classes)
            .map(|k| log_uniform_probability(k, classes))
            .sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        for (k, &c) in counts.iter().enumerate() {
            let expected = n as f64 * log_uniform_probability(k, classes);
            let sd = expected.sqrt();
            assert!(
                (c as f64 - expected).abs() < 5.0 * sd + 1.0,
                "class {k}: {c} drawn, {expected:.0} expected"
            );
        }
    }

    #[test]
    fn inclusion_probability_is_one_minus_never_drawn() {
        let (k, classes, tries) = (4, 100, 30);
        let p = log_uniform_probability(k, classes);
        let direct = 1.0 - (1.0 - p).powi(tries as i32);
        assert!((inclusion_probability(k, classes, tries) - direct).abs() < 1e-12);
    }

    #[test]
    fn too_many_samples_give_every_class() {
        let c = Candidates::log_uniform(&[0, 5], 10, 8, &mut rng(1)).unwrap();
        assert_eq!(c, Candidates::all(&[0, 5], 10).unwrap());
        // Any number of samples, however large, without overflow or an endless loop.
        let huge = Candidates::log_uniform(&[0, 5], 10, usize::MAX, &mut rng(1)).unwrap();
        assert_eq!(huge, c);
        // One short of the classes that are not targets is still drawn (7 distinct draws, which may
        // include the targets).
        let c = Candidates::log_uniform(&[0, 5], 10, 7, &mut rng(1)).unwrap();
        assert!((7..10).contains(&c.ids().len()), "{:?}", c.ids());
    }

    /// Over many draws, `Σ exp(logit − correction)` over the candidates averages to the full
    /// normaliser `Σ exp(logit)` (the targets' terms exactly, the drawn classes' weighted by the
    /// inverse of their inclusion probability): a wrong count of tries or a wrong sign of the
    /// correction moves the mean by far more than the tolerance.
    #[test]
    fn the_corrected_candidates_estimate_the_full_normaliser() {
        let classes = 400;
        let logits: Vec<f64> = (0..classes)
            .map(|k| ((k * 37 % 101) as f64 / 25.0) - (k as f64 / 150.0))
            .collect();
        let full: f64 = logits.iter().map(|l| l.exp()).sum();
        let targets = [3, 150, 399];
        let mut r = rng(12);
        let draws = 4000;
        let mut mean = 0.0;
        for _ in 0..draws {
            let c = Candidates::log_uniform(&targets, classes, 40, &mut r).unwrap();
            let z: f64 = c
                .ids()
                .iter()
                .zip(c.correction())
                .map(|(&k, &corr)| (logits[k] - f64::from(corr)).exp())
                .sum();
            mean += z / draws as f64;
        }
        assert!((mean / full - 1.0).abs() < 0.03, "{mean} vs {full}");
    }

    #[test]
    fn bad_targets_and_no_classes_are_errors() {
        assert!(Candidates::log_uniform(&[10], 10, 2, &mut rng(1)).is_err());
        assert!(Candidates::all(&[], 0).is_err());
    }
}
