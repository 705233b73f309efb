//! The word2vec binary format reader (`embed::read_word2vec`, binary) on arbitrary bytes; also the path loader
//! (`embed::load_word2vec`), which sniffs text or binary from the first record.
#![no_main]

use embed::{VectorFormat, load_word2vec, read_word2vec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_word2vec(data, VectorFormat::Binary, "fuzz.bin");
    // The sniffing loader reads from a path: one file per process, rewritten for each input.
    thread_local! {
        static PATH: std::path::PathBuf =
            std::env::temp_dir().join(format!("rnnlab-fuzz-w2v-{}.bin", std::process::id()));
    }
    PATH.with(|path| {
        if std::fs::write(path, data).is_ok() {
            let _ = load_word2vec(path);
        }
    });
});
