//! Runs the `onehot` binary: the default run, and every kind of bad input (exit code, one-line message, no output).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ndarray::{Array2, Array3, Axis};
use ndarray_npy::ReadNpyExt;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/text")
        .join(name)
}

/// Runs `onehot` in `dir` with `args`.
fn onehot(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onehot"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_f32(path: &Path) -> Array3<f32> {
    Array3::<f32>::read_npy(std::fs::File::open(path).expect("X/Y file"))
        .expect("a float32 3-d .npy")
}

fn read_u32(path: &Path) -> Array2<u32> {
    Array2::<u32>::read_npy(std::fs::File::open(path).expect("index file"))
        .expect("a uint32 2-d .npy")
}

/// Asserts a failed run on bad data: exit 1, one line on stderr containing every `needle`, nothing in `dir` but
/// `keep`.
fn assert_fails_cleanly(output: &Output, dir: &Path, needles: &[&str], keep: &[&str]) {
    assert_fails_with(1, output, dir, needles, keep);
}

/// As [`assert_fails_cleanly`] with exit code `code` (2: a flag value rejected after parsing).
fn assert_fails_with(code: i32, output: &Output, dir: &Path, needles: &[&str], keep: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} missing from {err:?}");
    }
    let mut left: Vec<String> = walk(dir);
    left.retain(|name| !keep.contains(&name.as_str()));
    assert!(left.is_empty(), "unexpected files left: {left:?}");
}

/// All file names under `dir`, recursively (directories themselves are not listed).
fn walk(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            names.extend(walk(&path));
        } else {
            names.push(
                path.file_name()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    names
}

#[test]
fn the_default_run_encodes_the_sample_story() {
    let dir = tempfile::tempdir().unwrap();
    let output = onehot(dir.path(), &["--indices"]);
    let out = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        out.contains("shape (n_sentences, sentence_len, encoding_size): ("),
        "{out}"
    );

    let base = dir.path().join("out/onehot");
    let x = read_f32(&base.join("X.npy"));
    let y = read_f32(&base.join("Y.npy"));
    let xi = read_u32(&base.join("X_indices.npy"));
    let yi = read_u32(&base.join("Y_indices.npy"));
    let alphabet: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(base.join("alphabet.json")).unwrap())
            .unwrap();
    // The letters-and-spaces default: the 33 Russian letters and the space, all present in the story.
    assert_eq!(alphabet.len(), 34);
    assert_eq!(alphabet[0], " ");
    let (n, l, a) = x.dim();
    assert_eq!((l, a), (40, 34));
    assert!(out.contains(&format!("({n}, 40, 34)")), "{out}");
    assert_eq!(y.dim(), x.dim());
    assert_eq!(xi.dim(), (n, l));
    assert!(x.sum_axis(Axis(2)).iter().all(|&s| s == 1.0));
    assert!(y.sum_axis(Axis(2)).iter().all(|&s| s == 1.0));
    // Y is X shifted by one character, also across sentence boundaries.
    for k in 0..n {
        for t in 0..l - 1 {
            assert_eq!(yi[[k, t]], xi[[k, t + 1]]);
        }
        if k + 1 < n {
            assert_eq!(yi[[k, l - 1]], xi[[k + 1, 0]]);
        }
    }
    // The first sentence spells the start of the cleaned story.
    let first: String = xi
        .row(0)
        .iter()
        .map(|&i| alphabet[i as usize].as_str())
        .collect();
    assert_eq!(first, "смотритель маяка на самом краю северного");
    for (k, t) in [(0, 0), (n / 2, l / 2), (n - 1, l - 1)] {
        assert_eq!(x[[k, t, xi[[k, t]] as usize]], 1.0);
        assert_eq!(y[[k, t, yi[[k, t]] as usize]], 1.0);
    }
}

#[test]
fn a_bom_file_gives_the_same_arrays_as_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let bom = fixture("story_bom.txt");
    let args = [
        "--fragment-chars",
        "500",
        "--sentence-len",
        "7",
        "--keep",
        ".,!?-",
        "--keep-newlines",
    ];
    let with_bom = onehot(
        dir.path(),
        &[
            &["--input", bom.to_str().unwrap(), "--out", "a/X.npy"][..],
            &args,
        ]
        .concat(),
    );
    let sample = onehot(dir.path(), &[&["--out", "b/X.npy"][..], &args].concat());
    assert!(
        with_bom.status.success() && sample.status.success(),
        "{}",
        stderr(&with_bom)
    );
    for name in ["X.npy", "Y.npy", "alphabet.json"] {
        let a = std::fs::read(dir.path().join("a").join(name)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(name)).unwrap();
        assert_eq!(a, b, "{name} differs");
    }
    let x = read_f32(&dir.path().join("a/X.npy"));
    assert_eq!(x.dim().0, 71); // 500 characters: 71 sentences of 7 use 498, 2 dropped.
    assert!(stdout(&with_bom).contains("2 characters dropped"));
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.txt"), "\u{feff}").unwrap();
    let output = onehot(dir.path(), &["--input", "empty.txt"]);
    assert_fails_cleanly(
        &output,
        dir.path(),
        &["empty.txt", "the input is empty"],
        &["empty.txt"],
    );
}

#[test]
fn a_non_utf8_file_is_refused_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "Слово за слово. ".as_bytes().to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xFF\xFE");
    std::fs::write(dir.path().join("latin1.txt"), bytes).unwrap();
    let output = onehot(dir.path(), &["--input", "latin1.txt"]);
    let needle = format!("latin1.txt: invalid UTF-8 at byte offset {offset}");
    assert_fails_cleanly(&output, dir.path(), &[&needle], &["latin1.txt"]);
    // The opt-in lossy mode gets through.
    let lossy = onehot(
        dir.path(),
        &["--input", "latin1.txt", "--lossy", "--sentence-len", "3"],
    );
    assert!(lossy.status.success(), "{}", stderr(&lossy));
}

#[test]
fn a_missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = onehot(dir.path(), &["--input", "nowhere/book.txt"]);
    assert_fails_cleanly(&output, dir.path(), &["cannot open nowhere/book.txt"], &[]);
}

#[test]
fn a_sentence_longer_than_the_fragment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = onehot(
        dir.path(),
        &["--fragment-chars", "30", "--sentence-len", "30"],
    );
    assert_fails_cleanly(
        &output,
        dir.path(),
        &[
            "the sample story, fragment of 30 characters: sentence length 30 needs at least 31 characters",
        ],
        &[],
    );
}

#[test]
fn a_text_without_letters_is_refused_and_the_previous_output_survives() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("digits.txt"), "1234 — 5678!\n…").unwrap();
    std::fs::create_dir_all(dir.path().join("out/onehot")).unwrap();
    std::fs::write(dir.path().join("out/onehot/X.npy"), "previous").unwrap();
    let output = onehot(dir.path(), &["--input", "digits.txt"]);
    assert_fails_cleanly(
        &output,
        dir.path(),
        &["digits.txt", "nothing is left after cleaning"],
        &["digits.txt", "X.npy"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/onehot/X.npy")).unwrap(),
        "previous"
    );
}

#[test]
fn invalid_kept_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = onehot(dir.path(), &["--keep", "A"]);
    assert_fails_with(
        2,
        &output,
        dir.path(),
        &["--keep: invalid extra characters", "lowercasing"],
        &[],
    );
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--sentence-len", "0"][..],
        &["--fragment-chars", "-3"],
        &["--no-such-flag"],
    ] {
        let output = onehot(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(walk(dir.path()).is_empty());
    }
}

/// A long input is cleaned only as far as the fragment needs: the run says reading stopped, and its arrays are
/// those of the same fragment cut from the whole text.
#[test]
fn reading_stops_once_the_fragment_is_full() {
    let dir = tempfile::tempdir().expect("temp dir");
    let story = std::fs::read_to_string(fixture("story.txt")).expect("the fixture story");
    // About 300 KB: several reading buffers.
    std::fs::write(dir.path().join("long.txt"), story.repeat(20)).expect("test file");
    let run = |input: &str, out: &str| {
        let output = onehot(
            dir.path(),
            &[
                "--input",
                input,
                "--fragment-chars",
                "500",
                "--sentence-len",
                "20",
                "--out",
                out,
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let long = run("long.txt", "long/X.npy");
    assert!(
        long.contains("characters after cleaning (reading stopped once the fragment was full), fragment of 500"),
        "{long}"
    );
    let short = run(
        fixture("story.txt").to_str().expect("a UTF-8 path"),
        "short/X.npy",
    );
    assert!(
        short.contains(" characters after cleaning, fragment of 500"),
        "{short}"
    );
    for name in ["X.npy", "Y.npy", "alphabet.json"] {
        let read = |sub: &str| std::fs::read(dir.path().join(sub).join(name)).expect("written");
        assert_eq!(read("long"), read("short"), "{name}");
    }
}
