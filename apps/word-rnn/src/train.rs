//! `word-rnn train`: prepare the word streams, obtain the Word2Vec vectors, build the network
//! (Embedding from the vectors → recurrent layers → Dense over the vocabulary), train epoch by epoch with
//! the state carried along the text ([`crate::stateful`]), lower the learning rate when the held-out
//! perplexity stops improving, keep the best epoch, compare with the n-gram baselines, write metrics and plot.

use std::time::Instant;

use anyhow::Context;
use ndarray::Array2;
use nn::layers::{RecurrentConfig, dense, embedding, gru, lstm, simple_rnn, tied_dense};
use nn::lm_metrics::perplexity;
use nn::sampling::Sampler;
use nn::seq_train::{self, BestWeights};
use nn::{Adam, Flavor, Sequential};
use serde_json::json;
use textprep::ngram_lm::{KneserNeyBigram, UnigramLm};

use crate::cli::{CellKind, DropoutMask, TrainArgs};
use crate::data::{self, Corpus};
use crate::resume;
use crate::stateful::{Dropout, StreamConfig, StreamTrainer, evaluate};
use crate::{bundle, generate, vectors};

/// The name of the embedding layer (its table is `embedding/embeddings`).
const EMBEDDING: &str = "embedding";

/// One epoch's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRow {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training cross-entropy (nats per word).
    pub loss: f64,
    /// Held-out perplexity.
    pub valid_perplexity: f64,
    /// Training speed.
    pub words_per_sec: f64,
    /// Seconds the epoch's training took.
    pub seconds: f64,
    /// CPU seconds (user + system, all threads) the epoch's training took, when the system tells it.
    pub cpu_seconds: Option<f64>,
    /// The learning rate of the epoch.
    pub lr: f64,
}

/// What a training run found: the data, the vectors, the network's size, every epoch, the best one,
/// the baselines and a sample.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Where the text came from.
    pub input: String,
    /// Sentences of the book.
    pub sentences: usize,
    /// Training words.
    pub train_words: usize,
    /// Held-out words.
    pub valid_words: usize,
    /// Training batches per epoch times streams: sequences of up to `--seq-len` words.
    pub train_sequences: usize,
    /// Held-out chunks of up to `--seq-len` words (scored with the state carried between them).
    pub valid_sequences: usize,
    /// Training streams read side by side (the batch rows).
    pub streams: usize,
    /// Vocabulary size, `<unk>` included.
    pub vocab_size: usize,
    /// Share of the training words that are `<unk>`.
    pub unk_share: f64,
    /// Embedding width.
    pub dim: usize,
    /// Vocabulary words that had a Word2Vec vector.
    pub words_with_vectors: usize,
    /// Where the vectors came from.
    pub vectors: String,
    /// The layers, e.g. `Embedding(9079, 100, fine-tuned) + 1 × 256 Lstm + Dense(100) + output tied to
    /// the embedding`.
    pub network: String,
    /// Weights of the network.
    pub weights: usize,
    /// Weights that were trained (the embedding is frozen unless fine-tuned).
    pub trainable: usize,
    /// Held-out perplexity of the unigram (add-one) model.
    pub unigram_perplexity: f64,
    /// Held-out perplexity of the Kneser-Ney bigram model.
    pub bigram_perplexity: f64,
    /// Every epoch.
    pub history: Vec<EpochRow>,
    /// The epoch with the lowest held-out perplexity (its weights are saved).
    pub best_epoch: usize,
    /// Its held-out perplexity.
    pub best_perplexity: f64,
    /// A sample of the best model after a held-out prime (`prime | generated`), if `--sample-len` > 0.
    pub sample: Option<String>,
    /// Seconds spent training (sum of the epochs).
    pub train_seconds: f64,
    /// Seconds of the whole run.
    pub total_seconds: f64,
    /// The settings, as stored with the model.
    pub training: serde_json::Value,
}

impl Outcome {
    /// Training and held-out perplexity by epoch, with the two baselines.
    pub fn loss_figure(&self) -> appkit::plot::Figure {
        let train: Vec<f64> = self.history.iter().map(|r| perplexity(r.loss)).collect();
        let valid: Vec<f64> = self.history.iter().map(|r| r.valid_perplexity).collect();
        let mut chart = appkit::plot::loss_curves("word-rnn: perplexity", &train, Some(&valid));
        chart.y_label = "perplexity".into();
        let last = self.history.len() as f64;
        for (name, value) in [
            ("unigram", self.unigram_perplexity),
            ("Kneser-Ney bigram", self.bigram_perplexity),
        ] {
            chart.series.push(appkit::plot::Series::line(
                name,
                vec![(1.0, value), (last, value)],
            ));
        }
        appkit::plot::Figure::single(chart)
    }

    /// The figures `--metrics-json` writes.
    pub fn metrics(&self, args: &TrainArgs) -> serde_json::Value {
        json!({
            "seed": args.seed,
            "vocab_size": self.vocab_size,
            "dim": self.dim,
            "train_words": self.train_words,
            "valid_words": self.valid_words,
            "train_sequences": self.train_sequences,
            "valid_sequences": self.valid_sequences,
            "words_with_vectors": self.words_with_vectors,
            "threads": args.threads,
            "streams": self.streams,
            "valid_scoring": "one stream, state carried from the first held-out word; every later word is a target",
            "history": self.history.iter().map(|r| json!({
                "epoch": r.epoch, "loss": r.loss, "valid_perplexity": r.valid_perplexity,
                "words_per_sec": r.words_per_sec, "seconds": r.seconds, "cpu_seconds": r.cpu_seconds,
                "lr": r.lr,
            })).collect::<Vec<_>>(),
            "best_epoch": self.best_epoch,
            "best_valid_perplexity": self.best_perplexity,
            "unigram_perplexity": self.unigram_perplexity,
            "bigram_perplexity": self.bigram_perplexity,
            "train_seconds": self.train_seconds,
            "total_seconds": self.total_seconds,
            "training": self.training,
        })
    }
}

fn check_flags(args: &TrainArgs) -> anyhow::Result<()> {
    for (flag, rate) in [
        ("--dropout", args.dropout),
        ("--input-dropout", args.input_dropout()),
        ("--word-dropout", args.word_dropout),
    ] {
        if !(0.0..1.0).contains(&rate) {
            return Err(appkit::usage(format!(
                "{flag} must be in [0, 1), got {rate}"
            )));
        }
    }
    if !(args.weight_decay.is_finite() && args.weight_decay >= 0.0) {
        return Err(appkit::usage(format!(
            "--weight-decay must be a non-negative number (0: off), got {}",
            args.weight_decay
        )));
    }
    if args.weight_decay * args.lr >= 1.0 {
        return Err(appkit::usage(format!(
            "--weight-decay times --lr must be below 1 (each step multiplies the weights by 1 - lr * decay), got {} * {}",
            args.weight_decay, args.lr
        )));
    }
    if args.untie && args.sampled_softmax.is_some() {
        return Err(appkit::usage(
            "--sampled-softmax needs the tied output layer: it scores words by rows of the embedding table, \
             and --untie gives the output layer a kernel of its own"
                .to_string(),
        ));
    }
    if !(args.lr.is_finite() && args.lr > 0.0) {
        return Err(appkit::usage(format!(
            "--lr must be a positive number, got {}",
            args.lr
        )));
    }
    if !(args.lr_decay.is_finite() && args.lr_decay > 0.0 && args.lr_decay <= 1.0) {
        return Err(appkit::usage(format!(
            "--lr-decay must be in (0, 1] (1: off), got {}",
            args.lr_decay
        )));
    }
    if !(args.clip.is_finite() && args.clip >= 0.0) {
        return Err(appkit::usage(format!(
            "--clip must be a non-negative number (0: off), got {}",
            args.clip
        )));
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

/// Embedding (the Word2Vec matrix, frozen unless fine-tuned) → `layers` recurrent layers → the output layer:
/// by default tied to the embedding's table (a linear Dense(dim) projection first when `--units` is not the
/// embedding width), with `--untie` a Dense over the vocabulary with its own kernel.
fn build_model(args: &TrainArgs, matrix: Array2<f32>) -> anyhow::Result<Sequential> {
    let (vocab, dim) = matrix.dim();
    let units = usize::try_from(args.units).context("--units is too large")?;
    let mut model = Sequential::new(&[args.seq_len as usize], args.seed);
    model.add(
        embedding(vocab, dim)
            .trainable(args.fine_tunes())
            .name(EMBEDDING),
    )?;
    model.set_weight(&format!("{EMBEDDING}/embeddings"), matrix.into_dyn())?;
    for _ in 0..args.layers {
        model.add(layer(args.cell, units).return_sequences(true))?;
    }
    if args.untie {
        model.add(dense(vocab))?;
    } else {
        if units != dim {
            model.add(dense(dim).name("projection"))?;
        }
        model.add(tied_dense(EMBEDDING))?;
    }
    Ok(model)
}

/// Perplexities of the unigram (add-one) and Kneser-Ney bigram models on exactly the held-out targets
/// the network is scored on: every held-out word after the first (`valid_ids[1..]`).
fn baselines(corpus: &Corpus) -> anyhow::Result<(f64, f64)> {
    let v = corpus.vocab.len();
    let targets = &corpus.valid_ids[1..];
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

/// `word-rnn train`: trains, printing as it goes, then writes `--loss-plot` and `--metrics-json`.
pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let outcome = train(args, &|line| println!("{line}"), true)?;
    if let Some(path) = &args.loss_plot {
        outcome.loss_figure().write_svg(path)?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &args.metrics_json {
        appkit::write_json_atomic(path, &outcome.metrics(args))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Prepares the word sequences and the vectors, trains epoch by epoch saving the best epoch's model and,
/// after every epoch, a checkpoint in `args.out` (and `--export-data` if asked), and returns the figures. With
/// `--resume` it continues the checkpoint's run up to `--epochs`. A NaN or infinite loss, gradient or weight
/// stops training with an error naming the epoch and batch; the files written before stay as they were. Each line of the log goes to `say`;
/// `batch_progress` shows a per-batch progress bar on stderr. Everything runs on a pool of `--threads`
/// threads (each batch's streams cut into one shard per thread).
pub fn train(
    args: &TrainArgs,
    say: &(dyn Fn(&str) + Sync),
    batch_progress: bool,
) -> anyhow::Result<Outcome> {
    check_flags(args)?;
    appkit::pool::run_on_threads(args.threads as usize, || {
        train_on_pool(args, say, batch_progress)
    })
}

/// The learning rate of the epoch after `history`: `--lr`, times `--lr-decay` after every epoch whose
/// held-out perplexity was not below the best before it.
fn next_lr(args: &TrainArgs, history: &[EpochRow]) -> f32 {
    let mut lr = args.lr;
    let mut best = f64::INFINITY;
    for row in history {
        if row.valid_perplexity < best {
            best = row.valid_perplexity;
        } else {
            lr *= args.lr_decay;
        }
    }
    lr
}

fn train_on_pool(
    args: &TrainArgs,
    say: &(dyn Fn(&str) + Sync),
    batch_progress: bool,
) -> anyhow::Result<Outcome> {
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
    let seq_len = args.seq_len as usize;
    let (unigram_pp, bigram_pp) = baselines(&corpus)?;

    say(&format!(
        "input: {}: {} sentences, {} words ({} for training, {} held out)",
        corpus.name,
        corpus.sentences.len(),
        corpus.train_ids.len() + corpus.valid_ids.len(),
        corpus.train_ids.len(),
        corpus.valid_ids.len()
    ));
    let unk = corpus.vocab.unk();
    let unk_share = corpus.train_ids.iter().filter(|&&t| t == unk).count() as f64
        / corpus.train_ids.len() as f64;
    say(&format!(
        "vocabulary: {vocab} ({} words + <unk>; <unk> is {:.1}% of the training words); vectors: {}; {matched} of \
         the words have a vector (the rest and <unk> start at their mean)",
        vocab - 1,
        100.0 * unk_share,
        vectors.origin
    ));
    let train_batches = corpus.train.chunks(seq_len).len();
    let valid_chunks = (corpus.valid_ids.len() - 1).div_ceil(seq_len);
    say(&format!(
        "training: the text as {} contiguous streams of {} words read side by side, {train_batches} batches of \
         {} steps per epoch, the state carried from batch to batch; held-out: one stream of {} words, state carried",
        corpus.train.streams(),
        corpus.train.len(),
        args.seq_len,
        corpus.valid_ids.len()
    ));
    let (weights, trainable) = model.params().count();
    let output = match (args.untie, args.units as usize == dim) {
        (true, _) => format!("Dense({vocab})"),
        (false, true) => "output tied to the embedding".to_string(),
        (false, false) => format!("Dense({dim}) + output tied to the embedding"),
    };
    let network = format!(
        "Embedding({vocab}, {dim}, {}) + {} × {} {:?} + {output}",
        if args.fine_tunes() {
            "fine-tuned"
        } else {
            "frozen"
        },
        args.layers,
        args.units,
        args.cell,
    );
    say(&format!(
        "model: {network}; {weights} weights, {trainable} trained; \
         dropout {} on the embedding, {} on the recurrent outputs ({}), whole-word {}; batch {}, Adam lr {} (× {} after an \
         epoch without improvement){}, {threads} thread(s)",
        args.input_dropout(),
        args.dropout,
        match args.dropout_mask {
            DropoutMask::Variational => "one mask per stream for every step",
            DropoutMask::PerStep => "a fresh mask at every step",
        },
        args.word_dropout,
        corpus.train.streams(),
        args.lr,
        args.lr_decay,
        if args.weight_decay > 0.0 {
            format!(", weight decay {} (decoupled)", args.weight_decay)
        } else {
            String::new()
        } + &args.sampled_softmax.map_or(String::new(), |k| {
            format!(", trained with a sampled softmax ({k} drawn words + the batch's targets)")
        })
    ));
    say(&format!(
        "baselines on the held-out words: unigram perplexity {unigram_pp:.1}, Kneser-Ney bigram perplexity {bigram_pp:.1}"
    ));

    let cfg = StreamConfig {
        seq_len,
        clip_norm: (args.clip > 0.0).then_some(args.clip),
        dropout: Dropout {
            input: args.input_dropout(),
            output: args.dropout,
            word: args.word_dropout,
            variational: args.dropout_mask == DropoutMask::Variational,
        },
        weight_decay: args.weight_decay,
        // A K beyond usize is beyond every vocabulary: the full softmax either way.
        sampled_softmax: args
            .sampled_softmax
            .map(|k| usize::try_from(k).unwrap_or(usize::MAX)),
        seed: args.seed,
        progress: batch_progress,
    };
    let adam = Adam::new(args.lr, 0.9, 0.999, 1e-8, Flavor::PyTorch);
    let mut trainer = StreamTrainer::new(cfg, adam);
    let mut best = BestWeights::new();
    let prime = &corpus.valid_ids[..corpus.valid_ids.len().min(3)];
    let mut training = json!({
        "input": corpus.name, "fragment_words": args.fragment_words, "vectors": vectors.origin, "vocab_size": vocab, "min_count": args.min_count, "dim": dim, "seq_len": args.seq_len,
        "fine_tune": args.fine_tunes(), "untie": args.untie, "cell": format!("{:?}", args.cell).to_lowercase(), "units": args.units,
        "layers": args.layers, "dropout": args.dropout, "input_dropout": args.input_dropout(), "dropout_mask": args.dropout_mask.name(),
        "word_dropout": args.word_dropout, "weight_decay": args.weight_decay, "lr_decay": args.lr_decay, "batch_size": args.batch_size, "epochs": args.epochs,
        "lr": args.lr, "clip": args.clip, "valid_fraction": args.valid_fraction, "threads": args.threads,
        "seed": args.seed,
    });
    // Only when set, so that a checkpoint written before the flag existed still resumes.
    if let (Some(k), Some(map)) = (args.sampled_softmax, training.as_object_mut()) {
        map.insert("sampled_softmax".into(), k.into());
    }

    let mut history = Vec::new();
    let settings = resume::settings(&training, &corpus);
    if let Some(dir) = &args.resume {
        let dir = dir.as_ref().unwrap_or(&args.out);
        let file = seq_train::checkpoint_path(dir);
        let (saved, ck) = seq_train::load_for_resume(dir, &settings, args.epochs, "word-rnn")?;
        trainer
            .resume(&ck, &corpus.train)
            .with_context(|| file.display().to_string())?;
        history = resume::history_from_record(&ck, &file)?;
        model = saved;
        best = ck.best;
        say(&format!(
            "resuming from {} after epoch {} of {}",
            file.display(),
            ck.epochs_done,
            args.epochs
        ));
        if let Some((valid_perplexity, epoch)) = best.best() {
            // The best model so far, described with this run's settings (and written into --out when the
            // checkpoint came from another directory).
            let current = model.params().clone();
            best.restore(&mut model);
            bundle::save(
                &args.out,
                &model,
                &corpus.vocab,
                &training,
                epoch,
                valid_perplexity,
            )?;
            *model.params_mut() = current;
        }
    }
    let started = Instant::now();
    while (trainer.epochs_done() as u64) < args.epochs {
        trainer.set_lr(next_lr(args, &history));
        let stats = trainer
            .train_epoch(&mut model, &corpus.train)
            .with_context(|| {
                seq_train::kept_files(&args.out, history.last().map(|r| r.epoch), &best)
            })?;
        let valid_nats = evaluate(&model, &corpus.valid_ids, seq_len)?;
        let row = EpochRow {
            epoch: stats.epoch,
            loss: stats.loss,
            valid_perplexity: perplexity(valid_nats),
            words_per_sec: stats.tokens as f64 / stats.seconds.max(1e-9),
            seconds: stats.seconds,
            cpu_seconds: stats.cpu_seconds,
            lr: f64::from(trainer.lr()),
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
        say(&format!(
            "epoch {}/{}: loss {:.4} (perplexity {:.1}), held-out perplexity {:.1}{}, lr {:.2e}, {:.0} words/s, {:.1}s{}",
            row.epoch,
            args.epochs,
            row.loss,
            perplexity(row.loss),
            row.valid_perplexity,
            if improved { " (best, saved)" } else { "" },
            row.lr,
            row.words_per_sec,
            row.seconds,
            row.cpu_seconds
                .map_or_else(String::new, |c| format!(" ({c:.1}s CPU)"))
        ));
        if args.sample_len > 0 {
            let text = sample(
                &model,
                &corpus,
                prime,
                args.sample_len,
                args.seed.wrapping_add(row.epoch as u64),
            )?;
            say(&format!("  sample: {text}"));
        }
        history.push(row);
        let ck = trainer.checkpoint(
            &corpus.train,
            &best,
            settings.clone(),
            resume::history_record(&history)?,
        );
        seq_train::save_in(&args.out, &model, &ck)?;
    }
    let total_seconds = started.elapsed().as_secs_f64();
    let train_seconds: f64 = history.iter().map(|r| r.seconds).sum();
    let (best_pp, best_epoch) = best.best().unwrap_or((f64::NAN, 0));
    best.restore(&mut model);
    say(&format!(
        "best held-out perplexity {best_pp:.1} at epoch {best_epoch} (unigram {unigram_pp:.1}, Kneser-Ney bigram \
         {bigram_pp:.1}); model saved in {}",
        args.out.display()
    ));
    let sample = if args.sample_len > 0 {
        let text = sample(&model, &corpus, prime, 2 * args.sample_len, args.seed)?;
        say(&format!("sample: {text}"));
        Some(text)
    } else {
        None
    };
    Ok(Outcome {
        input: corpus.name.clone(),
        sentences: corpus.sentences.len(),
        train_words: corpus.train_ids.len(),
        valid_words: corpus.valid_ids.len(),
        train_sequences: corpus.train.streams() * train_batches,
        valid_sequences: valid_chunks,
        streams: corpus.train.streams(),
        vocab_size: vocab,
        unk_share,
        dim,
        words_with_vectors: matched,
        vectors: vectors.origin.clone(),
        network,
        weights,
        trainable,
        unigram_perplexity: unigram_pp,
        bigram_perplexity: bigram_pp,
        history,
        best_epoch,
        best_perplexity: best_pp,
        sample,
        train_seconds,
        total_seconds,
        training,
    })
}

#[cfg(test)]
mod tests {
    use super::{EpochRow, next_lr};
    use crate::cli::TrainArgs;
    use clap::Parser;

    fn row(epoch: usize, valid_perplexity: f64) -> EpochRow {
        EpochRow {
            epoch,
            loss: 0.0,
            valid_perplexity,
            words_per_sec: 0.0,
            seconds: 0.0,
            cpu_seconds: None,
            lr: 0.0,
        }
    }

    /// The rate halves after each epoch that does not beat the best so far, and only then.
    #[test]
    fn learning_rate_decays_on_plateaus_only() {
        let args = TrainArgs::parse_from(["train", "--lr", "0.004", "--lr-decay", "0.5"]);
        let history = [
            row(1, 300.0),
            row(2, 250.0),
            row(3, 260.0),
            row(4, 240.0),
            row(5, 245.0),
        ];
        let rates: Vec<f32> = (0..=history.len())
            .map(|n| next_lr(&args, &history[..n]))
            .collect();
        assert_eq!(rates, [0.004, 0.004, 0.004, 0.002, 0.002, 0.001]);
        let constant = TrainArgs::parse_from(["train", "--lr", "0.004", "--lr-decay", "1"]);
        assert_eq!(next_lr(&constant, &history), 0.004);
    }
}
