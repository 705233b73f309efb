//! Parity with pandas and numpy, recorded by tools/series_pandas_parity.py in fixtures/wells/pandas_parity.json.
#![allow(clippy::unwrap_used)] // test helpers unwrap; allow-unwrap-in-tests covers only #[test] bodies

use series::{Feature, ForecastSetup, Production};

const WELLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/wells");

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{WELLS}/pandas_parity.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn wells_and_months_are_ordered_as_pandas_groupby_orders_them() {
    let expected = &expected()["tricky_order"];
    assert_eq!(expected["api_dtype"], "int64");
    let p = Production::from_path(format!("{WELLS}/tricky_order.csv"), &[Feature::Liquid]).unwrap();
    assert!(p.api_is_numeric());
    let wells = expected["wells"].as_array().unwrap();
    assert_eq!(p.wells().len(), wells.len());
    for (ours, theirs) in p.wells().iter().zip(wells) {
        assert_eq!(ours.api(), theirs["api"].as_str().unwrap());
        let liquid: Vec<f64> = (0..ours.len())
            .map(|t| f64::from(ours.value(t, 0)))
            .collect();
        let want: Vec<f64> = theirs["liquid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(liquid, want, "well {}", ours.api());
    }
}

#[test]
fn baselines_match_the_lessons_numpy_code_on_the_synthetic_fixture() {
    let expected = &expected()["synthetic_baselines"];
    let setup = ForecastSetup::default();
    let production =
        Production::from_path(format!("{WELLS}/production_synthetic.csv"), &setup.features)
            .unwrap();
    let prepared = setup.prepare(&production).unwrap();
    let series::Scaler::GlobalMax(g) = &prepared.scaler else {
        panic!("lesson scaler is global max")
    };
    assert_eq!(g.max, expected["global_max"].as_f64().unwrap());
    let b = prepared.baselines(Feature::Liquid).unwrap();
    for (name, ours) in [
        ("last_value", &b.last_value),
        ("mean_profile", &b.mean_profile),
    ] {
        for (metric, value) in [
            ("mae_scaled", ours.mae_scaled),
            ("rmse_scaled", ours.rmse_scaled),
        ] {
            let want = expected[name][metric].as_f64().unwrap();
            assert!(
                (value - want).abs() < 1e-6,
                "{name} {metric}: {value} vs numpy {want}"
            );
        }
    }
}
