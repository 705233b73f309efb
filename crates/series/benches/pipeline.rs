//! Loading + pivot + windowing: the real file's size (50 wells × 24 months, synthetic), a 100× larger synthetic file,
//! and the real file itself when `../shared/data/production.csv` exists beside the repository.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use series::{Feature, Production, ShortWellPolicy, SyntheticConfig, WindowCount};

const FEATURES: [Feature; 3] = [Feature::Liquid, Feature::Gas, Feature::Water];

fn synthetic(wells: usize) -> Vec<u8> {
    let mut csv = Vec::new();
    let config = SyntheticConfig {
        wells,
        months: 24,
        seed: 7,
    };
    series::generate(&config, &mut csv).expect("generating into memory cannot fail");
    csv
}

fn pipeline(csv: &[u8]) -> usize {
    let production = Production::read(csv, "bench", &FEATURES).expect("valid synthetic data");
    let pivot = production
        .pivot(&FEATURES, 24, ShortWellPolicy::Drop)
        .expect("24 months");
    let (x, _) =
        series::many_to_many(pivot.data.view(), 12, WindowCount::Lesson).expect("window fits");
    x.len()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("load+pivot+windows");
    let mut inputs = vec![
        ("synthetic 50 wells".to_string(), synthetic(50)),
        ("synthetic 5000 wells".to_string(), synthetic(5000)),
    ];
    let real = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/production.csv"
    );
    if let Ok(bytes) = std::fs::read(real) {
        inputs.push(("real production.csv".to_string(), bytes));
    }
    for (name, csv) in &inputs {
        group.throughput(Throughput::Bytes(csv.len() as u64));
        group.bench_function(name.as_str(), |b| b.iter(|| pipeline(black_box(csv))));
    }
    group.finish();
    let big = synthetic(5000);
    c.bench_function("load only, 5000 wells", |b| {
        b.iter(|| Production::read(black_box(&big[..]), "bench", &FEATURES).expect("valid"))
    });
}

// criterion_group! defines an undocumented pub function.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
