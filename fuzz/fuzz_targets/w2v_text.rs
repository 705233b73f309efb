//! The word2vec text format reader (`embed::read_word2vec`, text) on arbitrary bytes.
#![no_main]

use embed::{VectorFormat, read_word2vec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_word2vec(data, VectorFormat::Text, "fuzz.txt");
});
