//! The lesson's two models on its two sentences, printed as numpy and Python print them.

use std::io::Write;

use anyhow::Result;
use textprep::vectorize::{CountVectorizer, CountVectorizerConfig};

use crate::numpy_print::format_matrix;

/// The lesson's corpus.
pub const LESSON_TEXTS: [&str; 2] = ["он не делает работу", "не он делает работу"];

/// Prints `print(X.toarray())` and `print(vectorizer.vocabulary_)` for ngram_range (1, 1), then (1, 2).
pub fn print_lesson(out: &mut impl Write) -> Result<()> {
    for ngram_range in [(1, 1), (1, 2)] {
        let mut vectorizer = CountVectorizer::new(CountVectorizerConfig {
            ngram_range,
            ..Default::default()
        })?;
        let counts = vectorizer.fit_transform(&LESSON_TEXTS)?;
        writeln!(out, "{}", format_matrix(&counts.to_dense()))?;
        let vocabulary = vectorizer
            .vocabulary()
            .ok_or_else(|| anyhow::anyhow!("vectorizer not fitted"))?;
        writeln!(out, "{}", vocabulary.python_repr())?;
    }
    Ok(())
}
