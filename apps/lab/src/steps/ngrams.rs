//! Bag of words and n-grams: the lesson's two sentences with `ngram_range` (1, 1) and (1, 2), then the book
//! (one document per line) with 1–2-grams, as `ngrams` and `ngrams --input BOOK --ngram-range 1,2` print them.

use appkit::plot::{Chart, Figure, Series};
use appkit::report::{Block, Section};
use textprep::vectorize::{CountVectorizer, CountVectorizerConfig, CsrMatrix};
use textprep::{Utf8Policy, read_text};

use super::{Ctx, FIXTURE_STORY, command, flags, path_arg, section};
use crate::cli::Part;

/// The lesson's corpus (the same two sentences `ngrams` prints).
const LESSON_TEXTS: [&str; 2] = ["он не делает работу", "не он делает работу"];
/// How many of the book's most frequent n-grams the report lists (`ngrams --top`'s default).
const TOP: usize = 10;

/// Runs the part.
pub fn run(ctx: &Ctx) -> anyhow::Result<Section> {
    let book_flags = match &ctx.args.book {
        Some(p) => vec!["--input".to_owned(), path_arg(p)],
        None => flags(["--input", "fixtures/text/story.txt"]),
    };
    let mut book_cmd = book_flags.clone();
    book_cmd.extend(flags(["--ngram-range", "1,2"]));
    let mut s = section(
        Part::Ngrams,
        "Bag of words and n-grams (CountVectorizer)",
        format!(
            "{}\n{}",
            command("ngrams", &[]),
            command("ngrams", &book_cmd)
        ),
    );
    s.push(Block::paragraph(
        "The lesson's two sentences differ only in word order: as a bag of words they are the same row; \
         1–2-grams tell them apart. Counts match scikit-learn's CountVectorizer exactly.",
    ));
    for ngram_range in [(1, 1), (1, 2)] {
        ctx.say(&format!("CountVectorizer ngram_range {ngram_range:?}"));
        let mut vectorizer = CountVectorizer::new(CountVectorizerConfig {
            ngram_range,
            ..Default::default()
        })?;
        let counts = vectorizer.fit_transform(&LESSON_TEXTS)?;
        let names = vectorizer.feature_names()?;
        let dense = counts.to_dense();
        let header = std::iter::once("document".to_owned()).chain(names.iter().cloned());
        let rows = LESSON_TEXTS.iter().zip(dense.rows()).map(|(text, row)| {
            std::iter::once((*text).to_owned())
                .chain(row.iter().map(i64::to_string))
                .collect::<Vec<_>>()
        });
        s.push(Block::paragraph(format!(
            "ngram_range = {ngram_range:?}: {} features.",
            names.len()
        )));
        s.push(Block::table(header, rows));
    }

    let (name, text) = match &ctx.args.book {
        Some(p) => (p.display().to_string(), read_text(p, Utf8Policy::Strict)?),
        None => (
            "fixtures/text/story.txt".to_owned(),
            FIXTURE_STORY.to_owned(),
        ),
    };
    let documents: Vec<&str> = text.lines().collect();
    ctx.say(&format!("vectorizing {name}: {} lines", documents.len()));
    let mut vectorizer = CountVectorizer::new(CountVectorizerConfig {
        ngram_range: (1, 2),
        ..Default::default()
    })?;
    let counts = vectorizer.fit_transform(&documents)?;
    let names = vectorizer.terms()?;
    let (rows, cols) = counts.shape();
    s.push(Block::paragraph(format!(
        "{name}, one document per line, 1–2-grams: {rows} documents, {cols} features, {} stored counts.",
        counts.nnz()
    )));
    let totals = column_totals(&counts);
    let top = top_features(&totals, TOP);
    s.push(Block::table(
        ["total count", "n-gram"],
        top.iter().map(|&(c, total)| {
            [
                total.to_string(),
                names.get(c).unwrap_or_default().to_owned(),
            ]
        }),
    ));
    // Zipf's law: a few words (and pairs) take most of the counts, the long tail is seen once.
    let mut chart = Chart::new(
        format!("{name}: count by rank (log-log)"),
        "log10 rank",
        "log10 total count",
    );
    for (label, pairs) in [("words", false), ("word pairs", true)] {
        let mut counts: Vec<i64> = (0..totals.len())
            .filter(|&c| names.get(c).is_some_and(|t| t.contains(' ') == pairs))
            .map(|c| totals[c])
            .collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let points = counts
            .iter()
            .enumerate()
            .map(|(rank, &n)| (((rank + 1) as f64).log10(), (n as f64).log10()))
            .collect();
        chart = chart.with(Series::line(label, points));
    }
    s.push(Block::plot(
        "ngrams-zipf.svg",
        "Total count of each word and word pair against its rank, both on log scales",
        Figure::single(chart).render_svg()?,
    ));
    Ok(s)
}

/// Each column's total count over the documents.
fn column_totals(counts: &CsrMatrix) -> Vec<i64> {
    let mut totals = vec![0i64; counts.shape().1];
    for (&col, &value) in counts.indices().iter().zip(counts.data()) {
        totals[col as usize] += value;
    }
    totals
}

/// The `n` columns with the largest totals, ties in column order (as `ngrams`' summary lists them).
fn top_features(totals: &[i64], n: usize) -> Vec<(usize, i64)> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(totals[c]), c));
    order.into_iter().take(n).map(|c| (c, totals[c])).collect()
}
