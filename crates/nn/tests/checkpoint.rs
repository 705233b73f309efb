//! Training safety: checkpoint + resume gives the same bits as an uninterrupted run, a
//! non-finite gradient stops training naming the epoch, batch and parameter with the last good
//! weights kept, and sharded batches (several threads) equal the whole-batch step up to rounding.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use ndarray::{ArrayD, IxDyn};
use nn::layers::{dense, lstm};
use nn::train::FitControl;
use nn::{
    Activation, Adam, EarlyStopping, Error, FitConfig, Loss, Metric, Sequential, Sgd, TrainState,
    checkpoint,
};

fn windows(n: usize, steps: usize) -> (ArrayD<f32>, ArrayD<f32>) {
    let x = ArrayD::from_shape_fn(IxDyn(&[n, steps, 1]), |i| {
        0.5 + 0.4 * ((i[0] * 3 + i[1]) as f32 * 0.37).sin()
    });
    let y = ArrayD::from_shape_fn(IxDyn(&[n, steps, 1]), |i| {
        0.5 + 0.4 * ((i[0] * 3 + i[1] + 1) as f32 * 0.37).sin()
    });
    (x, y)
}

/// The lesson's shape, smaller: LSTM → LSTM → Dense(relu), Adam, MSE with MAE.
fn compiled(model: &mut Sequential) {
    model.compile(
        Loss::Mse,
        Box::new(Adam::keras().with_lr(0.01)),
        &[Metric::Mae],
    );
}

fn lesson_model(seed: u64) -> Sequential {
    let mut m = Sequential::new(&[6, 1], seed);
    m.add(lstm(8).return_sequences(true)).unwrap();
    m.add(lstm(8).return_sequences(true)).unwrap();
    m.add(dense(1).activation(Activation::Linear)).unwrap();
    compiled(&mut m);
    m
}

fn config(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 8,
        shuffle: true,
        validation_split: 0.2,
        seed: 11,
        verbose: false,
        clip_norm: None,
        // Patience longer than the run: the record is kept (and checkpointed) but never stops.
        early_stopping: Some(EarlyStopping {
            patience: 100,
            ..EarlyStopping::default()
        }),
        // Every batch cut into one shard per thread, however small the model.
        min_shard_work: 0,
    }
}

fn bits(m: &Sequential) -> Vec<u32> {
    m.params()
        .iter()
        .flat_map(|(_, p)| p.value.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
        .collect()
}

fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(f)
}

/// Train `epochs` epochs, keeping the checkpoint bytes of epoch `keep`; with `kill`, the run
/// stops right after that checkpoint as if the process had been killed.
fn run_with_checkpoint(
    x: &ArrayD<f32>,
    y: &ArrayD<f32>,
    epochs: usize,
    keep: usize,
    kill: bool,
) -> (Sequential, nn::Result<nn::History>, Vec<u8>) {
    let mut m = lesson_model(5);
    let saved = RefCell::new(Vec::new());
    let result = {
        let mut control = FitControl {
            on_epoch_end: Some(Box::new(|model: &Sequential, state: &TrainState| {
                if state.epochs_done == keep {
                    *saved.borrow_mut() = checkpoint::to_bytes(model, state)?;
                    if kill {
                        return Err(Error::Invalid("killed".into()));
                    }
                }
                Ok(())
            })),
            ..FitControl::default()
        };
        m.fit_with(x, y, None, &config(epochs), &mut control)
    };
    (m, result, saved.into_inner())
}

#[test]
fn resumed_run_ends_with_the_same_bits_as_an_uninterrupted_one() {
    let (x, y) = windows(50, 6);
    one_thread(|| {
        let (full, history, _) = run_with_checkpoint(&x, &y, 6, 0, false);
        let full_history = history.unwrap();
        let (_, killed, bytes) = run_with_checkpoint(&x, &y, 6, 3, true);
        assert!(matches!(killed, Err(Error::Invalid(ref m)) if m == "killed"));

        let (mut resumed, state) = checkpoint::from_bytes(&bytes, "ckpt").unwrap();
        assert_eq!(state.epochs_done, 3);
        assert_eq!(state.optimizer.name, "adam");
        assert_eq!(
            state.optimizer.step,
            3 * 5,
            "40 training rows in batches of 8"
        );
        assert!(state.best.as_ref().unwrap().weights.is_some());
        compiled(&mut resumed);
        let mut control = FitControl {
            resume: Some(state.clone()),
            ..FitControl::default()
        };
        let h = resumed
            .fit_with(&x, &y, None, &config(6), &mut control)
            .unwrap();
        assert_eq!(bits(&resumed), bits(&full), "resumed weights differ");
        assert_eq!(h, with_seconds_of(full_history, &h));

        // Negative control: the same resume without the optimiser's moments and step count
        // (a fresh Adam) does not reproduce the run, so the test above can fail.
        let (mut fresh, mut state) = checkpoint::from_bytes(&bytes, "ckpt").unwrap();
        compiled(&mut fresh);
        state.optimizer = nn::Optimizer::state(&Adam::keras());
        let mut control = FitControl {
            resume: Some(state),
            ..FitControl::default()
        };
        fresh
            .fit_with(&x, &y, None, &config(6), &mut control)
            .unwrap();
        assert_ne!(bits(&fresh), bits(&full));
    });
}

/// Epoch times differ between runs: `h` with the times of `other`, so the rest compares exactly.
fn with_seconds_of(mut h: nn::History, other: &nn::History) -> nn::History {
    for (a, b) in h.epochs.iter_mut().zip(&other.epochs) {
        a.seconds = b.seconds;
    }
    h
}

#[test]
fn resume_refuses_another_run_and_reads_only_checkpoints() {
    let (x, y) = windows(50, 6);
    let (_, _, bytes) = run_with_checkpoint(&x, &y, 2, 2, false);
    let (mut m, state) = checkpoint::from_bytes(&bytes, "ckpt").unwrap();
    compiled(&mut m);
    let mut cfg = config(4);
    cfg.seed = 12;
    let mut control = FitControl {
        resume: Some(state.clone()),
        ..FitControl::default()
    };
    let e = m.fit_with(&x, &y, None, &cfg, &mut control).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot resume: the checkpoint's run has seed 11, this fit has 12"
    );
    // Another optimiser.
    m.compile(Loss::Mse, Box::new(Sgd::new(0.01, 0.9)), &[Metric::Mae]);
    let mut control = FitControl {
        resume: Some(state),
        ..FitControl::default()
    };
    let e = m
        .fit_with(&x, &y, None, &config(4), &mut control)
        .unwrap_err();
    assert!(e.to_string().contains("state is for \"adam\""), "{e}");
    // A plain model file, and a truncated checkpoint.
    let e = checkpoint::from_bytes(&m.to_bytes().unwrap(), "model.safetensors").unwrap_err();
    assert!(e.to_string().contains("not a checkpoint"), "{e}");
    assert!(checkpoint::from_bytes(&bytes[..bytes.len() - 9], "cut").is_err());
}

#[test]
fn checkpoint_file_is_written_atomically_and_reads_back() {
    let (x, y) = windows(30, 6);
    let dir = std::env::temp_dir().join(format!("nn-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.ckpt");
    let mut m = lesson_model(3);
    let mut control = FitControl {
        on_epoch_end: Some(Box::new(|model: &Sequential, state: &TrainState| {
            checkpoint::save(&path, model, state)
        })),
        ..FitControl::default()
    };
    m.fit_with(&x, &y, None, &config(2), &mut control).unwrap();
    let (back, state) = checkpoint::load(&path).unwrap();
    assert_eq!(state.epochs_done, 2);
    assert_eq!(state.history.epochs.len(), 2);
    // The file holds the weights after the last epoch (early stopping restores only at the end
    // of fit, after the last checkpoint).
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "run.ckpt")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(back.params().len(), m.params().len());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn non_finite_gradient_stops_with_epoch_batch_and_parameter() {
    // A finite loss whose gradient overflows: x = 1e25, kernel 1e-7, so the prediction error is
    // about 1e18 (loss 1e36, finite) while dL/dkernel = 2·e·x ≈ 2e43 is infinite in f32.
    let x = ArrayD::from_elem(IxDyn(&[4, 1]), 1e25f32);
    let y = ArrayD::zeros(IxDyn(&[4, 1]));
    let mut m = Sequential::new(&[1], 0);
    m.add(dense(1)).unwrap();
    m.compile(Loss::Mse, Box::new(Adam::keras()), &[]);
    m.set_weight("dense/kernel", ArrayD::from_elem(IxDyn(&[1, 1]), 1e-7))
        .unwrap();
    let before = bits(&m);
    let e = m
        .fit(
            &x,
            &y,
            None,
            &FitConfig {
                epochs: 2,
                batch_size: 4,
                verbose: false,
                ..FitConfig::default()
            },
        )
        .unwrap_err();
    match &e {
        Error::NonFiniteGradient {
            epoch: 1,
            batch: 1,
            param,
            ..
        } => assert_eq!(param, "dense/kernel"),
        other => panic!("unexpected error {other}"),
    }
    assert!(
        e.to_string()
            .starts_with("the gradient of dense/kernel became inf"),
        "{e}"
    );
    assert_eq!(bits(&m), before, "the failing step must not be taken");
}

#[test]
fn divergence_later_in_a_run_keeps_the_last_good_weights() {
    // Plain SGD with a huge learning rate blows up after a few steps; the weights left in the
    // model are those of the last step whose loss and gradients were finite.
    let (x, y) = windows(32, 6);
    let mut m = lesson_model(9);
    m.compile(Loss::Mse, Box::new(Sgd::new(1e4, 0.0)), &[]);
    let e = m
        .fit(
            &x,
            &y,
            None,
            &FitConfig {
                epochs: 50,
                batch_size: 8,
                verbose: false,
                ..FitConfig::default()
            },
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::Diverged { .. } | Error::NonFiniteGradient { .. }),
        "{e}"
    );
    assert!(
        !matches!(
            e,
            Error::Diverged {
                epoch: 1,
                batch: 1,
                ..
            }
        ),
        "the run must take good steps before it diverges: {e}"
    );
    assert!(
        m.params()
            .iter()
            .all(|(_, p)| p.value.iter().all(|v| v.is_finite())),
        "weights after the error must be the last good (finite) ones"
    );
}

#[test]
fn sharded_batches_match_the_whole_batch_step() {
    let (x, y) = windows(48, 6);
    let train = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut m = lesson_model(4);
                let mut cfg = config(3);
                cfg.early_stopping = None;
                let h = m.fit(&x, &y, None, &cfg).unwrap();
                (m, h)
            })
    };
    let (one, h1) = train(1);
    let (two, h2) = train(2);
    let (two_again, _) = train(2);
    assert_eq!(bits(&two), bits(&two_again), "same pool size, same bits");
    let max_diff = one
        .params()
        .iter()
        .zip(two.params().iter())
        .flat_map(|((_, a), (_, b))| {
            a.value
                .iter()
                .zip(b.value.iter())
                .map(|(p, q)| (p - q).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0f32, f32::max);
    assert!(max_diff < 1e-4, "1 vs 2 threads differ by {max_diff}");
    for (a, b) in h1.loss().iter().zip(h2.loss()) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}
