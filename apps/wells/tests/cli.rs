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

    /// Asserts exit 1, no panic, exactly `message` (one line) on stderr, and no output file.
    fn fails_with(&self, extra: &[&str], message: &str) {
        let out = self.run(extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
        assert_eq!(stderr, format!("{message}\n"));
        for file in ["m.json", "f.svg", "l.svg", "out", "model"] {
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
        "error: data.csv: missing required column `Liquid` (header has: \
         API,Year,Month,Oil,Gas,RatioGasOil,Water,PercentWater,DaysOn,_LastUpdate)",
    );
}

#[test]
fn non_numeric_cell() {
    let bad = with_cell(&csv_text(5, 24), 3, 3, "abc");
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        "error: data.csv:3: column `Liquid`: not a number (cell: \"abc\")",
    );
}

#[test]
fn empty_cell() {
    let bad = with_cell(&csv_text(5, 24), 4, 6, "");
    Case::new(&bad).fails_with(
        &["--train-wells", "4", "--features", "liquid,water"],
        "error: data.csv:4: column `Water`: empty cell (cell: \"\")",
    );
}

#[test]
fn negative_production() {
    let bad = with_cell(&csv_text(5, 24), 10, 3, "-5");
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        "error: data.csv:10: column `Liquid`: negative production (cell: \"-5\")",
    );
}

#[test]
fn month_outside_1_to_12() {
    let bad = with_cell(&csv_text(5, 24), 5, 2, "13");
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        "error: data.csv:5: column `Month`: month outside 1-12 (cell: \"13\")",
    );
}

#[test]
fn duplicated_month() {
    let csv = csv_text(5, 24);
    let second = csv.lines().nth(1).unwrap().to_string();
    let bad = with_line(&csv, 3, |_| second.clone());
    Case::new(&bad).fails_with(
        &["--train-wells", "4"],
        "error: data.csv: duplicate month for API 1000, 2015-01: lines 2 and 3",
    );
}

#[test]
fn too_few_wells_for_the_split() {
    Case::new(&csv_text(4, 24)).fails_with(
        &["--train-wells", "4"],
        "error: data.csv: 4 well(s) with 24 months, but 4 training well(s) + at least 1 test well are needed",
    );
}

#[test]
fn wells_shorter_than_the_window() {
    Case::new(&csv_text(5, 10)).fails_with(
        &["--train-wells", "4"],
        "error: data.csv: 5 well(s) have fewer than 24 months: 1000 (10 months), 1001 (10 months), 1002 (10 months), \
         1003 (10 months), 1004 (10 months)",
    );
}

#[test]
fn empty_file() {
    Case::new("").fails_with(&[], "error: data.csv: empty file (no header line)");
    Case::new(&format!("{HEADER}\n")).fails_with(&[], "error: data.csv: empty file (no data rows)");
}

#[test]
fn missing_file() {
    let case = Case::new("");
    std::fs::remove_file(case.path("data.csv")).unwrap();
    case.fails_with(
        &[],
        "error: data.csv: No such file or directory (os error 2)",
    );
}

/// Trains and saves a two-feature feature-max model into `model/` (so its scaler is easy to edit).
fn saved_model() -> Case {
    let case = Case::new(&csv_text(5, 24));
    let out = wells(
        case.dir.path(),
        &[
            "--csv",
            "data.csv",
            "--train-wells",
            "4",
            "--epochs",
            "1",
            "--ensemble",
            "2",
            "--quiet",
            "--no-plots",
            "--features",
            "liquid,gas",
            "--scaler",
            "feature-max",
            "--save-model",
            "model",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    case
}

impl Case {
    /// Forecasts with `model/` and asserts exit 1 with exactly `message`, no panic and no metrics file.
    fn load_fails_with(&self, message: &str) {
        let out = wells(
            self.dir.path(),
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
                "m.json",
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
        assert_eq!(stderr, format!("{message}\n"));
        assert!(!self.path("m.json").exists());
    }

    /// Rewrites `model/wells.json` through `change`.
    fn edit_recipe(&self, change: impl Fn(&mut serde_json::Value)) {
        let path = self.path("model/wells.json");
        let mut recipe: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut recipe);
        std::fs::write(&path, serde_json::to_string(&recipe).unwrap()).unwrap();
    }
}

fn fnv1a(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[test]
fn a_changed_weights_file_is_refused() {
    let case = saved_model();
    let path = case.path("model/model-1.safetensors");
    let saved = std::fs::read(&path).unwrap();
    // One weight's lowest byte changed: still a valid safetensors file that nn would load without complaint.
    let mut changed = saved.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    std::fs::write(&path, &changed).unwrap();
    case.load_fails_with(&format!(
        "error: model/model-1.safetensors: the weights file changed since the model was saved ({n} bytes, FNV-1a {}; \
         model/wells.json records {n} bytes, FNV-1a {})",
        fnv1a(&changed),
        fnv1a(&saved),
        n = saved.len()
    ));
    std::fs::write(&path, &saved[..100]).unwrap();
    case.load_fails_with(&format!(
        "error: model/model-1.safetensors: the weights file changed since the model was saved (100 bytes, FNV-1a {}; \
         model/wells.json records {} bytes, FNV-1a {})",
        fnv1a(&saved[..100]),
        saved.len(),
        fnv1a(&saved)
    ));
}

#[test]
fn a_recipe_without_fingerprints_is_refused() {
    let case = saved_model();
    case.edit_recipe(|r| {
        r.as_object_mut().unwrap().remove("weights");
    });
    case.load_fails_with("error: model/wells.json: not a wells model recipe: missing field `weights` at line 1 column 124");
}

#[test]
fn a_zero_scaler_max_is_refused() {
    let case = saved_model();
    case.edit_recipe(|r| r["scaler"]["max"][1] = serde_json::json!(0.0));
    case.load_fails_with(
        "error: model/wells.json: invalid feature-max scaler: max[1] is 0 (must be finite and > 0)",
    );
}

#[test]
fn a_negative_scaler_max_is_refused() {
    let case = saved_model();
    case.edit_recipe(|r| r["scaler"]["max"][0] = serde_json::json!(-3.5));
    case.load_fails_with(
        "error: model/wells.json: invalid feature-max scaler: max[0] is -3.5 (must be finite and > 0)",
    );
}

#[test]
fn a_scaler_of_the_wrong_width_is_refused() {
    let case = saved_model();
    case.edit_recipe(|r| r["scaler"]["max"] = serde_json::json!([1000.0]));
    case.load_fails_with(
        "error: model/wells.json: invalid feature-max scaler: max has 1 value(s) for 2 feature(s)",
    );
}

#[test]
fn an_infinite_scaler_value_is_refused() {
    let case = saved_model();
    // JSON has no infinity; a number beyond f64 is the closest a file can get, and serde refuses it.
    let path = case.path("model/wells.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let recipe: serde_json::Value = serde_json::from_str(&text).unwrap();
    let max = recipe["scaler"]["max"][0].to_string();
    std::fs::write(&path, text.replacen(&max, "1e999", 1)).unwrap();
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
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.starts_with(
            "error: model/wells.json: not a wells model recipe: number out of range at line"
        ),
        "{stderr}"
    );
}

#[test]
fn a_bad_level_eps_is_refused() {
    let case = saved_model();
    case.edit_recipe(|r| r["level_eps"] = serde_json::json!(-0.001));
    case.load_fails_with("error: model/wells.json: level_eps is -0.001 (must be finite and > 0)");
}
