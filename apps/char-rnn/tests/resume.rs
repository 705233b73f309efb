//! Training safety: a run interrupted after some epochs and continued with `--resume` ends with the same
//! model bytes as an uninterrupted run (same seed, one thread); a diverging run (an absurd learning rate: the first step sends a weight to infinity)
//! stops with exit code 1 and a message naming the epoch and batch, leaving the earlier checkpoint and best
//! model untouched; a checkpoint from other settings is refused naming the setting.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_char-rnn");

fn train(out: &Path, extra: &[&str]) -> Output {
    let out = out.display().to_string();
    let mut args = vec![
        "train",
        "--units",
        "8",
        "--sentence-len",
        "16",
        "--batch-size",
        "16",
        "--fragment-chars",
        "3000",
        "--sample-len",
        "0",
        "--threads",
        "1",
        "--seed",
        "7",
        "--dropout",
        "0.1",
        "--out",
        &out,
    ];
    args.extend_from_slice(extra);
    Command::new(BIN).args(&args).output().unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn resumed_run_equals_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (straight, split) = (tmp.path().join("straight"), tmp.path().join("split"));
    ok(&train(&straight, &["--epochs", "3"]));
    ok(&train(&split, &["--epochs", "1"]));
    let o = train(&split, &["--epochs", "3", "--resume"]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("after epoch 1 of 3"));
    for name in ["model.safetensors", "char-rnn.json"] {
        assert!(
            read(&straight, name) == read(&split, name),
            "{name} differs"
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&read(&split, "char-rnn.json")).unwrap();
    assert_eq!(meta["epoch"], 3, "the resumed epochs improved the model");
    // --resume DIR reads another directory's checkpoint.
    let other = tmp.path().join("other");
    ok(&train(
        &other,
        &["--epochs", "3", "--resume", split.to_str().unwrap()],
    ));
    assert!(read(&other, "model.safetensors") == read(&straight, "model.safetensors"));
}

#[test]
fn resume_with_other_settings_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    ok(&train(&out, &["--epochs", "1"]));
    let o = train(&out, &["--epochs", "2", "--resume", "--lr", "0.01"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("cannot resume: the checkpoint's run has --lr 0.004, this run has 0.01"),
        "{e}"
    );
    let o = train(&tmp.path().join("none"), &["--epochs", "2", "--resume"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the checkpoint"));
}

#[test]
fn divergence_stops_naming_epoch_and_batch_and_keeps_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    ok(&train(&out, &["--epochs", "1"]));
    let (ck, model) = (
        read(&out, "checkpoint.safetensors"),
        read(&out, "model.safetensors"),
    );
    let o = train(&out, &["--epochs", "2", "--lr", "3e38"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no epoch completed"), "{e}");
    assert!(
        e.contains("a weight of lstm/kernel became -inf (flat index 0) at epoch 1, batch 1; training stopped"),
        "{e}"
    );
    assert!(read(&out, "checkpoint.safetensors") == ck);
    assert!(read(&out, "model.safetensors") == model);
}
