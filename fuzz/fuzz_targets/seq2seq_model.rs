//! The seq2seq model loader (`nn::seq2seq::Seq2Seq::from_bytes`) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nn::seq2seq::Seq2Seq::from_bytes(data, "fuzz.safetensors");
});
