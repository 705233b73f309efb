//! Runs the `wells` binary: the default pipeline on the fixture (few epochs), save/load, and every kind of bad input.

#![allow(clippy::unwrap_used)] // test helpers unwrap; allow-unwrap-in-tests covers only #[test] bodies

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HEADER: &str = "API,Year,Month,Liquid,Gas,RatioGasOil,Water,PercentWater,DaysOn,_LastUpdate";

fn wells(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wells"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `n_wells` wells of `months` months each, declining production, as CSV text (without trailing rows).
fn csv_text(n_wells: usize, months: usize) -> String {
    let mut text = format!("{HEADER}\n");
    for w in 0..n_wells {
        for t in 0..months {
            let liquid = 1000.0 * (w + 1) as f64 / (1.0 + 0.1 * t as f64);
            let (year, month) = (2015 + t / 12, t % 12 + 1);
            writeln!(
                text,
                "{},{year},{month},{liquid:.0},{:.0},1.5,{:.0},0.1,30,2016-01-01",
                1000 + w,
                1.5 * liquid,
                0.1 * liquid
            )
            .unwrap();
        }
    }
    text
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(csv: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.csv"), csv).unwrap();
        Case { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs on data.csv with quick settings and every output requested.
    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "--csv",
            "data.csv",
            "--epochs",
            "1",
            "--ensemble",
            "1",
            "--quiet",
            "--metrics-json",
            "m.json",
            "--plot",
            "f.svg",
            "--loss-plot",
            "l.svg",
        ];
        args.extend_from_slice(extra);
        wells(self.dir.path(), &args)
    }

    /// Asserts exit 1, no panic, a message containing every `needle`, and no output file.
    fn fails_with(&self, extra: &[&str], needles: &[&str]) {
        let out = self.run(extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "`{needle}` not in: {stderr}");
        }
        for file in ["m.json", "f.svg", "l.svg", "out"] {
            assert!(
                !self.path(file).exists(),
                "{file} written despite the error"
            );
        }
    }
}

/// `csv` with the cell of 1-based file line `line`, 0-based field `field` replaced by `value`.
fn with_cell(csv: &str, line: usize, field: usize, value: &str) -> String {
    with_line(csv, line, |l| {
        let mut fields: Vec<&str> = l.split(',').collect();
        fields[field] = value;
        fields.join(",")
    })
}

fn with_line(csv: &str, line: usize, change: impl Fn(&str) -> String) -> String {
    csv.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                change(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn default_run_on_the_fixture_writes_metrics_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let out = wells(
        dir.path(),
        &[
            "--epochs",
            "2",
            "--ensemble",
            "2",
            "--metrics-json",
            "m.json",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Summary, Keras-like epoch lines, and the table next to both baselines.
    for needle in [
        "Total params: 12,705",
        "Epoch 2/2",
        "loss:",
        "last value",
        "mean profile",
    ] {
        assert!(stdout.contains(needle), "`{needle}` not in:\n{stdout}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 42);
    assert_eq!(m["features"], serde_json::json!(["Liquid"]));
    assert_eq!(m["params"], 2 * 12_705);
    assert!(m["train_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(m["history"].as_array().unwrap().len(), 2);
    assert_eq!(m["history"][1]["epoch"], 2);
    assert!(m["history"][0]["loss"].as_f64().unwrap() > 0.0);
    assert!(m["history"][0]["mae"].as_f64().unwrap() > 0.0);
    assert_eq!(m["dead_output"], false);
    for key in ["mae_scaled", "rmse_scaled", "mae", "rmse"] {
        assert!(m["forecast"][key].as_f64().unwrap() > 0.0, "{key}");
    }
    let per_well = m["forecast"]["per_well"].as_array().unwrap();
    assert_eq!(per_well.len(), 10);
    assert!(per_well[0]["api"].is_string() && per_well[0]["mae"].is_f64());
    for baseline in ["last_value", "mean_profile"] {
        let b = &m["baselines"][baseline];
        let (scaled, barrels) = (
            b["mae_scaled"].as_f64().unwrap(),
            b["mae"].as_f64().unwrap(),
        );
        // Scaled = barrels / the training wells' max Liquid.
        let max = m["scale_max"].as_f64().unwrap();
        assert!(
            (scaled * max - barrels).abs() < 1e-3 * barrels,
            "{baseline}"
        );
    }
    // The default plots land in out/wells/ and are well-formed SVG with the test wells' titles.
    let svg = std::fs::read_to_string(dir.path().join("out/wells/forecast.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    let first_api = per_well[0]["api"].as_str().unwrap();
    assert!(texts.iter().any(|t| t.contains(first_api)), "{texts:?}");
    assert_eq!(texts.iter().filter(|t| t.trim() == "Prediction").count(), 4);
    let loss = std::fs::read_to_string(dir.path().join("out/wells/loss.svg")).unwrap();
    roxmltree::Document::parse(&loss).unwrap();
}

#[test]
fn a_saved_model_forecasts_the_same_after_loading() {
    let case = Case::new(&csv_text(5, 24));
    let out = case.run(&[
        "--train-wells",
        "4",
        "--features",
        "liquid,gas",
        "--scaler",
        "min-max",
        "--save-model",
        "model",
        "--plot-all",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("m.json")).unwrap()).unwrap();
    // The loaded model uses its own features and scaler, whatever --features says now.
    let out = wells(
        case.dir.path(),
        &[
            "--csv",
            "data.csv",
            "--train-wells",
            "4",
            "--load-model",
            "model",
            "--quiet",
            "--no-plots",
            "--metrics-json",
            "again.json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("again.json")).unwrap()).unwrap();
    assert_eq!(again["features"], serde_json::json!(["Liquid", "Gas"]));
    assert_eq!(again["forecast"], first["forecast"]);
    let missing = wells(
        case.dir.path(),
        &["--csv", "data.csv", "--load-model", "nowhere"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere"));
}

#[test]
fn the_lesson_model_runs_and_reports_on_its_output() {
    let case = Case::new(&csv_text(5, 24));
    let out = case.run(&["--train-wells", "4", "--lesson", "--seed", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("m.json")).unwrap()).unwrap();
    assert!(
        m["model"]
            .as_str()
            .unwrap()
            .starts_with("lesson: LSTM(32) x 2 -> Dense(relu)")
    );
    assert!(m["dead_output"].is_boolean());
    // Usage errors are clap's: exit 2.
    assert_eq!(
        case.run(&["--lesson", "--cell", "gru"]).status.code(),
        Some(2)
    );
}

#[test]
fn missing_column() {
    let csv = csv_text(5, 24).replace("Liquid,", "Oil,");
    Case::new(&csv).fails_with(
        &["--train-wells", "4"],
        &["data.csv", "missing required column `Liquid`"],
    );
}

#[test]
fn non_numeric_cell() {
    let bad = with_cell(&csv_text(5, 24), 3, 3, "abc");
    Case::new(&bad).fails_with(&["--train-wells", "4"], &["data.csv:3", "`Liquid`", "abc"]);
}

#[test]
fn negative_production() {
    let bad = with_cell(&csv_text(5, 24), 10, 3, "-5");
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        &["data.csv:10", "`Liquid`", "negative"],
    );
}

#[test]
fn month_outside_1_to_12() {
    let bad = with_cell(&csv_text(5, 24), 5, 2, "13");
    Case::new(&bad).fails_with(&["--train-wells", "4"], &["data.csv:5", "`Month`", "13"]);
}

#[test]
fn duplicated_month() {
    let csv = csv_text(5, 24);
    let second = csv.lines().nth(1).unwrap().to_string();
    let bad = with_line(&csv, 3, |_| second.clone());
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        &["data.csv", "duplicate month", "lines 2 and 3"],
    );
}

#[test]
fn too_few_wells_for_the_split() {
    Case::new(&csv_text(4, 24)).fails_with(
        &["--train-wells", "4"],
        &["data.csv", "4 wells", "at least 5 wells"],
    );
}

#[test]
fn wells_shorter_than_the_window() {
    Case::new(&csv_text(5, 10)).fails_with(
        &["--train-wells", "4"],
        &["data.csv", "fewer than 24 months", "1000 (10 months)"],
    );
}

#[test]
fn empty_file() {
    Case::new("").fails_with(&[], &["data.csv", "empty"]);
    Case::new(&format!("{HEADER}\n")).fails_with(&[], &["data.csv", "no data rows"]);
}

#[test]
fn missing_file() {
    let case = Case::new("");
    std::fs::remove_file(case.path("data.csv")).unwrap();
    case.fails_with(&[], &["data.csv"]);
}
