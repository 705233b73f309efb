//! The small numeric tables and the random stream that word2vec and gensim train with, built the same way:
//! the unigram^0.75 cumulative table for negative sampling, the per-word keep thresholds for frequent-word
//! subsampling, the sigmoid lookup table and the 48-bit linear congruential generator.

/// Size of gensim's / word2vec's cumulative negative-sampling table domain (`2**31 - 1`).
pub const CUM_TABLE_DOMAIN: u32 = 2_147_483_647;
/// Number of entries of the sigmoid table.
pub const EXP_TABLE_SIZE: usize = 1000;
/// The sigmoid table covers `(-MAX_EXP, MAX_EXP)`; dot products outside it produce no update (as gensim).
pub const MAX_EXP: f32 = 6.0;
/// `EXP_TABLE_SIZE / MAX_EXP / 2` with C integer division, exactly as word2vec and gensim index the table.
const EXP_INDEX_SCALE: f64 = (EXP_TABLE_SIZE as i64 / MAX_EXP as i64 / 2) as f64;

/// gensim's `make_cum_table`: entry `i` is `round(sum_{j<=i} count_j^power / Z * domain)` (Python's round, ties to
/// even), so a uniform integer in `[0, table[last])` located by binary search draws word `i` with probability
/// `count_i^power / Z`.
pub fn cum_table(counts: &[u64], power: f64) -> Vec<u32> {
    let total: f64 = counts.iter().map(|&c| (c as f64).powf(power)).sum();
    let mut cumulative = 0.0f64;
    counts
        .iter()
        .map(|&c| {
            cumulative += (c as f64).powf(power);
            (cumulative / total * f64::from(CUM_TABLE_DOMAIN)).round_ties_even() as u32
        })
        .collect()
}

/// Draws from the cumulative table like gensim: `bisect_left(table, (next_random >> 16) % table[last])`.
#[inline]
pub fn draw(table: &[u32], next_random: u64) -> u32 {
    let last = u64::from(table[table.len() - 1]);
    let x = ((next_random >> 16) % last) as u32;
    table.partition_point(|&v| v < x) as u32
}

/// [`draw`] with the binary search narrowed by a guide table: entry `b` is where the search would land for the
/// value `b << shift`, so a value in bucket `b` only needs searching between entries `b` and `b + 1` (a handful of
/// words in the rare tail, usually none for frequent words). Draws exactly what [`draw`] draws.
#[derive(Debug, Clone)]
pub struct NegativeSampler {
    cum: Vec<u32>,
    last: u32,
    shift: u32,
    guide: Vec<u32>,
}

impl NegativeSampler {
    /// log2 of the number of guide buckets.
    const GUIDE_BITS: u32 = 12;

    /// Builds the guide for a cumulative table from [`cum_table`].
    pub fn new(cum: Vec<u32>) -> Self {
        let last = cum.last().copied().unwrap_or(0);
        let bits = u32::BITS - last.saturating_sub(1).leading_zeros();
        let shift = bits.saturating_sub(Self::GUIDE_BITS);
        let buckets = (last.saturating_sub(1) >> shift) as usize + 2;
        let guide = (0..buckets)
            .map(|b| {
                let start = ((b as u64) << shift).min(u64::from(u32::MAX)) as u32;
                cum.partition_point(|&v| v < start) as u32
            })
            .collect();
        Self {
            cum,
            last,
            shift,
            guide,
        }
    }

    /// The word drawn for the LCG state `next_random` (0 for an empty table).
    #[inline]
    pub fn draw(&self, next_random: u64) -> u32 {
        if self.last == 0 {
            return 0;
        }
        // `next_random` has 48 bits, so `>> 16` fits in a u32: a 32-bit remainder, as exact as the 64-bit one.
        let x = ((next_random >> 16) as u32) % self.last;
        let bucket = (x >> self.shift) as usize;
        let (lo, hi) = (self.guide[bucket] as usize, self.guide[bucket + 1] as usize);
        (lo + self.cum[lo..hi].partition_point(|&v| v < x)) as u32
    }
}

/// gensim's `sample_int` per word: the probability of keeping a word (word2vec's formula
/// `(sqrt(c / t) + 1) * t / c` with `t = sample * retained_total`, capped at 1) scaled to `u32`; a word is dropped
/// when `sample_int < random_u32`. `sample = 0` keeps every word.
pub fn sample_ints(counts: &[u64], sample: f64) -> Vec<u32> {
    let retained: u64 = counts.iter().sum();
    let threshold = if sample <= 0.0 {
        retained as f64
    } else if sample < 1.0 {
        sample * retained as f64
    } else {
        (sample * (3.0 + 5f64.sqrt()) / 2.0).trunc()
    };
    counts
        .iter()
        .map(|&c| {
            let v = c as f64;
            let p = ((v / threshold).sqrt() + 1.0) * (threshold / v);
            if p < 1.0 {
                (p * f64::from(u32::MAX)) as u32
            } else {
                u32::MAX
            }
        })
        .collect()
}

/// The sigmoid lookup table of word2vec / gensim (`f32`), `EXP_TABLE_SIZE` entries over `[-MAX_EXP, MAX_EXP)`.
pub struct SigmoidTable {
    table: Vec<f32>,
}

impl Default for SigmoidTable {
    fn default() -> Self {
        Self::new()
    }
}

impl SigmoidTable {
    /// Builds the table exactly as gensim's `init()` (f32 rounding after each step).
    pub fn new() -> Self {
        let table = (0..EXP_TABLE_SIZE)
            .map(|i| {
                let e = ((i as f32 / EXP_TABLE_SIZE as f32 * 2.0 - 1.0) * MAX_EXP).exp();
                e / (e + 1.0)
            })
            .collect();
        Self { table }
    }

    /// `sigmoid(x)` from the table, or `None` when `|x| >= MAX_EXP` (gensim skips those updates).
    #[inline]
    pub fn get(&self, x: f32) -> Option<f32> {
        if x <= -MAX_EXP || x >= MAX_EXP {
            return None;
        }
        let idx = ((f64::from(x) + f64::from(MAX_EXP)) * EXP_INDEX_SCALE) as usize;
        self.table.get(idx).copied()
    }
}

/// word2vec's 48-bit linear congruential generator (`next = next * 25214903917 + 11 mod 2^48`), which gensim
/// also uses inside its training loop. Cheap, and good enough for windows, subsampling and negatives.
#[derive(Debug, Clone, Copy)]
pub struct Lcg(pub u64);

impl Lcg {
    const MODULO: u64 = (1 << 48) - 1;

    /// Returns the current state and advances (the order gensim's negative sampling uses).
    #[inline]
    pub fn next_state(&mut self) -> u64 {
        let current = self.0;
        self.0 = (self.0.wrapping_mul(25_214_903_917).wrapping_add(11)) & Self::MODULO;
        current
    }

    /// gensim's `random_int32`: bits 16..48 of the current state, then advance.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        (self.next_state() >> 16) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cum_table_ends_at_domain_and_draws_proportionally() {
        let counts = [100u64, 10, 1];
        let t = cum_table(&counts, 0.75);
        assert_eq!(*t.last().unwrap(), CUM_TABLE_DOMAIN);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        let mut lcg = Lcg(12345);
        let mut hits = [0usize; 3];
        for _ in 0..200_000 {
            hits[draw(&t, lcg.next_state()) as usize] += 1;
        }
        let z: f64 = counts.iter().map(|&c| (c as f64).powf(0.75)).sum();
        for (i, &c) in counts.iter().enumerate() {
            let expected = (c as f64).powf(0.75) / z;
            let got = hits[i] as f64 / 200_000.0;
            assert!(
                (expected - got).abs() < 0.01,
                "word {i}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn guided_draws_equal_plain_bisection() {
        let mut lcg = Lcg(99);
        let tables = [
            cum_table(
                &(1..=4000)
                    .rev()
                    .map(|r| 1 + 100_000 / r)
                    .collect::<Vec<u64>>(),
                0.75,
            ),
            cum_table(&[5, 5, 5], 0.75),
            cum_table(&[1_000_000, 1], 0.75),
            vec![0, 0, 0, CUM_TABLE_DOMAIN],
            vec![1, 2, 3],
        ];
        for cum in tables {
            let sampler = NegativeSampler::new(cum.clone());
            for _ in 0..100_000 {
                let state = lcg.next_state();
                assert_eq!(sampler.draw(state), draw(&cum, state));
            }
            // the edges of every bucket, where an off-by-one would show
            for x in (0..sampler.guide.len() as u64).flat_map(|b| {
                let edge = b << sampler.shift;
                [edge.saturating_sub(1), edge, edge + 1]
            }) {
                let state = x << 16;
                assert_eq!(sampler.draw(state), draw(&cum, state), "x = {x}");
            }
        }
        assert_eq!(NegativeSampler::new(Vec::new()).draw(12345), 0);
    }

    #[test]
    fn sample_ints_follow_the_formula() {
        // total 1000, sample 1e-3 -> t = 1: count 1 keeps with p = (1+1)*1 = 2 -> capped; count 900 drops a lot.
        let s = sample_ints(&[900, 99, 1], 1e-3);
        assert_eq!(s[2], u32::MAX);
        let p = ((900f64 / 1.0).sqrt() + 1.0) / 900.0;
        assert_eq!(s[0], (p * f64::from(u32::MAX)) as u32);
        assert!(sample_ints(&[5, 5], 0.0).iter().all(|&v| v == u32::MAX));
    }

    #[test]
    fn sigmoid_table_matches_the_function_within_its_resolution() {
        let t = SigmoidTable::new();
        for i in -590..590 {
            let x = i as f32 / 100.0;
            let exact = 1.0 / (1.0 + (-x).exp());
            assert!((t.get(x).unwrap() - exact).abs() < 0.01, "{x}");
        }
        assert!(t.get(6.0).is_none() && t.get(-6.0).is_none() && t.get(5.999).is_some());
    }

    #[test]
    fn lcg_matches_word2vec_recurrence() {
        let mut l = Lcg(1);
        assert_eq!(l.next_state(), 1);
        assert_eq!(l.0, 25_214_903_917 + 11);
    }
}
