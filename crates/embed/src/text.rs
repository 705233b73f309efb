//! From a text file to a vocabulary and a training corpus, streaming: textprep cleans and splits the file into
//! sentences of words (the lesson's cleaning) and one pass counts the vocabulary. Training then either re-reads
//! the file every epoch ([`FileCorpus`], memory: the vocabulary plus one block of ids per thread, or a bounded
//! cache) or replays ids encoded once ([`encode_file`], 4 bytes per in-vocabulary token). No pass holds the text.

use std::path::{Path, PathBuf};

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

/// A corpus that training streams from its text file once per epoch, as gensim re-iterates a `LineSentence`:
/// memory grows with the vocabulary, not with the file. Made by [`FileCorpus::scan`], which also counts the
/// vocabulary in one streaming pass; pass it to [`crate::train`] with that vocabulary.
///
/// A file whose ids fit in [`FileCorpus::cache_limit`] bytes (4 per in-vocabulary token, 8 per sentence) is read
/// twice in all (the vocabulary pass and the first epoch, which keeps its ids); later epochs replay the kept ids.
/// A larger file is read every epoch. Either way training runs the same loop over the same blocks of sentences.
#[derive(Debug, Clone)]
pub struct FileCorpus {
    path: PathBuf,
    config: SentenceConfig,
    max_sentence_len: usize,
    raw_words: u64,
    words: u64,
    sentences: u64,
    cache_limit: usize,
}

impl FileCorpus {
    /// The default [`FileCorpus::cache_limit`]: 64 MiB, about 16 million tokens (the novel the lesson trains on
    /// has 170 thousand).
    pub const DEFAULT_CACHE_LIMIT: usize = 64 << 20;

    /// Counts the vocabulary of `path` in one streaming pass (as [`scan_file`]) and returns it with the corpus
    /// that training re-reads. Sentences longer than `max_sentence_len` in-vocabulary words are split for
    /// training (as [`Corpus::push_sentence`]).
    ///
    /// # Errors
    /// As [`scan_file`].
    pub fn scan(
        path: &Path,
        config: &SentenceConfig,
        min_count: u64,
        max_vocab: Option<usize>,
        max_sentence_len: usize,
    ) -> Result<(Vocab, Self)> {
        let vocab = scan_file(path, config, min_count, max_vocab)?;
        let corpus = Self {
            path: path.to_path_buf(),
            config: config.clone(),
            max_sentence_len,
            raw_words: vocab.raw_words(),
            words: vocab.retained_words(),
            sentences: vocab.sentences(),
            cache_limit: Self::DEFAULT_CACHE_LIMIT,
        };
        Ok((vocab, corpus))
    }

    /// Keeps the first epoch's ids for the later epochs only if they fit in `bytes` (0: always re-read the file).
    #[must_use]
    pub fn with_cache_limit(mut self, bytes: usize) -> Self {
        self.cache_limit = bytes;
        self
    }

    /// The cache limit in bytes (see the type's documentation).
    pub fn cache_limit(&self) -> usize {
        self.cache_limit
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// All tokens of the file (the vocabulary pass's count), in-vocabulary or not.
    pub fn raw_words(&self) -> u64 {
        self.raw_words
    }

    /// In-vocabulary tokens of one pass (the learning-rate schedule's length of an epoch).
    pub fn words(&self) -> u64 {
        self.words
    }

    /// Sentences of the file as the vocabulary pass counted them.
    pub fn sentences(&self) -> u64 {
        self.sentences
    }

    /// Opens one pass over the file.
    pub(crate) fn open_pass(&self) -> Result<FilePass<'_>> {
        Ok(FilePass {
            corpus: self,
            reader: SentenceReader::open(&self.path, &self.config)?,
            raw_words: 0,
            pending: Corpus::default(),
            pending_next: 0,
        })
    }
}

/// One pass over a [`FileCorpus`]'s file.
pub(crate) struct FilePass<'c> {
    corpus: &'c FileCorpus,
    reader: SentenceReader<std::io::BufReader<std::fs::File>>,
    raw_words: u64,
    /// The pieces of the last sentence read (a long one is split) not yet dealt, from `pending_next` on: blocks
    /// end between pieces exactly where blocks of the same ids in memory would.
    pending: Corpus,
    pending_next: usize,
}

impl FilePass<'_> {
    /// Encodes sentences into `block` until it holds at least `min_words` ids or the file ends; returns `false` at
    /// the end of the file, having checked that this pass read as many tokens as the vocabulary pass.
    ///
    /// # Errors
    /// textprep's reading errors; [`crate::Error::Format`] naming the file if it changed since the vocabulary pass
    /// (another token count).
    pub(crate) fn fill(
        &mut self,
        block: &mut Corpus,
        min_words: usize,
        vocab: &Vocab,
    ) -> Result<bool> {
        loop {
            self.pending_next = block.copy_sentences(&self.pending, self.pending_next, min_words);
            if block.words() >= min_words {
                return Ok(true);
            }
            self.pending.clear();
            self.pending_next = 0;
            let Some(sentence) = self.reader.next() else {
                if self.raw_words != self.corpus.raw_words {
                    return Err(crate::Error::format(
                        self.corpus.path.display().to_string(),
                        format!(
                            "the file changed during training: this pass read {} words, the vocabulary pass {}",
                            self.raw_words, self.corpus.raw_words
                        ),
                    ));
                }
                return Ok(false);
            };
            let sentence = sentence?;
            self.raw_words += sentence.len() as u64;
            self.pending
                .push_sentence(vocab, sentence, self.corpus.max_sentence_len);
        }
    }
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
