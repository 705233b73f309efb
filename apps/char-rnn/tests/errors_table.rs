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
    let text = "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".repeat(40);
    clitest::trained_once(
        &MODEL,
        env!("CARGO_TARGET_TMPDIR"),
        "errors_table_char-rnn",
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
            "--threads",
            "1",
            "--sentence-len",
            "16",
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
            "--threads",
            "1",
            "--sentence-len",
            "16",
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
    write(dir.path(), "bad.txt", b"\xff\xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8! ");
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
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
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "empty.txt",
        ],
    );
    check(&out, 1, "empty.txt: the input is empty");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input: nothing left after cleaning.
#[test]
fn train_input_no_letters() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "digits.txt", "123 456 789\n".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "digits.txt",
        ],
    );
    check(
        &out,
        1,
        "digits.txt: nothing is left after cleaning (no letters)",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --input: too short for one training and one held-out sentence.
#[test]
fn train_input_too_short() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "short.txt", "кот сидел на окне".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "short.txt",
        ],
    );
    check(
        &out,
        1,
        "short.txt: too little text for a validation split: 17 characters, 15 for training and 2 held out (--valid-fraction 0.1), but each part needs at least one sentence of 16 characters plus one; give more text, or lower --sentence-len",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
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
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--dropout",
            "1",
        ],
    );
    check(&out, 2, "--dropout must be in [0, 1), got 1");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --lr: not positive.
#[test]
fn train_lr_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--lr",
            "0",
        ],
    );
    check(&out, 2, "--lr must be a positive number, got 0");
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --valid-fraction: not in (0, 1).
#[test]
fn train_valid_fraction_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--valid-fraction",
            "1",
        ],
    );
    check(
        &out,
        2,
        "--valid-fraction must be between 0 and 1 (exclusive), got 1",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --clip: negative.
#[test]
fn train_clip_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--clip=-1",
        ],
    );
    check(
        &out,
        2,
        "--clip must be a non-negative number (0: off), got -1",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --keep: an uppercase character while lowercasing.
#[test]
fn train_keep_uppercase() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--keep",
            "A",
        ],
    );
    check(
        &out,
        2,
        "--keep: invalid extra characters: 'A' is changed by lowercasing, so it could never be kept",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
}

/// train --sample-temperature: not positive.
#[test]
fn train_sample_temperature_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! Кот сидел на окне, пёс лежал у двери. Кот и пёс спали! ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--units",
            "8",
            "--threads",
            "1",
            "--sentence-len",
            "16",
            "--out",
            "m",
            "--input",
            "in.txt",
            "--sample-temperature",
            "0",
        ],
    );
    check(
        &out,
        2,
        "--sample-temperature: temperature must be a positive number, got 0",
    );
    assert!(!dir.path().join("m").exists(), "m was written");
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
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::remove_file(dir.path().join("model/char-rnn.json")).unwrap();
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/char-rnn.json: cannot read it; is model a char-rnn model directory?: No such file or directory (os error 2)",
    );
}

/// generate --model: char-rnn.json is not JSON.
#[test]
fn generate_meta_not_json() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    write(dir.path(), "model/char-rnn.json", "not json".as_bytes());
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/char-rnn.json: not a valid char-rnn model description: expected ident at line 1 column 2",
    );
}

/// generate --model: char-rnn.json of another app.
#[test]
fn generate_meta_other_format() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    replace(
        &dir.path().join("model/char-rnn.json"),
        "rnnlab-char-rnn",
        "rnnlab-word-rnn",
    );
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/char-rnn.json: format \"rnnlab-word-rnn\" is not \"rnnlab-char-rnn\"",
    );
}

/// generate --model: model.safetensors missing.
#[test]
fn generate_weights_missing() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::remove_file(dir.path().join("model/model.safetensors")).unwrap();
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/model.safetensors: cannot read the weights: No such file or directory (os error 2)",
    );
}

/// generate --model: model.safetensors cut short.
#[test]
fn generate_weights_truncated() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    truncate(&dir.path().join("model/model.safetensors"), 200);
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/model.safetensors: the weights do not match char-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --model: model.safetensors does not match its description (a byte changed).
#[test]
fn generate_weights_changed() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    flip_byte_from_end(&dir.path().join("model/model.safetensors"), 3);
    let out = run(dir.path(), &["generate", "--model", "model", "--len", "5"]);
    check(
        &out,
        1,
        "model/model.safetensors: the weights do not match char-rnn.json (corrupted, or an interrupted save over another model); retrain",
    );
}

/// generate --prime: characters not in the alphabet.
#[test]
fn generate_prime_unknown_chars() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &[
            "generate", "--model", "model", "--len", "5", "--prime", "xyz",
        ],
    );
    check(
        &out,
        1,
        "--prime \"xyz\": the model's alphabet is [\" \",\"!\",\",\",\".\",\"а\",\"в\",\"д\",\"е\",\"ж\",\"и\",\"к\",\"л\",\"н\",\"о\",\"п\",\"р\",\"с\",\"т\",\"у\",\"ё\"]: character 'x' (U+0078) at position 0 is not in the alphabet",
    );
}

/// generate --prime: empty.
#[test]
fn generate_prime_empty() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &["generate", "--model", "model", "--len", "5", "--prime", ""],
    );
    check(
        &out,
        2,
        "--prime is empty: give at least one character to start from",
    );
}

/// generate --temperature: not positive.
#[test]
fn generate_temperature_zero() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &[
            "generate",
            "--model",
            "model",
            "--len",
            "5",
            "--temperature",
            "0",
        ],
    );
    check(
        &out,
        2,
        "--temperature / --top-k: temperature must be a positive number, got 0",
    );
}

/// generate --top-k: 0.
#[test]
fn generate_top_k_zero() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let out = run(
        dir.path(),
        &["generate", "--model", "model", "--len", "5", "--top-k", "0"],
    );
    check(&out, 2, "--temperature / --top-k: top-k must be at least 1");
}
