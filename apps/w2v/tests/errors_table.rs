//! The `w2v` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

use std::path::Path;
use std::process::{Command, Output};

use clitest::{App, check, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_w2v"));

/// Runs the app in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    APP.run(dir, args)
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
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "missing.txt",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot build a corpus from missing.txt: cannot open missing.txt: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --input: the file changes between the vocabulary pass and an epoch. The input is a named pipe: the
/// vocabulary pass reads one text, and only once it has finished (w2v printed the corpus line) is the second text
/// written, which the first epoch reads.
#[test]
fn train_input_changed_during_training() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("book.txt");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_w2v"))
        .current_dir(dir.path())
        .args([
            "train",
            "--epochs",
            "2",
            "--dim",
            "8",
            "--threads",
            "1",
            "--min-count",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--out",
            "v.txt",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("w2v runs");
    // The writers are not joined: if w2v never opened the pipe again, a blocked writer must not hang the test.
    let first = fifo.clone();
    std::thread::spawn(move || {
        std::fs::write(first, "Кот и пёс. Пёс и кот. Кот.").expect("first pass")
    });
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    while stdout.read_line(&mut line).expect("w2v's stdout") > 0 {
        if line.starts_with("corpus ") {
            let second = fifo.clone();
            std::thread::spawn(move || std::fs::write(second, "Кот и пёс.").expect("second pass"));
            break;
        }
        line.clear();
    }
    let out = child.wait_with_output().expect("w2v finishes");
    check(
        &out,
        1,
        "training failed: book.txt: the file changed during training: this pass read 3 words, the vocabulary pass 7",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --input: bytes that are not UTF-8.
#[test]
fn train_input_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.txt", b"\xd0 \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd1\x81\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbb \xd0\xbd\xd0\xb0 \xd0\xbe\xd0\xba\xd0\xbd\xd0\xb5. \xd0\x9f\xd1\x91\xd1\x81 \xd0\xbb\xd0\xb5\xd0\xb6\xd0\xb0\xd0\xbb \xd1\x83 \xd0\xb4\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb8. \xd0\x9a\xd0\xbe\xd1\x82 \xd0\xb8 \xd0\xbf\xd1\x91\xd1\x81 \xd1\x81\xd0\xbf\xd0\xb0\xd0\xbb\xd0\xb8. ");
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "bad.txt",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot build a corpus from bad.txt: bad.txt: invalid UTF-8 at byte offset 0",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
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
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "empty.txt",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot build a corpus from empty.txt: the corpus contains no words",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --input: no letters at all.
#[test]
fn train_input_no_words() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "digits.txt", "123 456. 789!\n".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "digits.txt",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot build a corpus from digits.txt: the corpus contains no words",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --min-count: no word is that frequent.
#[test]
fn train_min_count_removes_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--min-count",
            "1000000",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot build a corpus from book.txt: min_count = 1000000 leaves no vocabulary (10 distinct words, the most frequent seen 60 times)",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --dim: 0.
#[test]
fn train_dim_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--dim", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--dim <DIM>': 0 is not in 1..=100000",
    );
}

/// train --dim: above 100000.
#[test]
fn train_dim_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--dim", "100001"]);
    check(
        &out,
        2,
        "invalid value '100001' for '--dim <DIM>': 100001 is not in 1..=100000",
    );
}

/// train --window: 0.
#[test]
fn train_window_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--window", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--window <WINDOW>': 0 is not in 1..=4294967295",
    );
}

/// train --epochs: 0.
#[test]
fn train_epochs_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--epochs", "0"]);
    check(
        &out,
        2,
        "invalid value '0' for '--epochs <EPOCHS>': 0 is not in 1..=4294967295",
    );
}

/// train --alpha: a negative learning rate.
#[test]
fn train_alpha_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--alpha=-1",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        2,
        "invalid parameter alpha = -1: must be a finite number > 0",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --alpha: NaN.
#[test]
fn train_alpha_nan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--alpha",
            "NaN",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        2,
        "invalid parameter alpha = NaN: must be a finite number > 0",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --sample: a negative threshold.
#[test]
fn train_sample_negative() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--sample=-0.5",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        2,
        "invalid parameter sample = -0.5: must be a finite number >= 0",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --max-vocab: 0.
#[test]
fn train_max_vocab_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--max-vocab",
            "0",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        2,
        "cannot build a corpus from book.txt: invalid parameter max_vocab = 0: must be at least 1",
    );
    assert!(!dir.path().join("v.txt").exists(), "v.txt was written");
}

/// train --sg --cbow: both architectures.
#[test]
fn train_sg_and_cbow() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--sg", "--cbow"]);
    check(&out, 2, "the argument '--sg' cannot be used with '--cbow'");
}

/// train --binary --text: both formats.
#[test]
fn train_binary_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["train", "--binary", "--text"]);
    check(
        &out,
        2,
        "the argument '--binary' cannot be used with '--text'",
    );
}

/// train --out: the path is a directory.
#[test]

fn train_out_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "book.txt", "Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. Кот сидел на окне. Пёс лежал у двери. Кот и пёс спали. ".as_bytes());
    write(dir.path(), "v.txt/keep", "".as_bytes());
    let out = run(
        dir.path(),
        &[
            "train",
            "--epochs",
            "1",
            "--dim",
            "8",
            "--threads",
            "1",
            "--quiet",
            "--input",
            "book.txt",
            "--out",
            "v.txt",
        ],
    );
    check(
        &out,
        1,
        "cannot move the finished file into place at v.txt: failed to persist temporary file: Is a directory (os error 21)",
    );
}

/// similar --vectors: the file does not exist.
#[test]
fn vectors_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["similar", "--vectors", "missing.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from missing.txt: cannot open missing.txt: No such file or directory (os error 2)",
    );
}

/// --vectors: an empty file.
#[test]
fn vectors_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "v.txt", "".as_bytes());
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: header: expected '<words> <dimension>' on the first line",
    );
}

/// --vectors: a first line that is not "<words> <dimension>".
#[test]
fn vectors_bad_header() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "v.txt", "hello world\nкот 1 2\n".as_bytes());
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: header: word count 'hello' is not a non-negative integer",
    );
}

/// --vectors: dimension 0 in the header.
#[test]
fn vectors_dimension_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "v.txt", "1 0\nкот\n".as_bytes());
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: header: dimension is 0",
    );
}

/// --vectors: a header declaring more vectors than memory holds.
#[test]
fn vectors_huge_header() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "18446744073709551615 100\nкот 1\n".as_bytes(),
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: header: 18446744073709551615 × 100 values do not fit in memory",
    );
}

/// --vectors: fewer vectors than the header declares (text).
#[test]
fn vectors_truncated_text() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "5 2\nкот 0.1 0.2\nпёс 0.3 -0.4\n".as_bytes(),
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: truncated: the header declares 5 vectors but the file has only 2",
    );
}

/// --vectors: a row with too few values (text).
#[test]
fn vectors_wrong_width() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "2 2\nкот 0.1 0.2\nпёс 0.3\n".as_bytes(),
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: line 3 ('пёс'): 1 values, expected 2",
    );
}

/// --vectors: a value that is not a number (text).
#[test]
fn vectors_not_a_number() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "2 2\nкот 0.1 0.2\nпёс 0.3 x\n".as_bytes(),
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.txt: v.txt: line 3 ('пёс'): 'x' is not a number",
    );
}

/// --vectors: a binary record cut short.
#[test]
fn vectors_truncated_binary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.bin",
        b"2 2\n\xd0\xba\xd0\xbe\xd1\x82 \x00\x00\x80?\x00\x00\x00@\n\xd0\xbf \x00\x00",
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.bin", "кот"]);
    check(
        &out,
        1,
        "cannot load vectors from v.bin: v.bin: truncated: record 2 ('п') has 2 of 8 vector bytes",
    );
}

/// similar WORD: a word not in the vectors.
#[test]
fn similar_unknown_word() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(dir.path(), &["similar", "--vectors", "v.txt", "слон"]);
    check(&out, 1, "word 'слон' not in vocabulary");
}

/// analogy A B C: a word not in the vectors.
#[test]
fn analogy_unknown_word() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &["analogy", "--vectors", "v.txt", "кот", "пёс", "слон"],
    );
    check(&out, 1, "word 'слон' not in vocabulary");
}

/// vector WORD: a word not in the vectors.
#[test]
fn vector_unknown_word() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(dir.path(), &["vector", "--vectors", "v.txt", "слон"]);
    check(&out, 1, "word 'слон' not in vocabulary");
}

/// eval: neither --analogies nor --pairs.
#[test]
fn eval_nothing_to_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(dir.path(), &["eval", "--vectors", "v.txt"]);
    check(
        &out,
        2,
        "nothing to evaluate: give --analogies FILE and/or --pairs FILE",
    );
}

/// eval --analogies: the file does not exist.
#[test]
fn eval_analogies_missing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &["eval", "--vectors", "v.txt", "--analogies", "missing.txt"],
    );
    check(
        &out,
        1,
        "cannot open missing.txt: No such file or directory (os error 2)",
    );
}

/// eval --analogies: a line without four words.
#[test]
fn eval_analogies_malformed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    write(dir.path(), "a.txt", ": section\nкот пёс окно\n".as_bytes());
    let out = run(
        dir.path(),
        &["eval", "--vectors", "v.txt", "--analogies", "a.txt"],
    );
    check(&out, 1, "a.txt: line 2: expected 4 words, found 3");
}

/// eval --pairs: a score that is not a number.
#[test]
fn eval_pairs_malformed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    write(dir.path(), "p.txt", "кот\tпёс\tmany\n".as_bytes());
    let out = run(
        dir.path(),
        &["eval", "--vectors", "v.txt", "--pairs", "p.txt"],
    );
    check(&out, 1, "p.txt: line 1: score 'many' is not a number");
}

/// plot --words: a word not in the vectors.
#[test]
fn plot_unknown_word() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "plot",
            "--vectors",
            "v.txt",
            "--words",
            "слон",
            "--out",
            "map.svg",
        ],
    );
    check(&out, 1, "word 'слон' not in vocabulary");
    assert!(!dir.path().join("map.svg").exists(), "map.svg was written");
}

/// plot --out: missing.
#[test]
fn plot_without_out() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "v.txt",
        "3 2\nкот 0.1 0.2\nпёс 0.3 -0.4\nокно 1 0\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &["plot", "--vectors", "v.txt", "--words", "кот"],
    );
    check(
        &out,
        2,
        "the following required arguments were not provided:",
    );
}

/// (subcommand): an unknown subcommand.
#[test]
fn unknown_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["frobnicate"]);
    check(&out, 2, "unrecognized subcommand 'frobnicate'");
}
