//! Train/test split by wells: never by months, so no test well leaks into the scaler or the training windows.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Indices of the training and test wells (rows of a [`crate::Pivot`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training wells, in the order the windows will be cut from them.
    pub train: Vec<usize>,
    /// Test wells.
    pub test: Vec<usize>,
}

impl Split {
    /// The first `n_train` wells train, the rest test (the lesson: 40 of 50 in API order).
    pub fn first(n_wells: usize, n_train: usize) -> Result<Split> {
        check(n_wells, n_train)?;
        Ok(Split {
            train: (0..n_train).collect(),
            test: (n_train..n_wells).collect(),
        })
    }

    /// A seeded shuffle (ChaCha8) of the wells, then the first `n_train` of it train and the rest test; each side is
    /// sorted back into API order.
    pub fn shuffled(n_wells: usize, n_train: usize, seed: u64) -> Result<Split> {
        check(n_wells, n_train)?;
        let mut order: Vec<usize> = (0..n_wells).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (mut train, mut test) = (order[..n_train].to_vec(), order[n_train..].to_vec());
        train.sort_unstable();
        test.sort_unstable();
        Ok(Split { train, test })
    }
}

fn check(n_wells: usize, n_train: usize) -> Result<()> {
    if n_train == 0 || n_train >= n_wells {
        return Err(Error::Invalid(format!(
            "cannot train on {n_train} of {n_wells} wells: need at least 1 training well and 1 test well \
             (so at least {} wells)",
            n_train.max(1) + 1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_n_is_the_lesson_split() {
        let s = Split::first(50, 40).unwrap();
        assert_eq!(s.train, (0..40).collect::<Vec<_>>());
        assert_eq!(s.test, (40..50).collect::<Vec<_>>());
        assert!(
            Split::first(40, 40)
                .unwrap_err()
                .to_string()
                .contains("at least 41 wells")
        );
        assert!(Split::first(5, 0).is_err());
    }

    #[test]
    fn shuffle_is_seeded_and_a_partition() {
        let a = Split::shuffled(50, 40, 7).unwrap();
        assert_eq!(a, Split::shuffled(50, 40, 7).unwrap());
        assert_ne!(a, Split::shuffled(50, 40, 8).unwrap());
        assert_ne!(a.test, (40..50).collect::<Vec<_>>());
        let mut all: Vec<usize> = a.train.iter().chain(&a.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..50).collect::<Vec<_>>());
    }
}
