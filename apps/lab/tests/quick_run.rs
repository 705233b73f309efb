//! `lab --quick` end to end: every section of the report exists, with its reproducing command and figures, and every
//! plot is a well-formed SVG that draws data. Also the flags' error paths.

#![allow(clippy::unwrap_used)] // a test: a failure should panic with the value

use std::path::Path;
use std::process::{Command, Output};

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .output()
        .expect("lab runs")
}

/// Elements that draw data: polylines through at least two points, markers (circles), filled non-white rectangles
/// (heat-map cells, bars).
fn data_marks(doc: &roxmltree::Document) -> usize {
    doc.descendants()
        .filter(|n| match n.tag_name().name() {
            "polyline" => n
                .attribute("points")
                .is_some_and(|p| p.split_whitespace().count() >= 2),
            "circle" => true,
            "rect" => n.attribute("fill").is_some_and(|f| {
                let f = f.to_ascii_uppercase();
                f != "#FFFFFF" && f != "WHITE" && f != "NONE"
            }),
            _ => false,
        })
        .count()
}

fn check_svg(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", path.display()));
    assert_eq!(
        doc.root_element().tag_name().name(),
        "svg",
        "{}",
        path.display()
    );
    for node in doc.descendants() {
        for attr in node.attributes() {
            let v = attr.value();
            assert!(
                !v.contains("NaN") && !v.contains("inf"),
                "{}: attribute {}={v:?}",
                path.display(),
                attr.name()
            );
        }
    }
    let marks = data_marks(&doc);
    assert!(
        marks >= 2,
        "{} draws no data ({marks} marks)",
        path.display()
    );
    marks
}

const SECTIONS: [(&str, &[&str]); 7] = [
    ("ngrams", &["features", "stored counts", "делает работу"]),
    ("w2v", &["vocabulary", "most_similar"]),
    (
        "wells",
        &[
            "MAE (scaled)",
            "last value (baseline)",
            "mean profile (baseline)",
            "parameters",
        ],
    ),
    ("onehot", &["X.shape", "alphabet"]),
    (
        "char-rnn",
        &[
            "bits per character",
            "held-out bpc",
            "weights",
            "temperature",
        ],
    ),
    ("word-rnn", &["perplexity", "Kneser-Ney", "weights"]),
    (
        "seq2seq",
        &["exact-sequence accuracy", "beam", "valid exact"],
    ),
];

#[test]
fn quick_run_writes_every_section_and_well_formed_plots() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let o = lab(&["--quick", "--out", out.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "lab --quick failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for (id, figures) in SECTIONS {
        let start = md
            .find(&format!("<a id=\"{id}\"></a>"))
            .unwrap_or_else(|| panic!("section {id} missing from report.md"));
        let end = md[start + 1..]
            .find("<a id=\"")
            .map_or(md.len(), |e| start + 1 + e);
        let body = &md[start..end];
        assert!(
            body.contains(&format!("cargo run --release -p {id}")),
            "{id}: no reproducing command"
        );
        for figure in figures {
            assert!(body.contains(figure), "{id}: {figure:?} missing:\n{body}");
        }
        assert!(body.contains("](plots/"), "{id}: no plot");
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "{id} missing from report.html"
        );
    }
    assert!(!md.contains("NaN") && !html.contains("NaN"));

    // Every linked plot exists, is well-formed and draws data; the HTML page embeds each one.
    let mut plots = 0;
    for line in md.lines() {
        if let Some(rest) = line.strip_prefix("![") {
            let file = rest.split("](").nth(1).unwrap().trim_end_matches(')');
            check_svg(&out.join(file));
            plots += 1;
        }
    }
    assert!(plots >= 8, "only {plots} plots");
    assert_eq!(
        html.matches("<svg").count(),
        plots,
        "HTML embeds every plot once"
    );
    let page = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n"))
        .expect("report.html is well-formed");
    let embedded: Vec<_> = page
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .collect();
    assert_eq!(embedded.len(), plots);
    // The per-part files the commands mention.
    for file in [
        "w2v/vectors.bin",
        "onehot/X.npy",
        "char-rnn/model/model.safetensors",
        "seq2seq/model.safetensors",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    // No temporary files left behind.
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn only_runs_the_chosen_parts_and_uses_the_given_book() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.txt");
    std::fs::write(
        &book,
        "Мама мыла раму. Папа читал газету.\nМама мыла окно, а папа читал книгу.\n".repeat(40),
    )
    .unwrap();
    let out = dir.path().join("r");
    let o = lab(&[
        "--quick",
        "--only",
        "onehot,ngrams",
        "--book",
        book.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("<a id=\"ngrams\">") && md.contains("<a id=\"onehot\">"));
    assert!(!md.contains("<a id=\"w2v\">") && !md.contains("<a id=\"wells\">"));
    // The book's own words, and the command points at it.
    assert!(md.contains("мыла раму"), "{md}");
    assert!(md.contains(&format!("--input {}", book.display())));
    assert!(
        md.contains("ngrams,onehot"),
        "the lab command lists the parts in order"
    );
}

#[test]
fn bad_flags_and_missing_files_fail_cleanly() {
    let o = lab(&["--only", "everything"]);
    assert_eq!(o.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = lab(&[
        "--book",
        "/no/such/book.txt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--book /no/such/book.txt"), "{err}");
    assert!(!err.contains("panicked"));
    assert!(!out.join("report.md").exists());
    // A broken well file: the error names it and no report is written.
    let csv = dir.path().join("wells.csv");
    std::fs::write(&csv, "API,Year,Month\n1,2015,1\n").unwrap();
    let o = lab(&[
        "--quick",
        "--only",
        "wells",
        "--wells",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("wells.csv"), "{err}");
    assert!(!out.join("report.md").exists());
}
