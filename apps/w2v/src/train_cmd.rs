//! `w2v train`: clean and split the book (textprep), count the vocabulary, train, report, save.

use std::io::Write;

use anyhow::{Context, Result};
use embed::{
    Architecture, Corpus, FileCorpus, KeyedVectors, SentenceConfig, Source, VectorFormat, Vocab,
    Word2VecParams,
};

use crate::cli::TrainArgs;
use crate::progress;

/// The fixture story trained on when no `--input` is given (so `w2v` alone works from any directory).
const FIXTURE_STORY: &str = textprep::sample::RUSSIAN_STORY;
/// Sentences longer than this many in-vocabulary words are split for training (gensim truncates at 10,000).
const MAX_TRAINING_SENTENCE: usize = 10_000;

pub fn run(args: &TrainArgs) -> Result<()> {
    let params = params(args)?;
    let config = SentenceConfig {
        max_words: args.max_sentence_len.map(|n| n as usize),
        ..SentenceConfig::default()
    };
    let source = args
        .input
        .as_ref()
        .map_or("the fixture story".to_string(), |p| p.display().to_string());

    let (vocab, loaded) = load_corpus(args, &config)
        .map_err(flag_error)
        .with_context(|| format!("cannot build a corpus from {source}"))?;
    println!(
        "corpus {source}: {} sentences, {} tokens, vocabulary {} (min_count {}{})",
        vocab.sentences(),
        vocab.raw_words(),
        vocab.len(),
        args.min_count,
        args.max_vocab
            .map_or(String::new(), |m| format!(", max_vocab {m}")),
    );
    println!(
        "training {}: dim {}, window {}, negative {}, sample {}, epochs {}, alpha {} -> {}, {} thread(s), seed {}",
        match params.architecture {
            Architecture::SkipGram => "skip-gram",
            Architecture::Cbow => "CBOW",
        },
        params.dim,
        params.window,
        params.negative,
        params.sample,
        params.epochs,
        params.alpha,
        params.min_alpha,
        params.threads,
        params.seed,
    );

    let corpus = loaded.source();
    let bar = progress::training_bar(corpus.words() * params.epochs as u64, args.quiet);
    let report = |p: &embed::Progress| progress::update(&bar, p);
    let cpu_before = appkit::cpu::process_cpu_seconds();
    let (vectors, stats) = embed::train_with(&vocab, corpus, &params, Some(&report), args.sharing)
        .context("training failed")?;
    let train_cpu_seconds = appkit::cpu::process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    bar.finish_and_clear();
    println!(
        "trained in {:.3} s: {:.0} words/s ({} raw words × {} epochs), {} thread(s)",
        stats.seconds,
        stats.words_per_sec,
        corpus.raw_words(),
        params.epochs,
        stats.threads
    );

    // Every query is answered before any file is written: an unknown query word leaves no output behind.
    let queries = if args.query.is_empty() {
        default_queries(&vectors)
    } else {
        args.query.clone()
    };
    let mut answers = Vec::with_capacity(queries.len());
    for word in &queries {
        answers.push((
            word,
            vectors.most_similar(&[word.as_str()], &[], args.topn)?,
        ));
    }

    if let Some(out) = &args.out {
        let format = if args.text {
            VectorFormat::Text
        } else {
            VectorFormat::Binary
        };
        appkit::write_atomic(out, |w| Ok(embed::write_word2vec(&vectors, format, w)?))?;
        println!(
            "saved {} ({} word2vec, {} × {})",
            out.display(),
            if args.text { "text" } else { "binary" },
            vectors.len(),
            vectors.dim()
        );
    }
    if let Some(path) = &args.metrics_json {
        let metrics = serde_json::json!({
            "sentences": vocab.sentences(),
            "tokens": vocab.raw_words(),
            "vocab_size": vocab.len(),
            "train_seconds": stats.seconds,
            "train_cpu_seconds": train_cpu_seconds,
            "words_per_sec": stats.words_per_sec,
            "threads": stats.threads,
            "seed": params.seed,
            "architecture": if params.architecture == Architecture::SkipGram { "skip-gram" } else { "cbow" },
            "dim": params.dim,
            "window": params.window,
            "negative": params.negative,
            "sample": params.sample,
            "epochs": params.epochs,
            "min_count": args.min_count,
            "raw_words_trained": stats.raw_words_trained,
            "effective_words": stats.effective_words,
        });
        appkit::write_json_atomic(path, &metrics)?;
    }
    for (word, neighbours) in answers {
        println!("most_similar('{word}', topn={}):", args.topn);
        println!("{}", embed::format_neighbours(&neighbours));
    }
    Ok(())
}

fn params(args: &TrainArgs) -> Result<Word2VecParams> {
    let defaults = Word2VecParams::default();
    let params = Word2VecParams {
        architecture: if args.sg {
            Architecture::SkipGram
        } else {
            Architecture::Cbow
        },
        dim: args.dim as usize,
        window: args.window as usize,
        negative: args.negative as usize,
        sample: args.sample,
        epochs: args.epochs as usize,
        alpha: args.alpha,
        min_alpha: args.min_alpha,
        threads: args.threads.map_or(defaults.threads, |t| t as usize),
        seed: args.seed,
        ..defaults
    };
    params
        .validate()
        .map_err(|e| appkit::usage(e.to_string()))?;
    Ok(params)
}

/// A parameter `embed` rejects came from a flag here, so it is a usage error (exit 2).
fn flag_error(err: anyhow::Error) -> anyhow::Error {
    match err.downcast_ref::<embed::Error>() {
        Some(embed::Error::InvalidParam { .. }) => appkit::usage(err.to_string()),
        _ => err,
    }
}

/// What training reads: `--input` streamed from its file every epoch (memory grows with the vocabulary, not the
/// file), or the bundled story held in memory.
enum Loaded {
    File(FileCorpus),
    Story(Corpus),
}

impl Loaded {
    fn source(&self) -> Source<'_> {
        match self {
            Loaded::File(file) => file.into(),
            Loaded::Story(corpus) => corpus.into(),
        }
    }
}

/// The vocabulary (one streaming pass over `--input`) and the corpus training reads.
fn load_corpus(args: &TrainArgs, config: &SentenceConfig) -> Result<(Vocab, Loaded)> {
    if let Some(dump) = &args.dump_sentences {
        appkit::write_atomic(dump, |w| dump_sentences(args, config, w))?;
    }
    match &args.input {
        Some(path) => {
            let (vocab, corpus) = FileCorpus::scan(
                path,
                config,
                args.min_count,
                args.max_vocab,
                MAX_TRAINING_SENTENCE,
            )?;
            let corpus = match args.cache_mb {
                Some(mb) => {
                    corpus.with_cache_limit(usize::try_from(mb << 20).unwrap_or(usize::MAX))
                }
                None => corpus,
            };
            Ok((vocab, Loaded::File(corpus)))
        }
        None => {
            let sentences: Vec<Vec<String>> = textprep::sentences(FIXTURE_STORY, config)?.collect();
            let vocab = Vocab::from_sentences(&sentences, args.min_count, args.max_vocab)?;
            let corpus = Corpus::encode(&vocab, &sentences, MAX_TRAINING_SENTENCE);
            Ok((vocab, Loaded::Story(corpus)))
        }
    }
}

fn dump_sentences(args: &TrainArgs, config: &SentenceConfig, out: &mut dyn Write) -> Result<()> {
    let mut write = |sentence: Vec<String>| -> Result<()> {
        writeln!(out, "{}", sentence.join(" "))?;
        Ok(())
    };
    match &args.input {
        Some(path) => {
            for sentence in textprep::SentenceReader::open(path, config)? {
                write(sentence?)?;
            }
        }
        None => {
            for sentence in textprep::sentences(FIXTURE_STORY, config)? {
                write(sentence)?;
            }
        }
    }
    Ok(())
}

/// The five most frequent words of at least four letters (short words are mostly function words).
fn default_queries(vectors: &KeyedVectors) -> Vec<String> {
    let picked: Vec<String> = vectors
        .words()
        .iter()
        .filter(|w| w.chars().count() >= 4)
        .take(5)
        .cloned()
        .collect();
    if picked.is_empty() {
        vectors.words().iter().take(5).cloned().collect()
    } else {
        picked
    }
}
