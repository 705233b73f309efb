//! The seq2seq loader (`nn::seq2seq::Seq2Seq::from_bytes`) with the fuzz input as its JSON description (config and
//! vocabularies) in a well-formed safetensors file (no tensors): structure-aware, so the fuzzer reaches the sizes
//! a file declares, which must not make the loader allocate more than the file could hold.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let metadata = HashMap::from([
        ("format".to_string(), "rnnlab-seq2seq".to_string()),
        ("seq2seq".to_string(), String::from_utf8_lossy(data).into_owned()),
    ]);
    if let Ok(bytes) = nn::io::safetensors_bytes(&[], metadata) {
        let _ = nn::seq2seq::Seq2Seq::from_bytes(&bytes, "fuzz.safetensors");
    }
});
