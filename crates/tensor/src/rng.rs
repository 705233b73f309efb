//! The project's seeded random number generator and the few distributions the initialisers need.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The project RNG: ChaCha8, portable and reproducible across platforms.
pub type ProjectRng = ChaCha8Rng;

/// A [`ProjectRng`] seeded from a `u64`. The same seed always gives the same stream.
#[must_use]
pub fn seeded_rng(seed: u64) -> ProjectRng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// One draw from the standard normal distribution (Box–Muller in f64).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // u1 in (0, 1] so that ln(u1) is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// One draw from the uniform distribution on `[-limit, limit)`.
pub fn uniform_symmetric<R: Rng + ?Sized>(rng: &mut R, limit: f32) -> f32 {
    let u: f32 = rng.random::<f32>();
    (2.0 * u - 1.0) * limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = seeded_rng(7);
        let mut b = seeded_rng(7);
        for _ in 0..10 {
            assert_eq!(
                standard_normal(&mut a).to_bits(),
                standard_normal(&mut b).to_bits()
            );
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = seeded_rng(1);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut r)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "var {var}");
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut r = seeded_rng(2);
        for _ in 0..1000 {
            let u = uniform_symmetric(&mut r, 0.25);
            assert!((-0.25..0.25).contains(&u));
        }
    }
}
