//! Runs the `char-rnn` binary with tiny settings: training writes a model directory and metrics that
//! `generate` uses, the same seed on one thread repeats bit for bit, and bad input is a clear error with exit
//! code 1, no panic and no model left behind.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_char-rnn");

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Tiny training flags on the sample story.
fn tiny(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "train",
        "--units",
        "12",
        "--epochs",
        "2",
        "--sentence-len",
        "16",
        "--batch-size",
        "16",
        "--sample-len",
        "20",
        "--threads",
        "1",
        "--seed",
        "7",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(out.display().to_string());
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn train(dir: &Path, out: &Path, extra: &[&str]) -> Output {
    let args = tiny(out, extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs, dir)
}

fn fails_with(o: &Output, needle: &str) {
    fails_with_code(1, o, needle);
}

/// A flag value rejected after parsing: a usage error, exit 2 like clap's.
fn usage_fails_with(o: &Output, needle: &str) {
    fails_with_code(2, o, needle);
}

fn fails_with_code(code: i32, o: &Output, needle: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    let e = stderr(o);
    assert!(e.contains(needle), "expected {needle:?} in: {e}");
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn train_then_generate() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    let metrics = dir.path().join("m.json");
    let plot = dir.path().join("bpc.svg");
    let o = train(
        dir.path(),
        &model,
        &[
            "--metrics-json",
            metrics.to_str().unwrap(),
            "--loss-plot",
            plot.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("epoch 2/2") && out.contains("bpc") && out.contains("chars/s"),
        "{out}"
    );
    assert!(out.contains("sample at temperature 0.5"), "{out}");

    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    for key in [
        "seed",
        "alphabet_size",
        "train_chars",
        "valid_chars",
        "history",
        "best_valid_bpc",
        "unigram_bpc",
        "train_seconds",
    ] {
        assert!(m.get(key).is_some(), "{key} missing in {m}");
    }
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    for h in history {
        for key in ["epoch", "loss", "valid_bpc", "chars_per_sec"] {
            assert!(h[key].as_f64().unwrap().is_finite(), "{key} in {h}");
        }
    }
    let best = m["best_valid_bpc"].as_f64().unwrap();
    let min = history
        .iter()
        .map(|h| h["valid_bpc"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(best, min);
    let n = m["alphabet_size"].as_u64().unwrap() as f64;
    // Two tiny epochs already beat guessing uniformly among the alphabet.
    assert!(best < n.log2(), "{best} vs log2({n})");
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
    assert!(model.join("model.safetensors").is_file() && model.join("char-rnn.json").is_file());

    let generate = |seed: &str| {
        run(
            &[
                "generate",
                "--model",
                model.to_str().unwrap(),
                "--prime",
                "Он ",
                "--len",
                "60",
                "--seed",
                seed,
                "--temperature",
                "0.8",
                "--top-k",
                "5",
            ],
            dir.path(),
        )
    };
    let a = generate("3");
    assert!(a.status.success(), "{}", stderr(&a));
    let text = stdout(&a);
    let text = text.trim_end_matches('\n');
    assert!(
        text.starts_with("он "),
        "the prime is lowercased like the training text: {text}"
    );
    assert_eq!(text.chars().count(), 3 + 60, "{text}");
    // A reloaded model generates the same text for the same seed.
    assert_eq!(stdout(&generate("3")), stdout(&a));
    assert_ne!(stdout(&generate("4")), stdout(&a));

    // ... and the same text as the trained model did in memory: training ends by sampling 300 characters
    // at temperature 0.5 after the first 12 held-out characters, with the run's seed (7).
    let trained = out
        .lines()
        .find_map(|l| l.strip_prefix("sample at temperature 0.5: "))
        .unwrap();
    let prime: String = trained.chars().take(12).collect();
    let reloaded = run(
        &[
            "generate",
            "--model",
            model.to_str().unwrap(),
            "--prime",
            &prime,
            "--len",
            "300",
            "--temperature",
            "0.5",
            "--seed",
            "7",
        ],
        dir.path(),
    );
    assert!(reloaded.status.success(), "{}", stderr(&reloaded));
    assert_eq!(stdout(&reloaded).trim_end_matches('\n'), trained);
}

/// The tensor bytes of a safetensors file (after the JSON header, whose metadata key order may vary).
fn tensor_data(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    bytes[8 + header..].to_vec()
}

fn without_timings(mut m: serde_json::Value) -> serde_json::Value {
    for key in ["train_seconds", "total_seconds"] {
        m.as_object_mut().unwrap().remove(key);
    }
    for h in m["history"].as_array_mut().unwrap() {
        let h = h.as_object_mut().unwrap();
        h.remove("chars_per_sec");
        h.remove("seconds");
        h.remove("cpu_seconds");
    }
    m
}

#[test]
fn same_seed_one_thread_same_bits() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for k in 0..2 {
        let model: PathBuf = dir.path().join(format!("model{k}"));
        let metrics = dir.path().join(format!("m{k}.json"));
        let o = train(
            dir.path(),
            &model,
            &[
                "--dropout",
                "0.1",
                "--metrics-json",
                metrics.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
        let samples: Vec<String> = stdout(&o)
            .lines()
            .filter(|l| l.contains("sample"))
            .map(String::from)
            .collect();
        outputs.push((
            without_timings(m),
            samples,
            tensor_data(&model.join("model.safetensors")),
        ));
    }
    assert_eq!(outputs[0].0, outputs[1].0);
    assert_eq!(outputs[0].1, outputs[1].1);
    assert!(!outputs[0].1.is_empty());
    let (a, b) = (&outputs[0].2, &outputs[1].2);
    let first = a.iter().zip(b.iter()).position(|(x, y)| x != y);
    assert!(
        a == b,
        "the saved weights differ: {} vs {} bytes, first difference at {first:?}",
        a.len(),
        b.len()
    );
}

#[test]
fn bad_training_input_is_a_clear_error_and_leaves_no_model() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model");
    let text = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let missing = d.join("missing.txt").display().to_string();
    fails_with(&train(d, &model, &["--input", &missing]), "missing.txt");
    let empty = text("empty.txt", b"");
    fails_with(&train(d, &model, &["--input", &empty]), "empty");
    let latin1 = text("latin1.txt", b"caf\xe9 au lait\n");
    fails_with(&train(d, &model, &["--input", &latin1]), "latin1.txt");
    let short = text("short.txt", "Короткий текст из нескольких слов.".as_bytes());
    fails_with(
        &train(d, &model, &["--input", &short, "--sentence-len", "100"]),
        "shorter than one sentence",
    );
    fails_with(
        &train(d, &model, &["--input", &short, "--sentence-len", "10"]),
        "too little text for a validation split",
    );
    fails_with(
        &train(d, &model, &["--fragment-chars", "10"]),
        "shorter than one sentence",
    );
    usage_fails_with(&train(d, &model, &["--dropout", "1.5"]), "--dropout");
    usage_fails_with(
        &train(d, &model, &["--valid-fraction", "1"]),
        "--valid-fraction",
    );
    assert!(!model.exists(), "a failed run left a model behind");
    // Bad usage is clap's exit code 2.
    let o = run(&["train", "--cell", "transformer"], d);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_generation_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("model");
    let m = model.to_str().unwrap();
    fails_with(&run(&["generate", "--model", m], d), "does not exist");
    assert!(train(d, &model, &["--epochs", "1"]).status.success());
    fails_with(
        &run(&["generate", "--model", m, "--prime", "zebra"], d),
        "'z'",
    );
    usage_fails_with(
        &run(&["generate", "--model", m, "--temperature", "0"], d),
        "temperature",
    );
    usage_fails_with(
        &run(&["generate", "--model", m, "--temperature=-1"], d),
        "temperature",
    );
    usage_fails_with(&run(&["generate", "--model", m, "--prime", ""], d), "prime");

    // A truncated weights file, then a description from a future version, then no description.
    let weights = model.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&run(&["generate", "--model", m], d), "model.safetensors");
    std::fs::write(&weights, &bytes).unwrap();
    assert!(
        run(&["generate", "--model", m, "--len", "5"], d)
            .status
            .success()
    );
    let meta_path = model.join("char-rnn.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    std::fs::write(
        &meta_path,
        meta.replace("\"version\": 1", "\"version\": 99"),
    )
    .unwrap();
    fails_with(&run(&["generate", "--model", m], d), "version 99");
    std::fs::write(&meta_path, "{ not json").unwrap();
    fails_with(&run(&["generate", "--model", m], d), "char-rnn.json");
    std::fs::remove_file(&meta_path).unwrap();
    fails_with(&run(&["generate", "--model", m], d), "char-rnn.json");
}
