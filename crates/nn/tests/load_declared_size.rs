//! A model file whose architecture declares far more weights than it stores is refused before
//! anything is allocated (found by the `nn_model` and `seq2seq_model_meta` fuzz targets: a header
//! declaring a 100000-unit LSTM made loading allocate hundreds of gigabytes and abort).

use nn::Sequential;
use nn::io::{parse_safetensors, safetensors_bytes};
use nn::layers::{Cell, dense, lstm};
use nn::seq2seq::{AttentionKind, Seq2Seq, Seq2SeqConfig, Vocab};
use tensor::seeded_rng;

/// Rewrite one metadata value of a saved file, keeping its tensors.
fn tamper(bytes: &[u8], key: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let file = parse_safetensors(bytes, "x").expect("a saved model parses");
    let mut metadata = file.metadata.clone();
    let old = metadata[key].clone();
    let new = edit(&old);
    assert_ne!(old, new, "the edit must change the file");
    metadata.insert(key.into(), new);
    let tensors: Vec<_> = file.tensors.into_iter().collect();
    safetensors_bytes(&tensors, metadata).expect("tensors serialise")
}

#[test]
fn a_sequential_file_declaring_a_huge_lstm_is_an_error_naming_both_counts() {
    let mut m = Sequential::new(&[12, 1], 1);
    m.add(lstm(3)).unwrap();
    m.add(dense(1)).unwrap();
    let bytes = m.to_bytes().unwrap();
    assert!(Sequential::from_bytes(&bytes, "ok.st").is_ok());
    let bad = tamper(&bytes, "model", |json| {
        json.replace("\"units\":3", "\"units\":100000")
    });
    let e = Sequential::from_bytes(&bad, "huge.st")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "huge.st: the architecture declares at least 40000500000 weights but the file stores 64"
        ),
        "{e}"
    );
}

#[test]
fn a_sequential_file_declaring_sizes_that_overflow_is_an_error() {
    let mut m = Sequential::new(&[12, 1], 1);
    m.add(lstm(3)).unwrap();
    let bytes = m.to_bytes().unwrap();
    let bad = tamper(&bytes, "model", |json| {
        json.replace("\"units\":3", &format!("\"units\":{}", usize::MAX))
    });
    let e = Sequential::from_bytes(&bad, "overflow.st")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the architecture declares at least"), "{e}");
}

#[test]
fn a_seq2seq_file_declaring_a_huge_encoder_is_an_error() {
    let cfg = Seq2SeqConfig {
        cell: Cell::Gru,
        embed_dim: 3,
        enc_units: 3,
        dec_units: 4,
        attention: Some(AttentionKind::Additive),
        attention_units: 3,
        max_source_len: 8,
        max_target_len: 6,
    };
    let vocab = Vocab::new(["a", "b", "c"]);
    let model = Seq2Seq::new(cfg, vocab.clone(), vocab, &mut seeded_rng(7)).unwrap();
    let bytes = model.to_bytes().unwrap();
    assert!(Seq2Seq::from_bytes(&bytes, "ok.st").is_ok());
    let bad = tamper(&bytes, "seq2seq", |json| {
        json.replace("\"enc_units\":3", "\"enc_units\":100000")
    });
    let e = Seq2Seq::from_bytes(&bad, "huge.st")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the architecture declares at least"), "{e}");
}
