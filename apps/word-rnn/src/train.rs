//! `word-rnn train`: prepare the word sequences, obtain the Word2Vec vectors, build the network
//! (Embedding from the vectors → recurrent layers → Dense over the vocabulary), train epoch by epoch,
//! keep the best epoch by held-out perplexity, compare with the n-gram baselines, write metrics and plot.

use std::time::Instant;

use anyhow::{Context, bail};
use ndarray::Array2;
use nn::layers::{RecurrentConfig, dense, embedding, gru, lstm, simple_rnn};
use nn::lm_metrics::perplexity;
use nn::sampling::Sampler;
use nn::seq_train::{BestWeights, SeqTrainConfig, SeqTrainer, evaluate};
use nn::{Adam, Flavor, Sequential};
use serde_json::json;
use textprep::ngram_lm::{KneserNeyBigram, UnigramLm};

use crate::cli::{CellKind, TrainArgs};
use crate::data::{self, Corpus};
use crate::{bundle, generate, vectors};

/// The name of the embedding layer (its table is `embedding/embeddings`).
const EMBEDDING: &str = "embedding";

/// One epoch's figures.
struct EpochRow {
    epoch: usize,
    loss: f64,
    valid_perplexity: f64,
    words_per_sec: f64,
    seconds: f64,
}

fn check_flags(args: &TrainArgs) -> anyhow::Result<()> {
    if !(0.0..1.0).contains(&args.dropout) {
        bail!("--dropout must be in [0, 1), got {}", args.dropout);
    }
    if !(args.lr.is_finite() && args.lr > 0.0) {
        bail!("--lr must be a positive number, got {}", args.lr);
    }
    if !(args.clip.is_finite() && args.clip >= 0.0) {
        bail!(
            "--clip must be a non-negative number (0: off), got {}",
            args.clip
        );
    }
    Ok(())
}

fn layer(cell: CellKind, units: usize) -> RecurrentConfig {
    match cell {
        CellKind::Lstm => lstm(units),
        CellKind::Gru => gru(units),
        CellKind::Rnn => simple_rnn(units),
    }
}

/// Embedding (the Word2Vec matrix, frozen unless fine-tuned) → `layers` recurrent layers → Dense logits.
fn build_model(args: &TrainArgs, matrix: Array2<f32>) -> anyhow::Result<Sequential> {
    let (vocab, dim) = matrix.dim();
    let units = usize::try_from(args.units).context("--units is too large")?;
    let mut model = Sequential::new(&[args.seq_len as usize], args.seed);
    model.add(
        embedding(vocab, dim)
            .trainable(args.fine_tune)
            .name(EMBEDDING),
    )?;
    model.set_weight(&format!("{EMBEDDING}/embeddings"), matrix.into_dyn())?;
    for _ in 0..args.layers {
        model.add(layer(args.cell, units).return_sequences(true))?;
    }
    model.add(dense(vocab))?;
    Ok(model)
}

/// Perplexities of the unigram (add-one) and Kneser-Ney bigram models on exactly the held-out targets
/// the network is scored on (`valid_ids[1..=m]`, `m` = sequences × length).
fn baselines(corpus: &Corpus) -> anyhow::Result<(f64, f64)> {
    let v = corpus.vocab.len();
    let m = corpus.valid.x.len();
    let targets = &corpus.valid_ids[1..=m];
    let unigram = UnigramLm::fit(&corpus.train_ids, v, 1.0)?.perplexity(targets)?;
    let bigram = KneserNeyBigram::fit(&corpus.train_ids, v, 0.75)?
        .perplexity(targets, Some(corpus.valid_ids[0]))?;
    Ok((unigram, bigram))
}

fn sample(
    model: &Sequential,
    corpus: &Corpus,
    prime: &[u32],
    len: usize,
    seed: u64,
) -> anyhow::Result<String> {
    let sampler = Sampler {
        temperature: 0.8,
        top_k: None,
    };
    let words = generate::words(model, &corpus.vocab, prime, len, &sampler, false, seed)?;
    let prime: Vec<&str> = prime.iter().filter_map(|&t| corpus.vocab.word(t)).collect();
    Ok(format!("{} | {}", prime.join(" "), words.join(" ")))
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    check_flags(args)?;
    let corpus = data::load(args)?;
    let vectors = vectors::obtain(args, &corpus)?;
    let (matrix, matched) = vectors::embedding_matrix(&corpus, &vectors)?;
    let vocab = corpus.vocab.len();
    let dim = matrix.ncols();
    if let Some(dir) = &args.export_data {
        data::export(&corpus, &matrix, dir)?;
    }
    let mut model = build_model(args, matrix)?;
    let threads = args.threads as usize;
    let batch_size = args.batch_size as usize;
    let (unigram_pp, bigram_pp) = baselines(&corpus)?;

    println!(
        "input: {}: {} sentences, {} words ({} for training, {} held out)",
        corpus.name,
        corpus.sentences.len(),
        corpus.train_ids.len() + corpus.valid_ids.len(),
        corpus.train_ids.len(),
        corpus.valid_ids.len()
    );
    let unk = corpus.vocab.unk();
    let unk_share = corpus.train_ids.iter().filter(|&&t| t == unk).count() as f64
        / corpus.train_ids.len() as f64;
    println!(
        "vocabulary: {vocab} ({} words + <unk>; <unk> is {:.1}% of the training words); vectors: {}; {matched} of \
         the words have a vector (the rest and <unk> start at their mean)",
        vocab - 1,
        100.0 * unk_share,
        vectors.origin
    );
    println!(
        "sequences of {} words: {} for training, {} held out",
        args.seq_len,
        corpus.train.len(),
        corpus.valid.len()
    );
    let (weights, trainable) = model.params().count();
    println!(
        "model: Embedding({vocab}, {dim}, {}) + {} × {} {:?} + Dense({vocab}); {weights} weights, {trainable} trained; \
         batch {batch_size}, Adam lr {}, {threads} thread(s)",
        if args.fine_tune {
            "fine-tuned"
        } else {
            "frozen"
        },
        args.layers,
        args.units,
        args.cell,
        args.lr
    );
    println!(
        "baselines on the held-out words: unigram perplexity {unigram_pp:.1}, Kneser-Ney bigram perplexity {bigram_pp:.1}"
    );

    let cfg = SeqTrainConfig {
        batch_size,
        clip_norm: (args.clip > 0.0).then_some(args.clip),
        dropout: args.dropout,
        threads,
        shuffle: true,
        seed: args.seed,
        progress: true,
    };
    let adam = Adam::new(args.lr, 0.9, 0.999, 1e-8, Flavor::PyTorch);
    let mut trainer = SeqTrainer::new(cfg, Box::new(adam))?;
    let mut best = BestWeights::new();
    let prime = &corpus.valid_ids[..corpus.valid_ids.len().min(3)];
    let training = json!({
        "input": corpus.name, "vectors": vectors.origin, "vocab_size": vocab, "min_count": args.min_count, "dim": dim, "seq_len": args.seq_len,
        "fine_tune": args.fine_tune, "cell": format!("{:?}", args.cell).to_lowercase(), "units": args.units,
        "layers": args.layers, "dropout": args.dropout, "batch_size": args.batch_size, "epochs": args.epochs,
        "lr": args.lr, "clip": args.clip, "valid_fraction": args.valid_fraction, "threads": args.threads,
        "seed": args.seed,
    });

    let mut history = Vec::new();
    let started = Instant::now();
    for _ in 0..args.epochs {
        let stats =
            trainer.train_epoch(&mut model, corpus.train.x.view(), corpus.train.y.view())?;
        let valid_nats = evaluate(
            &model,
            corpus.valid.x.view(),
            corpus.valid.y.view(),
            batch_size,
            threads,
        )?;
        let row = EpochRow {
            epoch: stats.epoch,
            loss: stats.loss,
            valid_perplexity: perplexity(valid_nats),
            words_per_sec: stats.tokens_per_second(),
            seconds: stats.seconds,
        };
        let improved = best.observe(row.epoch, row.valid_perplexity, &model);
        if improved {
            bundle::save(
                &args.out,
                &model,
                &corpus.vocab,
                &training,
                row.epoch,
                row.valid_perplexity,
            )?;
        }
        println!(
            "epoch {}/{}: loss {:.4} (perplexity {:.1}), held-out perplexity {:.1}{}, {:.0} words/s, {:.1}s",
            row.epoch,
            args.epochs,
            row.loss,
            perplexity(row.loss),
            row.valid_perplexity,
            if improved { " (best, saved)" } else { "" },
            row.words_per_sec,
            row.seconds
        );
        if args.sample_len > 0 {
            let text = sample(
                &model,
                &corpus,
                prime,
                args.sample_len,
                args.seed.wrapping_add(row.epoch as u64),
            )?;
            println!("  sample: {text}");
        }
        history.push(row);
    }
    let total_seconds = started.elapsed().as_secs_f64();
    let train_seconds: f64 = history.iter().map(|r| r.seconds).sum();
    let (best_pp, best_epoch) = best.best().unwrap_or((f64::NAN, 0));
    best.restore(&mut model);
    println!(
        "best held-out perplexity {best_pp:.1} at epoch {best_epoch} (unigram {unigram_pp:.1}, Kneser-Ney bigram \
         {bigram_pp:.1}); model saved in {}",
        args.out.display()
    );
    if args.sample_len > 0 {
        println!(
            "sample: {}",
            sample(&model, &corpus, prime, 2 * args.sample_len, args.seed)?
        );
    }

    if let Some(path) = &args.loss_plot {
        let train: Vec<f64> = history.iter().map(|r| perplexity(r.loss)).collect();
        let valid: Vec<f64> = history.iter().map(|r| r.valid_perplexity).collect();
        let mut chart = appkit::plot::loss_curves("word-rnn: perplexity", &train, Some(&valid));
        chart.y_label = "perplexity".into();
        let last = history.len() as f64;
        for (name, value) in [("unigram", unigram_pp), ("Kneser-Ney bigram", bigram_pp)] {
            chart.series.push(appkit::plot::Series::line(
                name,
                vec![(1.0, value), (last, value)],
            ));
        }
        appkit::plot::Figure::single(chart).write_svg(path)?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &args.metrics_json {
        let metrics = json!({
            "seed": args.seed,
            "vocab_size": vocab,
            "dim": dim,
            "train_words": corpus.train_ids.len(),
            "valid_words": corpus.valid_ids.len(),
            "train_sequences": corpus.train.len(),
            "valid_sequences": corpus.valid.len(),
            "words_with_vectors": matched,
            "threads": args.threads,
            "history": history.iter().map(|r| json!({
                "epoch": r.epoch, "loss": r.loss, "valid_perplexity": r.valid_perplexity,
                "words_per_sec": r.words_per_sec, "seconds": r.seconds,
            })).collect::<Vec<_>>(),
            "best_epoch": best_epoch,
            "best_valid_perplexity": best_pp,
            "unigram_perplexity": unigram_pp,
            "bigram_perplexity": bigram_pp,
            "train_seconds": train_seconds,
            "total_seconds": total_seconds,
            "training": training,
        });
        appkit::write_json_atomic(path, &metrics)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
