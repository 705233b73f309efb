//! `w2v eval`: analogy accuracy per section and overall, word-pair Spearman/Pearson.

use std::fs::File;

use anyhow::{Context, Result};

use crate::cli::EvalArgs;
use crate::query::load;

pub fn run(args: &EvalArgs) -> Result<()> {
    if args.analogies.is_none() && args.pairs.is_none() {
        return Err(appkit::usage(
            "nothing to evaluate: give --analogies FILE and/or --pairs FILE",
        ));
    }
    let kv = load(&args.vectors)?;
    if let Some(path) = &args.analogies {
        let name = path.display().to_string();
        let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
        let score = embed::evaluate_analogies(&kv, file, &name, args.restrict_vocab)?;
        println!("analogies ({name}):");
        for s in score.sections.iter().chain(std::iter::once(&score.total)) {
            println!(
                "  {:<24} {:>6.1}%  ({}/{} correct, {} skipped: out of vocabulary)",
                s.name,
                s.accuracy() * 100.0,
                s.correct,
                s.correct + s.incorrect,
                s.skipped
            );
        }
    }
    if let Some(path) = &args.pairs {
        let name = path.display().to_string();
        let file = File::open(path).with_context(|| format!("cannot open {name}"))?;
        let s = embed::evaluate_word_pairs(&kv, file, &name, args.restrict_vocab)?;
        println!("word pairs ({name}):");
        println!(
            "  Spearman {:.4}  Pearson {:.4}  ({} pairs, {} out of vocabulary = {:.1}%)",
            s.spearman, s.pearson, s.pairs, s.oov, s.oov_percent
        );
    }
    Ok(())
}
