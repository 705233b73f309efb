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

#[test]
fn resumed_run_equals_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    clitest::check_resumed_equals_straight(tmp.path(), &train, &|straight, split| {
        assert!(
            clitest::read(straight, "char-rnn.json") == clitest::read(split, "char-rnn.json"),
            "char-rnn.json differs"
        );
        let meta: serde_json::Value =
            serde_json::from_slice(&clitest::read(split, "char-rnn.json")).unwrap();
        assert_eq!(meta["epoch"], 3, "the resumed epochs improved the model");
    });
}

#[test]
fn resume_with_other_settings_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    clitest::ok(&train(&out, &["--epochs", "1"]));
    let o = train(&out, &["--epochs", "2", "--resume", "--lr", "0.01"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("cannot resume: the checkpoint's run has --lr 0.004, this run has 0.01"),
        "{e}"
    );
    clitest::check_missing_checkpoint_refused(tmp.path(), &train);
}

#[test]
fn divergence_stops_naming_epoch_and_batch_and_keeps_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    clitest::check_divergence_keeps_files(
        tmp.path(),
        &train,
        &["--lr", "3e38"],
        "a weight of lstm/kernel became -inf (flat index 0) at epoch 1, batch 1; training stopped",
    );
}
