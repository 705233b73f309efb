//! `w2v similar`, `w2v analogy`, `w2v vector`: queries on saved vectors.

use anyhow::{Context, Result};
use embed::KeyedVectors;

use crate::cli::{AnalogyArgs, SimilarArgs, VectorArgs, VectorsArg};

/// Loads a word2vec file (binary or text).
pub fn load(arg: &VectorsArg) -> Result<KeyedVectors> {
    embed::load_word2vec(&arg.vectors)
        .with_context(|| format!("cannot load vectors from {}", arg.vectors.display()))
}

pub fn similar(args: &SimilarArgs) -> Result<()> {
    let kv = load(&args.vectors)?;
    let positive: Vec<&str> = args.words.iter().map(String::as_str).collect();
    let negative: Vec<&str> = args.negative.iter().map(String::as_str).collect();
    let result = kv.most_similar(&positive, &negative, args.topn)?;
    println!("{}", embed::format_neighbours(&result));
    Ok(())
}

pub fn analogy(args: &AnalogyArgs) -> Result<()> {
    let kv = load(&args.vectors)?;
    let result = kv.most_similar(&[&args.b, &args.c], &[&args.a], args.topn)?;
    println!("{} − {} + {}:", args.b, args.a, args.c);
    println!("{}", embed::format_neighbours(&result));
    Ok(())
}

pub fn vector(args: &VectorArgs) -> Result<()> {
    let kv = load(&args.vectors)?;
    let v = kv.vector(&args.word)?;
    let values: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
    println!("{} ({} values):", args.word, v.len());
    println!("[{}]", values.join(", "));
    Ok(())
}
