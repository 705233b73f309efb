//! From a book to word-id sequences: the sentences of the same cleaning as `w2v` (textprep's
//! `SentenceConfig::default()`), the training / held-out split of the word stream (the tail is held
//! out), the capped vocabulary with `<unk>` (from the training words only: the most frequent ones seen
//! at least `--min-count` times), and the training words cut into contiguous streams read side by side
//! (see [`crate::stateful`]).

use anyhow::{Context, bail};
use embed::lm_vocab::LmVocab;
use ndarray::Array2;
use textprep::{SentenceConfig, SentenceReader};

use crate::cli::TrainArgs;
use crate::stateful::Streams;

/// The fixture story trained on when no `--input` is given.
pub const FIXTURE_STORY: &str = textprep::sample::RUSSIAN_STORY;

/// The prepared data.
pub struct Corpus {
    /// Where the text came from (for messages).
    pub name: String,
    /// All sentences (Word2Vec is trained on the training part of them when no vectors are given:
    /// [`Corpus::training_sentences`]).
    pub sentences: Vec<Vec<String>>,
    /// The vocabulary.
    pub vocab: LmVocab,
    /// The training words as ids.
    pub train_ids: Vec<u32>,
    /// The held-out words as ids.
    pub valid_ids: Vec<u32>,
    /// The training words as `--batch-size` contiguous streams (fewer when the text is too short for
    /// each to hold `--seq-len` targets).
    pub train: Streams,
}

impl Corpus {
    /// The sentences of the training words only: every sentence before the held-out tail, the one the
    /// split crosses cut at it.
    pub fn training_sentences(&self) -> Vec<Vec<String>> {
        let mut kept = self.sentences.clone();
        keep_first_words(&mut kept, self.train_ids.len());
        kept
    }
}

/// The sentence splitting and cleaning of assignment 1 (the same definition `w2v` uses).
pub fn sentence_config() -> SentenceConfig {
    SentenceConfig::default()
}

fn read_sentences(args: &TrainArgs) -> anyhow::Result<(String, Vec<Vec<String>>)> {
    let config = sentence_config();
    match &args.input {
        Some(path) => {
            let name = path.display().to_string();
            let mut out = Vec::new();
            for s in SentenceReader::open(path, &config)? {
                out.push(s?);
            }
            Ok((name, out))
        }
        None => Ok((
            "the fixture story".to_owned(),
            textprep::sentences(FIXTURE_STORY, &config)?.collect(),
        )),
    }
}

/// Keeps the first `limit` words of `sentences` (the sentence that crosses the limit is cut).
fn keep_first_words(sentences: &mut Vec<Vec<String>>, limit: usize) {
    let mut left = limit;
    let mut kept = 0;
    for sentence in sentences.iter_mut() {
        if left == 0 {
            break;
        }
        sentence.truncate(left);
        left -= sentence.len();
        kept += 1;
    }
    sentences.truncate(kept);
}

/// Reads, cleans, splits and encodes the text named by the flags.
pub fn load(args: &TrainArgs) -> anyhow::Result<Corpus> {
    if !(args.valid_fraction > 0.0 && args.valid_fraction < 1.0) {
        return Err(appkit::usage(format!(
            "--valid-fraction must be between 0 and 1 (exclusive), got {}",
            args.valid_fraction
        )));
    }
    if args.vocab_size < 2 {
        return Err(appkit::usage(format!(
            "--vocab-size must be at least 2 (one word and <unk>), got {}",
            args.vocab_size
        )));
    }
    let seq_len = usize::try_from(args.seq_len).context("--seq-len is too large")?;
    let (name, mut sentences) = read_sentences(args)?;
    if let Some(limit) = args.fragment_words {
        keep_first_words(&mut sentences, usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let words: Vec<&str> = sentences.iter().flatten().map(String::as_str).collect();
    let n = words.len();
    if n == 0 {
        bail!("{name}: no words after cleaning (an empty text, or one without letters)");
    }
    let n_valid = ((n as f64) * args.valid_fraction).round() as usize;
    let n_train = n - n_valid;
    if n_valid < seq_len + 1 || n_train < seq_len + 1 {
        bail!(
            "{name}: {n} words after cleaning, {n_train} for training and {n_valid} held out (--valid-fraction {}), \
             but each part needs at least one sequence of --seq-len {seq_len} words plus one; lower --seq-len or \
             give more text",
            args.valid_fraction
        );
    }
    let size = usize::try_from(args.vocab_size).unwrap_or(usize::MAX);
    let vocab = LmVocab::from_sentences([&words[..n_train]], size, args.min_count)
        .with_context(|| format!("{name}: vocabulary"))?;
    let train_ids = vocab.encode(&words[..n_train]);
    let valid_ids = vocab.encode(&words[n_train..]);
    let batch = usize::try_from(args.batch_size).unwrap_or(usize::MAX);
    let streams = batch.min((n_train - 1) / seq_len).max(1);
    let train =
        Streams::new(&train_ids, streams).with_context(|| format!("{name}: training part"))?;
    Ok(Corpus {
        name,
        sentences,
        vocab,
        train_ids,
        valid_ids,
        train,
    })
}

/// Writes the word streams, the embedding matrix and the vocabulary into `dir` (see `--export-data`).
pub fn export(
    corpus: &Corpus,
    embedding: &Array2<f32>,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let arrays = [
        ("train_x.npy", &corpus.train.x),
        ("train_y.npy", &corpus.train.y),
    ];
    for (name, array) in arrays {
        appkit::write_atomic(&dir.join(name), |w| Ok(textprep::write_npy(array, w)?))?;
    }
    let valid = ndarray::Array1::from(corpus.valid_ids.clone());
    appkit::write_atomic(&dir.join("valid_ids.npy"), |w| {
        Ok(textprep::write_npy(&valid, w)?)
    })?;
    appkit::write_atomic(&dir.join("embedding.npy"), |w| {
        Ok(textprep::write_npy(embedding, w)?)
    })?;
    appkit::write_json_atomic(&dir.join("vocab.json"), corpus.vocab.words())
}

#[cfg(test)]
mod tests {
    use super::{keep_first_words, load};
    use crate::cli::TrainArgs;
    use clap::Parser;

    /// Word2Vec trained here gets exactly the training words, in order: the held-out tail, the
    /// sentence it starts in included, is left out.
    #[test]
    fn the_training_sentences_stop_where_the_held_out_words_start() {
        let args = TrainArgs::try_parse_from(["train", "--valid-fraction", "0.3"]).unwrap();
        let corpus = load(&args).unwrap();
        let all: Vec<&String> = corpus.sentences.iter().flatten().collect();
        let kept = corpus.training_sentences();
        let train: Vec<&String> = kept.iter().flatten().collect();
        assert_eq!(train.len(), corpus.train_ids.len());
        assert_eq!(train.len() + corpus.valid_ids.len(), all.len());
        assert_eq!(train[..], all[..train.len()]);
    }

    #[test]
    fn a_fragment_keeps_exactly_the_first_words() {
        let words = |s: &[&str]| s.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let book = vec![words(&["a", "b"]), words(&["c", "d", "e"]), words(&["f"])];
        for (limit, expected) in [
            (1, vec![words(&["a"])]),
            (2, vec![words(&["a", "b"])]),
            (4, vec![words(&["a", "b"]), words(&["c", "d"])]),
            (6, book.clone()),
            (100, book.clone()),
        ] {
            let mut s = book.clone();
            keep_first_words(&mut s, limit);
            assert_eq!(s, expected, "limit {limit}");
        }
    }
}
