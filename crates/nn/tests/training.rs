//! `fit` / `evaluate` / `predict`: learning happens, runs are reproducible, bad data and
//! divergence are reported.
#![allow(clippy::unwrap_used)]

use ndarray::{ArrayD, IxDyn};
use nn::layers::{dense, embedding, lstm};
use nn::{Activation, Adam, EarlyStopping, Error, FitConfig, Loss, Metric, Sequential};

fn sine_windows(n: usize, steps: usize) -> (ArrayD<f32>, ArrayD<f32>) {
    let x = ArrayD::from_shape_fn(IxDyn(&[n, steps, 1]), |i| {
        0.5 + 0.4 * ((i[0] + i[1]) as f32 * 0.3).sin()
    });
    let y = ArrayD::from_shape_fn(IxDyn(&[n, steps, 1]), |i| {
        0.5 + 0.4 * ((i[0] + i[1] + 1) as f32 * 0.3).sin()
    });
    (x, y)
}

fn lesson_model(seed: u64) -> Sequential {
    let mut m = Sequential::new(&[12, 1], seed);
    m.add(lstm(8).return_sequences(true)).unwrap();
    m.add(dense(1).activation(Activation::Relu)).unwrap();
    m.compile(
        Loss::Mse,
        Box::new(Adam::keras().with_lr(0.01)),
        &[Metric::Mae],
    );
    m
}

fn quiet(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 16,
        verbose: false,
        seed: 3,
        ..FitConfig::default()
    }
}

#[test]
fn fit_reduces_loss_and_reports_history() {
    let (x, y) = sine_windows(64, 12);
    let mut m = lesson_model(1);
    let h = m
        .fit(
            &x,
            &y,
            None,
            &FitConfig {
                validation_split: 0.25,
                ..quiet(15)
            },
        )
        .unwrap();
    let loss = h.loss();
    assert_eq!(loss.len(), 15);
    assert!(loss[14] < loss[0] * 0.3, "{loss:?}");
    assert_eq!(h.val_loss().len(), 15);
    assert_eq!(h.epochs[0].metrics[0].0, "mae");
    let (l, metrics) = m.evaluate(&x, &y, 32).unwrap();
    assert!(l.is_finite() && metrics[0].1 > 0.0);
    assert_eq!(m.predict(&x, 10).unwrap().shape(), &[64, 12, 1]);
}

#[test]
fn same_seed_gives_bit_identical_weights() {
    let (x, y) = sine_windows(40, 12);
    let run = || {
        let mut m = lesson_model(7);
        m.fit(&x, &y, None, &quiet(3)).unwrap();
        m.params()
            .iter()
            .flat_map(|(_, p)| p.value.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
    let mut other = lesson_model(8);
    other.fit(&x, &y, None, &quiet(3)).unwrap();
    let b: Vec<u32> = other
        .params()
        .iter()
        .flat_map(|(_, p)| p.value.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        .collect();
    assert_ne!(run(), b);
}

#[test]
fn nan_input_is_reported_not_trained_on() {
    let (mut x, y) = sine_windows(8, 12);
    x[[3, 2, 0]] = f32::NAN;
    let mut m = lesson_model(1);
    let before = m.params().clone();
    let e = m.fit(&x, &y, None, &quiet(1)).unwrap_err();
    assert!(matches!(e, Error::NonFiniteInput { index: 38, .. }), "{e}");
    assert!(
        e.to_string()
            .contains("x contains a non-finite value (NaN) at flat index 38"),
        "{e}"
    );
    for ((_, a), (_, b)) in before.iter().zip(m.params().iter()) {
        assert_eq!(a.value, b.value);
    }
}

#[test]
fn divergence_names_epoch_and_batch() {
    let (x, y) = sine_windows(32, 12);
    let mut m = lesson_model(1);
    let id = m.param_id("dense/bias").unwrap();
    m.params_mut().get_mut(id).value.fill(f32::INFINITY);
    let e = m.fit(&x, &y, None, &quiet(2)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Diverged {
                epoch: 1,
                batch: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn early_stopping_restores_best() {
    let (x, y) = sine_windows(32, 12);
    let mut m = lesson_model(2);
    m.compile(Loss::Mse, Box::new(Adam::keras().with_lr(0.5)), &[]);
    let es = EarlyStopping {
        patience: 2,
        monitor_validation: false,
        ..EarlyStopping::default()
    };
    let h = m
        .fit(
            &x,
            &y,
            None,
            &FitConfig {
                early_stopping: Some(es),
                ..quiet(30)
            },
        )
        .unwrap();
    let best = h.best_epoch.unwrap();
    let min = h.loss().iter().copied().fold(f32::INFINITY, f32::min);
    assert_eq!(h.epochs[best - 1].loss, min);
    assert!(h.epochs.len() <= 30);
}

#[test]
fn classification_with_sparse_cross_entropy_and_accuracy() {
    // Predict the first token of a sequence of indices: trivially learnable.
    let n = 48;
    let x = ArrayD::from_shape_fn(IxDyn(&[n, 4]), |i| {
        ((i[0] * 7 + i[1] * (i[0] % 3)) % 5) as f32
    });
    let y = ArrayD::from_shape_fn(IxDyn(&[n]), |i| x[[i[0], 0]]);
    let mut m = Sequential::new(&[4], 4);
    m.add(embedding(5, 4)).unwrap();
    m.add(lstm(16)).unwrap();
    m.add(dense(5)).unwrap();
    m.compile(
        Loss::SparseCategoricalCrossentropy,
        Box::new(Adam::keras().with_lr(0.02)),
        &[Metric::Accuracy],
    );
    let h = m
        .fit(
            &x,
            &y,
            None,
            &FitConfig {
                batch_size: 8,
                ..quiet(40)
            },
        )
        .unwrap();
    let acc = h.epochs.last().unwrap().metrics[0].1;
    assert!(acc > 0.9, "accuracy {acc}");
}

#[test]
fn unknown_names_list_valid_ones() {
    assert_eq!(
        "hinge".parse::<Loss>().unwrap_err().to_string(),
        "unknown loss \"hinge\"; valid: mse, mae, sparse_categorical_crossentropy"
    );
    assert!(
        nn::optim::by_name("adagrad")
            .unwrap_err()
            .to_string()
            .contains("valid: adam, sgd, rmsprop")
    );
}

#[test]
fn fit_requires_compile_and_valid_settings() {
    let (x, y) = sine_windows(8, 12);
    let mut m = Sequential::new(&[12, 1], 0);
    m.add(dense(1)).unwrap();
    assert!(m.fit(&x, &y, None, &quiet(1)).is_err());
    m.compile(Loss::Mse, Box::new(Adam::keras()), &[]);
    assert!(
        m.fit(
            &x,
            &y,
            None,
            &FitConfig {
                batch_size: 0,
                ..quiet(1)
            }
        )
        .is_err()
    );
}
