//! `w2v plot`: chosen words and their nearest neighbours on a 2-D PCA map (SVG).

use anyhow::Result;
use appkit::plot::{Figure, labelled_scatter};

use crate::cli::PlotArgs;
use crate::query::load;

pub fn run(args: &PlotArgs) -> Result<()> {
    let kv = load(&args.vectors)?;
    let mut words: Vec<String> = Vec::new();
    for word in args
        .words
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
    {
        let neighbours = kv.most_similar(&[word], &[], args.neighbours)?;
        for w in std::iter::once(word.to_string()).chain(neighbours.into_iter().map(|(w, _)| w)) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    let rows = words
        .iter()
        .map(|w| kv.vector(w))
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
    Figure::single(chart).write_svg(&args.out)?;
    println!("wrote {} ({} words)", args.out.display(), words.len());
    Ok(())
}
