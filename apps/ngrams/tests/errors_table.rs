//! The `ngrams` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::Output;

use clitest::{App, check, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_ngrams"));

/// Runs the app in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    APP.run(dir, args)
}

/// --input: the file does not exist.
#[test]
fn input_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--input", "missing.txt"]);
    check(
        &out,
        1,
        "cannot open missing.txt: No such file or directory (os error 2)",
    );
}

/// --input: the path is a directory.
#[test]
fn input_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dir/x", "".as_bytes());
    let out = run(dir.path(), &["--input", "dir"]);
    check(&out, 1, "cannot read dir: Is a directory (os error 21)");
}

/// --input: bytes that are not UTF-8.
#[test]
fn input_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.txt", b"ok line\nbad \xff byte\n");
    let out = run(dir.path(), &["--input", "bad.txt"]);
    check(&out, 1, "bad.txt: invalid UTF-8 at byte offset 12");
}

/// --input: an empty file (no documents).
#[test]
fn input_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.txt", "".as_bytes());
    let out = run(dir.path(), &["--input", "empty.txt"]);
    check(
        &out,
        1,
        "cannot vectorize empty.txt: empty vocabulary; perhaps the documents only contain stop words",
    );
}

/// --input: no token of two or more word characters.
#[test]
fn input_no_tokens() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "short.txt", "a b c\n! ?\n".as_bytes());
    let out = run(dir.path(), &["--input", "short.txt"]);
    check(
        &out,
        1,
        "cannot vectorize short.txt: empty vocabulary; perhaps the documents only contain stop words",
    );
}

/// --stop-words: the file does not exist.
#[test]
fn stop_words_missing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--stop-words", "nostop.txt"],
    );
    check(
        &out,
        1,
        "cannot open nostop.txt: No such file or directory (os error 2)",
    );
}

/// --stop-words: bytes that are not UTF-8.
#[test]
fn stop_words_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    write(dir.path(), "stop.txt", b"\xfe\n");
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--stop-words", "stop.txt"],
    );
    check(&out, 1, "stop.txt: invalid UTF-8 at byte offset 0");
}

/// --stop-words: every token is a stop word.
#[test]
fn stop_words_remove_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.txt", "он он\nон\n".as_bytes());
    write(dir.path(), "stop.txt", "он\n".as_bytes());
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--stop-words", "stop.txt"],
    );
    check(
        &out,
        1,
        "cannot vectorize in.txt: empty vocabulary; perhaps the documents only contain stop words",
    );
}

/// --ngram-range: MIN greater than MAX.
#[test]
fn ngram_range_reversed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--ngram-range", "2,1"]);
    check(
        &out,
        2,
        "Invalid value for ngram_range=(2, 1) lower boundary larger than the upper boundary.",
    );
}

/// --ngram-range: MIN is 0.
#[test]
fn ngram_range_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--ngram-range", "0,1"]);
    check(
        &out,
        2,
        "Invalid value for ngram_range=(0, 1): n-grams start at n = 1.",
    );
}

/// --ngram-range: not MIN,MAX.
#[test]
fn ngram_range_not_a_pair() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--ngram-range", "2"]);
    check(
        &out,
        2,
        "invalid value '2' for '--ngram-range <MIN,MAX>': expected MIN,MAX such as 1,2",
    );
}

/// --ngram-range: not whole numbers.
#[test]
fn ngram_range_not_numbers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--ngram-range", "a,2"]);
    check(
        &out,
        2,
        "invalid value 'a,2' for '--ngram-range <MIN,MAX>': 'a' is not a whole number",
    );
}

/// --analyzer: not word, char or char_wb.
#[test]
fn analyzer_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--analyzer", "letters"]);
    check(
        &out,
        2,
        "invalid value 'letters' for '--analyzer <ANALYZER>': invalid analyzer: 'letters' is not one of word, char, char_wb",
    );
}

/// --min-df: a count of 0.
#[test]
fn min_df_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--min-df", "0"]);
    check(
        &out,
        2,
        "invalid min_df: an absolute count must be at least 1",
    );
}

/// --max-df: a fraction above 1.0.
#[test]
fn max_df_fraction_above_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--max-df", "1.5"]);
    check(
        &out,
        2,
        "invalid max_df: a fraction must lie in [0.0, 1.0], got 1.5",
    );
}

/// --min-df: neither a count nor a fraction.
#[test]
fn min_df_not_a_number() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--min-df", "many"]);
    check(
        &out,
        2,
        "invalid value 'many' for '--min-df <MIN_DF>': invalid document frequency: 'many' is neither an integer count nor a fraction",
    );
}

/// --max-df / --min-df: max_df keeps fewer documents than min_df.
#[test]
fn max_df_below_min_df() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &["--input", "in.txt", "--min-df", "2", "--max-df", "1"],
    );
    check(
        &out,
        1,
        "cannot vectorize in.txt: max_df corresponds to < documents than min_df",
    );
}

/// --min-df: a count above the number of documents.
#[test]
fn min_df_prunes_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--min-df", "5"]);
    check(
        &out,
        1,
        "cannot vectorize in.txt: max_df corresponds to < documents than min_df",
    );
}

/// --max-features: 0 features.
#[test]
fn max_features_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--max-features", "0"]);
    check(&out, 2, "invalid max_features: must be at least 1");
}

/// --max-features: a negative number.
#[test]
fn max_features_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "in.txt",
        "кот сидел на окне\nпёс лежал у двери\n".as_bytes(),
    );
    let out = run(dir.path(), &["--input", "in.txt", "--max-features=-1"]);
    check(
        &out,
        2,
        "invalid value '-1' for '--max-features <N>': invalid digit found in string",
    );
}

/// --threads: 0.
#[test]
fn threads_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--threads", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--threads <THREADS>': 0 is not in 1..=256",
    );
}

/// --threads: above 256.
#[test]
fn threads_too_many() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--threads", "1000"]);
    check(
        &out,
        2,
        "invalid value '1000' for '--threads <THREADS>': 1000 is not in 1..=256",
    );
}

/// --json: needs --input.
#[test]
fn json_without_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--json"]);
    check(
        &out,
        2,
        "the following required arguments were not provided:",
    );
}

/// (any): an unknown flag.
#[test]
fn unknown_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--frobnicate"]);
    check(&out, 2, "unexpected argument '--frobnicate' found");
}
