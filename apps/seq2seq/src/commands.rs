//! The commands: `train`, `translate` and the demo without a command.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use appkit::heatmap::Heatmap;
use clap::{Args, Parser, Subcommand};
use nn::layers::Cell;
use nn::seq2seq::{AttentionKind, Seq2Seq, Seq2SeqConfig, Vocab};
use serde::Serialize;

use crate::data::{self, Task, make_splits};
use crate::train::{self, EpochStats, TrainOptions, by_length, encode, exact, mean};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Seq2Seq with attention: Russian number words ↔ digits, string reversal"
)]
/// The command line.
pub struct Cli {
    /// What to do (default: the demo).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a model (and, unless --no-attention or --no-baseline, a plain encoder–decoder to
    /// compare), report test accuracy and save the model to DIR.
    Train(TrainArgs),
    /// Translate text with a saved model.
    Translate(TranslateArgs),
}

/// `seq2seq train` flags.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    /// Directory for model.safetensors, task.json and metrics.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the data split, the weights and the batch order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Passes over the training set.
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Threads: with 2 or more the comparison model trains at the same time as the main one.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: u64,
    /// The task.
    #[arg(long, value_enum, default_value_t = Task::WordsToDigits)]
    pub task: Task,
    /// Train the main model without attention (and no comparison model).
    #[arg(long)]
    pub no_attention: bool,
    /// Do not train the comparison model without attention.
    #[arg(long)]
    pub no_baseline: bool,
    /// Attention score function.
    #[arg(long, value_enum, default_value_t = Score::Additive)]
    pub attention: Score,
    /// Recurrent cell of encoder and decoder.
    #[arg(long, value_enum, default_value_t = CellArg::Gru)]
    pub cell: CellArg,
    /// Embedding width.
    #[arg(long, default_value_t = 32)]
    pub embed: usize,
    /// Units of each encoder direction and of the decoder.
    #[arg(long, default_value_t = 64)]
    pub units: usize,
    /// Hidden units of additive attention.
    #[arg(long, default_value_t = 64)]
    pub attention_units: usize,
    /// Training examples.
    #[arg(long, default_value_t = 6000)]
    pub train_size: usize,
    /// Validation examples.
    #[arg(long, default_value_t = 300)]
    pub valid_size: usize,
    /// Test examples.
    #[arg(long, default_value_t = 1000)]
    pub test_size: usize,
    /// Examples per batch.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 0.005)]
    pub lr: f32,
    /// Beam width compared with greedy decoding on the test split.
    #[arg(long, default_value_t = 4)]
    pub beam: usize,
    /// Also write the metrics to this JSON file.
    #[arg(long)]
    pub metrics_json: Option<PathBuf>,
    /// Write the drawn examples as TSV (`split<TAB>source<TAB>target`, tokens space-separated),
    /// e.g. for a peer library to train on the same data.
    #[arg(long)]
    pub export_data: Option<PathBuf>,
}

/// `seq2seq translate` flags.
#[derive(Args, Debug)]
pub struct TranslateArgs {
    /// Directory written by `train`.
    #[arg(long)]
    pub model: PathBuf,
    /// Beam width (1 = greedy).
    #[arg(long, default_value_t = 4)]
    pub beam: usize,
    /// Write the attention heat map (source tokens × output tokens) to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// The text to translate (several words are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    pub text: Vec<String>,
}

/// The attention score.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Score {
    /// Bahdanau: `vᵀ tanh(W s + U h)`.
    Additive,
    /// Luong: `sᵀ h`.
    Dot,
}

/// The recurrent cell.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CellArg {
    /// Gated recurrent unit.
    Gru,
    /// Long short-term memory.
    Lstm,
}

#[derive(Serialize, serde::Deserialize)]
struct TaskFile {
    task: String,
}

/// Test accuracy for one source length.
#[derive(Clone, Debug, Serialize)]
pub struct LengthRow {
    /// Source tokens.
    pub length: usize,
    /// Test examples of that length.
    pub count: usize,
    /// Exact-sequence accuracy with attention (greedy).
    pub attention: Option<f64>,
    /// Exact-sequence accuracy without attention (greedy).
    pub no_attention: Option<f64>,
}

/// What `metrics.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    /// `--seed`.
    pub seed: u64,
    /// The task's name.
    pub task: &'static str,
    /// Whether the main model has attention.
    pub attention: bool,
    /// The main model's epochs.
    pub history: Vec<EpochStats>,
    /// The comparison model's epochs (empty without one).
    pub history_no_attention: Vec<EpochStats>,
    /// Test exact-sequence accuracy, greedy.
    pub test_exact: f64,
    /// The comparison model's test exact-sequence accuracy, greedy.
    pub test_exact_no_attention: Option<f64>,
    /// Test exact-sequence accuracy with beam search.
    pub test_exact_beam: f64,
    /// The beam width.
    pub beam_width: usize,
    /// Test accuracy by source length.
    pub test_by_length: Vec<LengthRow>,
    /// Seconds of training and evaluation.
    pub train_seconds: f64,
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

/// A trained model with its task and figures.
pub struct Trained {
    /// The main model.
    pub model: Seq2Seq,
    /// Its task.
    pub task: Task,
    /// The run's figures (also written to `metrics.json`).
    pub metrics: Metrics,
}

/// `seq2seq train`: draws the splits, trains the main model (and the comparison model without attention),
/// evaluates on the test split, saves to `--out`. Each line of the log goes to `say` (from two threads when the
/// comparison model trains alongside).
pub fn train_command(args: &TrainArgs, say: &(dyn Fn(&str) + Sync)) -> anyhow::Result<Trained> {
    appkit::pool::run_on_threads(args.threads as usize, || train_on_pool(args, say))
}

/// [`train_command`] on the pool of `--threads` threads it runs in.
fn train_on_pool(args: &TrainArgs, say: &(dyn Fn(&str) + Sync)) -> anyhow::Result<Trained> {
    if args.epochs == 0
        || args.batch_size == 0
        || args.train_size == 0
        || args.valid_size == 0
        || args.test_size == 0
        || args.beam == 0
    {
        return Err(appkit::usage(
            "--epochs, --batch-size, --beam and the split sizes must be positive",
        ));
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
    say(&format!(
        "task {}: {} train / {} valid / {} test examples (seed {})",
        args.task.name(),
        splits.train.len(),
        splits.valid.len(),
        splits.test.len(),
        args.seed
    ));
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
        // One model per thread: nothing inside either splits again over the pool.
        std::thread::scope(|s| -> anyhow::Result<_> {
            let base = baseline.as_mut().context("no baseline")?;
            let handle = s.spawn(|| {
                tensor::threads::serial(|| {
                    train::train(base, &tr, &va, &opts("[no attention]"), say)
                })
            });
            let h = tensor::threads::serial(|| {
                train::train(&mut model, &tr, &va, &opts(main_label), say)
            })?;
            let hb = handle
                .join()
                .map_err(|_| anyhow::anyhow!("the baseline thread panicked"))??;
            Ok((h, hb))
        })?
    } else {
        let h = train::train(&mut model, &tr, &va, &opts(main_label), say)?;
        let hb = match baseline.as_mut() {
            Some(b) => train::train(b, &tr, &va, &opts("[no attention]"), say)?,
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
    say(&format!(
        "test exact-sequence accuracy ({} examples):",
        te.sources.len()
    ));
    say(&format!(
        "  {main_label} greedy   {:.2}%",
        100.0 * test_exact
    ));
    say(&format!(
        "  {main_label} beam {}   {:.2}%",
        args.beam,
        100.0 * test_exact_beam
    ));
    if let Some(b) = test_exact_no_attention {
        say(&format!("  [no attention] greedy {:.2}%", 100.0 * b));
    }
    let main_by = by_length(&te, &greedy);
    let base_by = base_right.as_deref().map(|r| by_length(&te, r));
    say(&format!(
        "  by source length (tokens): {main_label} / [no attention]"
    ));
    let mut rows = Vec::new();
    for (&len, &(ok, n)) in &main_by {
        let frac = |(ok, n): (usize, usize)| ok as f64 / n.max(1) as f64;
        let base = base_by
            .as_ref()
            .and_then(|m| m.get(&len).copied())
            .map(frac);
        say(&format!(
            "    {len:>2}: {:>7.2}% / {}  (n = {n})",
            100.0 * frac((ok, n)),
            base.map_or("-".to_string(), |b| format!("{:.2}%", 100.0 * b))
        ));
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
    say(&format!(
        "model saved to {} ({train_seconds:.1} s)",
        args.out.display()
    ));
    Ok(Trained {
        model,
        task: args.task,
        metrics,
    })
}

/// Loads a model directory written by `train`.
pub fn load(dir: &Path) -> anyhow::Result<(Seq2Seq, Task)> {
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

/// A translation and, for a model with attention, its heat map (output tokens × source tokens).
pub struct Translation {
    /// The output, joined as the task writes it.
    pub text: String,
    /// The attention weights of each output token (with `<end>`) over the source tokens.
    pub heatmap: Option<Heatmap>,
}

/// Translates one text with beam search of width `beam` (1 = greedy).
pub fn translate(
    model: &Seq2Seq,
    task: Task,
    text: &str,
    beam: usize,
) -> anyhow::Result<Translation> {
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
    let heatmap = model.config().attention.is_some().then(|| {
        let mut rows = out.clone();
        if hyp.attention.len() > out.len() {
            rows.push("<end>".into());
        }
        Heatmap {
            title: format!("attention: {text}"),
            rows,
            columns: tokens.clone(),
            values: hyp
                .attention
                .iter()
                .map(|r| r.iter().map(|&v| f64::from(v)).collect())
                .collect(),
        }
    });
    Ok(Translation {
        text: task.join(&out),
        heatmap,
    })
}

/// Translates and writes the heat map to `plot` if asked (an error for a model without attention).
fn translate_to(
    model: &Seq2Seq,
    task: Task,
    text: &str,
    beam: usize,
    plot: Option<&Path>,
) -> anyhow::Result<String> {
    let translation = translate(model, task, text, beam)?;
    if let Some(path) = plot {
        let Some(map) = &translation.heatmap else {
            bail!("this model has no attention, so there is no heat map to plot");
        };
        map.write_svg(path)?;
    }
    Ok(translation.text)
}

/// `seq2seq translate`: prints the translation, writes the heat map if asked.
pub fn translate_command(args: &TranslateArgs) -> anyhow::Result<()> {
    if args.beam == 0 {
        return Err(appkit::usage("--beam must be positive"));
    }
    let (model, task) = load(&args.model)?;
    let text = args.text.join(" ");
    let out = translate_to(&model, task, &text, args.beam, args.plot.as_deref())?;
    println!("{out}");
    if let Some(p) = &args.plot {
        eprintln!("attention heat map written to {}", p.display());
    }
    Ok(())
}

/// The demo's translations (the first one's heat map is drawn).
pub const DEMO_EXAMPLES: [&str; 5] = [
    "триста двенадцать",
    "двести сорок семь",
    "девятьсот девяносто девять тысяч девятьсот девяносто девять",
    "одна тысяча",
    "сорок две тысячи сто один",
];

/// No flags: a small model, a few translations and one heat map.
pub fn demo() -> anyhow::Result<()> {
    let args = TrainArgs::demo();
    println!(
        "no command given: training a small demo model into {} (see --help)",
        args.out.display()
    );
    let trained = train_command(&args, &|line| println!("{line}"))?;
    let plot = args.out.join("attention.svg");
    for (i, text) in DEMO_EXAMPLES.iter().enumerate() {
        let out = translate_to(
            &trained.model,
            trained.task,
            text,
            4,
            (i == 0).then_some(plot.as_path()),
        )?;
        println!("{text} → {out}");
    }
    println!(
        "attention heat map of {:?} written to {}",
        DEMO_EXAMPLES[0],
        plot.display()
    );
    Ok(())
}

/// `seq2seq train`'s flags alone, for parsing them from a list (see [`TrainArgs::parse_flags`]).
#[derive(Parser, Debug)]
#[command(name = "train")]
struct TrainOnly {
    #[command(flatten)]
    args: TrainArgs,
}

impl TrainArgs {
    /// Parses `seq2seq train`'s flags (without the program and subcommand names), as the command line would.
    pub fn parse_flags<I, T>(flags: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let argv = std::iter::once(std::ffi::OsString::from("train"))
            .chain(flags.into_iter().map(Into::into));
        TrainOnly::try_parse_from(argv).map(|t| t.args)
    }

    /// The settings of `seq2seq` without a command: the defaults, written under `out/seq2seq`.
    pub fn demo() -> Self {
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
