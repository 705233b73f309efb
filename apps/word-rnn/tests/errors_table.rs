//! The `word-rnn` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use clitest::{App, check, flip_byte_from_end, truncate, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_word-rnn"));

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
    let text =
        "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".repeat(40);
    clitest::trained_once(
        &MODEL,
        env!("CARGO_TARGET_TMPDIR"),
        "errors_table_word-rnn",
        APP,
        |root| write(root, "text.txt", text.as_bytes()),
        &[
            "train",
            "--input",
            "text.txt",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "model",
        ],
        "model",
    )
}

/// train --input: the file does not exist.
#[test]
fn train_input_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "missing.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot open missing.txt: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input: bytes that are not UTF-8.
#[test]
fn train_input_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.txt", b"\xff\xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9e\xd0\xba\xd0\xbd\xd0\xbe \xd0\xb1\xd1\x8b\xd0\xbb\xd0\xbe \xd0\xbe\xd1\x82\xd0\xba\xd1\x80\xd1\x8b\xd1\x82\xd0\xbe. ");
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "bad.txt",
        ],
    );
    check(&out, 1, "bad.txt: invalid UTF-8 at byte offset 0");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input: an empty file.
#[test]
fn train_input_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.txt", "".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "empty.txt",
        ],
    );
    check(
        &out,
        1,
        "empty.txt: no words after cleaning (an empty text, or one without letters)",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input: too few words for training and held-out sequences.
#[test]
fn train_input_too_short() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "short.txt", "кот сидел".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "short.txt",
        ],
    );
    check(
        &out,
        1,
        "short.txt: 2 words after cleaning, 2 for training and 0 held out (--valid-fraction 0.1), but each part needs at least one sequence of --seq-len 5 words plus one; lower --seq-len or give more text",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --vocab-size: below 2.
#[test]
fn train_vocab_size_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--vocab-size",
            "1",
        ],
    );
    check(
        &out,
        2,
        "--vocab-size must be at least 2 (one word and <unk>), got 1",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --valid-fraction: not in (0, 1).
#[test]
fn train_valid_fraction_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--valid-fraction",
            "0",
        ],
    );
    check(
        &out,
        2,
        "--valid-fraction must be between 0 and 1 (exclusive), got 0",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --dropout: not in [0, 1).
#[test]
fn train_dropout_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--dropout=-0.5",
        ],
    );
    check(&out, 2, "--dropout must be in [0, 1), got -0.5");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --lr: not positive.
#[test]
fn train_lr_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--lr=-1",
        ],
    );
    check(&out, 2, "--lr must be a positive number, got -1");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --lr-decay: not in (0, 1].
#[test]
fn train_lr_decay_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    for (value, shown) in [("0", "0"), ("1.5", "1.5")] {
        let out = run(
            dir.path(),
            &["train", "--epochs", "1", "--out", "m", "--lr-decay", value],
        );
        check(
            &out,
            2,
            &format!("--lr-decay must be in (0, 1] (1: off), got {shown}"),
        );
        assert!(!dir.path().join("m").exists(), "m was written");
    }
}

/// train --seq-len: 0.
#[test]
fn train_seq_len_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--seq-len", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--seq-len <L>': 0 is not in 1..18446744073709551615",
    );
}

/// train --freeze-embeddings --fine-tune: both.
#[test]
fn train_freeze_and_fine_tune() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--freeze-embeddings", "--fine-tune"]);
    check(
        &out,
        2,
        "the argument '--freeze-embeddings' cannot be used with '--fine-tune'",
    );
}

/// train --vectors: the file does not exist.
#[test]
fn train_vectors_missing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--vectors",
            "missing.vec",
        ],
    );
    check(
        &out,
        1,
        "missing.vec: cannot read the Word2Vec vectors: cannot open missing.vec: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --vectors: not a word2vec file.
#[test]
fn train_vectors_malformed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    write(dir.path(), "v.vec", "hello\n".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--vectors",
            "v.vec",
        ],
    );
    check(
        &out,
        1,
        "v.vec: cannot read the Word2Vec vectors: v.vec: header: expected '<words> <dimension>', found 'hello'",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --vectors --dim: the vectors have another dimension than --dim.
#[test]
fn train_vectors_other_dim() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".as_bytes());
    write(
        dir.path(),
        "v.vec",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокне 1 0\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--vectors",
            "v.vec",
        ],
    );
    check(
        &out,
        1,
        "v.vec: the vectors have dimension 2 but --dim is 8; drop --dim or give vectors of that width (the embedding width is the vectors' dimension; --units 8 is the recurrent width and may differ)",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// generate --model: the directory does not exist.
#[test]
fn generate_model_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["generate", "--model", "nomodel"]);
    check(
        &out,
        1,
        "model directory nomodel does not exist (train one with `word-rnn train --out DIR`)",
    );
}

/// generate --model: word-rnn.json is not JSON.
#[test]
fn generate_meta_not_json() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    write(dir.path(), "model/word-rnn.json", "{".as_bytes());
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "3"]);
    check(
        &out,
        1,
        "model/word-rnn.json: not a valid word-rnn model description: EOF while parsing an object at line 1 column 1",
    );
}

/// generate --model: model.safetensors cut short.
#[test]
fn generate_weights_truncated() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    truncate(&dir.path().join("model/model.safetensors"), 100);
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "3"]);
    check(
        &out,
        1,
        "model/model.safetensors: the weights do not match word-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --model: model.safetensors does not match its description.
#[test]
fn generate_weights_changed() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    flip_byte_from_end(&dir.path().join("model/model.safetensors"), 3);
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "3"]);
    check(
        &out,
        1,
        "model/model.safetensors: the weights do not match word-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --prime: no words after cleaning.
#[test]
fn generate_prime_no_words() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &[
            "generate", "--model", "model", "--len", "3", "--prime", "123 !",
        ],
    );
    check(
        &out,
        2,
        "--prime \"123 !\" has no words after cleaning: give at least one word",
    );
}

/// generate --temperature: not positive.
#[test]
fn generate_temperature_negative() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &[
            "generate",
            "--model",
            "model",
            "--len",
            "3",
            "--temperature=-1",
        ],
    );
    check(
        &out,
        2,
        "--temperature / --top-k: temperature must be a positive number, got -1",
    );
}

/// Runs `train` on a small text with the one bad flag `bad` and checks the usage error and that no model
/// directory was written.
fn train_usage_error(bad: &str, message: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text =
        "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Окно было открыто. ".repeat(40);
    write(dir.path(), "in.txt", text.as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--dim",
            "8",
            "--threads",
            "1",
            "--seq-len",
            "5",
            "--out",
            "m",
            "--input",
            "in.txt",
            bad,
        ],
    );
    check(&out, 2, message);
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input-dropout: not in [0, 1).
#[test]
fn train_input_dropout_one() {
    train_usage_error(
        "--input-dropout=1",
        "--input-dropout must be in [0, 1), got 1",
    );
}

/// train --word-dropout: not in [0, 1).
#[test]
fn train_word_dropout_negative() {
    train_usage_error(
        "--word-dropout=-0.1",
        "--word-dropout must be in [0, 1), got -0.1",
    );
}

/// train --weight-decay: negative.
#[test]
fn train_weight_decay_negative() {
    train_usage_error(
        "--weight-decay=-1",
        "--weight-decay must be a non-negative number (0: off), got -1",
    );
}

/// train --weight-decay: so large that a step would flip the weights' sign (with the default --lr 0.003).
#[test]
fn train_weight_decay_too_large() {
    train_usage_error(
        "--weight-decay=1000",
        "--weight-decay times --lr must be below 1 (each step multiplies the weights by 1 - lr * decay), got 1000 * 0.003",
    );
}

/// train --dropout-mask: not a mask kind.
#[test]
fn train_dropout_mask_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--dropout-mask", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value 'sometimes' for '--dropout-mask <DROPOUT_MASK>'")
            && stderr.contains("[possible values: variational, per-step]"),
        "{stderr}"
    );
}
