//! The `Dropout` layer: Keras semantics (inverted dropout in training, the identity in
//! `predict` / `evaluate` / `step`), validated rate, seeded and reproducible masks that continue
//! across save / load and checkpoint resume, 0 parameters in `summary()`, and its gradient.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use ndarray::{ArrayD, IxDyn};
use nn::layers::{Dropout, dense, dropout, lstm};
use nn::train::FitControl;
use nn::{Activation, Adam, Error, FitConfig, Loss, Sequential, Tape, TrainState, checkpoint};

fn ones(shape: &[usize]) -> ArrayD<f32> {
    ArrayD::from_elem(IxDyn(shape), 1.0)
}

/// The layer's output for an all-ones input on a training tape: the mask itself.
fn training_mask(m: &Sequential, shape: &[usize]) -> ArrayD<f32> {
    let mut tape = Tape::new(m.params());
    let x = tape.constant(ones(shape));
    let out = m.forward(&mut tape, x).unwrap();
    tape.value(out).clone()
}

fn dropout_only(rate: f32, seed: u64) -> Sequential {
    let mut m = Sequential::new(&[50, 40], 0);
    m.add(dropout(rate).seed(seed)).unwrap();
    m
}

#[test]
fn training_zeroes_about_rate_and_scales_the_rest_by_the_inverse_keep_rate() {
    for rate in [0.2f32, 0.5, 0.8] {
        let m = dropout_only(rate, 3);
        let mask = training_mask(&m, &[4, 50, 40]);
        let zeros = mask.iter().filter(|&&v| v == 0.0).count();
        let kept = 1.0 / (1.0 - rate);
        assert!(
            mask.iter().all(|&v| v == 0.0 || v == kept),
            "rate {rate}: values other than 0 and {kept}"
        );
        let frac = zeros as f32 / mask.len() as f32;
        // 8000 Bernoulli draws: the standard deviation of the fraction is below 0.006.
        assert!((frac - rate).abs() < 0.03, "rate {rate}: dropped {frac}");
        let mean = mask.mean().unwrap();
        assert!((mean - 1.0).abs() < 0.1, "rate {rate}: mean {mean}");
    }
}

#[test]
fn inference_predict_evaluate_and_step_are_the_identity() {
    let build = |with_dropout: bool| {
        let mut m = Sequential::new(&[5, 3], 9);
        m.add(lstm(4).return_sequences(true)).unwrap();
        if with_dropout {
            m.add(dropout(0.5).seed(1)).unwrap();
        }
        m.add(dense(2).name("out")).unwrap();
        m
    };
    let (mut with, mut without) = (build(true), build(false));
    // Same weights in both (the dropout draws its seed from nothing here: it has one).
    for (_, p) in without.params().iter() {
        assert_eq!(
            &with.params().get(with.param_id(&p.name).unwrap()).value,
            &p.value
        );
    }
    let x = ArrayD::from_shape_fn(IxDyn(&[6, 5, 3]), |i| {
        ((i[0] + 2 * i[1] + i[2]) as f32).sin()
    });
    let y = ArrayD::from_shape_fn(IxDyn(&[6, 5, 2]), |i| ((i[0] + i[1] + i[2]) as f32).cos());
    assert_eq!(
        with.predict(&x, 4).unwrap(),
        without.predict(&x, 4).unwrap()
    );
    for m in [&mut with, &mut without] {
        m.compile(Loss::Mse, Box::new(Adam::keras()), &[]);
    }
    assert_eq!(
        with.evaluate(&x, &y, 4).unwrap(),
        without.evaluate(&x, &y, 4).unwrap()
    );
    let (mut s1, mut s2) = (nn::ModelState::default(), nn::ModelState::default());
    for t in 0..5 {
        let x_t = x.index_axis(ndarray::Axis(1), t).to_owned();
        assert_eq!(
            with.step(&x_t, &mut s1).unwrap(),
            without.step(&x_t, &mut s2).unwrap()
        );
    }
    let d = with.layer("dropout").unwrap();
    let d = d.as_any().downcast_ref::<Dropout>().unwrap();
    assert_eq!(d.masks_drawn(), 0, "inference drew masks");
    // And in training the output does differ (the layer is not a no-op).
    let mut tape = Tape::new(with.params());
    let xv = tape.constant(x.clone());
    let out = with.forward(&mut tape, xv).unwrap();
    assert_ne!(tape.value(out), &without.predict(&x, 6).unwrap());
    assert_eq!(d.masks_drawn(), 1);
}

#[test]
fn masks_are_reproducible_from_the_seed_and_advance_per_call() {
    let (a, b) = (dropout_only(0.5, 42), dropout_only(0.5, 42));
    let first = training_mask(&a, &[2, 50, 40]);
    assert_eq!(
        first,
        training_mask(&b, &[2, 50, 40]),
        "same seed, same mask"
    );
    let second = training_mask(&a, &[2, 50, 40]);
    assert_ne!(first, second, "the second call drew the first mask again");
    assert_eq!(second, training_mask(&b, &[2, 50, 40]));
    let other = dropout_only(0.5, 43);
    assert_ne!(first, training_mask(&other, &[2, 50, 40]), "seed ignored");
    // Without an explicit seed, the model's seed decides it.
    let seeded = |model_seed| {
        let mut m = Sequential::new(&[50, 40], model_seed);
        m.add(dropout(0.5)).unwrap();
        training_mask(&m, &[2, 50, 40])
    };
    assert_eq!(seeded(7), seeded(7));
    assert_ne!(seeded(7), seeded(8));
}

#[test]
fn rate_outside_zero_to_one_is_a_clear_error_and_zero_is_the_identity() {
    for rate in [1.0f32, 1.5, -0.1, f32::NAN] {
        let mut m = Sequential::new(&[4], 0);
        let e = m.add(dropout(rate).name("drop")).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("layer drop (Dropout): rate must be in [0, 1), got"),
            "{msg}"
        );
        assert!(m.layers().is_empty());
    }
    let m = dropout_only(0.0, 1);
    assert_eq!(training_mask(&m, &[2, 50, 40]), ones(&[2, 50, 40]));
}

#[test]
fn summary_shows_dropout_with_no_parameters() {
    let mut m = Sequential::new(&[12, 1], 1);
    m.add(lstm(32).return_sequences(true)).unwrap();
    m.add(dropout(0.2)).unwrap();
    m.add(lstm(32).return_sequences(true)).unwrap();
    m.add(dropout(0.2)).unwrap();
    m.add(dense(1).activation(Activation::Relu)).unwrap();
    let s = m.summary();
    let row = s.lines().find(|l| l.contains("dropout (Dropout)")).unwrap();
    assert!(
        row.contains("(None, 12, 32)") && row.trim_end().ends_with("0 │"),
        "{row}"
    );
    assert!(s.contains("dropout_1 (Dropout)"), "{s}");
    assert!(s.contains("Total params: 12,705"), "{s}");
    assert_eq!(m.layer("dropout").unwrap().param_count(m.params()), 0);
}

#[test]
fn gradient_is_the_mask_times_the_upstream_gradient() {
    let m = dropout_only(0.3, 5);
    let mut tape = Tape::new(m.params());
    let x = tape.variable(ones(&[2, 50, 40]));
    let out = m.forward(&mut tape, x).unwrap();
    let r = ArrayD::from_shape_fn(IxDyn(&[2, 50, 40]), |i| {
        (i[0] + i[1] * 3 + i[2]) as f32 * 0.01
    });
    let rv = tape.constant(r.clone());
    let prod = tape.mul(out, rv).unwrap();
    let loss = tape.sum(prod);
    let mask = tape.value(out).clone();
    let g = tape.backward(loss).unwrap();
    assert_eq!(g.var(x).unwrap(), &(&mask * &r));
}

#[test]
fn save_and_load_keep_rate_seed_and_stream_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.safetensors");
    let mut m = Sequential::new(&[50, 40], 0);
    m.add(dropout(0.4).name("drop")).unwrap();
    let _ = training_mask(&m, &[2, 50, 40]);
    m.save(&path).unwrap();
    let loaded = Sequential::load(&path).unwrap();
    assert_eq!(loaded.layers()[0].config(), m.layers()[0].config());
    assert_eq!(loaded.layers()[0].kind(), "Dropout");
    // The loaded model draws the mask the original draws next (not the first one again).
    let next = training_mask(&m, &[2, 50, 40]);
    assert_eq!(training_mask(&loaded, &[2, 50, 40]), next);
    let d = loaded.layer("drop").unwrap();
    let d = d.as_any().downcast_ref::<Dropout>().unwrap();
    assert_eq!((d.rate(), d.masks_drawn()), (0.4, 2));
}

fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

fn data() -> (ArrayD<f32>, ArrayD<f32>) {
    let x = ArrayD::from_shape_fn(IxDyn(&[40, 6, 1]), |i| {
        0.5 + 0.4 * ((i[0] * 3 + i[1]) as f32 * 0.37).sin()
    });
    let y = ArrayD::from_shape_fn(IxDyn(&[40, 6, 1]), |i| {
        0.5 + 0.4 * ((i[0] * 3 + i[1] + 1) as f32 * 0.37).sin()
    });
    (x, y)
}

fn model(rate: f32) -> Sequential {
    let mut m = Sequential::new(&[6, 1], 3);
    m.add(lstm(8).return_sequences(true)).unwrap();
    m.add(dropout(rate).seed(17)).unwrap();
    m.add(dense(1)).unwrap();
    m.compile(Loss::Mse, Box::new(Adam::keras().with_lr(0.01)), &[]);
    m
}

fn cfg(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 8,
        seed: 4,
        verbose: false,
        ..FitConfig::default()
    }
}

fn bits(m: &Sequential) -> Vec<u32> {
    m.params()
        .iter()
        .flat_map(|(_, p)| p.value.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        .collect()
}

#[test]
fn fit_with_dropout_is_reproducible_on_one_thread_and_resumes_to_the_same_bits() {
    let (x, y) = data();
    one_thread(|| {
        let mut a = model(0.3);
        let ha = a.fit(&x, &y, None, &cfg(4)).unwrap();
        let mut b = model(0.3);
        b.fit(&x, &y, None, &cfg(4)).unwrap();
        assert_eq!(bits(&a), bits(&b), "same seeds, different weights");
        // Dropout was active: the run differs from one without it (rate 0).
        let mut plain = model(0.0);
        let hp = plain.fit(&x, &y, None, &cfg(4)).unwrap();
        assert_ne!(bits(&a), bits(&plain));
        assert_ne!(ha.loss(), hp.loss());

        // Checkpoint after epoch 2, resume: the same bits as the uninterrupted run.
        let saved = RefCell::new(Vec::new());
        {
            let mut k = model(0.3);
            let mut control = FitControl {
                on_epoch_end: Some(Box::new(|m: &Sequential, s: &TrainState| {
                    if s.epochs_done == 2 {
                        *saved.borrow_mut() = checkpoint::to_bytes(m, s)?;
                        return Err(Error::Invalid("killed".into()));
                    }
                    Ok(())
                })),
                ..FitControl::default()
            };
            assert!(k.fit_with(&x, &y, None, &cfg(4), &mut control).is_err());
        }
        let (mut resumed, state) = checkpoint::from_bytes(&saved.into_inner(), "ckpt").unwrap();
        resumed.compile(Loss::Mse, Box::new(Adam::keras().with_lr(0.01)), &[]);
        let mut control = FitControl {
            resume: Some(state),
            ..FitControl::default()
        };
        resumed
            .fit_with(&x, &y, None, &cfg(4), &mut control)
            .unwrap();
        assert_eq!(bits(&resumed), bits(&a), "resumed run differs");
    });
}

/// Shared axis 1 (Keras `noise_shape=(None, 1, features)`, the input dropout of Keras 3's
/// `LSTM(dropout=r)`): the same features are dropped at every time step, different ones per
/// sequence; the gradient is that broadcast mask times the upstream gradient.
#[test]
fn shared_time_axis_drops_the_same_features_at_every_step() {
    let mut m = Sequential::new(&[30, 40], 0);
    m.add(dropout(0.5).seed(8).shared_axes(&[1])).unwrap();
    let mut tape = Tape::new(m.params());
    let x = tape.variable(ones(&[6, 30, 40]));
    let out = m.forward(&mut tape, x).unwrap();
    let mask = tape.value(out).clone();
    let first = mask.index_axis(ndarray::Axis(1), 0).to_owned();
    for t in 1..30 {
        assert_eq!(mask.index_axis(ndarray::Axis(1), t), first, "step {t}");
    }
    assert!(first.iter().all(|&v| v == 0.0 || v == 2.0));
    let frac = first.iter().filter(|&&v| v == 0.0).count() as f32 / first.len() as f32;
    assert!((frac - 0.5).abs() < 0.1, "dropped {frac} of 240 draws");
    assert_ne!(
        first.index_axis(ndarray::Axis(0), 0),
        first.index_axis(ndarray::Axis(0), 1),
        "the same mask for two sequences"
    );
    let r = ArrayD::from_shape_fn(IxDyn(&[6, 30, 40]), |i| (i[0] + i[1] + i[2]) as f32 * 0.1);
    let rv = tape.constant(r.clone());
    let prod = tape.mul(out, rv).unwrap();
    let loss = tape.sum(prod);
    let g = tape.backward(loss).unwrap();
    assert_eq!(g.var(x).unwrap(), &(&mask * &r));
    // Inference: still the identity.
    assert_eq!(
        m.predict(&ones(&[2, 30, 40]), 2).unwrap(),
        ones(&[2, 30, 40])
    );
}

#[test]
fn shared_axes_are_checked_and_saved() {
    let mut m = Sequential::new(&[30, 40], 0);
    let e = m
        .add(dropout(0.5).shared_axes(&[3]).name("d"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "layer d (Dropout): shared axis 3 does not exist in an input of shape (batch, 30, 40)"
        ),
        "{e}"
    );
    m.add(dropout(0.5).shared_axes(&[1, 2])).unwrap();
    let loaded = Sequential::from_bytes(&m.to_bytes().unwrap(), "mem").unwrap();
    assert_eq!(loaded.layers()[0].config(), m.layers()[0].config());
    // Sharing time and features: one value per sequence.
    let mask = training_mask(&loaded, &[5, 30, 40]);
    for n in 0..5 {
        let row = mask.index_axis(ndarray::Axis(0), n);
        let v = row[[0, 0]];
        assert!(row.iter().all(|&x| x == v));
    }
}
