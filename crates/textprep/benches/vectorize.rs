//! Throughput (MB/s of raw UTF-8 input) of CountVectorizer: fit_transform with word 1–2-grams (the lesson's
//! setting and `bench/ngrams.py`'s), char_wb 2–4-grams, and transform with a learned vocabulary.
//!
//! Input: one document per line of the sample story repeated to about 2 MB (the size of the lesson's novel), or
//! of the file named by `TEXTPREP_BENCH_FILE`, e.g.
//! `TEXTPREP_BENCH_FILE=../../../shared/data/crime_and_punishment.txt cargo bench -p rnnlab-textprep --bench vectorize`
//! (criterion runs benches from the crate's directory).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench may stop on bad setup

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use textprep::vectorize::{Analyzer, CountVectorizer, CountVectorizerConfig};
use textprep::{Utf8Policy, sample::RUSSIAN_STORY};

fn input() -> (String, String) {
    match std::env::var("TEXTPREP_BENCH_FILE") {
        Ok(path) => {
            let text = textprep::read_text(&path, Utf8Policy::Strict)
                .expect("TEXTPREP_BENCH_FILE is readable UTF-8");
            (path, text)
        }
        Err(_) => {
            let copies = 2_000_000 / RUSSIAN_STORY.len() + 1;
            (
                "sample story repeated".to_owned(),
                RUSSIAN_STORY.repeat(copies),
            )
        }
    }
}

fn vectorize(c: &mut Criterion) {
    let (name, text) = input();
    let docs: Vec<&str> = text.lines().collect();
    let mut group = c.benchmark_group(format!("vectorize {name}"));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    for threads in [1, 2] {
        let word = CountVectorizerConfig {
            ngram_range: (1, 2),
            threads,
            ..Default::default()
        };
        group.bench_function(
            format!("fit_transform word 1-2, {threads} thread(s)"),
            |b| {
                b.iter(|| {
                    CountVectorizer::new(word.clone())
                        .unwrap()
                        .fit_transform(black_box(&docs))
                        .unwrap()
                })
            },
        );
    }
    let char_wb = CountVectorizerConfig {
        analyzer: Analyzer::CharWb,
        ngram_range: (2, 4),
        ..Default::default()
    };
    group.bench_function("fit_transform char_wb 2-4", |b| {
        b.iter(|| {
            CountVectorizer::new(char_wb.clone())
                .unwrap()
                .fit_transform(black_box(&docs))
                .unwrap()
        })
    });
    let mut fitted = CountVectorizer::new(CountVectorizerConfig {
        ngram_range: (1, 2),
        ..Default::default()
    })
    .unwrap();
    fitted.fit(&docs).unwrap();
    group.bench_function("transform word 1-2", |b| {
        b.iter(|| fitted.transform(black_box(&docs)).unwrap())
    });
    group.finish();
}

/// The bench entry point `criterion_main!` calls (written out, as `criterion_group!` leaves it undocumented).
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    vectorize(&mut criterion);
}

criterion_main!(benches);
