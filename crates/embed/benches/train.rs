//! The training inner loop: one epoch over a synthetic Zipf-distributed corpus (60k tokens, 3k words), skip-gram
//! and CBOW, one thread, with the plain and the atomic weight store (the measurement quoted in `src/shared.rs`),
//! and two threads with the default store (replicas) and the atomic one.

use criterion::{Criterion, Throughput, criterion_main};
use embed::sampling::Lcg;
use embed::{Architecture, Corpus, Store, Vocab, Word2VecParams, train_with};

fn zipf_corpus() -> Vec<Vec<String>> {
    let words = 3000u32;
    let harmonic: f64 = (1..=words).map(|r| 1.0 / f64::from(r)).sum();
    let cumulative: Vec<f64> = (1..=words)
        .scan(0.0, |acc, r| {
            *acc += 1.0 / f64::from(r) / harmonic;
            Some(*acc)
        })
        .collect();
    let mut lcg = Lcg(7);
    (0..3000)
        .map(|_| {
            (0..20)
                .map(|_| {
                    let u = f64::from(lcg.next_u32()) / f64::from(u32::MAX);
                    format!("w{}", cumulative.partition_point(|&c| c < u))
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let sentences = zipf_corpus();
    let vocab = Vocab::from_sentences(sentences.clone(), 1, None).expect("vocab");
    let corpus = Corpus::encode(&vocab, sentences, 10_000);
    let mut group = c.benchmark_group("word2vec_epoch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(corpus.raw_words()));
    for (arch, label) in [(Architecture::SkipGram, "sg"), (Architecture::Cbow, "cbow")] {
        for (threads, store, name) in [
            (1, Store::Auto, "plain_1t"),
            (1, Store::Atomic, "atomic_1t"),
            (2, Store::Auto, "replicas_2t"),
            (2, Store::Atomic, "atomic_2t"),
        ] {
            let params = Word2VecParams {
                architecture: arch,
                epochs: 1,
                threads,
                seed: 1,
                ..Default::default()
            };
            group.bench_function(format!("{label}_{name}"), |b| {
                b.iter(|| train_with(&vocab, &corpus, &params, None, store).expect("train"));
            });
        }
    }
    group.finish();
}

#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::bench);
}
use harness::benches;
criterion_main!(benches);
