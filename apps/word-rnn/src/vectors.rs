//! The Word2Vec vectors: read from `--vectors` (dimension checked against `--dim`), or trained here
//! through `embed` on the training part of the same sentences, then laid out as the embedding matrix of
//! the vocabulary.

use anyhow::{Context, bail};
use embed::{Corpus, KeyedVectors, Vocab, Word2VecParams};
use ndarray::Array2;

use crate::cli::TrainArgs;
use crate::data;

/// Sentences longer than this many words are split for Word2Vec (gensim truncates at 10,000).
const MAX_TRAINING_SENTENCE: usize = 10_000;

/// The vectors and where they came from.
pub struct Vectors {
    /// The vectors.
    pub vectors: KeyedVectors,
    /// A description for the log.
    pub origin: String,
}

/// Loads `--vectors` or trains Word2Vec on `corpus`'s training sentences (`--w2v-epochs` passes).
pub fn obtain(args: &TrainArgs, corpus: &data::Corpus) -> anyhow::Result<Vectors> {
    match &args.vectors {
        Some(path) => {
            let vectors = embed::load_word2vec(path)
                .with_context(|| format!("{}: cannot read the Word2Vec vectors", path.display()))?;
            if let Some(dim) = args.dim {
                if vectors.dim() as u64 != dim {
                    bail!(
                        "{}: the vectors have dimension {} but --dim is {dim}; drop --dim or give vectors of that \
                         width (the embedding width is the vectors' dimension; --units {} is the recurrent width \
                         and may differ)",
                        path.display(),
                        vectors.dim(),
                        args.units
                    );
                }
            }
            Ok(Vectors {
                origin: format!(
                    "{} ({} words × {})",
                    path.display(),
                    vectors.len(),
                    vectors.dim()
                ),
                vectors,
            })
        }
        None => {
            let defaults = Word2VecParams::default();
            let params = Word2VecParams {
                dim: args.dim.map_or(defaults.dim, |d| d as usize),
                epochs: usize::try_from(args.w2v_epochs).context("--w2v-epochs is too large")?,
                threads: args.threads as usize,
                seed: args.seed,
                ..defaults
            };
            params.validate()?;
            let sentences = corpus.training_sentences();
            let vocab = Vocab::from_sentences(&sentences, 1, None)?;
            let w2v_corpus = Corpus::encode(&vocab, &sentences, MAX_TRAINING_SENTENCE);
            let (vectors, stats) =
                embed::train(&vocab, &w2v_corpus, &params, None).context("training Word2Vec")?;
            Ok(Vectors {
                origin: format!(
                    "Word2Vec trained here on the training words: CBOW, dim {}, window {}, {} epochs, min_count 1, {} \
                     words, {:.1} s",
                    params.dim,
                    params.window,
                    params.epochs,
                    vectors.len(),
                    stats.seconds
                ),
                vectors,
            })
        }
    }
}

/// The `(vocab, dim)` embedding matrix and how many vocabulary words had a vector.
pub fn embedding_matrix(
    corpus: &data::Corpus,
    vectors: &Vectors,
) -> anyhow::Result<(Array2<f32>, usize)> {
    let (flat, matched) = corpus
        .vocab
        .embedding_matrix(&vectors.vectors)
        .with_context(|| format!("{}: vectors {}", corpus.name, vectors.origin))?;
    let matrix = Array2::from_shape_vec((corpus.vocab.len(), vectors.vectors.dim()), flat)?;
    Ok((matrix, matched))
}

#[cfg(test)]
mod tests {
    use super::obtain;
    use crate::cli::TrainArgs;
    use crate::data::load;
    use clap::Parser;
    use std::collections::HashSet;

    /// Without --vectors, Word2Vec learns every training word and no word seen only in the held-out
    /// tail (which the fixture has), with the asked number of passes.
    #[test]
    fn word2vec_trained_here_never_sees_the_held_out_words() {
        let flags = ["train", "--valid-fraction", "0.3", "--w2v-epochs", "2"];
        let args = TrainArgs::try_parse_from(flags).unwrap();
        let corpus = load(&args).unwrap();
        let training: HashSet<&String> = corpus
            .sentences
            .iter()
            .flatten()
            .take(corpus.train_ids.len())
            .collect();
        let held_out_only = corpus
            .sentences
            .iter()
            .flatten()
            .skip(corpus.train_ids.len())
            .filter(|w| !training.contains(w))
            .count();
        assert!(
            held_out_only > 0,
            "the fixture's held-out tail has words of its own"
        );
        let vectors = obtain(&args, &corpus).unwrap();
        let learnt: HashSet<&String> = vectors.vectors.words().iter().collect();
        assert_eq!(learnt, training);
        assert!(vectors.origin.contains("2 epochs"), "{}", vectors.origin);
    }
}
