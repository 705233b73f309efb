//! The production CSV loader (`series::Production::read`) on arbitrary bytes, with every feature requested.
#![no_main]

use libfuzzer_sys::fuzz_target;
use series::{Feature, Production};

fuzz_target!(|data: &[u8]| {
    let features = [Feature::Liquid, Feature::Gas, Feature::Water];
    let _ = Production::read(data, "fuzz.csv", &features);
    let _ = Production::read(data, "fuzz.csv", &[Feature::RatioGasOil]);
});
