//! The safetensors reader (`nn::io::parse_safetensors`) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nn::io::parse_safetensors(data, "fuzz.safetensors");
});
