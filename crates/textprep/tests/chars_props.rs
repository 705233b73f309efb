//! Property tests of the character pipeline: alphabet, encoding, sequences, one-hot, `.npy` round trips.

use ndarray::{Array2, Array3, Axis};
use ndarray_npy::ReadNpyExt;
use proptest::prelude::*;
use textprep::{Alphabet, CharSequences, SequenceConfig, argmax_last_axis, one_hot, write_npy};

/// Short texts over a small alphabet (so sequences exist), sometimes with wide characters.
fn text() -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'а', 'б', 'ё', ' ', '.', '\n', 'z', '€', '😀', '\u{306}',
    ]);
    prop::collection::vec(chars, 1..120).prop_map(|v| v.into_iter().collect())
}

fn config() -> impl Strategy<Value = SequenceConfig> {
    (1usize..12, prop::option::of(1usize..15)).prop_map(|(sentence_len, stride)| SequenceConfig {
        sentence_len,
        stride,
    })
}

proptest! {
    #[test]
    fn decode_inverts_encode(text in any::<String>(), extra in any::<String>()) {
        prop_assume!(!text.is_empty());
        let alphabet = Alphabet::from_text(&text).unwrap();
        prop_assert_eq!(alphabet.decode(&alphabet.encode(&text).unwrap()).unwrap(), text.clone());
        // With a larger alphabet too, and the alphabet is sorted by code point without duplicates.
        let larger = Alphabet::from_text(&format!("{text}{extra}")).unwrap();
        prop_assert_eq!(larger.decode(&larger.encode(&text).unwrap()).unwrap(), text);
        prop_assert!(larger.chars().windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(Alphabet::from_json(&larger.to_json()).unwrap(), larger);
    }

    #[test]
    fn y_is_x_shifted_by_one(text in text(), config in config()) {
        let alphabet = Alphabet::from_text(&text).unwrap();
        let indices = alphabet.encode(&text).unwrap();
        let n_chars = indices.len();
        let Ok(seq) = CharSequences::from_indices(&indices, &config) else {
            prop_assert!(n_chars < config.sentence_len + 1);
            return Ok(());
        };
        let (l, stride) = (config.sentence_len, config.effective_stride());
        prop_assert_eq!(seq.x.dim(), (seq.len(), l));
        prop_assert_eq!(seq.y.dim(), (seq.len(), l));
        for k in 0..seq.len() {
            for t in 0..l {
                prop_assert_eq!(seq.x[[k, t]], indices[k * stride + t]);
                prop_assert_eq!(seq.y[[k, t]], indices[k * stride + t + 1]);
                if t + 1 < l {
                    prop_assert_eq!(seq.y[[k, t]], seq.x[[k, t + 1]]);
                }
            }
        }
        // Exactly the characters after the last sequence are dropped, and no further sequence would fit.
        let used = (seq.len() - 1) * stride + l + 1;
        prop_assert_eq!(seq.dropped, n_chars - used);
        prop_assert!(seq.len() * stride + l + 1 > n_chars);
        // Without a stride, inputs are consecutive: inputs + the last target + the dropped tail spell the text.
        if config.stride.is_none() {
            let mut spelled: Vec<u32> = seq.x.iter().copied().collect();
            spelled.push(seq.y[[seq.len() - 1, l - 1]]);
            spelled.extend_from_slice(&indices[used..]);
            prop_assert_eq!(spelled, indices);
        }
    }

    #[test]
    fn every_one_hot_row_sums_to_one(text in text(), config in config()) {
        let alphabet = Alphabet::from_text(&text).unwrap();
        let Ok(seq) = CharSequences::from_text(&text, &alphabet, &config) else { return Ok(()) };
        for indices in [&seq.x, &seq.y] {
            let encoded = one_hot(indices.view(), alphabet.len()).unwrap();
            prop_assert_eq!(encoded.dim(), (seq.len(), config.sentence_len, alphabet.len()));
            prop_assert!(encoded.iter().all(|&v| v == 0.0 || v == 1.0));
            prop_assert!(encoded.sum_axis(Axis(2)).iter().all(|&s| s == 1.0));
            prop_assert_eq!(&argmax_last_axis(&encoded), indices);
        }
    }

    #[test]
    fn npy_round_trips(text in text(), config in config()) {
        let alphabet = Alphabet::from_text(&text).unwrap();
        let Ok(seq) = CharSequences::from_text(&text, &alphabet, &config) else { return Ok(()) };
        let encoded = one_hot(seq.x.view(), alphabet.len()).unwrap();
        let mut bytes = Vec::new();
        write_npy(&encoded, &mut bytes).unwrap();
        prop_assert_eq!(Array3::<f32>::read_npy(&bytes[..]).unwrap(), encoded);
        bytes.clear();
        write_npy(&seq.y, &mut bytes).unwrap();
        prop_assert_eq!(Array2::<u32>::read_npy(&bytes[..]).unwrap(), seq.y);
    }
}

#[test]
fn npy_headers_say_what_numpy_needs() {
    let mut bytes = Vec::new();
    write_npy(&Array3::<f32>::zeros((2, 3, 4)), &mut bytes).unwrap();
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(128)]).into_owned();
    assert!(
        header.contains("'descr': '<f4'") && header.contains("'shape': (2, 3, 4)"),
        "{header}"
    );
    assert!(header.contains("'fortran_order': False"), "{header}");
    bytes.clear();
    write_npy(&Array2::<u32>::zeros((5, 7)), &mut bytes).unwrap();
    let header = String::from_utf8_lossy(&bytes[..bytes.len().min(128)]).into_owned();
    assert!(
        header.contains("'descr': '<u4'") && header.contains("'shape': (5, 7)"),
        "{header}"
    );
}
