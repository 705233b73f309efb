//! Parity with gensim 4.4 on fixtures made by `tools/gensim_w2v_formats.py` (gensim's version is recorded in the
//! JSON): vocabulary order with ties, counts, `cum_table`, `sample_int`, and the word2vec binary and text files.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::PathBuf;

use embed::format::numpy_f32_str;
use embed::sampling::{cum_table, sample_ints};
use embed::{VectorFormat, Vocab, load_word2vec, read_word2vec, write_word2vec};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/parity/w2v")
}

fn fixture() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join("gensim_small.json")).unwrap())
        .unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn u64s(v: &serde_json::Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn fixture_records_the_gensim_version() {
    assert_eq!(fixture()["gensim_version"], "4.4.0");
}

#[test]
fn vocabulary_order_counts_and_tables_match_gensim() {
    let f = fixture();
    let corpus: Vec<Vec<String>> = strings(&f["corpus"])
        .iter()
        .map(|s| s.split(' ').map(String::from).collect())
        .collect();
    let vocab = Vocab::from_sentences(&corpus, f["min_count"].as_u64().unwrap(), None).unwrap();
    assert_eq!(
        vocab.words(),
        strings(&f["words"]).as_slice(),
        "tie order differs from gensim"
    );
    assert_eq!(vocab.counts(), u64s(&f["counts"]).as_slice());
    let cum: Vec<u64> = cum_table(vocab.counts(), 0.75)
        .into_iter()
        .map(u64::from)
        .collect();
    assert_eq!(cum, u64s(&f["cum_table"]));
    let sample: Vec<u64> = sample_ints(vocab.counts(), f["sample"].as_f64().unwrap())
        .into_iter()
        .map(u64::from)
        .collect();
    assert_eq!(sample, u64s(&f["sample_int"]));
}

#[test]
fn we_load_gensims_binary_and_text_files_exactly() {
    let f = fixture();
    let words = strings(&f["words"]);
    let expected: Vec<f32> = f["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    for name in ["gensim_small.bin", "gensim_small.txt"] {
        let kv = load_word2vec(&dir().join(name)).unwrap();
        assert_eq!(kv.words(), words.as_slice(), "{name}");
        assert_eq!(kv.dim(), 8);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(kv.vectors()), bits(&expected), "{name}");
    }
}

#[test]
fn our_text_file_is_byte_identical_to_gensims_and_binary_differs_only_by_the_c_tools_newlines() {
    let gensim_txt = std::fs::read(dir().join("gensim_small.txt")).unwrap();
    let kv = read_word2vec(&gensim_txt[..], VectorFormat::Text, "gensim_small.txt").unwrap();
    let mut ours = Vec::new();
    write_word2vec(&kv, VectorFormat::Text, &mut ours).unwrap();
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(gensim_txt).unwrap()
    );

    let gensim_bin = std::fs::read(dir().join("gensim_small.bin")).unwrap();
    let mut ours = Vec::new();
    write_word2vec(&kv, VectorFormat::Binary, &mut ours).unwrap();
    // gensim 4.4 writes no newline after a binary vector; the C tool (and we) do. Drop ours and compare.
    let header_len = ours.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut stripped = ours[..header_len].to_vec();
    let mut pos = header_len;
    for word in kv.words() {
        let record = word.len() + 1 + kv.dim() * 4;
        stripped.extend_from_slice(&ours[pos..pos + record]);
        assert_eq!(ours[pos + record], b'\n');
        pos += record + 1;
    }
    assert_eq!(pos, ours.len());
    assert_eq!(stripped, gensim_bin);
}

#[test]
fn numpy_float32_str_on_gensims_own_output() {
    let text = std::fs::read_to_string(dir().join("gensim_small.txt")).unwrap();
    for token in text.lines().skip(1).flat_map(|l| l.split(' ').skip(1)) {
        let v: f32 = token.parse().unwrap();
        assert_eq!(numpy_f32_str(v), token);
    }
}
