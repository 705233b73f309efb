//! The `seq2seq` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use clitest::{App, check, check_code, edit_safetensors_header, truncate, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_seq2seq"));

/// Runs the app in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    APP.run(dir, args)
}

/// Copies the trained model into `dir/model`.
fn copy_model(dir: &Path) {
    clitest::copy_dir(trained_model(), &dir.join("model"));
}

/// A small model trained once per test run (under the target directory), which the model rows copy and damage.
fn trained_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();

    clitest::trained_once(
        &MODEL,
        env!("CARGO_TARGET_TMPDIR"),
        "errors_table_seq2seq",
        APP,
        |_| {},
        &[
            "train",
            "--epochs",
            "1",
            "--train-size",
            "50",
            "--valid-size",
            "10",
            "--test-size",
            "10",
            "--units",
            "8",
            "--embed",
            "4",
            "--attention-units",
            "4",
            "--threads",
            "1",
            "--out",
            "model",
        ],
        "model",
    )
}

/// train --epochs: 0.
#[test]
fn train_epochs_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "0",
            "--train-size",
            "50",
            "--valid-size",
            "10",
            "--test-size",
            "10",
            "--units",
            "8",
            "--embed",
            "4",
            "--attention-units",
            "4",
            "--threads",
            "1",
            "--out",
            "m",
        ],
    );
    check(
        &out,
        2,
        "--epochs, --batch-size, --beam and the split sizes must be positive",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --batch-size: 0.
#[test]
fn train_batch_size_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--train-size",
            "50",
            "--valid-size",
            "10",
            "--test-size",
            "10",
            "--units",
            "8",
            "--embed",
            "4",
            "--attention-units",
            "4",
            "--threads",
            "1",
            "--out",
            "m",
            "--batch-size",
            "0",
        ],
    );
    check(
        &out,
        2,
        "--epochs, --batch-size, --beam and the split sizes must be positive",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --beam: 0.
#[test]
fn train_beam_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--train-size",
            "50",
            "--valid-size",
            "10",
            "--test-size",
            "10",
            "--units",
            "8",
            "--embed",
            "4",
            "--attention-units",
            "4",
            "--threads",
            "1",
            "--out",
            "m",
            "--beam",
            "0",
        ],
    );
    check(
        &out,
        2,
        "--epochs, --batch-size, --beam and the split sizes must be positive",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --train-size: more examples than the task has.
#[test]
fn train_too_many_examples() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--train-size",
            "2000000",
            "--valid-size",
            "10",
            "--test-size",
            "10",
            "--units",
            "8",
            "--embed",
            "4",
            "--attention-units",
            "4",
            "--threads",
            "1",
            "--out",
            "m",
        ],
    );
    check(
        &out,
        1,
        "the number task has 1000000 examples, 2000020 asked for",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --out: missing.
#[test]
fn train_without_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train"]);
    check(
        &out,
        2,
        "the following required arguments were not provided:",
    );
}

/// train --task: an unknown task.
#[test]
fn train_task_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--out", "m", "--task", "chess"]);
    check(&out, 2, "invalid value 'chess' for '--task <TASK>'");
}

/// train --threads: 0.
#[test]
fn train_threads_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--out", "m", "--threads", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--threads <THREADS>': 0 is not in 1..=256",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// translate --model: the directory does not exist.
#[test]
fn translate_model_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["translate", "--model", "nomodel", "сто"]);
    check(
        &out,
        1,
        "cannot read nomodel/model.safetensors: No such file or directory (os error 2)",
    );
}

/// translate --model: task.json missing.
#[test]
fn translate_task_missing() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::remove_file(dir.path().join("model/task.json")).unwrap();
    let out = run(dir.path(), &["translate", "--model", "model", "сто"]);
    check(
        &out,
        1,
        "cannot read model/task.json: No such file or directory (os error 2)",
    );
}

/// translate --model: task.json names an unknown task.
#[test]
fn translate_task_bad() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    write(
        dir.path(),
        "model/task.json",
        "{\"task\": \"chess\"}".as_bytes(),
    );
    let out = run(dir.path(), &["translate", "--model", "model", "сто"]);
    check(&out, 1, "unknown task \"chess\" in task.json");
}

/// translate --model: model.safetensors cut short.
#[test]
fn translate_weights_truncated() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    truncate(&dir.path().join("model/model.safetensors"), 100);
    let out = run(dir.path(), &["translate", "--model", "model", "сто"]);
    check(
        &out,
        1,
        "model/model.safetensors: not a safetensors file (invalid header length)",
    );
}

/// translate --model: model.safetensors is not safetensors.
#[test]
fn translate_weights_not_safetensors() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    write(dir.path(), "model/model.safetensors", "hello".as_bytes());
    let out = run(dir.path(), &["translate", "--model", "model", "сто"]);
    check(
        &out,
        1,
        "model/model.safetensors: not a safetensors file (header too small)",
    );
}

/// translate TEXT: a word the task does not know.
#[test]
fn translate_unknown_token() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(dir.path(), &["translate", "--model", "model", "zebra"]);
    check(&out, 1, "token \"zebra\" is not in the vocabulary");
}

/// translate TEXT: only spaces.
#[test]
fn translate_empty_text() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(dir.path(), &["translate", "--model", "model", " "]);
    check(&out, 1, "the input is empty");
}

/// translate --beam: 0.
#[test]
fn translate_beam_zero() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &["translate", "--model", "model", "--beam", "0", "сто"],
    );
    check(&out, 2, "--beam must be positive");
}

/// translate TEXT: missing.
#[test]
fn translate_without_text() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(dir.path(), &["translate", "--model", "model"]);
    check(
        &out,
        2,
        "the following required arguments were not provided:",
    );
}

/// translate --model: a small weights file whose description declares 100000 encoder units.
#[test]
fn translate_huge_declared_model() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    edit_safetensors_header(
        &dir.path().join("model/model.safetensors"),
        "\\\"enc_units\\\":8,",
        "\\\"enc_units\\\":100000,",
    );
    let out = run(dir.path(), &["translate", "--model", "model", "сто"]);
    check_code(&out, 1);
}
