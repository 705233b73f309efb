//! The per-thread training kernel: one sentence of ids at a time, skip-gram or CBOW with negative sampling,
//! following gensim's `word2vec_inner.pyx` step by step (the same tables, random stream order, window shrinking,
//! skipped updates outside the sigmoid table, and CBOW's mean of the context).

use crate::params::Architecture;
use crate::sampling::{Lcg, NegativeSampler, SigmoidTable};
use crate::shared::RowStore;

/// `sum a[i] * b[i]` with eight interleaved partial sums (a fixed summation order, so it vectorises and stays
/// deterministic).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; 8];
    let body = n - n % 8;
    for (x, y) in a[..body].chunks_exact(8).zip(b[..body].chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for i in body..n {
        sum += a[i] * b[i];
    }
    sum
}

/// `work += g * row; row += g * h` in one pass, both from the old `row` (gensim's two saxpy calls, fused).
#[inline]
pub(crate) fn fused_update(work: &mut [f32], row: &mut [f32], h: &[f32], g: f32) {
    let n = work.len().min(row.len()).min(h.len());
    let (work, row, h) = (&mut work[..n], &mut row[..n], &h[..n]);
    for i in 0..n {
        let old = row[i];
        work[i] += g * old;
        row[i] = old + g * h[i];
    }
}

/// `y += a * x`.
#[inline]
pub(crate) fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    let n = y.len().min(x.len());
    let (y, x) = (&mut y[..n], &x[..n]);
    for i in 0..n {
        y[i] += a * x[i];
    }
}

/// Read-only tables shared by all workers.
pub(crate) struct Tables<'t> {
    pub negatives: &'t NegativeSampler,
    pub sample_ints: &'t [u32],
    pub sigmoid: &'t SigmoidTable,
    pub subsample: bool,
}

/// One thread's state: its random stream and scratch rows.
pub(crate) struct Worker<'t> {
    tables: Tables<'t>,
    architecture: Architecture,
    window: usize,
    negative: usize,
    pub lcg: Lcg,
    l1: Vec<f32>,
    l2: Vec<f32>,
    work: Vec<f32>,
    sentence: Vec<u32>,
}

impl<'t> Worker<'t> {
    pub(crate) fn new(
        tables: Tables<'t>,
        architecture: Architecture,
        dim: usize,
        window: usize,
        negative: usize,
    ) -> Self {
        Self {
            tables,
            architecture,
            window,
            negative,
            lcg: Lcg(0),
            l1: vec![0.0; dim],
            l2: vec![0.0; dim],
            work: vec![0.0; dim],
            sentence: Vec::new(),
        }
    }

    /// Trains on one sentence; returns the number of words left after subsampling.
    pub(crate) fn train_sentence<S0: RowStore, S1: RowStore>(
        &mut self,
        syn0: &mut S0,
        syn1: &mut S1,
        ids: &[u32],
        alpha: f32,
    ) -> usize {
        let mut sentence = std::mem::take(&mut self.sentence);
        sentence.clear();
        if self.tables.subsample {
            for &id in ids {
                if self.tables.sample_ints[id as usize] >= self.lcg.next_u32() {
                    sentence.push(id);
                }
            }
        } else {
            sentence.extend_from_slice(ids);
        }
        let n = sentence.len();
        for i in 0..n {
            let reduced = (self.lcg.next_u32() as usize) % self.window;
            let reach = self.window - reduced;
            let lo = i.saturating_sub(reach);
            let hi = (i + reach + 1).min(n);
            match self.architecture {
                Architecture::SkipGram => {
                    for j in lo..hi {
                        if j != i {
                            self.skip_gram_pair(syn0, syn1, sentence[i], sentence[j], alpha);
                        }
                    }
                }
                Architecture::Cbow => {
                    self.cbow_position(syn0, syn1, &sentence[lo..hi], i - lo, alpha)
                }
            }
        }
        self.sentence = sentence;
        n
    }

    /// Negative-sampling updates for the hidden vector in `self.l1` predicting `center`; the input-side gradient is
    /// accumulated in `self.work`.
    #[inline]
    fn negative_sampling<S1: RowStore>(&mut self, syn1: &mut S1, center: u32, alpha: f32) {
        self.work.fill(0.0);
        for d in 0..=self.negative {
            let (target, label) = if d == 0 {
                (center, 1.0f32)
            } else {
                let target = self.tables.negatives.draw(self.lcg.next_state());
                if target == center {
                    continue;
                }
                (target, 0.0f32)
            };
            let sigmoid = self.tables.sigmoid;
            syn1.output_step(
                target as usize,
                &self.l1,
                &mut self.work,
                &mut self.l2,
                |f| sigmoid.get(f).map(|s| (label - s) * alpha),
            );
        }
    }

    /// gensim's `w2v_fast_sentence_sg_neg`: the context word's input vector predicts the centre word.
    #[inline]
    fn skip_gram_pair<S0: RowStore, S1: RowStore>(
        &mut self,
        syn0: &mut S0,
        syn1: &mut S1,
        center: u32,
        context: u32,
        alpha: f32,
    ) {
        syn0.read(context as usize, &mut self.l1);
        self.negative_sampling(syn1, center, alpha);
        syn0.add(context as usize, 1.0, &self.work);
    }

    /// gensim's `w2v_fast_sentence_cbow_neg` with `cbow_mean=1`: the mean of the context predicts `window[center]`;
    /// each context word's input vector then receives the full error.
    #[inline]
    fn cbow_position<S0: RowStore, S1: RowStore>(
        &mut self,
        syn0: &mut S0,
        syn1: &mut S1,
        window: &[u32],
        center: usize,
        alpha: f32,
    ) {
        if window.len() < 2 {
            return; // no context: gensim's update is a no-op on the weights
        }
        self.l1.fill(0.0);
        for (m, &id) in window.iter().enumerate() {
            if m != center {
                syn0.accumulate(id as usize, &mut self.l1);
            }
        }
        let inv_count = 1.0 / (window.len() - 1) as f32;
        self.l1.iter_mut().for_each(|v| *v *= inv_count);
        self.negative_sampling(syn1, window[center], alpha);
        // With cbow_mean=1 gensim gives every context word the whole error (it divides only for cbow_mean=0).
        for (m, &id) in window.iter().enumerate() {
            if m != center {
                syn0.add(id as usize, 1.0, &self.work);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sampling::CUM_TABLE_DOMAIN;
    use crate::shared::OwnedRows;

    /// gensim's CBOW (cbow_mean=1) written out plainly for window 1 and one negative that is always word 3.
    fn reference_cbow(syn0: &mut [[f32; 2]], syn1: &mut [[f32; 2]], sent: &[usize], alpha: f32) {
        let table = SigmoidTable::new();
        for i in 0..sent.len() {
            let ctx: Vec<usize> = [i.wrapping_sub(1), i + 1]
                .into_iter()
                .filter(|&j| j < sent.len())
                .collect();
            let mut h = [0f32; 2];
            for &j in &ctx {
                for d in 0..2 {
                    h[d] += syn0[sent[j]][d] / ctx.len() as f32;
                }
            }
            let mut work = [0f32; 2];
            for (t, label) in [(sent[i], 1.0f32), (3, 0.0)] {
                let f = h[0] * syn1[t][0] + h[1] * syn1[t][1];
                let g = (label - table.get(f).unwrap()) * alpha;
                for d in 0..2 {
                    work[d] += g * syn1[t][d];
                    syn1[t][d] += g * h[d];
                }
            }
            for &j in &ctx {
                for d in 0..2 {
                    syn0[sent[j]][d] += work[d];
                }
            }
        }
    }

    #[test]
    fn cbow_step_matches_gensims_update_rule() {
        let sigmoid = SigmoidTable::new();
        let cum = [0, 0, 0, CUM_TABLE_DOMAIN]; // every negative draw is word 3 (draws of exactly 0 aside)
        let tables = Tables {
            negatives: &NegativeSampler::new(cum.to_vec()),
            sample_ints: &[],
            sigmoid: &sigmoid,
            subsample: false,
        };
        let mut worker = Worker::new(tables, Architecture::Cbow, 2, 1, 1);
        worker.lcg = Lcg(99);
        let s0 = [[0.3f32, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.05, 0.05]];
        let s1 = [[0.2f32, 0.1], [-0.3, 0.2], [0.4, -0.1], [0.1, 0.3]];
        let (mut r0, mut r1) = (s0, s1);
        let mut flat0: Vec<f32> = s0.iter().flatten().copied().collect();
        let mut flat1: Vec<f32> = s1.iter().flatten().copied().collect();
        worker.train_sentence(
            &mut OwnedRows::new(&mut flat0, 2),
            &mut OwnedRows::new(&mut flat1, 2),
            &[0, 1, 2],
            0.5,
        );
        reference_cbow(&mut r0, &mut r1, &[0, 1, 2], 0.5);
        for (got, want) in flat0
            .iter()
            .zip(r0.iter().flatten())
            .chain(flat1.iter().zip(r1.iter().flatten()))
        {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        // and the weights did move
        assert!(flat1[0] != s1[0][0] && flat0[2] != s0[1][0]);
    }

    #[test]
    fn dot_matches_a_plain_sum() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.25 - 3.0).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32).sin()).collect();
        let plain: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        assert!((f64::from(dot(&a, &b)) - plain).abs() < 1e-4);
    }
}
