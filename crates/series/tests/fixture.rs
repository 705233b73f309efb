//! The committed synthetic fixture is exactly what the generator makes, and it loads like the real file.
#![allow(clippy::unwrap_used)] // test helpers unwrap; allow-unwrap-in-tests covers only #[test] bodies

use series::{Feature, Production, ShortWellPolicy, SyntheticConfig};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/wells/production_synthetic.csv"
);

#[test]
fn the_fixture_is_regenerated_byte_for_byte() {
    let mut made = Vec::new();
    series::generate(&SyntheticConfig::default(), &mut made).unwrap();
    let committed = std::fs::read(FIXTURE).unwrap();
    assert!(
        made == committed,
        "fixture and generator drifted: regenerate with examples/generate.rs"
    );
}

#[test]
fn the_fixture_has_the_real_files_shape() {
    let p = Production::from_path(FIXTURE, &Feature::ALL).unwrap();
    assert!(p.api_is_numeric());
    assert_eq!(p.wells().len(), 50);
    let pivot = p.pivot(&Feature::ALL, 24, ShortWellPolicy::Reject).unwrap();
    assert_eq!(pivot.data.dim(), (50, 24, 6));
    // API order is numeric and strictly increasing.
    let ids: Vec<u64> = pivot.apis.iter().map(|a| a.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    // Months are consecutive within each well.
    for well in p.wells() {
        let index: Vec<i32> = well
            .months()
            .iter()
            .map(|m| m.year * 12 + m.month as i32)
            .collect();
        assert!(index.windows(2).all(|w| w[1] == w[0] + 1), "{}", well.api());
    }
    // Some shut-in months, with zero production and zero DaysOn; ratios follow the volumes.
    let liquid = pivot.data.index_axis(ndarray::Axis(2), 0);
    let zeros = liquid.iter().filter(|&&v| v == 0.0).count();
    assert!((5..=60).contains(&zeros), "{zeros} zero months");
    for w in 0..50 {
        for t in 0..24 {
            let v = |f: usize| pivot.data[[w, t, f]];
            if v(0) > 0.0 {
                assert!((v(2) - v(1) / v(0)).abs() <= 1e-5 * v(2).max(1.0));
                assert!((v(4) - v(3) / v(0)).abs() <= 1e-5 * v(4).max(1.0));
            } else {
                assert_eq!((v(2), v(4), v(5)), (0.0, 0.0, 0.0));
            }
        }
    }
}

#[test]
fn different_seeds_and_sizes_differ_and_validate() {
    let make = |config: SyntheticConfig| {
        let mut out = Vec::new();
        series::generate(&config, &mut out).map(|()| out)
    };
    let small = SyntheticConfig {
        wells: 3,
        months: 5,
        seed: 1,
    };
    let a = make(small.clone()).unwrap();
    assert_eq!(String::from_utf8(a.clone()).unwrap().lines().count(), 16);
    assert_ne!(
        a,
        make(SyntheticConfig {
            seed: 2,
            ..small.clone()
        })
        .unwrap()
    );
    assert!(make(SyntheticConfig { wells: 0, ..small }).is_err());
}
