//! Property tests of CountVectorizer invariants on random multilingual documents.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use proptest::prelude::*;
use textprep::vectorize::pyword::{is_word_char, python_lower};
use textprep::vectorize::{Analyzer, CountVectorizer, CountVectorizerConfig};

/// Characters that exercise every path: ASCII, basic and extended Cyrillic (with non-letters U+0482–U+0489),
/// combining marks, numerics Python counts as \w, Greek capital sigma, İ, whitespace Python knows.
fn document() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "Z",
        "q",
        "0",
        "7",
        "_",
        "'",
        "-",
        ".",
        " ",
        " ",
        " ",
        "\t",
        "\u{a0}",
        "\u{2028}",
        "\u{1f}",
        "ё",
        "Ё",
        "й",
        "Й",
        "и\u{306}",
        "Ѐ",
        "џ",
        "Ѡ",
        "ѡ",
        "\u{482}",
        "\u{483}",
        "Ҋ",
        "ӂ",
        "²",
        "½",
        "Σ",
        "σ",
        "ΟΔ",
        "İ",
        "ß",
        "ǅ",
        "\u{a7cb}",
        "中",
        "🙂",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.concat())
}

fn corpus() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(document(), 1..8)
}

/// `(?u)\b\w\w+\b` the slow way: maximal runs of at least two Python word characters.
fn reference_token_count(text: &str) -> usize {
    let lowered = python_lower(text);
    let mut count = 0;
    let mut run = 0;
    for c in lowered.chars().chain([' ']) {
        if is_word_char(c) {
            run += 1;
        } else {
            count += usize::from(run >= 2);
            run = 0;
        }
    }
    count
}

fn config(analyzer: u8, min_n: usize, extra: usize) -> CountVectorizerConfig {
    CountVectorizerConfig {
        analyzer: [Analyzer::Word, Analyzer::Char, Analyzer::CharWb][usize::from(analyzer % 3)],
        ngram_range: (min_n, min_n + extra),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn unigram_row_sums_count_the_tokens(docs in corpus()) {
        let mut vectorizer = CountVectorizer::new(CountVectorizerConfig::default()).unwrap();
        match vectorizer.fit_transform(&docs) {
            Ok(counts) => {
                let dense = counts.to_dense();
                for (row, doc) in docs.iter().enumerate() {
                    prop_assert_eq!(dense.row(row).sum() as usize, reference_token_count(doc), "{:?}", doc);
                }
            }
            Err(err) => {
                prop_assert_eq!(err.to_string(), "empty vocabulary; perhaps the documents only contain stop words");
                prop_assert!(docs.iter().all(|d| reference_token_count(d) == 0));
            }
        }
    }

    #[test]
    fn transform_of_the_fitted_documents_is_fit_transform(
        docs in corpus(), analyzer in 0u8..3, min_n in 1usize..3, extra in 0usize..3,
    ) {
        let mut vectorizer = CountVectorizer::new(config(analyzer, min_n, extra)).unwrap();
        if let Ok(fitted) = vectorizer.fit_transform(&docs) {
            prop_assert_eq!(vectorizer.transform(&docs).unwrap(), fitted);
            let names = vectorizer.feature_names().unwrap();
            let code_points = |s: &String| s.chars().map(u32::from).collect::<Vec<_>>();
            prop_assert!(names.windows(2).all(|w| code_points(&w[0]) < code_points(&w[1])), "not in code-point order");
        }
    }

    #[test]
    fn threads_do_not_change_the_result(
        docs in prop::collection::vec(document(), 1..20), analyzer in 0u8..3, min_n in 1usize..3, extra in 0usize..3,
    ) {
        let run = |threads| {
            let mut v = CountVectorizer::new(CountVectorizerConfig { threads, ..config(analyzer, min_n, extra) }).unwrap();
            v.fit_transform(&docs).map(|m| (m, v.vocabulary().unwrap().clone())).map_err(|e| e.to_string())
        };
        let one = run(1);
        prop_assert_eq!(&run(2), &one);
        prop_assert_eq!(&run(3), &one);
    }

    #[test]
    fn binary_keeps_the_pattern_with_ones(docs in corpus(), analyzer in 0u8..3) {
        let mut counts = CountVectorizer::new(config(analyzer, 1, 1)).unwrap();
        let mut binary = CountVectorizer::new(CountVectorizerConfig { binary: true, ..config(analyzer, 1, 1) }).unwrap();
        if let (Ok(c), Ok(b)) = (counts.fit_transform(&docs), binary.fit_transform(&docs)) {
            prop_assert!(b.data().iter().all(|&v| v == 1));
            prop_assert_eq!(b.indices(), c.indices());
            prop_assert_eq!(b.indptr(), c.indptr());
        }
    }

    #[test]
    fn lowercase_agrees_with_std_outside_newer_unicode(doc in document()) {
        let doc: String = doc.chars().filter(|&c| c != '\u{a7cb}').collect();
        prop_assert_eq!(python_lower(&doc).into_owned(), doc.to_lowercase());
    }
}
