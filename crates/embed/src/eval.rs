//! Intrinsic evaluation as gensim's `evaluate_word_analogies` and `evaluate_word_pairs` do it.
//!
//! What we do (and gensim 4.4 does): only the `restrict_vocab` most frequent words (default 300,000) take part;
//! matching is case-insensitive — gensim upper-cases both the file and the vocabulary, we lower-case both (the
//! same equivalence for the scripts in question; the most frequent of several case variants wins, as in gensim);
//! a question or pair with a word outside that set is skipped and counted.

use std::io::{BufRead, BufReader, Read};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::keyed::KeyedVectors;

/// gensim's default `restrict_vocab`.
pub const DEFAULT_RESTRICT_VOCAB: usize = 300_000;

/// Results of one `: section` of an analogy file.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionScore {
    /// The section name (text after `: `).
    pub name: String,
    /// Questions answered correctly.
    pub correct: usize,
    /// Questions answered wrongly.
    pub incorrect: usize,
    /// Questions skipped because a word is out of vocabulary.
    pub skipped: usize,
}

impl SectionScore {
    /// `correct / (correct + incorrect)`, or 0 for no evaluated question.
    pub fn accuracy(&self) -> f64 {
        let n = self.correct + self.incorrect;
        if n == 0 {
            0.0
        } else {
            self.correct as f64 / n as f64
        }
    }
}

/// Analogy accuracy per section and overall.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalogyScore {
    /// Each section in file order.
    pub sections: Vec<SectionScore>,
    /// All sections together (named "Total accuracy" as in gensim).
    pub total: SectionScore,
}

/// Word-pair similarity agreement with human scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    /// Pearson correlation of model cosines with the human scores.
    pub pearson: f64,
    /// Spearman rank correlation (ties get average ranks, as scipy).
    pub spearman: f64,
    /// Pairs evaluated.
    pub pairs: usize,
    /// Pairs skipped for an out-of-vocabulary word.
    pub oov: usize,
    /// `oov / (pairs + oov) × 100`, as gensim reports it.
    pub oov_percent: f64,
}

/// Lower-cased word → index among the first `restrict` words (the most frequent variant wins).
fn case_folded(kv: &KeyedVectors, restrict: usize) -> FxHashMap<String, usize> {
    let mut map = FxHashMap::default();
    for (i, w) in kv.words().iter().enumerate().take(restrict).rev() {
        map.insert(w.to_lowercase(), i);
    }
    map
}

fn lines(input: impl Read, name: &str) -> impl Iterator<Item = Result<(usize, String)>> {
    let name = name.to_string();
    BufReader::new(input)
        .lines()
        .enumerate()
        .map(move |(i, l)| {
            l.map(|l| (i + 1, l)).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => {
                    Error::format(name.clone(), format!("line {}: not valid UTF-8", i + 1))
                }
                _ => Error::io(format!("reading {name}"), e),
            })
        })
}

/// Scores analogies in `questions-words.txt` format: `: section` lines, then `a b c d` lines meaning
/// "a is to b as c is to d"; the prediction is the nearest word to `b − a + c` (3CosAdd, the query words
/// excluded), correct when it equals `d`.
///
/// # Errors
/// [`Error::Format`] for a question line without exactly four words (naming the line).
pub fn evaluate_analogies(
    kv: &KeyedVectors,
    input: impl Read,
    name: &str,
    restrict_vocab: usize,
) -> Result<AnalogyScore> {
    let vocab = case_folded(kv, restrict_vocab);
    let restrict = restrict_vocab.min(kv.len());
    let mut sections: Vec<SectionScore> = Vec::new();
    for item in lines(input, name) {
        let (line_no, line) = item?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix(':') {
            sections.push(SectionScore {
                name: section.trim().to_string(),
                correct: 0,
                incorrect: 0,
                skipped: 0,
            });
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
        let [a, b, c, expected] = &words[..] else {
            return Err(Error::format(
                name,
                format!("line {line_no}: expected 4 words, found {}", words.len()),
            ));
        };
        if sections.is_empty() {
            return Err(Error::format(
                name,
                format!("line {line_no}: question before the first ': section' line"),
            ));
        }
        let section = sections
            .last_mut()
            .ok_or_else(|| Error::format(name, "no section"))?;
        let ids: Option<Vec<usize>> = [a, b, c, expected]
            .iter()
            .map(|w| vocab.get(w.as_str()).copied())
            .collect();
        let Some(ids) = ids else {
            section.skipped += 1;
            continue;
        };
        let (wa, wb, wc) = (
            &kv.words()[ids[0]],
            &kv.words()[ids[1]],
            &kv.words()[ids[2]],
        );
        let predictions = kv.most_similar_within(&[wb, wc], &[wa], 5, restrict)?;
        let ignore = [a, b, c];
        let predicted = predictions
            .iter()
            .map(|(w, _)| w.to_lowercase())
            .find(|p| vocab.contains_key(p) && !ignore.contains(&p));
        if predicted.as_deref() == Some(expected.as_str()) {
            section.correct += 1;
        } else {
            section.incorrect += 1;
        }
    }
    let total = SectionScore {
        name: "Total accuracy".into(),
        correct: sections.iter().map(|s| s.correct).sum(),
        incorrect: sections.iter().map(|s| s.incorrect).sum(),
        skipped: sections.iter().map(|s| s.skipped).sum(),
    };
    Ok(AnalogyScore { sections, total })
}

/// Scores tab-separated `word1<TAB>word2<TAB>score` lines (`#` starts a comment line) against the model's cosine.
///
/// # Errors
/// [`Error::Format`] naming the line for a malformed line, or if fewer than two pairs can be evaluated.
pub fn evaluate_word_pairs(
    kv: &KeyedVectors,
    input: impl Read,
    name: &str,
    restrict_vocab: usize,
) -> Result<PairScore> {
    let vocab = case_folded(kv, restrict_vocab);
    let (mut gold, mut model, mut oov) = (Vec::new(), Vec::new(), 0usize);
    for item in lines(input, name) {
        let (line_no, line) = item?;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [a, b, score] = fields[..] else {
            return Err(Error::format(
                name,
                format!(
                    "line {line_no}: expected 'word1<TAB>word2<TAB>score', found {} field(s)",
                    fields.len()
                ),
            ));
        };
        let score: f64 = score.trim().parse().map_err(|_| {
            Error::format(
                name,
                format!("line {line_no}: score '{}' is not a number", score.trim()),
            )
        })?;
        match (
            vocab.get(&a.trim().to_lowercase()),
            vocab.get(&b.trim().to_lowercase()),
        ) {
            (Some(&i), Some(&j)) => {
                gold.push(score);
                model.push(f64::from(crate::kernel::dot(
                    kv.unit_row(i),
                    kv.unit_row(j),
                )));
            }
            _ => oov += 1,
        }
    }
    if gold.len() < 2 {
        return Err(Error::format(
            name,
            format!(
                "only {} pair(s) with both words in the vocabulary; need at least 2",
                gold.len()
            ),
        ));
    }
    Ok(PairScore {
        pearson: pearson(&gold, &model),
        spearman: spearman(&gold, &model),
        pairs: gold.len(),
        oov,
        oov_percent: oov as f64 * 100.0 / (gold.len() + oov) as f64,
    })
}

/// Pearson's correlation coefficient (NaN if either input is constant).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Ranks from 1, ties sharing the average of their ranks (scipy's `rankdata(method='average')`).
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation: Pearson of average ranks (scipy's `spearmanr`).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_correlations_match_scipy() {
        // scipy.stats.rankdata([3, 1, 4, 1, 5]) = [3, 1.5, 4, 1.5, 5]
        assert_eq!(
            average_ranks(&[3.0, 1.0, 4.0, 1.0, 5.0]),
            vec![3.0, 1.5, 4.0, 1.5, 5.0]
        );
        // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]).statistic = 0.8207826816681233
        assert!(
            (spearman(&[1., 2., 3., 4., 5.], &[5., 6., 7., 8., 7.]) - 0.8207826816681233).abs()
                < 1e-12
        );
        // scipy.stats.pearsonr([1,2,3,4,5],[2,4,5,4,5]).statistic = 0.7745966692414834
        assert!(
            (pearson(&[1., 2., 3., 4., 5.], &[2., 4., 5., 4., 5.]) - 0.7745966692414834).abs()
                < 1e-12
        );
    }

    fn kv() -> KeyedVectors {
        let words = ["Король", "королева", "мужчина", "женщина", "яблоко"]
            .map(String::from)
            .to_vec();
        #[rustfmt::skip]
        let v = vec![1.0, 1.0, 0.0,  1.0, 0.0, 1.0,  0.0, 1.0, 0.0,  0.0, 0.0, 1.0,  -1.0, -0.2, -0.1];
        KeyedVectors::new(words, v, 3).unwrap()
    }

    #[test]
    fn analogies_per_section_with_oov_skips() {
        let file = ": family\nмужчина король женщина королева\nмужчина король женщина яблоко\nмужчина король женщина груша\n: empty\n";
        let s =
            evaluate_analogies(&kv(), file.as_bytes(), "q.txt", DEFAULT_RESTRICT_VOCAB).unwrap();
        assert_eq!(
            s.sections[0],
            SectionScore {
                name: "family".into(),
                correct: 1,
                incorrect: 1,
                skipped: 1
            }
        );
        assert_eq!(s.sections[1].correct + s.sections[1].incorrect, 0);
        assert_eq!(
            (s.total.correct, s.total.incorrect, s.total.skipped),
            (1, 1, 1)
        );
        let e = evaluate_analogies(&kv(), ": s\nа б в\n".as_bytes(), "q.txt", 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("q.txt") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn word_pairs() {
        let file = "# comment\nкороль\tкоролева\t8\nмужчина\tженщина\t7\nкороль\tяблоко\t1\nкороль\tгруша\t2\n";
        let s =
            evaluate_word_pairs(&kv(), file.as_bytes(), "p.tsv", DEFAULT_RESTRICT_VOCAB).unwrap();
        assert_eq!((s.pairs, s.oov), (3, 1));
        assert!((s.oov_percent - 25.0).abs() < 1e-12);
        // cosines: 0.5, 0.0, -0.76 ; gold 8, 7, 1 -> perfectly monotone in this order except 0.5 vs 0.0 matches 8 vs 7
        assert!((s.spearman - 1.0).abs() < 1e-12);
        let e = evaluate_word_pairs(&kv(), "a\tb\n".as_bytes(), "p.tsv", 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
