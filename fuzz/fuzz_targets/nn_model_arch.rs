//! The model loader (`nn::Sequential::from_bytes`) with the fuzz input as the JSON architecture in a well-formed
//! safetensors file (no tensors): structure-aware, so the fuzzer reaches the layer sizes a file declares, which
//! must not make the loader allocate more than the file could hold.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let metadata = HashMap::from([
        ("format".to_string(), "rnnlab-nn".to_string()),
        ("format_version".to_string(), "1".to_string()),
        ("model".to_string(), String::from_utf8_lossy(data).into_owned()),
    ]);
    if let Ok(bytes) = nn::io::safetensors_bytes(&[], metadata) {
        let _ = nn::Sequential::from_bytes(&bytes, "fuzz.safetensors");
    }
});
