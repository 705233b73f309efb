//! Trains one epoch of skip-gram on a synthetic Zipf corpus with one thread through the plain or the atomic weight
//! store, so the two can be compared by instruction count (`valgrind --tool=callgrind`) or time:
//! `cargo run --release -p rnnlab-embed --example store_cost -- plain|atomic [sg|cbow]`.

use embed::sampling::Lcg;
use embed::{Architecture, Corpus, Store, Vocab, Word2VecParams, train_with};

fn main() -> embed::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let store = if args.get(1).map(String::as_str) == Some("atomic") {
        Store::Atomic
    } else {
        Store::Auto
    };
    let arch = if args.get(2).map(String::as_str) == Some("cbow") {
        Architecture::Cbow
    } else {
        Architecture::SkipGram
    };
    let words = 3000u32;
    let harmonic: f64 = (1..=words).map(|r| 1.0 / f64::from(r)).sum();
    let mut cumulative = Vec::with_capacity(words as usize);
    let mut acc = 0.0;
    for r in 1..=words {
        acc += 1.0 / f64::from(r) / harmonic;
        cumulative.push(acc);
    }
    let mut lcg = Lcg(7);
    let sentences: Vec<Vec<String>> = (0..3000)
        .map(|_| {
            (0..20)
                .map(|_| {
                    let u = f64::from(lcg.next_u32()) / f64::from(u32::MAX);
                    format!("w{}", cumulative.partition_point(|&c| c < u))
                })
                .collect()
        })
        .collect();
    let vocab = Vocab::from_sentences(&sentences, 1, None)?;
    let corpus = Corpus::encode(&vocab, &sentences, 10_000);
    let params = Word2VecParams {
        architecture: arch,
        epochs: 1,
        threads: 1,
        seed: 1,
        ..Default::default()
    };
    let (_, stats) = train_with(&vocab, &corpus, &params, None, store)?;
    println!(
        "{store:?} {arch:?}: {:.3} s, {:.0} words/s",
        stats.seconds, stats.words_per_sec
    );
    Ok(())
}
