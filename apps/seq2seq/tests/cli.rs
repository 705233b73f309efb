//! The binary end to end with tiny settings: train → metrics → translate with a heat map, and bad
//! input (unknown token, empty, too long, missing model) exits 1 with a clear message.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seq2seq"))
        .args(args)
        .output()
        .unwrap()
}

fn tiny_model(dir: &Path, extra: &[&str]) -> Output {
    let out = dir.to_str().unwrap();
    let metrics = dir.join("m.json");
    let mut args = vec![
        "train",
        "--out",
        out,
        "--epochs",
        "2",
        "--train-size",
        "300",
        "--valid-size",
        "20",
        "--test-size",
        "30",
        "--units",
        "8",
        "--embed",
        "8",
        "--attention-units",
        "8",
        "--threads",
        "1",
        "--metrics-json",
        metrics.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn train_writes_metrics_and_translate_plots_attention() {
    let dir = tempfile::tempdir().unwrap();
    let out = tiny_model(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("[attention] epoch   2: loss"), "{stdout}");
    assert!(stdout.contains("[no attention] epoch   2"), "{stdout}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 42);
    assert_eq!(m["task"], "words-to-digits");
    assert_eq!(m["history"].as_array().unwrap().len(), 2);
    for key in ["loss", "valid_exact", "epoch"] {
        assert!(m["history"][1][key].is_number(), "{key}");
    }
    for key in ["test_exact", "test_exact_no_attention", "test_exact_beam"] {
        let v = m[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }

    let model = dir.path().to_str().unwrap();
    let svg = dir.path().join("map.svg");
    let t = run(&[
        "translate",
        "--model",
        model,
        "--plot",
        svg.to_str().unwrap(),
        "триста",
        "двенадцать",
    ]);
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let printed = String::from_utf8_lossy(&t.stdout);
    assert!(
        printed.trim().chars().all(|c| c.is_ascii_digit()),
        "{printed}"
    );
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.contains("триста") && svg.contains("двенадцать"));

    // Same seed, same bits: identical loss histories and test figures (the model file's header
    // holds a hash map, so its byte order may differ).
    let dir2 = tempfile::tempdir().unwrap();
    assert!(tiny_model(dir2.path(), &[]).status.success());
    let m2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir2.path().join("m.json")).unwrap())
            .unwrap();
    for key in [
        "history",
        "history_no_attention",
        "test_exact",
        "test_exact_beam",
    ] {
        assert_eq!(
            m[key], m2[key],
            "{key} differs between runs with the same seed"
        );
    }

    // Bad input: exit 1, a message naming the problem, no panic.
    for (args, want) in [
        (
            vec!["translate", "--model", model, "триста", "дюжина"],
            "\"дюжина\"",
        ),
        (vec!["translate", "--model", model, "   "], "empty"),
        (
            vec![
                "translate",
                "--model",
                model,
                "сто сто сто сто сто сто сто сто",
            ],
            "maximum of 7",
        ),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn missing_model_and_bad_flags_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["translate", "--model", dir.path().to_str().unwrap(), "сто"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("model.safetensors"));
    let o = run(&[
        "train",
        "--out",
        dir.path().to_str().unwrap(),
        "--epochs",
        "0",
    ]);
    // A zero epoch count is a usage error, as clap reports its own.
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["train", "--task", "nope", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn reversal_without_attention_trains_and_translates() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("data.tsv");
    let out = tiny_model(
        dir.path(),
        &[
            "--task",
            "reverse",
            "--no-attention",
            "--export-data",
            tsv.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&tsv).unwrap();
    let count = |split: &str| {
        text.lines()
            .filter(|l| l.starts_with(&format!("{split}\t")))
            .count()
    };
    assert_eq!(
        (count("train"), count("valid"), count("test")),
        (300, 20, 30)
    );
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let rev: Vec<&str> = f[1].split(' ').rev().collect();
        assert_eq!(rev.join(" "), f[2], "{line}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(m["task"], "reverse");
    assert!(m["test_exact_no_attention"].is_null());
    let model = dir.path().to_str().unwrap();
    let t = run(&["translate", "--model", model, "abc"]);
    assert!(t.status.success());
    let o = run(&["translate", "--model", model, "--plot", "x.svg", "abc"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no attention"));
}
