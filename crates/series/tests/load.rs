//! Loading: pandas' ordering and every kind of bad input, each reported with file, line and column.
#![allow(clippy::unwrap_used)] // test helpers unwrap; allow-unwrap-in-tests covers only #[test] bodies

use series::{Error, Feature, Production, ShortWellPolicy};

const HEADER: &str =
    "API,Year,Month,Liquid,Gas,RatioGasOil,Water,PercentWater,DaysOn,_LastUpdate\n";

fn row(api: &str, year: i32, month: u32, liquid: &str) -> String {
    format!("{api},{year},{month},{liquid},10,0.5,3,0.1,30,2016-04-06 17:20:05.757\n")
}

fn read(text: &str, features: &[Feature]) -> series::Result<Production> {
    Production::read(text.as_bytes(), "prod.csv", features)
}

fn err(text: &str) -> String {
    read(text, &[Feature::Liquid, Feature::Gas])
        .unwrap_err()
        .to_string()
}

#[test]
fn wells_are_ordered_numerically_like_pandas_int64_and_months_by_calendar() {
    // As text, "30015414470000" < "5005072170100"; as integers (pandas reads API as int64) it is the other way.
    let text = format!(
        "{HEADER}{}{}{}{}",
        row("30015414470000", 2015, 1, "7"),
        row("5005072170100", 2015, 2, "2"),
        row("5005072170100", 2014, 12, "1"),
        row("30015414470000", 2014, 11, "6"),
    );
    let p = read(&text, &[Feature::Liquid]).unwrap();
    assert!(p.api_is_numeric());
    let apis: Vec<&str> = p.wells().iter().map(|w| w.api()).collect();
    assert_eq!(apis, ["5005072170100", "30015414470000"]);
    let first = &p.wells()[0];
    assert_eq!((first.value(0, 0), first.value(1, 0)), (1.0, 2.0));
    assert_eq!(first.lines(), &[4, 3]);
    assert_eq!(p.wells()[1].months()[0].month, 11);
}

#[test]
fn integer_apis_with_leading_zeros_are_one_well_as_in_pandas() {
    let text = format!(
        "{HEADER}{}{}",
        row("0123", 2015, 1, "1"),
        row("123", 2015, 2, "2")
    );
    let p = read(&text, &[Feature::Liquid]).unwrap();
    assert_eq!(p.wells().len(), 1);
    assert_eq!(p.wells()[0].api(), "123");
}

#[test]
fn non_integer_apis_are_ordered_as_strings() {
    let text = format!(
        "{HEADER}{}{}",
        row("B-2", 2015, 1, "1"),
        row("10-A", 2015, 1, "2")
    );
    let p = read(&text, &[Feature::Liquid]).unwrap();
    assert!(!p.api_is_numeric());
    assert_eq!(p.wells()[0].api(), "10-A");
}

#[test]
fn extra_columns_and_a_bom_are_fine_and_only_requested_features_are_required() {
    let text = "\u{feff}Extra,Year,API,Month,Liquid\nx,2015,1,1,5\n";
    let p = read(text, &[Feature::Liquid]).unwrap();
    assert_eq!(p.n_rows(), 1);
    let e = read(text, &[Feature::Liquid, Feature::Water])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("prod.csv") && e.contains("missing required column `Water`"),
        "{e}"
    );
}

#[test]
fn a_missing_key_column_is_named() {
    let e = err("API,Year,Liquid,Gas\n1,2015,3,4\n");
    assert!(e.contains("prod.csv") && e.contains("`Month`"), "{e}");
}

#[test]
fn bad_cells_name_file_line_and_column() {
    let cases = [
        (row("1", 2015, 1, "abc"), "Liquid", "not a number"),
        (row("1", 2015, 1, ""), "Liquid", "empty cell"),
        (row("1", 2015, 1, "-5"), "Liquid", "negative production"),
        (row("1", 2015, 1, "NaN"), "Liquid", "not a finite number"),
        (row("1", 2015, 13, "5"), "Month", "month outside 1-12"),
        (row("1", 2015, 0, "5"), "Month", "month outside 1-12"),
        (
            "1,20x5,1,5,1,0,0,0,0,x\n".to_string(),
            "Year",
            "not an integer year",
        ),
        (
            "1,2015,1,5,-1,0,0,0,0,x\n".to_string(),
            "Gas",
            "negative production",
        ),
        (",2015,1,5,1,0,0,0,0,x\n".to_string(), "API", "empty API"),
    ];
    for (bad, column, problem) in cases {
        let text = format!("{HEADER}{}{bad}", row("1", 2014, 12, "5"));
        match read(&text, &[Feature::Liquid, Feature::Gas]).unwrap_err() {
            Error::BadCell {
                source_name,
                line,
                column: c,
                problem: p,
                ..
            } => {
                assert_eq!(
                    (source_name.as_str(), line, c.as_str(), p.as_str()),
                    ("prod.csv", 3, column, problem)
                );
            }
            other => panic!("{bad}: {other}"),
        }
    }
    let days = format!("{HEADER}1,2015,1,5,1,0,0,0,32,x\n");
    let e = read(&days, &[Feature::DaysOn]).unwrap_err().to_string();
    assert!(e.contains("prod.csv:2") && e.contains("DaysOn"), "{e}");
}

#[test]
fn a_bad_cell_in_a_column_not_loaded_is_ignored() {
    let text = format!("{HEADER}1,2015,1,5,oops,0,0,0,0,x\n");
    assert!(read(&text, &[Feature::Liquid]).is_ok());
}

#[test]
fn duplicate_months_name_both_lines() {
    let text = format!(
        "{HEADER}{}{}{}",
        row("7", 2015, 3, "1"),
        row("8", 2015, 3, "1"),
        row("7", 2015, 3, "2")
    );
    let e = err(&text);
    assert!(
        e.contains("API 7") && e.contains("2015-03") && e.contains("lines 2 and 4"),
        "{e}"
    );
}

#[test]
fn empty_inputs_are_errors() {
    assert!(err("").contains("empty file"), "{}", err(""));
    let e = err(HEADER);
    assert!(e.contains("prod.csv") && e.contains("no data rows"), "{e}");
}

#[test]
fn ragged_rows_are_csv_errors_with_a_position() {
    let e = err(&format!("{HEADER}1,2015,1\n"));
    assert!(e.contains("prod.csv") && e.contains("line: 2"), "{e}");
}

#[test]
fn a_missing_file_is_named() {
    let e = Production::from_path("/nonexistent/prod.csv", &[Feature::Liquid])
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/prod.csv"), "{e}");
}

#[test]
fn pivot_drops_or_rejects_short_wells_by_policy() {
    let mut text = HEADER.to_string();
    for (api, months) in [("1", 3), ("2", 2), ("3", 3), ("4", 1)] {
        for m in 1..=months {
            text += &row(api, 2015, m, &format!("{}", 10 * m));
        }
    }
    let p = read(&text, &[Feature::Liquid, Feature::Gas]).unwrap();
    let pivot = p
        .pivot(&[Feature::Gas, Feature::Liquid], 3, ShortWellPolicy::Drop)
        .unwrap();
    assert_eq!(pivot.data.dim(), (2, 3, 2));
    assert_eq!(pivot.apis, ["1", "3"]);
    assert_eq!(pivot.data[[1, 2, 1]], 30.0);
    assert_eq!(pivot.data[[1, 2, 0]], 10.0);
    let warning = pivot.warning().unwrap();
    assert!(
        warning.contains("2 (2 months)") && warning.contains("4 (1 months)"),
        "{warning}"
    );
    let e = p
        .pivot(&[Feature::Liquid], 3, ShortWellPolicy::Reject)
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 well(s)") && e.contains("2 (2 months)"), "{e}");
    assert!(
        p.pivot(&[Feature::Water], 3, ShortWellPolicy::Drop)
            .unwrap_err()
            .to_string()
            .contains("Water")
    );
    assert!(
        p.pivot(&[Feature::Liquid], 4, ShortWellPolicy::Drop)
            .is_err()
    );
    // Longer wells are cut to the requested months.
    assert_eq!(
        p.pivot(&[Feature::Liquid], 1, ShortWellPolicy::Reject)
            .unwrap()
            .data
            .dim(),
        (4, 1, 1)
    );
}

proptest::proptest! {
    /// Any valid table, rows in any order, loads into wells sorted by integer API with months in calendar order.
    #[test]
    fn shuffled_rows_load_grouped_and_sorted(
        wells in proptest::collection::btree_map(1u64..100_000_000_000_000, 1usize..6, 1..6),
        seed in 0u64..1000,
    ) {
        use std::collections::BTreeMap;
        let mut rows = Vec::new();
        let mut expected: BTreeMap<u64, Vec<f32>> = BTreeMap::new();
        for (&api, &months) in &wells {
            for t in 0..months {
                // Months from 2014-11 on, crossing a year boundary.
                let index = 2014 * 12 + 10 + t as i32;
                let liquid = (api % 1000) as f32 + t as f32;
                rows.push(row(&api.to_string(), index / 12, (index % 12 + 1) as u32, &liquid.to_string()));
                expected.entry(api).or_default().push(liquid);
            }
        }
        // A cheap deterministic shuffle.
        let n = rows.len();
        for i in 0..n {
            rows.swap(i, (seed as usize * 7919 + i * 104_729) % n);
        }
        let text = format!("{HEADER}{}", rows.concat());
        let p = read(&text, &[Feature::Liquid]).unwrap();
        let got: Vec<(u64, Vec<f32>)> = p
            .wells()
            .iter()
            .map(|w| (w.api().parse().unwrap(), (0..w.len()).map(|t| w.value(t, 0)).collect()))
            .collect();
        proptest::prop_assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
    }
}
