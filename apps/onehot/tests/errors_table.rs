//! The `onehot` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::Output;

use clitest::{App, check, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_onehot"));

/// Runs the app in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    APP.run(dir, args)
}

/// --input: the file does not exist.
#[test]
fn input_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--input", "missing.txt", "--out", "X.npy"]);
    check(
        &out,
        1,
        "cannot open missing.txt: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --input: bytes that are not UTF-8 (without --lossy).
#[test]
fn input_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.txt", b"ok \xff\xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5, \xd0\xbf\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. ");
    let out = run(dir.path(), &["--input", "bad.txt", "--out", "X.npy"]);
    check(&out, 1, "bad.txt: invalid UTF-8 at byte offset 3");
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --input: an empty file.
#[test]
fn input_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.txt", "".as_bytes());
    let out = run(dir.path(), &["--input", "empty.txt", "--out", "X.npy"]);
    check(&out, 1, "empty.txt: the input is empty");
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --input: nothing left after cleaning.
#[test]
fn input_no_letters() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "digits.txt", "123 456 !!!\n".as_bytes());
    let out = run(dir.path(), &["--input", "digits.txt", "--out", "X.npy"]);
    check(
        &out,
        1,
        "digits.txt: nothing is left after cleaning (no letters)",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --input / --sentence-len: fewer characters than one sentence and its target.
#[test]
fn input_shorter_than_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "short.txt", "кот сидел".as_bytes());
    let out = run(dir.path(), &["--input", "short.txt", "--out", "X.npy"]);
    check(
        &out,
        1,
        "short.txt, fragment of 9 characters: sentence length 40 needs at least 41 characters (40 and the next one), but the text has 9",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --fragment-chars: a fragment shorter than one sentence.
#[test]
fn fragment_shorter_than_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "--input",
            "in.txt",
            "--fragment-chars",
            "10",
            "--out",
            "X.npy",
        ],
    );
    check(
        &out,
        1,
        "in.txt, fragment of 10 characters: sentence length 40 needs at least 41 characters (40 and the next one), but the text has 10",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --sentence-len: 0.
#[test]
fn sentence_len_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--sentence-len", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--sentence-len <L>': 0 is not in 1..18446744073709551615",
    );
}

/// --stride: 0.
#[test]
fn stride_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--stride", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--stride <S>': 0 is not in 1..18446744073709551615",
    );
}

/// --fragment-chars: 0.
#[test]
fn fragment_chars_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--fragment-chars", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--fragment-chars <N>': 0 is not in 1..18446744073709551615",
    );
}

/// --sentence-len: so long that the arrays cannot be allocated.
#[test]
fn sentence_len_huge() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "--input",
            "in.txt",
            "--sentence-len",
            "18446744073709551615",
            "--out",
            "X.npy",
        ],
    );
    check(
        &out,
        1,
        "in.txt, fragment of 719 characters: sentence length 18446744073709551615 needs at least 18446744073709551616 characters (18446744073709551615 and the next one), but the text has 719",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --keep: an uppercase character while lowercasing.
#[test]
fn keep_uppercase() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--keep", "A", "--out", "X.npy"],
    );
    check(
        &out,
        2,
        "--keep: invalid extra characters: 'A' is changed by lowercasing, so it could never be kept",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --keep: a whitespace character other than space.
#[test]
fn keep_tab() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--keep", "\t", "--out", "X.npy"],
    );
    check(
        &out,
        2,
        "--keep: invalid extra characters: '\\t' is whitespace; spaces are always kept, use keep_newlines for line breaks",
    );
    assert!(!dir.path().join("X.npy").exists(), "X.npy was written");
}

/// --out: the directory is a file.
#[test]
fn out_parent_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    write(dir.path(), "blocker", "x".as_bytes());
    let out = run(dir.path(), &["--input", "in.txt", "--out", "blocker/X.npy"]);
    check(
        &out,
        1,
        "cannot create directory blocker: File exists (os error 17)",
    );
}

/// --out: the path is a directory.
#[test]

fn out_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. Кот сидел на окне, пёс лежал у двери. ".as_bytes());
    write(dir.path(), "X.npy/keep", "".as_bytes());
    let out = run(dir.path(), &["--input", "in.txt", "--out", "X.npy"]);
    check(
        &out,
        1,
        "cannot move the finished file into place at X.npy: failed to persist temporary file: Is a directory (os error 21)",
    );
}

/// (any): an unknown flag.
#[test]
fn unknown_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--frobnicate"]);
    check(&out, 2, "unexpected argument '--frobnicate' found");
}
