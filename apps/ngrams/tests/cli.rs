//! The `ngrams` binary end to end: the lesson's exact output, the JSON form, and bad input.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use std::path::Path;
use std::process::{Command, Output};

fn ngrams(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ngrams"))
        .args(args)
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn no_arguments_print_the_lessons_models_exactly_as_sklearn_and_numpy() {
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/parity/countvectorizer/lesson_output.txt"
    ))
    .unwrap();
    let out = ngrams(&[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn json_holds_the_csr_matrix() {
    let dir = tempfile::tempdir().unwrap();
    // A BOM, CRLF endings, a blank line (an empty document) and a final newline (no extra document).
    let input = write(
        dir.path(),
        "docs.txt",
        "\u{feff}Он не делает\r\n\r\nне он делает работу\r\n".as_bytes(),
    );
    let out = ngrams(&[
        "--input",
        &input,
        "--json",
        "--ngram-range",
        "1,2",
        "--threads",
        "2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["feature_names"],
        serde_json::json!([
            "делает",
            "делает работу",
            "не",
            "не делает",
            "не он",
            "он",
            "он делает",
            "он не",
            "работу"
        ])
    );
    assert_eq!(json["shape"], serde_json::json!([3, 9]));
    assert_eq!(json["nnz"], 12);
    assert_eq!(json["indptr"], serde_json::json!([0, 5, 5, 12]));
    assert_eq!(
        json["indices"],
        serde_json::json!([0, 2, 3, 5, 7, 0, 1, 2, 4, 5, 6, 8])
    );
    assert_eq!(json["data"], serde_json::json!(vec![1; 12]));
}

#[test]
fn options_reach_the_vectorizer() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "docs.txt",
        "ab ab cd\nab ef\nAB gh\n".as_bytes(),
    );
    let stop = write(dir.path(), "stop.txt", b"gh\n\n");
    let out = ngrams(&[
        "--input",
        &input,
        "--json",
        "--min-df",
        "2",
        "--stop-words",
        &stop,
        "--binary",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["feature_names"], serde_json::json!(["ab"]));
    assert_eq!(json["data"], serde_json::json!([1, 1, 1]));
    let out = ngrams(&[
        "--input",
        &input,
        "--json",
        "--no-lowercase",
        "--max-df",
        "0.5",
        "--analyzer",
        "word",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["feature_names"],
        serde_json::json!(["AB", "cd", "ef", "gh"])
    );
    let summary = String::from_utf8(ngrams(&["--input", &input, "--top", "1"]).stdout).unwrap();
    assert!(
        summary.contains("3 documents, 4 features") && summary.contains("         4  ab"),
        "{summary}"
    );
}

/// A file larger than --stream-above is read in batches (twice for --json): same bytes out as read whole.
#[test]
fn streamed_files_give_the_same_output_as_files_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let story = textprep::sample::RUSSIAN_STORY;
    let input = write(dir.path(), "story.txt", story.as_bytes());
    let cases: [&[&str]; 6] = [
        &["--json", "--ngram-range", "1,2"],
        &["--ngram-range", "1,2", "--top", "20"],
        &[
            "--json",
            "--min-df",
            "2",
            "--max-features",
            "50",
            "--threads",
            "2",
        ],
        &[
            "--json",
            "--analyzer",
            "char_wb",
            "--ngram-range",
            "2,3",
            "--binary",
        ],
        &[
            "--analyzer",
            "char",
            "--max-df",
            "0.9",
            "--threads",
            "2",
            "--top",
            "40",
        ],
        &["--json", "--ngram-range", "2,3", "--max-df", "3"],
    ];
    for flags in cases {
        let run = |stream_above: &str| {
            let mut args = vec!["--input", &input, "--stream-above", stream_above];
            args.extend_from_slice(flags);
            let out = ngrams(&args);
            assert!(
                out.status.success(),
                "{flags:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let whole = run("100000000");
        assert!(whole.len() > 300, "{flags:?}");
        assert_eq!(run("0"), whole, "{flags:?}");
    }
    // Errors of a streamed file read as they do for a file read whole.
    let bad = write(dir.path(), "bad.txt", b"ok\nbad \xFF\n");
    for stream_above in ["0", "100"] {
        let out = ngrams(&["--input", &bad, "--stream-above", stream_above, "--json"]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.ends_with("bad.txt: invalid UTF-8 at byte offset 7\n"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let out = ngrams(&["--input", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));

    let bad = write(dir.path(), "bad.txt", b"ok line\nbad \xff byte\n");
    let out = ngrams(&["--input", &bad]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("bad.txt") && err.contains("12"), "{err}");

    let empty = write(dir.path(), "empty.txt", b"");
    let out = ngrams(&["--input", &empty]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty vocabulary"));

    let text = write(dir.path(), "t.txt", b"aa bb\n");
    // An option sklearn rejects on its own is a usage error (2); one that fails on the data, 1.
    for (flags, code, message) in [
        (&["--ngram-range", "2,1"][..], 2, "lower boundary larger"),
        (
            &["--min-df", "2", "--max-df", "1"][..],
            1,
            "max_df corresponds to < documents than min_df",
        ),
        (
            &["--min-df", "2", "--max-df", "5"][..],
            1,
            "After pruning, no terms remain",
        ),
    ] {
        let mut args = vec!["--input", text.as_str()];
        args.extend_from_slice(flags);
        let out = ngrams(&args);
        assert_eq!(out.status.code(), Some(code), "{flags:?}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(message) && err.lines().count() == 1, "{err}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(ngrams(&["--json"]).status.code(), Some(2));
    assert_eq!(
        ngrams(&["--input", "x", "--ngram-range", "1-2"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        ngrams(&["--input", "x", "--analyzer", "chars"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(ngrams(&["--threads", "0"]).status.code(), Some(2));
    assert_eq!(ngrams(&["--threads", "100000"]).status.code(), Some(2));
}
