//! Text handling on arbitrary bytes: UTF-8 decoding (strict and lossy, streamed in chunks), cleaning, sentence
//! splitting, the alphabet, and CountVectorizer tokenizing (word, char and char_wb n-grams). The first byte
//! picks the options; the rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use textprep::{
    Alphabet, Analyzer, CleanConfig, Cleaner, CountVectorizer, CountVectorizerConfig,
    SentenceConfig, SentenceReader, Utf8Policy, Utf8Reader,
};

fuzz_target!(|data: &[u8]| {
    let Some((&options, bytes)) = data.split_first() else {
        return;
    };
    let policy = if options & 1 == 0 {
        Utf8Policy::Strict
    } else {
        Utf8Policy::Lossy
    };
    let Ok(text) = Utf8Reader::new(bytes, policy).read_to_string() else {
        return;
    };
    let clean = CleanConfig {
        lowercase: options & 2 == 0,
        extra: if options & 4 == 0 { String::new() } else { ".,!?-'ё".to_owned() },
        keep_newlines: options & 8 != 0,
    };
    if let Ok(cleaner) = Cleaner::new(&clean) {
        let cleaned = cleaner.clean(&text);
        let _ = Alphabet::from_text(&cleaned);
    }
    let sentence_config = SentenceConfig {
        max_words: if options & 16 == 0 { None } else { Some(3) },
        utf8: policy,
        ..SentenceConfig::default()
    };
    if let Ok(reader) = SentenceReader::new(bytes, &sentence_config) {
        for sentence in reader {
            if sentence.is_err() {
                break;
            }
        }
    }
    let analyzer = match (options >> 5) % 3 {
        0 => Analyzer::Word,
        1 => Analyzer::Char,
        _ => Analyzer::CharWb,
    };
    let docs: Vec<&str> = text.lines().collect();
    let config = CountVectorizerConfig {
        analyzer,
        ngram_range: (1, 1 + usize::from(options >> 7)),
        lowercase: options & 2 == 0,
        ..CountVectorizerConfig::default()
    };
    if let Ok(mut vectorizer) = CountVectorizer::new(config) {
        let _ = vectorizer.fit_transform(&docs);
    }
});
