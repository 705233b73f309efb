//! The `w2v` binary end to end: training, every subcommand, and bad input (clear message, non-zero exit, no
//! partial output).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn w2v(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_w2v"))
        .args(args)
        .output()
        .expect("run w2v")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Trains a small model on the fixture story and returns (dir, binary path, text path).
fn trained() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let story = fixture("text/story.txt");
    let bin = dir.path().join("v.bin");
    let txt = dir.path().join("v.txt");
    for (out, flag) in [(&bin, "--binary"), (&txt, "--text")] {
        let o = w2v(&[
            "train",
            "--input",
            s(&story),
            "--out",
            s(out),
            flag,
            "--epochs",
            "5",
            "--threads",
            "1",
            "--quiet",
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
    }
    (dir, bin, txt)
}

#[test]
fn no_flags_trains_on_the_fixture_and_shows_neighbours() {
    let o = w2v(&[]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("sentences") && out.contains("vocabulary"),
        "{out}"
    );
    assert!(
        out.contains("most_similar('") && out.contains("[('"),
        "{out}"
    );
}

#[test]
fn train_writes_vectors_and_metrics_and_answers_queries() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("v.bin");
    let metrics = dir.path().join("m.json");
    let o = w2v(&[
        "train",
        "--input",
        s(&fixture("text/story_bom.txt")),
        "--out",
        s(&bin),
        "--sg",
        "--dim",
        "16",
        "--epochs",
        "3",
        "--threads",
        "2",
        "--seed",
        "9",
        "--query",
        "маяк",
        "море",
        "--metrics-json",
        s(&metrics),
        "--quiet",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("most_similar('маяк', topn=8):\n[('"), "{out}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    for key in [
        "sentences",
        "tokens",
        "vocab_size",
        "train_seconds",
        "words_per_sec",
        "threads",
        "seed",
    ] {
        assert!(m.get(key).is_some(), "metrics lack {key}: {m}");
    }
    assert_eq!(m["seed"], 9);
    assert_eq!(m["threads"], 2);
    let header = std::fs::read(&bin).unwrap();
    assert!(header.starts_with(format!("{} 16\n", m["vocab_size"]).as_bytes()));
}

#[test]
fn query_subcommands_on_saved_vectors() {
    let (dir, bin, txt) = trained();
    for file in [&bin, &txt] {
        let o = w2v(&["similar", "--vectors", s(file), "маяк", "--topn", "3"]);
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        assert_eq!(out.matches("('").count(), 3, "{out}");
    }
    let o = w2v(&["analogy", "--vectors", s(&bin), "море", "маяк", "огонь"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = w2v(&["vector", "--vectors", s(&txt), "маяк"]);
    let (out, _) = text(&o);
    assert!(o.status.success() && out.contains("(100 values)"), "{out}");
    let o = w2v(&[
        "eval",
        "--vectors",
        s(&bin),
        "--analogies",
        s(&fixture("parity/w2v/analogies_ru.txt")),
        "--pairs",
        s(&fixture("parity/w2v/pairs_ru.tsv")),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("Total accuracy") && out.contains("Spearman"),
        "{out}"
    );
    let svg = dir.path().join("map.svg");
    let o = w2v(&[
        "plot",
        "--vectors",
        s(&bin),
        "--words",
        "маяк,море",
        "--neighbours",
        "3",
        "--out",
        s(&svg),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.contains("<svg") && drawn.contains("маяк"));
}

fn assert_fails(args: &[&str], code: i32, needle: &str) {
    let o = w2v(args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}: stdout {out} stderr {err}"
    );
    assert!(
        err.contains(needle),
        "{args:?}: stderr lacks {needle:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_training_input_is_a_clear_error_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.bin");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let letterless = dir.path().join("digits.txt");
    std::fs::write(&letterless, "123 456. 789 — !!!\n").unwrap();
    let story = fixture("text/story.txt");
    let o = s(&out);
    assert_fails(&["train", "--input", s(&empty), "--out", o], 1, "no words");
    assert_fails(
        &["train", "--input", s(&letterless), "--out", o],
        1,
        "no words",
    );
    assert_fails(
        &[
            "train",
            "--input",
            s(&story),
            "--min-count",
            "100000",
            "--out",
            o,
        ],
        1,
        "leaves no vocabulary",
    );
    assert_fails(
        &["train", "--input", s(&story), "--window", "0", "--out", o],
        2,
        "window",
    );
    assert_fails(
        &["train", "--input", s(&story), "--dim", "0", "--out", o],
        2,
        "dim",
    );
    assert_fails(
        &[
            "train",
            "--input",
            s(&dir.path().join("missing.txt")),
            "--out",
            o,
        ],
        1,
        "missing.txt",
    );
    assert_fails(
        &[
            "train",
            "--input",
            s(&story),
            "--epochs",
            "1",
            "--query",
            "единорог",
            "--out",
            o,
        ],
        1,
        "'единорог'",
    );
    assert!(!out.exists(), "a failed run left an output file");
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 2, "temporary files left behind");
}

#[test]
fn bad_vector_files_are_clear_errors() {
    let (dir, bin, _) = trained();
    let bad = dir.path().join("bad.txt");
    let cases: [(&[u8], &str); 3] = [
        (b"hello world\n", "word count 'hello'"),
        (
            b"2 3\na 1 2 3\nb 1 2\n",
            "line 3 ('b'): 2 values, expected 3",
        ),
        (b"", "header"),
    ];
    for (content, needle) in cases {
        std::fs::write(&bad, content).unwrap();
        assert_fails(&["similar", "--vectors", s(&bad), "a"], 1, needle);
    }
    let full = std::fs::read(&bin).unwrap();
    let truncated = dir.path().join("cut.bin");
    std::fs::write(&truncated, &full[..full.len() - 10]).unwrap();
    assert_fails(
        &["vector", "--vectors", s(&truncated), "маяк"],
        1,
        "truncated",
    );
    assert_fails(
        &["vector", "--vectors", s(&bin), "единорог"],
        1,
        "'единорог' not in vocabulary",
    );
    assert_fails(&["eval", "--vectors", s(&bin)], 2, "nothing to evaluate");
}
