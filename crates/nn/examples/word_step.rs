//! One training batch of word-rnn's default network, timed by phase: the embedding lookup, the
//! LSTM and the dropout masks (`forward`), the projection and the tied output layer (`output`), the
//! mean cross-entropy (`loss`), `Tape::backward` (`backward`) and the checked, clipped Adam step
//! (`step`). The network is word-rnn's (`Embedding(V, 100)` fine-tuned → whole-word dropout 0.1 →
//! dropout 0.4 → LSTM 256 → dropout 0.4 → `Dense(100)` → `TiedDense` over the vocabulary, 16
//! streams × 20 steps, Adam, clip 5; dropout masks as word-rnn draws them by default: one per
//! stream and feature shared by the steps, applied with `Tape::mul`) on seeded Zipf-like word ids,
//! one thread, the state carried from batch to batch.
//!
//! ```text
//! MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 RAYON_NUM_THREADS=1 \
//!     cargo run --release -p rnnlab-nn --example word_step [batches] [vocabulary]
//! ```
//!
//! (The `MALLOC_*` settings are what `appkit::malloc` tells glibc in every training app: keep freed
//! memory instead of unmapping the vocabulary-sized arrays after each batch.)
//!
//! It prints milliseconds of wall time per batch for each phase and the process CPU time (user +
//! system) per batch, the figure to compare on a loaded machine. Under
//! `valgrind --tool=callgrind` a few batches (e.g. `word_step 6`) attribute instructions per
//! function without the app's Word2Vec and data preparation.
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Instant;

use ndarray::{Array2, ArrayD, IxDyn};
use nn::layers::{Recurrent, dense, embedding, lstm, tied_dense};
use nn::ops::basic::keep_or_drop;
use nn::seq_train::checked_step;
use nn::{Adam, Flavor, Sequential, Tape, Var};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tensor::cpu_time::process_cpu_seconds;

const STREAMS: usize = 16;
const SEQ: usize = 20;
const DIM: usize = 100;
const UNITS: usize = 256;
const DROPOUT: f32 = 0.4;
const WORD_DROPOUT: f32 = 0.1;

/// `v ⊙ mask` with one mask value per stream and feature, shared by every step.
fn variational(tape: &mut Tape<'_>, v: Var, rng: &mut ChaCha8Rng) -> Var {
    let mut shape = tape.shape(v).to_vec();
    shape[1] = 1;
    let mask = ArrayD::from_shape_simple_fn(IxDyn(&shape), || keep_or_drop(rng, DROPOUT));
    let mask = tape.constant(mask);
    tape.mul(v, mask).unwrap()
}

/// CPU seconds this process has used (NaN where `/proc/self/stat` is missing).
fn process_cpu_s() -> f64 {
    process_cpu_seconds().unwrap_or(f64::NAN)
}

fn main() {
    let batches: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let vocab: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(9_079);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut model = Sequential::new(&[SEQ], 1);
    model
        .add(embedding(vocab, DIM).trainable(true).name("embedding"))
        .unwrap();
    model.add(lstm(UNITS).return_sequences(true)).unwrap();
    model.add(dense(DIM).name("projection")).unwrap();
    model.add(tied_dense("embedding")).unwrap();
    let mut adam = Adam::new(3e-3, 0.9, 0.999, 1e-8, Flavor::PyTorch);
    // A Zipf-like stream of word ids, as text has: a few words often, most rarely.
    let mut word = || {
        let u: f64 = rng.random::<f64>().max(1e-12);
        ((vocab as f64).powf(u) as usize - 1).min(vocab - 1)
    };
    let stream: Vec<usize> = (0..(batches * SEQ + 1) * STREAMS).map(|_| word()).collect();
    let per_stream = stream.len() / STREAMS;
    let mut state: Option<(Array2<f32>, Array2<f32>)> = None;
    let mut drop_rng = ChaCha8Rng::seed_from_u64(2);
    let mut phases = [0.0f64; 5];
    let names = ["forward", "output", "loss", "backward", "step"];
    let (wall0, cpu0) = (Instant::now(), process_cpu_s());
    let mut last_loss = 0.0;
    for b in 0..batches {
        let mut x = Vec::with_capacity(STREAMS * SEQ);
        let mut y = Vec::with_capacity(STREAMS * SEQ);
        for s in 0..STREAMS {
            for t in 0..SEQ {
                let at = s * per_stream + b * SEQ + t;
                x.push(stream[at] as f32);
                y.push(stream[at + 1]);
            }
        }
        let x = ArrayD::from_shape_vec(IxDyn(&[STREAMS, SEQ]), x).unwrap();
        let layers = model.layers();
        let rec = layers[1].as_any().downcast_ref::<Recurrent>().unwrap();
        let mut tape = Tape::new(model.params());
        let mut t = Instant::now();
        let mut lap = |i: usize, t: &mut Instant| {
            phases[i] += t.elapsed().as_secs_f64();
            *t = Instant::now();
        };
        let keep: Vec<f32> = (0..vocab)
            .map(|_| keep_or_drop(&mut drop_rng, WORD_DROPOUT))
            .collect();
        let words = x.mapv(|w| keep[w as usize]).insert_axis(ndarray::Axis(2));
        let xv = tape.constant(x);
        let mut v = layers[0].forward(&mut tape, xv).unwrap();
        let words = tape.constant(words);
        v = tape.mul(v, words).unwrap();
        v = variational(&mut tape, v, &mut drop_rng);
        let initial = state.as_ref().map(|(h, c)| {
            let h = tape.constant(h.clone().into_dyn());
            let c = tape.constant(c.clone().into_dyn());
            (h, Some(c))
        });
        let out = rec.forward_full(&mut tape, v, initial).unwrap();
        let next = (
            tape.value(out.h).clone().into_dimensionality().unwrap(),
            tape.value(out.c.unwrap())
                .clone()
                .into_dimensionality()
                .unwrap(),
        );
        v = variational(&mut tape, out.sequence, &mut drop_rng);
        lap(0, &mut t);
        v = layers[2].forward(&mut tape, v).unwrap();
        let logits = layers[3].forward(&mut tape, v).unwrap();
        lap(1, &mut t);
        let loss = tape.cross_entropy(logits, &y).unwrap();
        last_loss = tape.value(loss).iter().next().copied().unwrap_or(f32::NAN);
        lap(2, &mut t);
        let grads = tape.backward(loss).unwrap();
        drop(tape);
        lap(3, &mut t);
        checked_step(&mut adam, &mut model, grads, Some(5.0), (1, b + 1)).unwrap();
        lap(4, &mut t);
        state = Some(next);
    }
    let (wall, cpu) = (wall0.elapsed().as_secs_f64(), process_cpu_s() - cpu0);
    let per = |s: f64| 1e3 * s / batches as f64;
    println!(
        "word_step: vocabulary {vocab}, {batches} batches of {STREAMS}x{SEQ} words, last loss {last_loss:.4}"
    );
    for (name, s) in names.iter().zip(phases) {
        println!("  {name:<9} {:8.2} ms/batch (wall)", per(s));
    }
    println!(
        "  total     {:8.2} ms/batch wall, {:8.2} ms/batch CPU; {:.0} words per CPU second",
        per(wall),
        per(cpu),
        (batches * STREAMS * SEQ) as f64 / cpu
    );
}
