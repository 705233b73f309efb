//! Training safety: a run interrupted after some epochs and continued with `--resume` ends with the same
//! model bytes as an uninterrupted run (same seed, one thread); a diverging run (an absurd learning rate: the first step sends a weight to infinity)
//! stops with exit code 1 and a message naming the epoch and batch, leaving the earlier checkpoint and best
//! model untouched; a checkpoint from other settings is refused naming the setting.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_word-rnn");
const STORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/text/story.txt");

fn train(out: &Path, extra: &[&str]) -> Output {
    let out = out.display().to_string();
    let mut args = vec![
        "train",
        "--input",
        STORY,
        "--dim",
        "8",
        "--units",
        "8",
        "--seq-len",
        "8",
        "--batch-size",
        "16",
        "--vocab-size",
        "300",
        "--min-count",
        "1",
        "--sample-len",
        "0",
        "--threads",
        "1",
        "--seed",
        "3",
        "--dropout",
        "0.1",
        "--weight-decay",
        "0.01",
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
        // The description too, but for the seconds Word2Vec took.
        let meta = |dir: &Path| {
            let mut v: serde_json::Value =
                serde_json::from_slice(&clitest::read(dir, "word-rnn.json")).unwrap();
            v["training"]["vectors"] = serde_json::Value::Null;
            v
        };
        assert_eq!(meta(straight), meta(split));
        assert_eq!(
            meta(split)["epoch"],
            3,
            "the resumed epochs improved the model"
        );
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
        e.contains("cannot resume: the checkpoint's run has --lr 0.003, this run has 0.01"),
        "{e}"
    );
    for (flag, value, message) in [
        (
            "--word-dropout",
            "0.2",
            "--word-dropout 0.1, this run has 0.2",
        ),
        (
            "--input-dropout",
            "0.3",
            "--input-dropout 0.1, this run has 0.3",
        ),
        (
            "--dropout-mask",
            "per-step",
            "--dropout-mask \"variational\", this run has \"per-step\"",
        ),
        ("--weight-decay", "0", "--weight-decay 0.01, this run has 0"),
        (
            "--sampled-softmax",
            "40",
            "--sampled-softmax (not set), this run has 40",
        ),
    ] {
        let o = train(&out, &["--epochs", "2", "--resume", flag, value]);
        assert_eq!(o.status.code(), Some(1), "{flag}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(message), "{flag}: {e}");
    }
    clitest::check_missing_checkpoint_refused(tmp.path(), &train);
}

#[test]
fn divergence_stops_naming_epoch_and_batch_and_keeps_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    // (No weight decay: with it, --lr 3e38 is refused as a usage error before training.)
    clitest::check_divergence_keeps_files(
        tmp.path(),
        &train,
        &["--lr", "3e38", "--weight-decay", "0"],
        "at epoch 1, batch 1; training stopped",
    );
}
