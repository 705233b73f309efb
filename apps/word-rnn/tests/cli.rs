//! Runs the `word-rnn` binary with tiny settings on the fixture story: training (Word2Vec first, or from
//! a vectors file) writes a model directory and metrics that `generate` uses, the same seed on one
//! thread repeats bit for bit, and bad input is a clear error with exit code 1, no panic and no output.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_word-rnn");
const STORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text/story.txt");

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

/// Trains a tiny model (8-dimensional Word2Vec, 8 LSTM units, 2 epochs) into `dir/model`.
fn train(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "train",
        "--dim",
        "8",
        "--units",
        "8",
        "--epochs",
        "2",
        "--seq-len",
        "8",
        "--batch-size",
        "16",
        "--vocab-size",
        "300",
        "--min-count",
        "1",
        "--sample-len",
        "5",
        "--threads",
        "1",
        "--seed",
        "3",
        "--out",
        "model",
        "--metrics-json",
        "m.json",
    ];
    args.extend_from_slice(extra);
    run(&args, dir)
}

fn failed(o: &Output, needle: &str) {
    failed_with_code(1, o, needle);
}

fn failed_with_code(code: i32, o: &Output, needle: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout {} stderr {}",
        stdout(o),
        stderr(o)
    );
    let e = stderr(o);
    assert!(e.contains(needle), "{needle:?} not in {e}");
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn trains_generates_and_repeats_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let o = train(dir.path(), &["--loss-plot", "loss.svg"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).unwrap()).unwrap();
    for key in [
        "seed",
        "vocab_size",
        "best_valid_perplexity",
        "unigram_perplexity",
        "bigram_perplexity",
        "train_seconds",
    ] {
        assert!(m.get(key).is_some(), "{key} missing: {m}");
    }
    assert_eq!(m["vocab_size"], 300);
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    for key in ["epoch", "loss", "valid_perplexity", "words_per_sec"] {
        assert!(history[0][key].is_number(), "{key}");
    }
    // The network's perplexity is finite and below the vocabulary size (better than uniform).
    let best = m["best_valid_perplexity"].as_f64().unwrap();
    assert!(best.is_finite() && best < 300.0, "{best}");
    assert!(dir.path().join("loss.svg").exists());

    // Same seed, one thread: identical figures (timings aside).
    let again = tempfile::tempdir().unwrap();
    assert!(train(again.path(), &[]).status.success());
    let m2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.path().join("m.json")).unwrap())
            .unwrap();
    for (a, b) in history.iter().zip(m2["history"].as_array().unwrap()) {
        assert_eq!(a["loss"], b["loss"]);
        assert_eq!(a["valid_perplexity"], b["valid_perplexity"]);
    }
    assert_eq!(m["bigram_perplexity"], m2["bigram_perplexity"]);
    assert_eq!(m["best_valid_perplexity"], m2["best_valid_perplexity"]);

    // Generation: the prime, then the requested number of words, never <unk>; an OOV prime word warns.
    let g = run(
        &[
            "generate",
            "--model",
            "model",
            "--prime",
            "он вышел zzzz",
            "--len",
            "30",
            "--temperature",
            "1.5",
        ],
        dir.path(),
    );
    assert!(g.status.success(), "{}", stderr(&g));
    let text = stdout(&g);
    assert_eq!(text.split_whitespace().count(), 3 + 30, "{text}");
    assert!(!text.contains("<unk>"), "{text}");
    assert!(stderr(&g).contains("zzzz"), "{}", stderr(&g));
    let top1 = run(
        &[
            "generate", "--model", "model", "--prime", "он", "--len", "5", "--top-k", "1",
        ],
        dir.path(),
    );
    assert!(top1.status.success(), "{}", stderr(&top1));

    // A missing or corrupt model directory is a clear error.
    let bad = run(&["generate", "--model", "nowhere"], dir.path());
    failed(&bad, "nowhere");
    std::fs::write(dir.path().join("model/model.safetensors"), b"garbage").unwrap();
    failed(
        &run(&["generate", "--model", "model"], dir.path()),
        "do not match",
    );
}

/// --sampled-softmax: the run says so, records it, learns (held-out perplexity, scored with the full
/// softmax, below the vocabulary size), generates, and repeats bit for bit.
#[test]
fn trains_with_a_sampled_softmax() {
    let dir = tempfile::tempdir().unwrap();
    let o = train(dir.path(), &["--sampled-softmax", "40"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("trained with a sampled softmax (40 drawn words + the batch's targets)"),
        "{}",
        stdout(&o)
    );
    let read = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("m.json")).unwrap()).unwrap()
    };
    let m = read(dir.path());
    assert_eq!(m["training"]["sampled_softmax"], 40);
    let best = m["best_valid_perplexity"].as_f64().unwrap();
    assert!(best.is_finite() && best < 300.0, "{best}");
    let g = run(
        &[
            "generate", "--model", "model", "--prime", "он", "--len", "5",
        ],
        dir.path(),
    );
    assert!(g.status.success(), "{}", stderr(&g));
    let again = tempfile::tempdir().unwrap();
    assert!(
        train(again.path(), &["--sampled-softmax", "40"])
            .status
            .success()
    );
    assert_eq!(
        m["history"][1]["loss"],
        read(again.path())["history"][1]["loss"]
    );
    assert_eq!(
        m["best_valid_perplexity"],
        read(again.path())["best_valid_perplexity"]
    );
    // The full softmax trains differently.
    let full = tempfile::tempdir().unwrap();
    assert!(train(full.path(), &[]).status.success());
    assert_ne!(
        m["history"][1]["loss"],
        read(full.path())["history"][1]["loss"]
    );
}

#[test]
fn trains_from_a_vectors_file_and_checks_its_dimension() {
    let dir = tempfile::tempdir().unwrap();
    // Word2Vec text format: a header "words dim", then one word and its numbers per line.
    std::fs::write(
        dir.path().join("v.txt"),
        "3 4\nон 0.1 0.2 0.3 0.4\nи 0.5 0.1 0.0 0.2\nне 0.3 0.3 0.1 0.0\n",
    )
    .unwrap();
    let o = train(
        dir.path(),
        &[
            "--vectors",
            "v.txt",
            "--dim",
            "4",
            "--epochs",
            "1",
            "--fine-tune",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("3 of"), "{}", stdout(&o));
    let o = train(
        dir.path(),
        &["--vectors", "v.txt", "--dim", "5", "--out", "other"],
    );
    failed(&o, "dimension 4 but --dim is 5");
    assert!(!dir.path().join("other").exists());
    std::fs::write(dir.path().join("bad.txt"), "2 4\nон 0.1 zz\n").unwrap();
    failed(
        &train(dir.path(), &["--vectors", "bad.txt", "--out", "other"]),
        "bad.txt",
    );
    std::fs::write(dir.path().join("foreign.txt"), "1 2\nhello 0.1 0.2\n").unwrap();
    failed(
        &train(
            dir.path(),
            &["--vectors", "foreign.txt", "--dim", "2", "--out", "other"],
        ),
        "none of the text's words",
    );
    assert!(!dir.path().join("other").exists());
}

#[test]
fn bad_input_is_a_clear_error_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("empty.txt"), "").unwrap();
    std::fs::write(p.join("digits.txt"), "123 456. 789!").unwrap();
    // Exit 1 for bad data, 2 for a flag value rejected after parsing (a usage error, like clap's).
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--input", "missing.txt"], 1, "missing.txt"),
        (vec!["--input", "empty.txt"], 1, "no words"),
        (vec!["--input", "digits.txt"], 1, "no words"),
        (
            vec!["--input", STORY, "--vocab-size", "0"],
            2,
            "--vocab-size",
        ),
        (
            vec!["--input", STORY, "--vocab-size", "1"],
            2,
            "--vocab-size",
        ),
        (
            vec!["--input", STORY, "--seq-len", "100000"],
            1,
            "--seq-len",
        ),
        (
            vec!["--input", STORY, "--vectors", "missing.bin"],
            1,
            "missing.bin",
        ),
        (vec!["--input", STORY, "--dropout", "1.5"], 2, "--dropout"),
    ];
    for (extra, code, needle) in cases {
        let o = train(p, &extra);
        failed_with_code(code, &o, needle);
        assert!(
            !p.join("model").exists() && !p.join("m.json").exists(),
            "{extra:?} left output"
        );
    }
}
