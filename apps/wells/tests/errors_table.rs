//! The `wells` rows of `docs/errors.md`: each test builds one bad input in a temporary directory, runs the binary
//! there and checks the exit code (2 usage, 1 data, never 101) and the exact message; where the row has an output
//! file, that nothing was written. A row whose test is `#[ignore]`d is a known bug, named in the attribute.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use clitest::{App, check, check_code, edit_safetensors_header, truncate, write};

/// The binary under test.
const APP: App = App::new(env!("CARGO_BIN_EXE_wells"));

/// Runs the app in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    APP.run(dir, args)
}

/// Copies the trained model into `dir/model`.
fn copy_model(dir: &Path) {
    clitest::copy_dir(trained_model(), &dir.join("model"));
}

/// Copies a repository fixture to `dir/name`.
fn fixture(dir: &Path, name: &str, rel: &str) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    write(dir, name, &std::fs::read(source).expect("test file I/O"));
}

/// A small model trained once per test run (under the target directory), which the model rows copy and damage.
fn trained_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();

    let fixture_csv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/wells/production_synthetic.csv");
    let fixture_csv = fixture_csv.to_str().expect("test file I/O");
    clitest::trained_once(
        &MODEL,
        env!("CARGO_TARGET_TMPDIR"),
        "errors_table_wells",
        APP,
        |_| {},
        &[
            "--csv",
            fixture_csv,
            "--epochs",
            "1",
            "--ensemble",
            "1",
            "--units",
            "4",
            "--layers",
            "1",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
            "--save-model",
            "model",
        ],
        "model",
    )
}

/// --csv: the file does not exist.
#[test]
fn csv_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "--csv",
            "missing.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "missing.csv: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: an empty file.
#[test]
fn csv_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.csv", "".as_bytes());
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 1, "p.csv: empty file (no header line)");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: a header without data rows.
#[test]
fn csv_header_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 1, "p.csv: empty file (no data rows)");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: no Liquid column.
#[test]
fn csv_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Gas\n1,2020,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv: missing required column `Liquid` (header has: API,Year,Month,Gas)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: Month 13.
#[test]
fn csv_month_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,13,5,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Month`: month outside 1-12 (cell: \"13\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: Year is not an integer.
#[test]
fn csv_year_not_integer() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,20x0,1,5,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Year`: not an integer year (cell: \"20x0\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: an empty Liquid cell.
#[test]
fn csv_empty_cell() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 1, "p.csv:2: column `Liquid`: empty cell (cell: \"\")");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: Liquid is not a number.
#[test]
fn csv_not_a_number() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,lots,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Liquid`: not a number (cell: \"lots\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: negative Liquid.
#[test]
fn csv_negative_production() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,-5,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Liquid`: negative production (cell: \"-5\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: an infinite value.
#[test]
fn csv_infinite_value() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,inf,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Liquid`: not a finite number (cell: \"inf\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: the same API, Year and Month twice.
#[test]
fn csv_duplicate_month() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,5,5,1,5\n1,2020,1,6,5,1,5\n"
            .as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv: duplicate month for API 1, 2020-01: lines 2 and 3",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: an empty API.
#[test]
fn csv_empty_api() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n,2020,1,5,5,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 1, "p.csv:2: column `API`: empty API (cell: \"\")");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: a row with fewer fields than the header.
#[test]
fn csv_ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,5\n".as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv: cannot read CSV: CSV error: record 1 (line: 2, byte: 44): found record with 4 fields, but the previous record has 7 fields",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: bytes that are not UTF-8.
#[test]
fn csv_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        b"API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,5\xff,5,1,5\n",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv:2: column `Liquid`: not valid UTF-8 (cell: \"5�\")",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --csv: every well shorter than window + horizon.
#[test]
fn csv_wells_too_short() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.csv",
        "API,Year,Month,Liquid,Gas,RatioGasOil,Water\n1,2020,1,5,5,1,5\n1,2020,2,6,5,1,5\n"
            .as_bytes(),
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv: 1 well(s) have fewer than 24 months: 1 (2 months)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --features: an unknown feature name.
#[test]
fn features_unknown() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--features",
            "liquid,oil",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        2,
        "invalid argument: unknown feature `oil` (known: Liquid, Gas, RatioGasOil, Water, PercentWater, DaysOn)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --features: liquid not among them.
#[test]
fn features_without_liquid() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--features",
            "gas,water",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        2,
        "--features must include liquid: the forecast is scored on Liquid",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --features: a feature twice.
#[test]
fn features_repeated() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--features",
            "liquid,liquid",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        2,
        "invalid argument: feature `Liquid` is listed twice",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --window: 0.
#[test]
fn window_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--window",
            "0",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "--window and --horizon must be at least 1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --horizon: 0.
#[test]
fn horizon_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--horizon",
            "0",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "--window and --horizon must be at least 1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --train-wells: 0.
#[test]
fn train_wells_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--train-wells",
            "0",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        2,
        "--train-wells must be at least 1 (and at least 1 well must be left to test on)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --train-wells: as many as the file has (none left to test).
#[test]
fn train_wells_all() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--train-wells",
            "100000",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "p.csv: 50 well(s) with 24 months, but 100000 training well(s) + at least 1 test well are needed",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --epochs: 0.
#[test]
fn epochs_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
            "--epochs",
            "0",
        ],
    );
    check(&out, 2, "epochs (0) and batch_size (32) must be positive");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --batch-size: 0.
#[test]
fn batch_size_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--batch-size",
            "0",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "epochs (20) and batch_size (0) must be positive");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --units: 0.
#[test]
fn units_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
            "--units",
            "0",
        ],
    );
    check(&out, 2, "--units must be at least 1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --layers: 0.
#[test]
fn layers_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
            "--layers",
            "0",
        ],
    );
    check(&out, 2, "--layers must be at least 1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --ensemble: 0.
#[test]
fn ensemble_zero() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
            "--ensemble",
            "0",
        ],
    );
    check(&out, 2, "--ensemble must be at least 1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --lr: a negative learning rate.
#[test]
fn lr_negative() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--lr=-0.1",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "--lr must be a finite number > 0, got -0.1");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --validation-split: not in [0, 1).
#[test]
fn validation_split_above_one() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--validation-split",
            "1.5",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "validation_split must be in [0, 1), got 1.5");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --patience: without --validation-split.
#[test]
fn patience_without_validation() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--patience",
            "3",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(&out, 2, "--patience needs --validation-split (e.g. 0.2)");
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --scaler: an unknown scaler.
#[test]
fn scaler_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--scaler", "huge"]);
    check(
        &out,
        2,
        "invalid value 'huge' for '--scaler <SCALER>': invalid argument: unknown scaler `huge` (known: global-max, feature-max, min-max, standard, log1p, liquid-ratio)",
    );
}

/// --cell: not lstm, gru or rnn.
#[test]
fn cell_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--cell", "transformer"]);
    check(&out, 2, "invalid value 'transformer' for '--cell <CELL>'");
}

/// --lesson --cell: the lesson fixes the model.
#[test]
fn lesson_with_cell() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--lesson", "--cell", "gru"]);
    check(
        &out,
        2,
        "the argument '--lesson' cannot be used with '--cell <CELL>'",
    );
}

/// --load-model: the directory does not exist.
#[test]
fn load_model_missing() {
    let dir = tempfile::tempdir().unwrap();
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--load-model",
            "nomodel",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "cannot read nomodel/wells.json: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --load-model: wells.json is not a wells recipe.
#[test]
fn load_model_bad_recipe() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    write(dir.path(), "model/wells.json", "{\"hello\": 1}".as_bytes());
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--load-model",
            "model",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "model/wells.json: not a wells model recipe: missing field `weights` at line 1 column 12",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --load-model: a weights file cut short.
#[test]
fn load_model_truncated_weights() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    truncate(&dir.path().join("model/model-0.safetensors"), 100);
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--load-model",
            "model",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    // The recipe's length and FNV-1a hash of the weights file catch the change before nn parses it; the hashes
    // depend on the trained weights, so only the fixed part of the message is compared.
    check_code(&out, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().last().unwrap_or("").starts_with(
            "error: model/model-0.safetensors: the weights file changed since the model was saved (100 bytes, FNV-1a "
        ),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --load-model: a weights file missing.
#[test]
fn load_model_missing_weights() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    std::fs::remove_file(dir.path().join("model/model-0.safetensors")).unwrap();
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--load-model",
            "model",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check(
        &out,
        1,
        "model/model-0.safetensors: No such file or directory (os error 2)",
    );
    assert!(!dir.path().join("out").exists(), "out was written");
}

/// --load-model: a small weights file whose architecture declares an LSTM of 100000 units.
#[test]
fn load_model_huge_declared_layer() {
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    fixture(
        dir.path(),
        "p.csv",
        "fixtures/wells/production_synthetic.csv",
    );
    edit_safetensors_header(
        &dir.path().join("model/model-0.safetensors"),
        "\\\"units\\\":4,",
        "\\\"units\\\":100000,",
    );
    let out = run(
        dir.path(),
        &[
            "--csv",
            "p.csv",
            "--load-model",
            "model",
            "--threads",
            "1",
            "--quiet",
            "--no-plots",
            "--out",
            "out",
        ],
    );
    check_code(&out, 1);
    assert!(!dir.path().join("out").exists(), "out was written");
}
