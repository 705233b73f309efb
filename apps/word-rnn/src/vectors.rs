//! The Word2Vec vectors: read from `--vectors` (dimension checked against `--dim`), or trained here
//! through `embed` on the same sentences, then laid out as the embedding matrix of the vocabulary.

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

/// Loads `--vectors` or trains Word2Vec on `corpus`'s sentences.
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
                threads: args.threads as usize,
                seed: args.seed,
                ..defaults
            };
            params.validate()?;
            let vocab = Vocab::from_sentences(&corpus.sentences, 1, None)?;
            let w2v_corpus = Corpus::encode(&vocab, &corpus.sentences, MAX_TRAINING_SENTENCE);
            let (vectors, stats) =
                embed::train(&vocab, &w2v_corpus, &params, None).context("training Word2Vec")?;
            Ok(Vectors {
                origin: format!(
                    "Word2Vec trained here: CBOW, dim {}, window {}, {} epochs, min_count 1, {} words, {:.1} s",
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
