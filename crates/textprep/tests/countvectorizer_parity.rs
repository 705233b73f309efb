//! Parity with scikit-learn: every case of `fixtures/parity/countvectorizer/cases.json` (made by
//! `tools/sklearn_countvectorizer.py`, which records the sklearn version) must give the same feature names, the same
//! `vocabulary_` insertion order and the same counts, for fit_transform and for transform of other documents.

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use serde_json::Value;
use textprep::vectorize::{
    Analyzer, ColumnStats, CountVectorizer, CountVectorizerConfig, CsrMatrix, DocFrequency,
    DocumentSource, MatrixBuilder,
};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../fixtures/parity/countvectorizer/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn doc_frequency(value: &Value) -> DocFrequency {
    match value.as_u64() {
        Some(count) => DocFrequency::Count(count),
        None => DocFrequency::Fraction(value.as_f64().unwrap()),
    }
}

/// sklearn keyword arguments → our configuration (panics on a keyword the test does not know).
fn config(params: &Value, threads: usize) -> CountVectorizerConfig {
    let mut config = CountVectorizerConfig {
        threads,
        ..Default::default()
    };
    for (key, value) in params.as_object().unwrap() {
        match key.as_str() {
            "ngram_range" => {
                config.ngram_range = (
                    value[0].as_u64().unwrap() as usize,
                    value[1].as_u64().unwrap() as usize,
                )
            }
            "analyzer" => config.analyzer = value.as_str().unwrap().parse::<Analyzer>().unwrap(),
            "lowercase" => config.lowercase = value.as_bool().unwrap(),
            "binary" => config.binary = value.as_bool().unwrap(),
            "min_df" => config.min_df = doc_frequency(value),
            "max_df" => config.max_df = doc_frequency(value),
            "max_features" => config.max_features = Some(value.as_u64().unwrap() as usize),
            "stop_words" => config.stop_words = Some(strings(value)),
            "vocabulary" => config.vocabulary = Some(strings(value)),
            other => panic!("unknown sklearn parameter {other}"),
        }
    }
    config
}

fn assert_same_matrix(ours: &CsrMatrix, sklearn: &Value, what: &str) {
    let numbers = |key: &str| -> Vec<u64> {
        sklearn[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    let shape = numbers("shape");
    assert_eq!(
        ours.shape(),
        (shape[0] as usize, shape[1] as usize),
        "{what}: shape"
    );
    assert_eq!(
        ours.indptr().iter().map(|&v| v as u64).collect::<Vec<_>>(),
        numbers("indptr"),
        "{what}: indptr"
    );
    assert_eq!(
        ours.indices()
            .iter()
            .map(|&v| u64::from(v))
            .collect::<Vec<_>>(),
        numbers("indices"),
        "{what}: indices"
    );
    assert_eq!(
        ours.data().iter().map(|&v| v as u64).collect::<Vec<_>>(),
        numbers("data"),
        "{what}: data"
    );
}

#[test]
fn every_sklearn_case_matches_on_one_and_two_threads() {
    let fixture = fixture("cases.json");
    let corpus = strings(&fixture["corpus"]);
    let others = strings(&fixture["transform_docs"]);
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for threads in [1, 2] {
        for case in cases {
            let name = format!("{} ({threads} threads)", case["name"].as_str().unwrap());
            let mut vectorizer = CountVectorizer::new(config(&case["params"], threads)).unwrap();
            let fitted = vectorizer.fit_transform(&corpus).unwrap();
            assert_eq!(
                vectorizer.feature_names().unwrap(),
                strings(&case["feature_names"]),
                "{name}: feature names"
            );
            let order: Vec<(String, u64)> = vectorizer
                .vocabulary()
                .unwrap()
                .in_insertion_order()
                .map(|(t, i)| (t.to_owned(), i as u64))
                .collect();
            let expected: Vec<(String, u64)> = case["vocabulary_order"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_u64().unwrap()))
                .collect();
            assert_eq!(order, expected, "{name}: vocabulary_ order");
            assert_same_matrix(&fitted, &case["fit"], &format!("{name}: fit_transform"));
            assert_same_matrix(
                &vectorizer.transform(&others).unwrap(),
                &case["transform"],
                &format!("{name}: transform"),
            );
            assert_eq!(
                vectorizer.transform(&corpus).unwrap(),
                fitted,
                "{name}: transform(fit docs)"
            );
        }
    }
}

/// Documents handed out a few at a time and read again for every pass, as a file too large for memory is.
struct Streamed<'a> {
    docs: &'a [String],
    batch: usize,
}

impl DocumentSource for Streamed<'_> {
    fn for_each_batch(
        &self,
        batch: &mut dyn FnMut(&[&str]) -> textprep::Result<()>,
    ) -> textprep::Result<()> {
        for docs in self.docs.chunks(self.batch) {
            let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
            batch(&docs)?;
        }
        Ok(())
    }

    fn holds_in_memory(&self) -> bool {
        false
    }
}

/// The statistics of a matrix, computed the obvious way.
fn stats_of(matrix: &CsrMatrix) -> ColumnStats {
    let (rows, cols) = matrix.shape();
    let mut stats = ColumnStats {
        documents: rows,
        document_frequency: vec![0; cols],
        totals: vec![0; cols],
    };
    for (&col, &value) in matrix.indices().iter().zip(matrix.data()) {
        stats.document_frequency[col as usize] += 1;
        stats.totals[col as usize] += value as u64;
    }
    stats
}

#[test]
fn streamed_passes_match_sklearn_in_any_batch_size() {
    let fixture = fixture("cases.json");
    let corpus = strings(&fixture["corpus"]);
    for threads in [1, 2] {
        for batch in [1, 3, corpus.len()] {
            let source = Streamed {
                docs: &corpus,
                batch,
            };
            for case in fixture["cases"].as_array().unwrap() {
                let name = format!(
                    "{} ({threads} threads, batches of {batch})",
                    case["name"].as_str().unwrap()
                );
                let mut vectorizer =
                    CountVectorizer::new(config(&case["params"], threads)).unwrap();
                let mut rows = MatrixBuilder::default();
                vectorizer.fit_transform_to(&source, &mut rows).unwrap();
                let matrix = rows.finish().unwrap();
                assert_same_matrix(&matrix, &case["fit"], &format!("{name}: fit_transform_to"));
                assert_eq!(
                    vectorizer.feature_names().unwrap(),
                    strings(&case["feature_names"]),
                    "{name}: feature names"
                );
                let order: Vec<String> = vectorizer
                    .vocabulary()
                    .unwrap()
                    .in_insertion_order()
                    .map(|(t, _)| t.to_owned())
                    .collect();
                let expected: Vec<String> = case["vocabulary_order"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[0].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(order, expected, "{name}: vocabulary_ order");
                // One streamed pass gives the statistics of the same matrix (and the same vocabulary).
                let mut again = CountVectorizer::new(config(&case["params"], threads)).unwrap();
                let stats = again.fit_source(&source).unwrap();
                assert_eq!(stats, stats_of(&matrix), "{name}: statistics");
                assert_eq!(stats.nnz(), matrix.nnz(), "{name}: nnz");
                assert_eq!(again.vocabulary(), vectorizer.vocabulary(), "{name}");
            }
        }
    }
}

#[test]
fn sklearn_errors_have_sklearn_messages() {
    let fixture = fixture("errors.json");
    for case in fixture["errors"].as_array().unwrap() {
        let docs = strings(&case["docs"]);
        let message = CountVectorizer::new(config(&case["params"], 1))
            .and_then(|mut v| v.fit_transform(&docs))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            case["message"].as_str().unwrap(),
            "{}",
            case["name"]
        );
        let streamed = CountVectorizer::new(config(&case["params"], 1))
            .and_then(|mut v| {
                v.fit_source(&Streamed {
                    docs: &docs,
                    batch: 2,
                })
            })
            .unwrap_err()
            .to_string();
        assert_eq!(streamed, message, "{} (streamed)", case["name"]);
    }
}

#[test]
fn transform_before_fit_is_an_error() {
    let vectorizer = CountVectorizer::new(CountVectorizerConfig::default()).unwrap();
    assert_eq!(
        vectorizer.transform(&["a b"]).unwrap_err().to_string(),
        "Vocabulary not fitted or provided"
    );
}
