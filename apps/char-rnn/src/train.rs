//! `char-rnn train`: prepare the sentences, build the network, train epoch by epoch, keep the best epoch by
//! held-out bits per character, print samples, write metrics and the plot.

use std::time::Instant;

use anyhow::Context;
use nn::generate::generate;
use nn::layers::{RecurrentConfig, dense, gru, lstm, simple_rnn};
use nn::lm_metrics::{bits_per_token, unigram_bits};
use nn::sampling::Sampler;
use nn::seq_train::{self, BestWeights, SeqTrainConfig, SeqTrainer, evaluate};
use nn::{Adam, Flavor, Sequential};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::bundle::{self, Meta};
use crate::cli::{CellKind, TrainArgs};
use crate::data::{self, Corpus};
use crate::init::{self, Init};
use crate::resume;

/// One epoch's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRow {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training cross-entropy (nats per character).
    pub loss: f64,
    /// The training loss in bits per character.
    pub train_bpc: f64,
    /// Held-out bits per character.
    pub valid_bpc: f64,
    /// Training speed.
    pub chars_per_sec: f64,
    /// Seconds the epoch's training took.
    pub seconds: f64,
    /// CPU seconds (user + system, all threads) the epoch's training took; `None` where the process's CPU
    /// time cannot be read. Meaningful on a loaded machine, where wall time measures the load too.
    pub cpu_seconds: Option<f64>,
}

/// What a training run found: the data, the network's size, every epoch, the best one, samples.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Where the text came from.
    pub input: String,
    /// Characters after cleaning (before taking the fragment); with a fragment, counted only as far as reading went
    /// (it stops once the fragment is full).
    pub cleaned_chars: usize,
    /// Training characters.
    pub train_chars: usize,
    /// Held-out characters.
    pub valid_chars: usize,
    /// Training sentences.
    pub train_sentences: usize,
    /// Held-out sentences.
    pub valid_sentences: usize,
    /// The alphabet, in index order.
    pub alphabet: Vec<char>,
    /// Weights of the network.
    pub weights: usize,
    /// Held-out bits per character of the unigram (add-one) model of the training text.
    pub unigram_bpc: f64,
    /// Every epoch.
    pub history: Vec<EpochRow>,
    /// The epoch with the lowest held-out bits per character (its weights are saved).
    pub best_epoch: usize,
    /// Its held-out bits per character.
    pub best_bpc: f64,
    /// Samples of the best model after the held-out prime, one per temperature.
    pub samples: Vec<(f32, String)>,
    /// Seconds spent training (sum of the epochs).
    pub train_seconds: f64,
    /// Seconds of the whole run.
    pub total_seconds: f64,
    /// The settings, as stored with the model.
    pub training: serde_json::Value,
}

impl Outcome {
    /// Training and held-out bits per character by epoch, with the unigram baseline.
    pub fn loss_figure(&self) -> appkit::plot::Figure {
        let train: Vec<f64> = self.history.iter().map(|r| r.train_bpc).collect();
        let valid: Vec<f64> = self.history.iter().map(|r| r.valid_bpc).collect();
        let mut chart =
            appkit::plot::loss_curves("char-rnn: bits per character", &train, Some(&valid));
        chart.y_label = "bits per character".into();
        chart.series.push(appkit::plot::Series::line(
            "unigram baseline",
            vec![
                (1.0, self.unigram_bpc),
                (self.history.len() as f64, self.unigram_bpc),
            ],
        ));
        appkit::plot::Figure::single(chart)
    }

    /// The figures `--metrics-json` writes.
    pub fn metrics(&self, args: &TrainArgs) -> serde_json::Value {
        json!({
            "seed": args.seed,
            "alphabet_size": self.alphabet.len(),
            "alphabet": self.alphabet.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "train_chars": self.train_chars,
            "valid_chars": self.valid_chars,
            "train_sentences": self.train_sentences,
            "valid_sentences": self.valid_sentences,
            "sentence_len": args.sentence_len,
            "threads": args.threads,
            "history": self.history.iter().map(|r| json!({
                "epoch": r.epoch, "loss": r.loss, "train_bpc": r.train_bpc, "valid_bpc": r.valid_bpc,
                "chars_per_sec": r.chars_per_sec, "seconds": r.seconds, "cpu_seconds": r.cpu_seconds,
            })).collect::<Vec<_>>(),
            "best_epoch": self.best_epoch,
            "best_valid_bpc": self.best_bpc,
            "unigram_bpc": self.unigram_bpc,
            "train_seconds": self.train_seconds,
            "total_seconds": self.total_seconds,
            "training": self.training,
        })
    }
}

fn check_flags(args: &TrainArgs) -> anyhow::Result<()> {
    if !(0.0..1.0).contains(&args.dropout) {
        return Err(appkit::usage(format!(
            "--dropout must be in [0, 1), got {}",
            args.dropout
        )));
    }
    if !(args.lr.is_finite() && args.lr > 0.0) {
        return Err(appkit::usage(format!(
            "--lr must be a positive number, got {}",
            args.lr
        )));
    }
    if !(args.clip.is_finite() && args.clip >= 0.0) {
        return Err(appkit::usage(format!(
            "--clip must be a non-negative number (0: off), got {}",
            args.clip
        )));
    }
    Sampler {
        temperature: args.sample_temperature,
        top_k: None,
    }
    .validate()
    .map_err(|e| appkit::usage(format!("--sample-temperature: {e}")))?;
    Ok(())
}

fn layer(cell: CellKind, units: usize) -> RecurrentConfig {
    match cell {
        CellKind::Lstm => lstm(units),
        CellKind::Gru => gru(units),
        CellKind::Rnn => simple_rnn(units),
    }
}

/// The network: `layers` recurrent layers (the first reads character indices, i.e. one-hot rows) and a
/// Dense layer giving one logit per character at every step, initialised as `--init` says.
fn build_model(args: &TrainArgs, vocab: usize) -> anyhow::Result<Sequential> {
    let units = usize::try_from(args.units).context("--units is too large")?;
    let torch = args.init == Init::Pytorch;
    let mut model = Sequential::new(&[args.sentence_len as usize], args.seed);
    for i in 0..args.layers {
        let l = layer(args.cell, units)
            .return_sequences(true)
            .torch_biases(torch);
        model.add(if i == 0 { l.index_input(vocab) } else { l })?;
    }
    model.add(dense(vocab))?;
    if torch {
        init::pytorch(&mut model, args.seed)?;
    }
    Ok(model)
}

/// A sample: `prime` then `len` generated characters.
fn sample(
    model: &Sequential,
    corpus: &Corpus,
    prime: &[u32],
    len: usize,
    temperature: f32,
    seed: u64,
) -> anyhow::Result<String> {
    let prime: Vec<usize> = prime.iter().map(|&i| i as usize).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sampler = Sampler {
        temperature,
        top_k: None,
    };
    let tokens = generate(model, &prime, len, &sampler, &mut rng)?;
    let all: Vec<u32> = prime.iter().chain(&tokens).map(|&t| t as u32).collect();
    Ok(corpus.alphabet.decode(&all)?)
}

/// `char-rnn train`: trains, printing as it goes, then writes `--loss-plot` and `--metrics-json`.
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

/// Prepares the sentences, trains epoch by epoch saving the best epoch's model and, after every epoch, a
/// checkpoint in `args.out` (and `--export-data` if asked), and returns the figures. With `--resume` it
/// continues the checkpoint's run up to `--epochs`. A NaN or infinite loss, gradient or weight stops training
/// with an error naming the epoch and batch; the files written before stay as they were. Each line of the log goes to `say`; `batch_progress`
/// shows nn's per-batch progress bar on stderr. Everything runs on a pool of `--threads` threads: the batch is cut
/// into one shard per thread, and nothing inside a shard splits again.
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

/// [`train`] on the pool of `--threads` threads it runs in.
fn train_on_pool(
    args: &TrainArgs,
    say: &(dyn Fn(&str) + Sync),
    batch_progress: bool,
) -> anyhow::Result<Outcome> {
    let corpus = data::load(args)?;
    let vocab = corpus.alphabet.len();
    let threads = args.threads as usize;
    let batch_size = args.batch_size as usize;
    let mut model = build_model(args, vocab)?;
    if let Some(dir) = &args.export_data {
        data::export(&corpus, dir)?;
    }
    let unigram_bpc = unigram_bits(&corpus.train_text, &corpus.valid_text, vocab, 1.0)?;

    say(&format!(
        "input: {}: {}{} characters after cleaning; using {} ({} for training, {} held out)",
        corpus.name,
        if corpus.cleaned_whole {
            ""
        } else {
            "at least "
        },
        corpus.cleaned_chars,
        corpus.train_text.len() + corpus.valid_text.len(),
        corpus.train_text.len(),
        corpus.valid_text.len()
    ));
    say(&format!(
        "alphabet ({vocab}): {}",
        corpus.alphabet.to_json()
    ));
    say(&format!(
        "sentences of {} characters: {} for training, {} held out",
        args.sentence_len,
        corpus.train.len(),
        corpus.valid.len()
    ));
    let (weights, _) = model.params().count();
    say(&format!(
        "model: {} × {} {:?} + Dense({vocab}), {weights} weights; batch {batch_size}, Adam lr {}, {} thread(s)",
        args.layers, args.units, args.cell, args.lr, threads
    ));
    say(&format!(
        "unigram baseline: {unigram_bpc:.3} bits per character on the held-out text"
    ));

    let cfg = SeqTrainConfig {
        batch_size,
        clip_norm: (args.clip > 0.0).then_some(args.clip),
        dropout: args.dropout,
        threads,
        shuffle: true,
        seed: args.seed,
        progress: batch_progress,
    };
    let adam = Adam::new(args.lr, 0.9, 0.999, 1e-8, Flavor::PyTorch);
    let mut trainer = SeqTrainer::new(cfg, Box::new(adam))?;
    let mut best = BestWeights::new();
    let mut history = Vec::new();
    let settings = resume::settings(args, &corpus);
    if let Some(dir) = &args.resume {
        let dir = dir.as_ref().unwrap_or(&args.out);
        let file = seq_train::checkpoint_path(dir);
        let (saved, ck) = seq_train::load_for_resume(dir, &settings, args.epochs, "char-rnn")?;
        trainer
            .resume(&ck, corpus.train.len())
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
    }
    let prime_len = corpus.valid_text.len().min(12);
    let prime = &corpus.valid_text[..prime_len];
    let training_record = json!({
        "input": corpus.name, "fragment_chars": args.fragment_chars, "sentence_len": args.sentence_len,
        "cell": format!("{:?}", args.cell).to_lowercase(), "init": args.init.name(), "units": args.units, "layers": args.layers,
        "dropout": args.dropout, "batch_size": args.batch_size, "epochs": args.epochs, "lr": args.lr,
        "clip": args.clip, "valid_fraction": args.valid_fraction, "threads": args.threads, "seed": args.seed,
    });

    let save_best = |model: &Sequential, epoch: usize, valid_bpc: f64| {
        let meta = Meta {
            format: String::new(),
            version: 0,
            alphabet: Vec::new(),
            lowercase: true,
            keep: args.keep.clone(),
            training: training_record.clone(),
            epoch,
            valid_bpc,
            weights_bytes: 0,
            weights_fnv1a: String::new(),
        };
        bundle::save(&args.out, model, &corpus.alphabet, meta)
    };
    if let (Some(_), Some((valid_bpc, epoch))) = (&args.resume, best.best()) {
        // The best model so far, described with this run's settings (and written into --out when the
        // checkpoint came from another directory).
        let current = model.params().clone();
        best.restore(&mut model);
        save_best(&model, epoch, valid_bpc)?;
        *model.params_mut() = current;
    }
    let started = Instant::now();
    while (trainer.epochs_done() as u64) < args.epochs {
        let cpu_before = appkit::cpu::process_cpu_seconds();
        let stats = trainer
            .train_epoch(&mut model, corpus.train.x.view(), corpus.train.y.view())
            .with_context(|| {
                seq_train::kept_files(&args.out, history.last().map(|r| r.epoch), &best)
            })?;
        let cpu_seconds = cpu_before
            .zip(appkit::cpu::process_cpu_seconds())
            .map(|(a, b)| b - a);
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
            train_bpc: bits_per_token(stats.loss),
            valid_bpc: bits_per_token(valid_nats),
            chars_per_sec: stats.tokens_per_second(),
            seconds: stats.seconds,
            cpu_seconds,
        };
        let improved = best.observe(row.epoch, row.valid_bpc, &model);
        if improved {
            save_best(&model, row.epoch, row.valid_bpc)?;
        }
        say(&format!(
            "epoch {}/{}: loss {:.4} ({:.3} bpc), held-out {:.3} bpc{}, {:.0} chars/s, {:.1}s",
            row.epoch,
            args.epochs,
            row.loss,
            row.train_bpc,
            row.valid_bpc,
            if improved { " (best, saved)" } else { "" },
            row.chars_per_sec,
            row.seconds
        ));
        if args.sample_len > 0 {
            let text = sample(
                &model,
                &corpus,
                prime,
                args.sample_len,
                args.sample_temperature,
                args.seed.wrapping_add(row.epoch as u64),
            )?;
            say(&format!("  sample: {text}"));
        }
        history.push(row);
        let ck = trainer.checkpoint(
            corpus.train.len(),
            &best,
            settings.clone(),
            resume::history_record(&history)?,
        );
        seq_train::save_in(&args.out, &model, &ck)?;
    }
    let total_seconds = started.elapsed().as_secs_f64();
    let train_seconds: f64 = history.iter().map(|r| r.seconds).sum();
    let (best_bpc, best_epoch) = best.best().unwrap_or((f64::NAN, 0));
    best.restore(&mut model);
    say(&format!(
        "best held-out: {best_bpc:.3} bits per character at epoch {best_epoch} (unigram baseline {unigram_bpc:.3}); \
         model saved in {}",
        args.out.display()
    ));
    let mut samples = Vec::new();
    for temperature in [0.2f32, 0.5, 1.0] {
        let text = sample(&model, &corpus, prime, 300, temperature, args.seed)?;
        say(&format!("sample at temperature {temperature}: {text}"));
        samples.push((temperature, text));
    }
    Ok(Outcome {
        input: corpus.name.clone(),
        cleaned_chars: corpus.cleaned_chars,
        train_chars: corpus.train_text.len(),
        valid_chars: corpus.valid_text.len(),
        train_sentences: corpus.train.len(),
        valid_sentences: corpus.valid.len(),
        alphabet: corpus.alphabet.chars().to_vec(),
        weights,
        unigram_bpc,
        history,
        best_epoch,
        best_bpc,
        samples,
        train_seconds,
        total_seconds,
        training: training_record,
    })
}
