//! From a text file to a vocabulary and an id corpus, streaming: textprep cleans and splits the file into
//! sentences of words (the lesson's cleaning), one pass counts the vocabulary, a second pass encodes the ids.
//! Neither pass holds the text: memory is the word counts, then 4 bytes per in-vocabulary token.

use std::path::Path;

use textprep::{SentenceConfig, SentenceReader};

use crate::corpus::Corpus;
use crate::error::Result;
use crate::vocab::{Vocab, VocabBuilder};

/// Counts the words of a text file in one streaming pass and builds the vocabulary.
///
/// # Errors
/// textprep's errors (file cannot be opened, invalid UTF-8 with the byte offset) as [`crate::Error::Text`];
/// [`crate::Error::EmptyCorpus`] for a file without words; [`crate::Error::EmptyVocabulary`] if `min_count`
/// removes everything.
pub fn scan_file(
    path: &Path,
    config: &SentenceConfig,
    min_count: u64,
    max_vocab: Option<usize>,
) -> Result<Vocab> {
    let mut builder = VocabBuilder::new();
    for sentence in SentenceReader::open(path, config)? {
        builder.add_sentence(sentence?);
    }
    builder.build(min_count, max_vocab)
}

/// Streams a text file again and encodes its sentences with `vocab` (see [`Corpus`]).
///
/// # Errors
/// As [`scan_file`] for reading.
pub fn encode_file(
    path: &Path,
    config: &SentenceConfig,
    vocab: &Vocab,
    max_sentence_len: usize,
) -> Result<Corpus> {
    let mut corpus = Corpus::default();
    for sentence in SentenceReader::open(path, config)? {
        corpus.push_sentence(vocab, sentence?, max_sentence_len);
    }
    Ok(corpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_passes_agree_with_in_memory_sentences() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, "\u{feff}Кот сидел. Кот, пёс!\nПёс — и КОТ?").unwrap();
        let config = SentenceConfig::default();
        let vocab = scan_file(&path, &config, 1, None).unwrap();
        assert_eq!(vocab.words(), &["кот", "пёс", "и", "сидел"]);
        assert_eq!((vocab.raw_words(), vocab.sentences()), (7, 3));
        let corpus = encode_file(&path, &config, &vocab, 10_000).unwrap();
        assert_eq!(corpus.sentences(), 3);
        assert_eq!(corpus.sentence(2), &[1, 2, 0]);
        let missing = scan_file(&dir.path().join("nope.txt"), &config, 1, None)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("nope.txt"), "{missing}");
        std::fs::write(&path, "123 ... !!!").unwrap();
        assert!(matches!(
            scan_file(&path, &config, 1, None),
            Err(crate::Error::EmptyCorpus)
        ));
    }
}
