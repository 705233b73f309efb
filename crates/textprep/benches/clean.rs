//! Throughput (MB/s of raw UTF-8 input) of cleaning and sentence streaming.
//!
//! Input: the sample story repeated to about 2 MB (the size of the lesson's novel), or the file named by the
//! `TEXTPREP_BENCH_FILE` environment variable, e.g.
//! `TEXTPREP_BENCH_FILE=../../../shared/data/crime_and_punishment.txt cargo bench -p rnnlab-textprep --bench clean`
//! (criterion runs benches from the crate's directory).

use std::hint::black_box;
use std::io::BufReader;

use criterion::{Criterion, Throughput, criterion_main};
use textprep::{
    CleanConfig, Cleaner, SentenceConfig, SentenceReader, Utf8Policy, Utf8Reader,
    sample::RUSSIAN_STORY, sentences,
};

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

fn bench(c: &mut Criterion) {
    let (name, text) = input();
    let bytes = text.as_bytes();
    let mut group = c.benchmark_group(format!(
        "textprep ({name}, {:.1} MB)",
        bytes.len() as f64 / 1e6
    ));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(20);

    let words = Cleaner::default();
    group.bench_function("clean: letters and spaces", |b| {
        b.iter(|| black_box(words.clean(black_box(&text))))
    });
    let chars = Cleaner::new(&CleanConfig {
        keep_newlines: true,
        ..CleanConfig::keeping(".,!?-")
    })
    .expect("valid");
    group.bench_function("clean: + .,!?- and newlines", |b| {
        b.iter(|| black_box(chars.clean(black_box(&text))))
    });
    group.bench_function("clean: streamed from a reader", |b| {
        b.iter(|| {
            let mut reader = Utf8Reader::new(
                BufReader::with_capacity(64 * 1024, bytes),
                Utf8Policy::Strict,
            );
            black_box(words.clean_reader(&mut reader).expect("valid"))
        })
    });

    let config = SentenceConfig::with_max_words(12);
    group.bench_function("sentences: in memory, cap 12", |b| {
        b.iter(|| {
            sentences(black_box(&text), &config)
                .expect("valid")
                .map(|s| s.len())
                .sum::<usize>()
        })
    });
    group.bench_function("sentences: streamed, cap 12", |b| {
        b.iter(|| {
            SentenceReader::new(BufReader::with_capacity(64 * 1024, bytes), &config)
                .expect("valid")
                .map(|s| s.expect("valid").len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// The bench entry point `criterion_main!` calls (written out, as `criterion_group!` leaves it undocumented).
fn benches() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
}

criterion_main!(benches);
