//! Assignment 1: Word2Vec on a book, as `w2v train` runs it: clean and split the sentences, count the
//! vocabulary, train (CBOW, negative sampling, one thread so the run repeats bit for bit), query the nearest
//! neighbours of the most frequent words, and draw them on a PCA map as `w2v plot` does.

use anyhow::Context;
use appkit::plot::{Figure, labelled_scatter};
use appkit::report::{Block, Section};
use embed::{Architecture, Corpus, SentenceConfig, VectorFormat, Vocab, Word2VecParams};

use super::{Ctx, FIXTURE_STORY, command, flags, num, path_arg, section};
use crate::cli::Part;

/// Sentences longer than this many words are split for training (what `w2v` does, after gensim).
const MAX_TRAINING_SENTENCE: usize = 10_000;
/// Neighbours listed per query word (`w2v train --topn`'s default).
const TOPN: usize = 8;
/// Query words: the most frequent words of at least this many letters (shorter ones are mostly function words).
const QUERY_MIN_CHARS: usize = 4;
/// How many query words.
const QUERIES: usize = 5;
/// Query words drawn on the map, each with `w2v plot --neighbours`' default of 5 neighbours.
const MAP_WORDS: usize = 3;
const MAP_NEIGHBOURS: usize = 5;

/// Runs the part.
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let quick = ctx.args.quick;
    let epochs: usize = match (quick, ctx.args.book.is_some()) {
        (true, _) => 5,
        (false, false) => 100,
        (false, true) => 10,
    };
    let dim: usize = if quick { 20 } else { 100 };
    let defaults = Word2VecParams::default();
    let params = Word2VecParams {
        architecture: Architecture::Cbow,
        dim,
        epochs,
        threads: 1,
        seed: ctx.args.seed,
        ..defaults
    };
    params.validate()?;
    let config = SentenceConfig::default();
    ctx.say("reading the sentences");
    let (vocab, corpus) = match &ctx.args.book {
        Some(path) => {
            let vocab = embed::scan_file(path, &config, 1, None)?;
            let corpus = embed::encode_file(path, &config, &vocab, MAX_TRAINING_SENTENCE)?;
            (vocab, corpus)
        }
        None => {
            let sentences: Vec<Vec<String>> =
                textprep::sentences(FIXTURE_STORY, &config)?.collect();
            let vocab = Vocab::from_sentences(&sentences, 1, None)?;
            let corpus = Corpus::encode(&vocab, &sentences, MAX_TRAINING_SENTENCE);
            (vocab, corpus)
        }
    };
    let report = |p: &embed::Progress| {
        ctx.say(&format!(
            "Word2Vec epoch {}/{}: {:.0}%",
            p.epoch,
            p.epochs,
            100.0 * p.words_done as f64 / p.words_total.max(1) as f64
        ));
    };
    let cpu_before = appkit::cpu::process_cpu_seconds();
    let (vectors, stats) =
        embed::train_with(&vocab, &corpus, &params, Some(&report), embed::Store::Auto)
            .context("training Word2Vec")?;
    let cpu = appkit::cpu::process_cpu_seconds()
        .zip(cpu_before)
        .map(|(a, b)| a - b);

    let queries: Vec<String> = vectors
        .words()
        .iter()
        .filter(|w| w.chars().count() >= QUERY_MIN_CHARS)
        .take(QUERIES)
        .cloned()
        .collect();
    let vectors_path = ctx.file(Part::W2v, "vectors.bin");
    appkit::write_atomic(&vectors_path, |w| {
        Ok(embed::write_word2vec(&vectors, VectorFormat::Binary, w)?)
    })?;

    let mut train_flags = flags(["train"]);
    train_flags.extend(ctx.input_flags());
    train_flags.extend([
        "--epochs".into(),
        epochs.to_string(),
        "--dim".into(),
        dim.to_string(),
        "--threads".into(),
        "1".into(),
        "--seed".into(),
        ctx.args.seed.to_string(),
        "--out".into(),
        path_arg(&vectors_path),
    ]);
    for q in &queries {
        train_flags.extend(["--query".to_owned(), q.clone()]);
    }
    let map_words: Vec<String> = queries.iter().take(MAP_WORDS).cloned().collect();
    let plot_flags = vec![
        "plot".to_owned(),
        "--vectors".into(),
        path_arg(&vectors_path),
        "--words".into(),
        map_words.join(","),
        "--out".into(),
        path_arg(&ctx.file(Part::W2v, "map.svg")),
    ];
    let mut s = section(
        Part::W2v,
        "Assignment 1: Word2Vec on a book",
        format!(
            "{}\n{}",
            command("w2v", &train_flags),
            command("w2v", &plot_flags)
        ),
    );
    s.push(Block::paragraph(format!(
        "{}: {} sentences, {} tokens, vocabulary {} (min_count 1). CBOW, dim {dim}, window {}, negative {}, \
         {epochs} epochs, one thread, seed {}: {:.2} s wall{}, {:.0} words/s.",
        ctx.book_name(),
        vocab.sentences(),
        vocab.raw_words(),
        vocab.len(),
        params.window,
        params.negative,
        ctx.args.seed,
        stats.seconds,
        cpu.map_or(String::new(), |c| format!(", {c:.2} s CPU")),
        stats.words_per_sec
    )));
    let mut rows = Vec::new();
    let mut neighbours_of = Vec::new();
    for q in &queries {
        let found = vectors.most_similar(&[q.as_str()], &[], TOPN)?;
        let list: Vec<String> = found
            .iter()
            .map(|(w, sim)| format!("{w} ({})", num(f64::from(*sim), 3)))
            .collect();
        rows.push([q.clone(), list.join(", ")]);
        neighbours_of.push(found);
    }
    s.push(Block::paragraph(format!(
        "Nearest neighbours (cosine similarity) of the {} most frequent words of at least {QUERY_MIN_CHARS} \
         letters:",
        queries.len()
    )));
    s.push(Block::table(["word", "most_similar(topn=8)"], rows));

    // The map: each map word and its first neighbours, projected on the first two principal components.
    let mut words: Vec<String> = Vec::new();
    for word in &map_words {
        let found = vectors.most_similar(&[word.as_str()], &[], MAP_NEIGHBOURS)?;
        for w in std::iter::once(word.clone()).chain(found.into_iter().map(|(w, _)| w)) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    if words.len() >= 2 {
        let rows = words
            .iter()
            .map(|w| vectors.vector(w))
            .collect::<embed::Result<Vec<_>>>()?;
        let xy = embed::pca_2d(&rows)?;
        let points: Vec<(f64, f64)> = xy
            .iter()
            .map(|&(x, y)| (f64::from(x), f64::from(y)))
            .collect();
        let chart = labelled_scatter(
            "Word2Vec: words and their neighbours (PCA)",
            "PC 1",
            "PC 2",
            &points,
            &words,
        );
        s.push(Block::plot(
            "w2v-map.svg",
            format!(
                "{} and their nearest neighbours on the first two principal components",
                map_words.join(", ")
            ),
            Figure::single(chart).render_svg()?,
        ));
    }
    Ok(s)
}
