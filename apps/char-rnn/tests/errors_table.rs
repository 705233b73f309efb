//! The `char-rnn` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use clitest::{App, check, flip_byte_from_end, replace, truncate, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_char-rnn"));

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
    let text = small_text();
    clitest::trained_once(
        &MODEL,
        env!("CARGO_TARGET_TMPDIR"),
        "errors_table_char-rnn",
        APP,
        |root| write(root, "text.txt", text.as_bytes()),
        &[
            &["train", "--input", "text.txt", "--out", "model"],
            SMALL_RUN,
        ]
        .concat(),
        "model",
    )
}

/// The settings of every training run here: one epoch of a tiny model on one thread.
const SMALL_RUN: &[&str] = &[
    "--epochs",
    "1",
    "--units",
    "8",
    "--threads",
    "1",
    "--sentence-len",
    "16",
];

/// The small text the training rows read and the shared model is trained on.
fn small_text() -> String {
    "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".repeat(40)
}

/// Runs `train --input INPUT` with the small settings plus `extra` in a fresh directory (INPUT written there with
/// `content`, if given) and checks the exit code, the message and that no model directory `m` was written.
fn train_rejects(input: &str, content: Option<&[u8]>, extra: &[&str], code: i32, message: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    if let Some(content) = content {
        write(dir.path(), input, content);
    }
    let args = [&["train", "--out", "m", "--input", input], SMALL_RUN, extra].concat();
    let out = run(dir.path(), &args);
    check(&out, code, message);
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// Runs `generate --model model --len 5` plus `extra` on a copy of the trained model after `damage` (given the
/// directory that holds `model/`), and checks the exit code and the message.
fn generate_rejects(damage: impl FnOnce(&Path), extra: &[&str], code: i32, message: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_model(dir.path());
    damage(dir.path());
    let mut args = vec!["generate", "--model", "model", "--len", "5"];
    args.extend_from_slice(extra);
    let out = run(dir.path(), &args);
    check(&out, code, message);
}

/// train --input: the file does not exist.
#[test]
fn train_input_missing() {
    train_rejects(
        "missing.txt",
        None,
        &[],
        1,
        "cannot open missing.txt: No such file or directory (os error 2)",
    );
}

/// train --input: bytes that are not UTF-8.
#[test]
fn train_input_not_utf8() {
    train_rejects(
        "bad.txt",
        Some(&[b"\xff".as_slice(), small_text().as_bytes()].concat()),
        &[],
        1,
        "bad.txt: invalid UTF-8 at byte offset 0",
    );
}

/// train --input: an empty file.
#[test]
fn train_input_empty() {
    train_rejects(
        "empty.txt",
        Some("".as_bytes()),
        &[],
        1,
        "empty.txt: the input is empty",
    );
}

/// train --input: nothing left after cleaning.
#[test]
fn train_input_no_letters() {
    train_rejects(
        "digits.txt",
        Some("123 456 789\n".as_bytes()),
        &[],
        1,
        "digits.txt: nothing is left after cleaning (no letters)",
    );
}

/// train --input: too short for one training and one held-out sentence.
#[test]
fn train_input_too_short() {
    train_rejects(
        "short.txt",
        Some("кот сидел на окне".as_bytes()),
        &[],
        1,
        "short.txt: too little text for a validation split: 17 characters, 15 for training and 2 held out (--valid-fraction 0.1), but each part needs at least one sentence of 16 characters plus one; give more text, or lower --sentence-len",
    );
}

/// train --sentence-len: 0.
#[test]
fn train_sentence_len_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--sentence-len", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--sentence-len <L>': 0 is not in 1..18446744073709551615",
    );
}

/// train --units: 0.
#[test]
fn train_units_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--units", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--units <UNITS>': 0 is not in 1..18446744073709551615",
    );
}

/// train --dropout: not in [0, 1).
#[test]
fn train_dropout_one() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--dropout", "1"],
        2,
        "--dropout must be in [0, 1), got 1",
    );
}

/// train --lr: not positive.
#[test]
fn train_lr_zero() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--lr", "0"],
        2,
        "--lr must be a positive number, got 0",
    );
}

/// train --valid-fraction: not in (0, 1).
#[test]
fn train_valid_fraction_one() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--valid-fraction", "1"],
        2,
        "--valid-fraction must be between 0 and 1 (exclusive), got 1",
    );
}

/// train --clip: negative.
#[test]
fn train_clip_negative() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--clip=-1"],
        2,
        "--clip must be a non-negative number (0: off), got -1",
    );
}

/// train --keep: an uppercase character while lowercasing.
#[test]
fn train_keep_uppercase() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--keep", "A"],
        2,
        "--keep: invalid extra characters: 'A' is changed by lowercasing, so it could never be kept",
    );
}

/// train --sample-temperature: not positive.
#[test]
fn train_sample_temperature_zero() {
    train_rejects(
        "in.txt",
        Some(small_text().as_bytes()),
        &["--sample-temperature", "0"],
        2,
        "--sample-temperature: temperature must be a positive number, got 0",
    );
}

/// train --cell: not lstm, gru or simple-rnn.
#[test]
fn train_cell_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--cell", "transformer"]);
    check(&out, 2, "invalid value 'transformer' for '--cell <CELL>'");
}

/// generate --model: the directory does not exist.
#[test]
fn generate_model_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["generate", "--model", "nomodel"]);
    check(
        &out,
        1,
        "model directory nomodel does not exist (train one with `char-rnn train --out DIR`)",
    );
}

/// generate --model: char-rnn.json missing.
#[test]
fn generate_meta_missing() {
    generate_rejects(
        |dir| {
            std::fs::remove_file(dir.join("model/char-rnn.json")).unwrap();
        },
        &[],
        1,
        "model/char-rnn.json: cannot read it; is model a char-rnn model directory?: No such file or directory (os error 2)",
    );
}

/// generate --model: char-rnn.json is not JSON.
#[test]
fn generate_meta_not_json() {
    generate_rejects(
        |dir| {
            write(dir, "model/char-rnn.json", "not json".as_bytes());
        },
        &[],
        1,
        "model/char-rnn.json: not a valid char-rnn model description: expected ident at line 1 column 2",
    );
}

/// generate --model: char-rnn.json of another app.
#[test]
fn generate_meta_other_format() {
    generate_rejects(
        |dir| {
            replace(
                &dir.join("model/char-rnn.json"),
                "rnnlab-char-rnn",
                "rnnlab-word-rnn",
            );
        },
        &[],
        1,
        "model/char-rnn.json: format \"rnnlab-word-rnn\" is not \"rnnlab-char-rnn\"",
    );
}

/// generate --model: model.safetensors missing.
#[test]
fn generate_weights_missing() {
    generate_rejects(
        |dir| {
            std::fs::remove_file(dir.join("model/model.safetensors")).unwrap();
        },
        &[],
        1,
        "model/model.safetensors: cannot read the weights: No such file or directory (os error 2)",
    );
}

/// generate --model: model.safetensors cut short.
#[test]
fn generate_weights_truncated() {
    generate_rejects(
        |dir| {
            truncate(&dir.join("model/model.safetensors"), 200);
        },
        &[],
        1,
        "model/model.safetensors: the weights do not match char-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --model: model.safetensors does not match its description (a byte changed).
#[test]
fn generate_weights_changed() {
    generate_rejects(
        |dir| {
            flip_byte_from_end(&dir.join("model/model.safetensors"), 3);
        },
        &[],
        1,
        "model/model.safetensors: the weights do not match char-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --prime: characters not in the alphabet.
#[test]
fn generate_prime_unknown_chars() {
    generate_rejects(
        |_| {},
        &["--prime", "xyz"],
        1,
        "--prime \"xyz\": the model's alphabet is [\" \",\"!\",\",\",\".\",\"а\",\"в\",\"д\",\"е\",\"ж\",\"и\",\"к\",\"л\",\"н\",\"о\",\"п\",\"р\",\"с\",\"т\",\"у\",\"ё\"]: character 'x' (U+0078) at position 0 is not in the alphabet",
    );
}

/// generate --prime: empty.
#[test]
fn generate_prime_empty() {
    generate_rejects(
        |_| {},
        &["--prime", ""],
        2,
        "--prime is empty: give at least one character to start from",
    );
}

/// generate --temperature: not positive.
#[test]
fn generate_temperature_zero() {
    generate_rejects(
        |_| {},
        &["--temperature", "0"],
        2,
        "--temperature / --top-k: temperature must be a positive number, got 0",
    );
}

/// generate --top-k: 0.
#[test]
fn generate_top_k_zero() {
    generate_rejects(
        |_| {},
        &["--top-k", "0"],
        2,
        "--temperature / --top-k: top-k must be at least 1",
    );
}
