//! Property tests: streaming over a reader (with arbitrary buffer boundaries, including inside a multi-byte
//! character or a byte-order mark) gives exactly what the in-memory functions give.

use std::io::{BufRead, Read};

use proptest::prelude::*;
use textprep::{
    CleanConfig, Cleaner, Overflow, SentenceConfig, SentenceReader, Utf8Policy, Utf8Reader,
    raw_sentences, sentences,
};

/// A reader that hands out its bytes in pieces of the given sizes (cycled).
struct Pieces {
    bytes: Vec<u8>,
    sizes: Vec<usize>,
    next: usize,
    pos: usize,
    end: usize,
}

impl Pieces {
    fn new(bytes: Vec<u8>, sizes: Vec<usize>) -> Self {
        Self {
            bytes,
            sizes,
            next: 0,
            pos: 0,
            end: 0,
        }
    }
}

impl Read for Pieces {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Pieces {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos == self.end {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            self.end = (self.pos + size).min(self.bytes.len());
        }
        Ok(&self.bytes[self.pos..self.end])
    }
    fn consume(&mut self, n: usize) {
        self.pos += n;
    }
}

/// Text made of the characters that matter: Cyrillic (both cases, `ё`), Latin, combining marks, terminators,
/// line breaks, other whitespace, digits, punctuation, a BOM, wide characters.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "а",
        "Б",
        "ё",
        "Ё",
        "й",
        "и\u{306}",
        "\u{308}",
        "x",
        "Q",
        "İ",
        "ß",
        ".",
        "!",
        "?",
        "…",
        ",",
        "-",
        "—",
        "«",
        "\n",
        "\r\n",
        "\u{2028}",
        " ",
        "  ",
        "\t",
        "\u{a0}",
        "7",
        "\u{feff}",
        "😀",
        "ऩि",
        "Ⅻ",
    ]);
    (any::<bool>(), prop::collection::vec(pieces, 0..60)).prop_map(|(bom, parts)| {
        let body: String = parts.concat();
        if bom { format!("\u{feff}{body}") } else { body }
    })
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..9, 1..6)
}

fn config() -> impl Strategy<Value = SentenceConfig> {
    (
        prop::option::of(1usize..5),
        any::<bool>(),
        prop::sample::select(vec!["", ".,!?-", "-—"]),
    )
        .prop_map(|(max_words, truncate, extra)| SentenceConfig {
            max_words,
            overflow: if truncate {
                Overflow::Truncate
            } else {
                Overflow::Split
            },
            clean: CleanConfig::keeping(extra),
            ..SentenceConfig::default()
        })
}

proptest! {
    #[test]
    fn streamed_sentences_equal_in_memory_sentences(text in text(), sizes in sizes(), config in config()) {
        let expected: Vec<Vec<String>> = sentences(&text, &config).unwrap().collect();
        let streamed: Vec<Vec<String>> = SentenceReader::new(Pieces::new(text.clone().into_bytes(), sizes), &config)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(streamed, expected);
    }

    #[test]
    fn sentences_follow_the_lesson_pipeline(text in text(), config in config()) {
        let cleaner = Cleaner::new(&config.clean).unwrap();
        let mut expected = Vec::new();
        for raw in raw_sentences(&text, &config.terminators) {
            let words: Vec<String> = cleaner.clean(raw).split_whitespace().map(str::to_owned).collect();
            match config.max_words {
                None if !words.is_empty() => expected.push(words),
                None => {}
                Some(cap) => match config.overflow {
                    Overflow::Split => expected.extend(words.chunks(cap).map(<[String]>::to_vec)),
                    Overflow::Truncate if !words.is_empty() => expected.push(words[..words.len().min(cap)].to_vec()),
                    Overflow::Truncate => {}
                },
            }
        }
        let got: Vec<Vec<String>> = sentences(&text, &config).unwrap().collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn every_sentence_is_non_empty_and_respects_the_cap(text in text(), config in config()) {
        for sentence in sentences(&text, &config).unwrap() {
            prop_assert!(!sentence.is_empty());
            prop_assert!(sentence.len() <= config.max_words.unwrap_or(usize::MAX));
            prop_assert!(sentence.iter().all(|w| !w.is_empty() && !w.contains(char::is_whitespace)));
        }
    }

    #[test]
    fn streamed_decoding_equals_the_text(text in text(), sizes in sizes()) {
        let expected = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
        let got = Utf8Reader::new(Pieces::new(text.into_bytes(), sizes), Utf8Policy::Strict).read_to_string().unwrap();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn lossy_decoding_matches_the_standard_library(bytes in prop::collection::vec(any::<u8>(), 0..40), sizes in sizes()) {
        let expected = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).into_owned();
        let got = Utf8Reader::new(Pieces::new(bytes, sizes), Utf8Policy::Lossy).read_to_string().unwrap();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn strict_decoding_fails_exactly_where_the_standard_library_does(
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        sizes in sizes(),
    ) {
        let skip = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let got = Utf8Reader::new(Pieces::new(bytes.clone(), sizes), Utf8Policy::Strict).read_to_string();
        match std::str::from_utf8(&bytes[skip..]) {
            Ok(text) => prop_assert_eq!(got.unwrap(), text),
            Err(err) => match got {
                Err(textprep::Error::InvalidUtf8 { offset, .. }) => {
                    prop_assert_eq!(offset, (skip + err.valid_up_to()) as u64);
                }
                other => prop_assert!(false, "expected an error at {}, got {:?}", err.valid_up_to(), other),
            },
        }
    }

    #[test]
    fn streamed_cleaning_equals_in_memory_cleaning(text in text(), sizes in sizes(), newlines in any::<bool>()) {
        let cleaner = Cleaner::new(&CleanConfig { keep_newlines: newlines, ..CleanConfig::keeping(".,!?-") }).unwrap();
        let mut reader = Utf8Reader::new(Pieces::new(text.clone().into_bytes(), sizes), Utf8Policy::Strict);
        prop_assert_eq!(cleaner.clean_reader(&mut reader).unwrap(), cleaner.clean(&text));
    }
}
