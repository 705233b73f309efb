//! The Rust side of `bench/nn_torch_keras.py`: the same three workloads the script times in
//! PyTorch and Keras, on the same data, printing one JSON line of measurements.
//!
//! ```text
//! nn_bench lesson <data.safetensors> <epochs> <batch> [--seed S]
//! nn_bench lstm <B>x<T>x<IN>x<H>[,...] [--seed S] [--seconds S]
//! nn_bench gru <B>x<T>x<IN>x<H>[,...] [--seed S] [--seconds S]
//! nn_bench char <data.safetensors> <batch> <seq> <epochs> [--seed S]
//! nn_bench lesson-parts <data.safetensors> <batch> [--seed S] [--seconds S]
//! ```
//!
//! `lesson-parts` times one batch of the lesson's network by phase (the same first batch over
//! and over, no weight update): each LSTM's forward, the Dense + MSE tail, and the whole backward;
//! medians in µs, plus CPU µs per batch.
//!
//! `data.safetensors` is written by the script: `lesson_x`, `lesson_y` `(N, 12, 1)` and
//! `char_text` (a stream of symbol indices). Threads: `RAYON_NUM_THREADS`, set by the script.

use std::time::Instant;

use ndarray::{Array2, ArrayD, Axis, IxDyn};
use nn::layers::{dense, lstm};
use nn::{Activation, Adam, FitConfig, Loss, Params, SeqInput, Sequential, Tape};
use rand::Rng;
use tensor::cpu_time::process_cpu_seconds;

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = run() {
        eprintln!("nn_bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> AnyResult<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = 7u64;
    if let Some(i) = args.iter().position(|a| a == "--seed") {
        seed = args.get(i + 1).ok_or("--seed needs a value")?.parse()?;
        args.drain(i..i + 2);
    }
    // How long each `lstm` shape is timed (at least 8 passes): longer gives steadier CPU-time
    // figures on a loaded machine.
    let mut seconds = 3.0f64;
    if let Some(i) = args.iter().position(|a| a == "--seconds") {
        seconds = args.get(i + 1).ok_or("--seconds needs a value")?.parse()?;
        args.drain(i..i + 2);
    }
    let arg = |i: usize| -> AnyResult<&str> {
        Ok(args
            .get(i)
            .map(String::as_str)
            .ok_or("missing argument; see the header of examples/nn_bench.rs")?)
    };
    let out = match arg(0)? {
        "lesson" => lesson(arg(1)?, arg(2)?.parse()?, arg(3)?.parse()?, seed)?,
        "lesson-parts" => lesson_parts(arg(1)?, arg(2)?.parse()?, seed, seconds)?,
        "lstm" => recurrent_pass(Cell::Lstm, arg(1)?, seed, seconds)?,
        "gru" => recurrent_pass(Cell::Gru, arg(1)?, seed, seconds)?,
        "char" => char_lstm(
            arg(1)?,
            arg(2)?.parse()?,
            arg(3)?.parse()?,
            arg(4)?.parse()?,
            seed,
        )?,
        other => {
            return Err(format!("unknown workload {other:?} (lesson, lstm, gru, char)").into());
        }
    };
    println!("{out}");
    Ok(())
}

/// CPU seconds spent since `start` (a [`process_cpu_seconds`] reading).
fn cpu_since(start: Option<f64>) -> Option<f64> {
    Some(process_cpu_seconds()? - start?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

/// The lesson's model on `steps` months of one feature: LSTM(32, rs) → LSTM(32, rs) →
/// Dense(1, relu), not compiled.
fn lesson_model(steps: usize, seed: u64) -> AnyResult<Sequential> {
    let mut m = Sequential::new(&[steps, 1], seed);
    m.add(lstm(32).return_sequences(true))?;
    m.add(lstm(32).return_sequences(true))?;
    m.add(dense(1).activation(Activation::Relu))?;
    Ok(m)
}

/// The lesson's whole fit: LSTM(32, rs) → LSTM(32, rs) → Dense(1, relu), Adam, MSE, shuffled.
fn lesson(data: &str, epochs: usize, batch: usize, seed: u64) -> AnyResult<serde_json::Value> {
    let file = nn::read_safetensors(data)?;
    let (x, y) = (file.get("lesson_x")?, file.get("lesson_y")?);
    let mut m = lesson_model(x.shape()[1], seed)?;
    m.compile(Loss::Mse, Box::new(Adam::keras()), &[]);
    let cfg = FitConfig {
        epochs,
        batch_size: batch,
        shuffle: true,
        seed,
        verbose: false,
        ..FitConfig::default()
    };
    let (start, cpu0) = (Instant::now(), process_cpu_seconds());
    let history = m.fit(x, y, None, &cfg)?;
    let fit_s = start.elapsed().as_secs_f64();
    let fit_cpu_s = cpu_since(cpu0);
    let epoch_s: Vec<f64> = history.epochs.iter().map(|e| e.seconds).collect();
    Ok(serde_json::json!({
        "fit_s": fit_s,
        "fit_cpu_s": fit_cpu_s,
        "epoch_s": epoch_s,
        "final_loss": history.loss().last().copied(),
        "loss": history.loss(),
    }))
}

/// One lesson batch by phase: LSTM 1 forward, LSTM 2 forward, Dense + ReLU + MSE, backward.
fn lesson_parts(data: &str, batch: usize, seed: u64, seconds: f64) -> AnyResult<serde_json::Value> {
    let file = nn::read_safetensors(data)?;
    let (x, y) = (file.get("lesson_x")?, file.get("lesson_y")?);
    let steps = x.shape()[1];
    let m = lesson_model(steps, seed)?;
    let rows: Vec<usize> = (0..batch.min(x.shape()[0])).collect();
    let (xb, yb) = (x.select(Axis(0), &rows), y.select(Axis(0), &rows));
    let names = ["lstm1", "lstm2", "dense_mse", "backward"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let (mut cpu0, mut reps) = (None, 0usize);
    for rep in 0.. {
        if rep == 20 {
            cpu0 = process_cpu_seconds();
        }
        let params = m.params();
        let mut tape = Tape::new(params);
        let t0 = Instant::now();
        let xv = tape.constant(xb.clone());
        let h1 = m.layers()[0].forward(&mut tape, xv)?;
        let t1 = Instant::now();
        let h2 = m.layers()[1].forward(&mut tape, h1)?;
        let t2 = Instant::now();
        let out = m.layers()[2].forward(&mut tape, h2)?;
        let loss = tape.mse(out, yb.clone())?;
        let t3 = Instant::now();
        let grads = tape.backward(loss)?;
        std::hint::black_box(&grads);
        let t4 = Instant::now();
        if rep >= 20 {
            reps += 1;
            for (v, (a, b)) in times
                .iter_mut()
                .zip([(t0, t1), (t1, t2), (t2, t3), (t3, t4)])
            {
                v.push(1e6 * (b - a).as_secs_f64());
            }
        }
        if rep >= 200 && Instant::now() > deadline {
            break;
        }
    }
    let cpu_us = cpu_since(cpu0).map(|c| 1e6 * c / reps as f64);
    let mut out = serde_json::Map::new();
    for (name, v) in names.iter().zip(times) {
        out.insert(format!("{name}_us"), median(v).into());
    }
    out.insert("cpu_us_per_batch".into(), cpu_us.into());
    out.insert("reps".into(), reps.into());
    Ok(out.into())
}

/// Which fused kernel `recurrent_pass` times.
#[derive(Clone, Copy)]
enum Cell {
    Lstm,
    Gru,
}

/// Forward + backward of one LSTM or GRU (`reset_after`; return_sequences, loss = sum of
/// outputs) per shape.
fn recurrent_pass(
    cell: Cell,
    shapes: &str,
    seed: u64,
    seconds: f64,
) -> AnyResult<serde_json::Value> {
    let gates = match cell {
        Cell::Lstm => 4,
        Cell::Gru => 3,
    };
    let mut rng = tensor::seeded_rng(seed);
    let mut results = Vec::new();
    for spec in shapes.split(',') {
        let dims: Vec<usize> = spec.split('x').map(str::parse).collect::<Result<_, _>>()?;
        let [b, t, i, h] = dims[..] else {
            return Err(format!("shape {spec:?} is not BxTxINxH").into());
        };
        let mut params = Params::new();
        let w = params.add(
            "k",
            tensor::init::glorot_uniform(&mut rng, i, gates * h).into_dyn(),
            true,
        );
        let u = params.add(
            "r",
            tensor::init::orthogonal(&mut rng, h, gates * h, 1.0)?.into_dyn(),
            true,
        );
        let bias_shape = match cell {
            Cell::Lstm => vec![4 * h],
            Cell::Gru => vec![2, 3 * h],
        };
        let bias = params.add("b", ArrayD::zeros(IxDyn(&bias_shape)), true);
        let x = ArrayD::from_shape_simple_fn(IxDyn(&[b, t, i]), || rng.random::<f32>() * 2.0 - 1.0);
        let mut times = Vec::new();
        let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
        let mut cpu0 = None;
        // The default run stops after 200 passes (small shapes); a longer one only on time.
        let max_reps = if seconds > 3.0 { usize::MAX } else { 200 };
        for rep in 0..max_reps {
            if rep == 2 {
                cpu0 = process_cpu_seconds();
            }
            let t0 = Instant::now();
            let mut tape = Tape::new(&params);
            let xv = tape.variable(x.clone());
            let (wv, uv, bv) = (tape.param(w), tape.param(u), tape.param(bias));
            let out = match cell {
                Cell::Lstm => tape.lstm("bench", SeqInput::Features(xv), wv, uv, bv, None, None)?,
                Cell::Gru => tape.gru("bench", SeqInput::Features(xv), wv, uv, bv, None)?,
            };
            let loss = tape.sum(out.sequence);
            let grads = tape.backward(loss)?;
            std::hint::black_box(&grads);
            let dt = t0.elapsed().as_secs_f64();
            if rep >= 2 {
                times.push(dt);
            }
            if rep >= 7 && Instant::now() > deadline {
                break;
            }
        }
        let reps = times.len();
        let cpu_ms = cpu_since(cpu0).map(|c| 1e3 * c / reps as f64);
        // The fastest pass: on a loaded machine, the one least disturbed by other processes.
        let min_ms = 1e3 * times.iter().copied().fold(f64::INFINITY, f64::min);
        results.push(serde_json::json!({
            "shape": [b, t, i, h],
            "ms": 1e3 * median(times),
            "min_ms": min_ms,
            "cpu_ms": cpu_ms,
            "reps": reps,
        }));
    }
    Ok(serde_json::json!({ "shapes": results }))
}

/// A character LSTM: index input over 47 symbols (a row lookup, the same function as one-hot
/// input), LSTM(128, rs) → Dense(47) logits, cross-entropy at every step, Adam.
fn char_lstm(
    data: &str,
    batch: usize,
    seq: usize,
    epochs: usize,
    seed: u64,
) -> AnyResult<serde_json::Value> {
    let file = nn::read_safetensors(data)?;
    let text = file.get("char_text")?;
    let symbols = text.iter().fold(0.0f32, |a, &b| a.max(b)) as usize + 1;
    let n_seq = (text.len() - 1) / seq;
    let n_seq = n_seq - n_seq % batch;
    let flat: Vec<f32> = text.iter().copied().collect();
    let x = Array2::from_shape_fn((n_seq, seq), |(r, c)| flat[r * seq + c]).into_dyn();
    let y = Array2::from_shape_fn((n_seq, seq), |(r, c)| flat[r * seq + c + 1]).into_dyn();
    let mut m = Sequential::new(&[seq], seed);
    m.add(lstm(128).return_sequences(true).index_input(symbols))?;
    m.add(dense(symbols))?;
    m.compile(
        Loss::SparseCategoricalCrossentropy,
        Box::new(Adam::keras()),
        &[],
    );
    let cfg = FitConfig {
        epochs,
        batch_size: batch,
        shuffle: false,
        seed,
        verbose: false,
        ..FitConfig::default()
    };
    let cpu0 = process_cpu_seconds();
    let history = m.fit(&x, &y, None, &cfg)?;
    let fit_cpu_s = cpu_since(cpu0);
    let epoch_s: Vec<f64> = history.epochs.iter().map(|e| e.seconds).collect();
    let chars = (x.len_of(Axis(0)) * seq) as f64;
    let steady = median(epoch_s.iter().skip(1).copied().collect());
    Ok(serde_json::json!({
        "epoch_s": epoch_s,
        "chars_per_s": chars / steady,
        "chars_per_cpu_s": fit_cpu_s.map(|c| chars * epochs as f64 / c),
        "final_loss": history.loss().last().copied(),
        "symbols": symbols,
    }))
}
