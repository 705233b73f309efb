//! Forward + backward of one LSTM layer at the three shapes, and the lesson's whole
//! 20-epoch fit (440 windows of 12 steps, batch 16).
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{ArrayD, IxDyn};
use nn::layers::{dense, lstm};
use nn::{Activation, Adam, FitConfig, Loss, Sequential, Tape};

fn lstm_fwd_bwd(c: &mut Criterion) {
    for (batch, steps, input, hidden) in [(32, 12, 1, 32), (64, 64, 60, 128), (32, 32, 100, 256)] {
        let mut m = Sequential::new(&[steps, input], 0);
        m.add(lstm(hidden).return_sequences(true)).unwrap();
        let x = ArrayD::from_shape_fn(IxDyn(&[batch, steps, input]), |i| {
            ((i[0] * 7 + i[1] * 3 + i[2]) % 11) as f32 / 11.0
        });
        let name = format!("lstm_fwd_bwd/b{batch}_t{steps}_in{input}_h{hidden}");
        c.bench_function(&name, |b| {
            b.iter(|| {
                let mut tape = Tape::new(m.params());
                let xv = tape.constant(x.clone());
                let out = m.forward(&mut tape, xv).unwrap();
                let loss = tape.mean(out);
                tape.backward(loss).unwrap()
            });
        });
    }
}

fn lesson_data() -> (ArrayD<f32>, ArrayD<f32>) {
    let series = |k: usize| 0.5 + 0.4 * ((k as f32) * 0.07).sin() * (-(k as f32) / 900.0).exp();
    let x = ArrayD::from_shape_fn(IxDyn(&[440, 12, 1]), |i| series(i[0] + i[1]));
    let y = ArrayD::from_shape_fn(IxDyn(&[440, 12, 1]), |i| series(i[0] + i[1] + 1));
    (x, y)
}

fn lesson_fit(c: &mut Criterion) {
    let (x, y) = lesson_data();
    let mut group = c.benchmark_group("lesson");
    group.sample_size(10);
    group.bench_function("fit_20_epochs_440x12_batch16", |b| {
        b.iter(|| {
            let mut m = Sequential::new(&[12, 1], 0);
            m.add(lstm(32).return_sequences(true)).unwrap();
            m.add(lstm(32).return_sequences(true)).unwrap();
            m.add(dense(1).activation(Activation::Relu)).unwrap();
            m.compile(Loss::Mse, Box::new(Adam::keras()), &[]);
            let cfg = FitConfig {
                epochs: 20,
                batch_size: 16,
                verbose: false,
                ..FitConfig::default()
            };
            m.fit(&x, &y, None, &cfg).unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, lstm_fwd_bwd, lesson_fit);
criterion_main!(benches);
