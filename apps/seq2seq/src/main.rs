//! `seq2seq`: train an encoder–decoder with (or without) Bahdanau attention on Russian number
//! words ↔ digits or string reversal, compare it with the plain encoder–decoder and beam search,
//! and translate with an attention heat map.
#![doc = include_str!("../README.md")]

mod data;
mod train;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use appkit::heatmap::Heatmap;
use clap::{Args, Parser, Subcommand};
use nn::layers::Cell;
use nn::seq2seq::{AttentionKind, Seq2Seq, Seq2SeqConfig, Vocab};
use serde::Serialize;

use data::{Task, make_splits};
use train::{EpochStats, TrainOptions, by_length, encode, exact, mean};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Seq2Seq with attention: Russian number words ↔ digits, string reversal"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train a model (and, unless --no-attention or --no-baseline, a plain encoder–decoder to
    /// compare), report test accuracy and save the model to DIR.
    Train(TrainArgs),
    /// Translate text with a saved model.
    Translate(TranslateArgs),
}

#[derive(Args, Debug, Clone)]
struct TrainArgs {
    /// Directory for model.safetensors, task.json and metrics.json.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the data split, the weights and the batch order.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Passes over the training set.
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Threads: with 2 or more the comparison model trains at the same time as the main one.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// The task.
    #[arg(long, value_enum, default_value_t = Task::WordsToDigits)]
    task: Task,
    /// Train the main model without attention (and no comparison model).
    #[arg(long)]
    no_attention: bool,
    /// Do not train the comparison model without attention.
    #[arg(long)]
    no_baseline: bool,
    /// Attention score function.
    #[arg(long, value_enum, default_value_t = Score::Additive)]
    attention: Score,
    /// Recurrent cell of encoder and decoder.
    #[arg(long, value_enum, default_value_t = CellArg::Gru)]
    cell: CellArg,
    /// Embedding width.
    #[arg(long, default_value_t = 32)]
    embed: usize,
    /// Units of each encoder direction and of the decoder.
    #[arg(long, default_value_t = 64)]
    units: usize,
    /// Hidden units of additive attention.
    #[arg(long, default_value_t = 64)]
    attention_units: usize,
    /// Training examples.
    #[arg(long, default_value_t = 6000)]
    train_size: usize,
    /// Validation examples.
    #[arg(long, default_value_t = 300)]
    valid_size: usize,
    /// Test examples.
    #[arg(long, default_value_t = 1000)]
    test_size: usize,
    /// Examples per batch.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 0.005)]
    lr: f32,
    /// Beam width compared with greedy decoding on the test split.
    #[arg(long, default_value_t = 4)]
    beam: usize,
    /// Also write the metrics to this JSON file.
    #[arg(long)]
    metrics_json: Option<PathBuf>,
    /// Write the drawn examples as TSV (`split<TAB>source<TAB>target`, tokens space-separated),
    /// e.g. for a peer library to train on the same data.
    #[arg(long)]
    export_data: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct TranslateArgs {
    /// Directory written by `train`.
    #[arg(long)]
    model: PathBuf,
    /// Beam width (1 = greedy).
    #[arg(long, default_value_t = 4)]
    beam: usize,
    /// Write the attention heat map (source tokens × output tokens) to this SVG file.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// The text to translate (several words are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Score {
    Additive,
    Dot,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CellArg {
    Gru,
    Lstm,
}

#[derive(Serialize, serde::Deserialize)]
struct TaskFile {
    task: String,
}

#[derive(Serialize)]
struct LengthRow {
    length: usize,
    count: usize,
    attention: Option<f64>,
    no_attention: Option<f64>,
}

#[derive(Serialize)]
struct Metrics {
    seed: u64,
    task: &'static str,
    attention: bool,
    history: Vec<EpochStats>,
    history_no_attention: Vec<EpochStats>,
    test_exact: f64,
    test_exact_no_attention: Option<f64>,
    test_exact_beam: f64,
    beam_width: usize,
    test_by_length: Vec<LengthRow>,
    train_seconds: f64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    appkit::run(|| match cli.command {
        Some(Command::Train(args)) => train_command(&args).map(|_| ()),
        Some(Command::Translate(args)) => translate_command(&args),
        None => demo(),
    })
}

fn task_from_name(name: &str) -> anyhow::Result<Task> {
    [Task::WordsToDigits, Task::DigitsToWords, Task::Reverse]
        .into_iter()
        .find(|t| t.name() == name)
        .with_context(|| format!("unknown task {name:?} in task.json"))
}

fn vocabularies(task: Task) -> (Vocab, Vocab) {
    let digits: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let words = data::all_words();
    match task {
        Task::WordsToDigits => (Vocab::new(words), Vocab::new(&digits)),
        Task::DigitsToWords => (Vocab::new(&digits), Vocab::new(words)),
        Task::Reverse => {
            let letters: Vec<String> = ('a'..='j').map(String::from).collect();
            (Vocab::new(&letters), Vocab::new(&letters))
        }
    }
}

fn build(args: &TrainArgs, attention: bool, max: (usize, usize)) -> anyhow::Result<Seq2Seq> {
    let (sv, tv) = vocabularies(args.task);
    let config = Seq2SeqConfig {
        cell: match args.cell {
            CellArg::Gru => Cell::Gru,
            CellArg::Lstm => Cell::Lstm,
        },
        embed_dim: args.embed,
        enc_units: args.units,
        dec_units: args.units,
        attention: attention.then_some(match args.attention {
            Score::Additive => AttentionKind::Additive,
            Score::Dot => AttentionKind::Dot,
        }),
        attention_units: args.attention_units,
        max_source_len: max.0,
        max_target_len: max.1,
    };
    Ok(Seq2Seq::new(
        config,
        sv,
        tv,
        &mut tensor::seeded_rng(args.seed),
    )?)
}

/// Train, evaluate, save; returns the main model and the split's test set.
fn train_command(args: &TrainArgs) -> anyhow::Result<(Seq2Seq, Task)> {
    if args.epochs == 0
        || args.batch_size == 0
        || args.train_size == 0
        || args.valid_size == 0
        || args.test_size == 0
        || args.beam == 0
    {
        bail!("--epochs, --batch-size, --beam and the split sizes must be positive");
    }
    let start = Instant::now();
    let splits = make_splits(
        args.task,
        (args.train_size, args.valid_size, args.test_size),
        &mut tensor::seeded_rng(args.seed),
    )?;
    let longest = |f: fn(&data::Pair) -> usize| {
        splits
            .train
            .iter()
            .chain(&splits.valid)
            .chain(&splits.test)
            .map(f)
            .max()
            .unwrap_or(1)
    };
    let max_src = match args.task {
        Task::WordsToDigits => 7,
        Task::DigitsToWords => 6,
        Task::Reverse => data::REVERSE_MAX,
    }
    .max(longest(|p| p.0.len()));
    let max = (max_src, longest(|p| p.1.len()) + 2);
    println!(
        "task {}: {} train / {} valid / {} test examples (seed {})",
        args.task.name(),
        splits.train.len(),
        splits.valid.len(),
        splits.test.len(),
        args.seed
    );
    if let Some(path) = &args.export_data {
        appkit::write_atomic(path, |w| {
            for (name, pairs) in [
                ("train", &splits.train),
                ("valid", &splits.valid),
                ("test", &splits.test),
            ] {
                for (s, t) in pairs {
                    writeln!(w, "{name}\t{}\t{}", s.join(" "), t.join(" "))?;
                }
            }
            Ok(())
        })?;
    }
    let attention = !args.no_attention;
    let mut model = build(args, attention, max)?;
    let (tr, va, te) = (
        encode(&model, &splits.train)?,
        encode(&model, &splits.valid)?,
        encode(&model, &splits.test)?,
    );
    let opts = |label: &str| TrainOptions {
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        clip: 5.0,
        seed: args.seed,
        label: label.to_string(),
    };
    let main_label = if attention {
        "[attention]"
    } else {
        "[no attention]"
    };
    let mut baseline = (attention && !args.no_baseline)
        .then(|| build(args, false, max))
        .transpose()?;
    let (history, history_base) = if args.threads >= 2 && baseline.is_some() {
        std::thread::scope(|s| -> anyhow::Result<_> {
            let base = baseline.as_mut().context("no baseline")?;
            let handle = s.spawn(|| train::train(base, &tr, &va, &opts("[no attention]")));
            let h = train::train(&mut model, &tr, &va, &opts(main_label))?;
            let hb = handle
                .join()
                .map_err(|_| anyhow::anyhow!("the baseline thread panicked"))??;
            Ok((h, hb))
        })?
    } else {
        let h = train::train(&mut model, &tr, &va, &opts(main_label))?;
        let hb = match baseline.as_mut() {
            Some(b) => train::train(b, &tr, &va, &opts("[no attention]"))?,
            None => Vec::new(),
        };
        (h, hb)
    };
    let train_seconds = start.elapsed().as_secs_f64();
    let greedy = exact(&model, &te, 1)?;
    let beam = exact(&model, &te, args.beam)?;
    let base_right = baseline.as_ref().map(|b| exact(b, &te, 1)).transpose()?;
    let (test_exact, test_exact_beam) = (mean(&greedy), mean(&beam));
    let test_exact_no_attention = base_right.as_deref().map(mean);
    println!(
        "test exact-sequence accuracy ({} examples):",
        te.sources.len()
    );
    println!("  {main_label} greedy   {:.2}%", 100.0 * test_exact);
    println!(
        "  {main_label} beam {}   {:.2}%",
        args.beam,
        100.0 * test_exact_beam
    );
    if let Some(b) = test_exact_no_attention {
        println!("  [no attention] greedy {:.2}%", 100.0 * b);
    }
    let main_by = by_length(&te, &greedy);
    let base_by = base_right.as_deref().map(|r| by_length(&te, r));
    println!("  by source length (tokens): {main_label} / [no attention]");
    let mut rows = Vec::new();
    for (&len, &(ok, n)) in &main_by {
        let frac = |(ok, n): (usize, usize)| ok as f64 / n.max(1) as f64;
        let base = base_by
            .as_ref()
            .and_then(|m| m.get(&len).copied())
            .map(frac);
        println!(
            "    {len:>2}: {:>7.2}% / {}  (n = {n})",
            100.0 * frac((ok, n)),
            base.map_or("-".to_string(), |b| format!("{:.2}%", 100.0 * b))
        );
        rows.push(LengthRow {
            length: len,
            count: n,
            attention: attention.then(|| frac((ok, n))),
            no_attention: if attention { base } else { Some(frac((ok, n))) },
        });
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let bytes = model.to_bytes()?;
    appkit::write_atomic(&args.out.join("model.safetensors"), |w| {
        Ok(w.write_all(&bytes)?)
    })?;
    appkit::write_json_atomic(
        &args.out.join("task.json"),
        &TaskFile {
            task: args.task.name().to_string(),
        },
    )?;
    let metrics = Metrics {
        seed: args.seed,
        task: args.task.name(),
        attention,
        history,
        history_no_attention: history_base,
        test_exact,
        test_exact_no_attention,
        test_exact_beam,
        beam_width: args.beam,
        test_by_length: rows,
        train_seconds,
    };
    appkit::write_json_atomic(&args.out.join("metrics.json"), &metrics)?;
    if let Some(path) = &args.metrics_json {
        appkit::write_json_atomic(path, &metrics)?;
    }
    println!(
        "model saved to {} ({train_seconds:.1} s)",
        args.out.display()
    );
    Ok((model, args.task))
}

fn load(dir: &Path) -> anyhow::Result<(Seq2Seq, Task)> {
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let model = Seq2Seq::from_bytes(&bytes, &path.display().to_string())?;
    let tpath = dir.join("task.json");
    let text = std::fs::read_to_string(&tpath)
        .with_context(|| format!("cannot read {}", tpath.display()))?;
    let tf: TaskFile = serde_json::from_str(&text)
        .with_context(|| format!("{}: bad task file", tpath.display()))?;
    Ok((model, task_from_name(&tf.task)?))
}

/// Translate one text; optionally write the heat map.
fn translate(
    model: &Seq2Seq,
    task: Task,
    text: &str,
    beam: usize,
    plot: Option<&Path>,
) -> anyhow::Result<String> {
    let tokens = task.tokenize(text);
    if tokens.is_empty() {
        bail!("the input is empty");
    }
    let max = model.config().max_source_len;
    if tokens.len() > max {
        bail!(
            "the input has {} tokens, more than the model's maximum of {max}",
            tokens.len()
        );
    }
    let src = model.source_vocab().encode(&tokens)?;
    let hyp = model.decode(&[src], beam)?.remove(0);
    let out: Vec<String> = hyp
        .tokens
        .iter()
        .map(|&t| model.target_vocab().token(t).to_string())
        .collect();
    if let Some(path) = plot {
        if model.config().attention.is_none() {
            bail!("this model has no attention, so there is no heat map to plot");
        }
        let mut rows = out.clone();
        if hyp.attention.len() > out.len() {
            rows.push("<end>".into());
        }
        let map = Heatmap {
            title: format!("attention: {text}"),
            rows,
            columns: tokens.clone(),
            values: hyp
                .attention
                .iter()
                .map(|r| r.iter().map(|&v| f64::from(v)).collect())
                .collect(),
        };
        map.write_svg(path)?;
    }
    Ok(task.join(&out))
}

fn translate_command(args: &TranslateArgs) -> anyhow::Result<()> {
    if args.beam == 0 {
        bail!("--beam must be positive");
    }
    let (model, task) = load(&args.model)?;
    let text = args.text.join(" ");
    let out = translate(&model, task, &text, args.beam, args.plot.as_deref())?;
    println!("{out}");
    if let Some(p) = &args.plot {
        eprintln!("attention heat map written to {}", p.display());
    }
    Ok(())
}

/// No flags: a small model, a few translations and one heat map.
fn demo() -> anyhow::Result<()> {
    let args = TrainArgs::parse_demo();
    println!(
        "no command given: training a small demo model into {} (see --help)",
        args.out.display()
    );
    let (model, task) = train_command(&args)?;
    let examples = [
        "триста двенадцать",
        "двести сорок семь",
        "девятьсот девяносто девять тысяч девятьсот девяносто девять",
        "одна тысяча",
        "сорок две тысячи сто один",
    ];
    let plot = args.out.join("attention.svg");
    for (i, text) in examples.iter().enumerate() {
        let out = translate(&model, task, text, 4, (i == 0).then_some(plot.as_path()))?;
        println!("{text} → {out}");
    }
    println!(
        "attention heat map of {:?} written to {}",
        examples[0],
        plot.display()
    );
    Ok(())
}

impl TrainArgs {
    fn parse_demo() -> Self {
        TrainArgs {
            out: PathBuf::from("out/seq2seq"),
            seed: 42,
            epochs: 8,
            threads: 2,
            task: Task::WordsToDigits,
            no_attention: false,
            no_baseline: false,
            attention: Score::Additive,
            cell: CellArg::Gru,
            embed: 32,
            units: 64,
            attention_units: 64,
            train_size: 6000,
            valid_size: 300,
            test_size: 1000,
            batch_size: 64,
            lr: 0.005,
            beam: 4,
            metrics_json: None,
            export_data: None,
        }
    }
}
