//! Learning a vocabulary from documents fed batch after batch (sklearn's `_count_vocab`, `_sort_features` and
//! `_limit_features`), and the rows of the document-term matrix.
//!
//! The counting pass either records every occurrence (the input is in memory anyway: the rows are then made
//! from the record) or keeps only the vocabulary and each feature's document frequency and total (a streamed
//! input: memory grows with the vocabulary, and the rows come from a second pass, see
//! `CountVectorizer::fit_transform_to`). Both go through the same counters and the same pruning.

use rayon::prelude::*;

use super::analyzer::{Analysis, Scratch};
use super::config::CountVectorizerConfig;
use super::occurrences::{Occurrences, Stats};
use super::prune::Limits;
use super::rank::{inverse, order_by_tokens, rank_by_term};
use super::sink::ColumnStats;
use super::sparse::CsrMatrix;
use super::term_list::TermList;
use super::text_count::TextCounter;
use super::vocabulary::{FastMap, Vocabulary};
use super::word_count::{WordCounter, WordRun};
use crate::error::{Error, Result};

/// A feature pruned away (in a map from first-seen ids to columns).
const DROPPED: u32 = u32::MAX;

/// What fitting found.
pub(crate) struct Fitted {
    /// Terms by column (code-point order) and in first-seen order.
    pub(crate) vocabulary: Vocabulary,
    /// The number of documents.
    pub(crate) n_docs: usize,
    /// Per-column statistics, when they were counted.
    pub(crate) stats: Option<ColumnStats>,
    /// The document-term matrix, when the occurrences were recorded.
    pub(crate) matrix: Option<CsrMatrix>,
}

/// The counter of the analyzer.
enum Counter {
    Words(Box<WordCounter>),
    Texts(TextCounter),
}

/// The features found, by first-seen id.
enum Features {
    Words(WordRun),
    Texts(Vec<Box<str>>),
}

impl Features {
    fn len(&self) -> usize {
        match self {
            Self::Words(run) => run.len(),
            Self::Texts(terms) => terms.len(),
        }
    }

    /// First-seen ids in code-point order of their terms.
    fn order(&self) -> Vec<u32> {
        match self {
            Self::Words(run) => order_by_tokens(run),
            Self::Texts(terms) => inverse(&rank_by_term(terms)),
        }
    }

    /// The texts of the features `order`, back to back.
    fn terms_in(&self, order: &[u32]) -> TermList {
        match self {
            Self::Words(run) => word_terms_in(run, order),
            Self::Texts(terms) => order.iter().map(|&f| &*terms[f as usize]).collect(),
        }
    }
}

/// The counting pass, fed batch after batch.
pub(crate) struct Learner<'a> {
    analysis: &'a Analysis,
    threads: usize,
    record: bool,
    stats: bool,
    /// Made at the first batch, sized from it.
    counter: Option<Counter>,
}

impl<'a> Learner<'a> {
    /// `record`: keep every occurrence (for rows made without reading the documents again); `stats`: count each
    /// feature's document frequency and total as documents go by (always done when not recording, as pruning
    /// then cannot use the record).
    pub(crate) fn new(analysis: &'a Analysis, threads: usize, record: bool, stats: bool) -> Self {
        Self {
            analysis,
            threads,
            record,
            stats: stats || !record,
            counter: None,
        }
    }

    /// Counts the features of the next documents.
    pub(crate) fn feed(&mut self, docs: &[&str]) -> Result<()> {
        let (analysis, threads) = (self.analysis, self.threads);
        let counter = self.counter.get_or_insert_with(|| {
            let occurrences = Occurrences::new(self.record, self.stats);
            if analysis.is_word() {
                let bytes = docs.iter().map(|d| d.len()).sum();
                Counter::Words(Box::new(WordCounter::new(
                    analysis.ngram_range(),
                    bytes,
                    docs.len(),
                    occurrences,
                )))
            } else {
                Counter::Texts(TextCounter::new(occurrences))
            }
        });
        match counter {
            Counter::Words(words) => words.feed(analysis, docs, threads),
            Counter::Texts(texts) => texts.feed(analysis, docs, threads)?,
        }
        Ok(())
    }

    /// The vocabulary (sorted, pruned by `config`'s limits), the statistics when counted, the matrix when
    /// recorded. With two or more threads the terms' texts and the rows are made side by side.
    pub(crate) fn finish(self, config: &CountVectorizerConfig) -> Result<Fitted> {
        let (features, mut occurrences) = match self.counter {
            Some(Counter::Words(words)) => {
                let (run, occurrences) = words.finish();
                (Features::Words(run), occurrences)
            }
            Some(Counter::Texts(texts)) => {
                let (terms, occurrences) = texts.finish();
                (Features::Texts(terms), occurrences)
            }
            None => return Err(Error::EmptyVocabulary),
        };
        let n = features.len();
        if n == 0 {
            return Err(Error::EmptyVocabulary);
        }
        let n_docs = occurrences.n_docs;
        let limits = Limits::new(config.min_df, config.max_df, config.max_features, n_docs)?;
        let keep_all = limits.keep_all(n_docs);
        let order = features.order();
        // Document frequencies and totals in column (rank) order, when pruning or the caller needs them.
        let by_rank = (!keep_all || occurrences.stats.is_some()).then(|| {
            let stats = occurrences
                .stats
                .take()
                .unwrap_or_else(|| Stats::of_recorded(&occurrences.ids, &occurrences.doc_ends, n));
            let documents: Vec<u64> = order.iter().map(|&f| stats.documents[f as usize]).collect();
            // sklearn applies `binary` before `_limit_features`, so totals are document frequencies then.
            let totals: Vec<u64> = if config.binary {
                documents.clone()
            } else {
                order.iter().map(|&f| stats.totals[f as usize]).collect()
            };
            (documents, totals)
        });
        let mut to_column = inverse(&order);
        let mut kept_order = order;
        let mut stats = by_rank.map(|(document_frequency, totals)| ColumnStats {
            documents: n_docs,
            document_frequency,
            totals,
        });
        if let (false, Some(column_stats)) = (keep_all, &mut stats) {
            let new_index =
                limits.select(&column_stats.document_frequency, &column_stats.totals)?;
            for column in &mut to_column {
                *column = new_index[*column as usize].unwrap_or(DROPPED);
            }
            kept_order.retain(|&f| to_column[f as usize] != DROPPED);
            let kept = |values: &mut Vec<u64>| {
                let mut i = 0;
                values.retain(|_| {
                    i += 1;
                    new_index[i - 1].is_some()
                });
            };
            kept(&mut column_stats.document_frequency);
            kept(&mut column_stats.totals);
        }
        let n_cols = kept_order.len();
        let insertion_order: Vec<u32> = to_column
            .iter()
            .copied()
            .filter(|&c| c != DROPPED)
            .collect();
        let terms = || features.terms_in(&kept_order);
        let rows = || {
            occurrences.records().then(|| {
                let mut matrix =
                    rows_of(&occurrences.ids, &occurrences.doc_ends, &to_column, n_cols);
                if config.binary {
                    matrix.make_binary();
                }
                matrix
            })
        };
        let (terms, matrix) = if self.threads > 1 && occurrences.records() {
            std::thread::scope(|scope| {
                let names = scope.spawn(terms);
                let matrix = rows();
                let terms = names
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (terms, matrix)
            })
        } else {
            (terms(), rows())
        };
        Ok(Fitted {
            vocabulary: Vocabulary::learned(terms, insertion_order),
            n_docs,
            stats,
            matrix,
        })
    }
}

/// The texts of the features of `run`, in `order`, back to back.
fn word_terms_in(run: &WordRun, order: &[u32]) -> TermList {
    let tokens: Vec<&str> = run.tokens.iter().collect();
    let token_len: Vec<usize> = tokens.iter().map(|t| t.len()).collect();
    let bytes = order
        .iter()
        .map(|&f| {
            let window = run.window(f as usize);
            window.iter().map(|&t| token_len[t as usize]).sum::<usize>() + window.len() - 1
        })
        .sum();
    let mut terms = TermList::with_capacity(order.len(), bytes);
    let token = |t: u32| tokens[t as usize];
    for &f in order {
        match *run.window(f as usize) {
            [only] => terms.push(token(only)),
            [first, second] => terms.push_pair(token(first), token(second)),
            _ => terms.push_joined(run.tokens_of(f as usize)),
        }
    }
    terms
}

/// Counts the features of `docs` that `index` knows, ignoring the others (sklearn's `transform`).
pub(crate) fn count_known<D: AsRef<str> + Sync>(
    analysis: &Analysis,
    docs: &[D],
    index: &FastMap<Box<str>, u32>,
    n_cols: usize,
    threads: usize,
) -> Result<CsrMatrix> {
    let parts = on_runs(docs, threads, |run| {
        let mut matrix = CsrMatrix::with_columns(n_cols);
        let mut scratch = Scratch::default();
        let mut ids = Vec::new();
        for doc in run {
            ids.clear();
            analysis.features(doc.as_ref(), &mut scratch, &mut |feature| {
                if let Some(&id) = index.get(feature) {
                    ids.push(id);
                }
            });
            matrix.push_row_of_ids(&mut ids);
        }
        matrix
    })?;
    Ok(concat(parts, n_cols))
}

/// The count rows of recorded occurrences: feature `f` goes to column `to_column[f]` (features mapped to
/// [`DROPPED`] are left out), columns sorted within each row.
///
/// Each row's distinct columns are collected and sorted on their own: a few dozen numbers that stay in cache.
/// (Bucketing all entries by column instead takes fewer instructions on the novel but scatters writes over
/// arrays as large as the matrix, which made the novel ×10 slower.)
fn rows_of(ids: &[u32], doc_ends: &[usize], to_column: &[u32], n_cols: usize) -> CsrMatrix {
    let mut indptr = Vec::with_capacity(doc_ends.len() + 1);
    indptr.push(0);
    // At most one entry per occurrence: reserved pages never written cost no memory.
    let mut indices: Vec<u32> = Vec::with_capacity(ids.len());
    let mut data: Vec<i64> = Vec::with_capacity(ids.len());
    let mut counts = vec![0u32; n_cols];
    let mut spare = Vec::new();
    let mut start = 0;
    for &end in doc_ends {
        let row_start = indices.len();
        for &id in &ids[start..end] {
            let column = to_column[id as usize];
            if column == DROPPED {
                continue;
            }
            let count = &mut counts[column as usize];
            if *count == 0 {
                indices.push(column);
            }
            *count += 1;
        }
        sort_columns(&mut indices[row_start..], &mut spare, n_cols);
        data.extend(
            indices[row_start..]
                .iter()
                .map(|&column| i64::from(std::mem::take(&mut counts[column as usize]))),
        );
        indptr.push(indices.len());
        start = end;
    }
    CsrMatrix::from_sorted_parts(n_cols, indptr, indices, data)
}

/// Sorts a row's distinct columns (all below `n_cols`): a comparison sort for short rows, a least-significant-digit
/// radix sort on bytes for long ones (one pass per byte of the largest column, `spare` as the second buffer), which
/// takes fewer instructions once a row holds more than about a hundred columns.
fn sort_columns(row: &mut [u32], spare: &mut Vec<u32>, n_cols: usize) {
    const RADIX_FROM: usize = 128;
    if row.len() < RADIX_FROM {
        row.sort_unstable();
        return;
    }
    let bytes = (usize::BITS - n_cols.leading_zeros()).div_ceil(8);
    spare.clear();
    spare.resize(row.len(), 0);
    let mut in_row = true;
    for byte in 0..bytes {
        let shift = 8 * byte;
        let (from, to): (&[u32], &mut [u32]) = if in_row {
            (&*row, &mut spare[..])
        } else {
            (&spare[..], &mut *row)
        };
        let mut next = [0usize; 256];
        for &c in from {
            next[((c >> shift) & 0xFF) as usize] += 1;
        }
        let mut total = 0;
        for slot in &mut next {
            let here = *slot;
            *slot = total;
            total += here;
        }
        for &c in from {
            let slot = &mut next[((c >> shift) & 0xFF) as usize];
            to[*slot] = c;
            *slot += 1;
        }
        in_row = !in_row;
    }
    if !in_row {
        row.copy_from_slice(spare);
    }
}

pub(crate) fn concat(parts: Vec<CsrMatrix>, n_cols: usize) -> CsrMatrix {
    let mut parts = parts.into_iter();
    let mut matrix = parts
        .next()
        .unwrap_or_else(|| CsrMatrix::with_columns(n_cols));
    for part in parts {
        matrix.append_rows(&part);
    }
    matrix
}

/// Applies `work` to contiguous runs of `docs`, one per thread, in document order.
pub(crate) fn on_runs<D, T, F>(docs: &[D], threads: usize, work: F) -> Result<Vec<T>>
where
    D: AsRef<str> + Sync,
    T: Send,
    F: Fn(&[D]) -> T + Sync,
{
    if threads <= 1 || docs.len() < 2 {
        return Ok(vec![work(docs)]);
    }
    map_items(threads, &split_by_length(docs, threads), |run| work(run))
}

/// Maps `items` in order, on a pool of `threads` threads when there is more than one.
fn map_items<I, T, F>(threads: usize, items: &[I], work: F) -> Result<Vec<T>>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync,
{
    if threads <= 1 || items.len() < 2 {
        return Ok(items.iter().map(work).collect());
    }
    in_pool(threads, || items.par_iter().map(&work).collect())
}

/// Cuts `docs` into at most `parts` contiguous runs of about the same total length.
fn split_by_length<D: AsRef<str>>(docs: &[D], parts: usize) -> Vec<&[D]> {
    let total: usize = docs.iter().map(|d| d.as_ref().len() + 1).sum();
    let per_part = total.div_ceil(parts);
    let mut runs = Vec::with_capacity(parts);
    let (mut start, mut filled) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        filled += doc.as_ref().len() + 1;
        if filled >= per_part && runs.len() + 1 < parts {
            runs.push(&docs[start..=i]);
            start = i + 1;
            filled = 0;
        }
    }
    if start < docs.len() || runs.is_empty() {
        runs.push(&docs[start..]);
    }
    runs
}

/// Runs `job` on a new rayon pool of `threads` threads.
fn in_pool<T: Send>(threads: usize, job: impl FnOnce() -> T + Send) -> Result<T> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|err| Error::InvalidConfig {
            name: "threads",
            reason: format!("cannot start {threads} threads: {err}"),
        })?;
    Ok(pool.install(job))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_sort_like_the_standard_sort() {
        let mut spare = Vec::new();
        for (len, n_cols) in [
            (0, 1),
            (5, 10),
            (127, 300),
            (128, 256),
            (129, 257),
            (300, 70_000),
            (1000, 1 << 24),
        ] {
            let mut row: Vec<u32> = (0..len as u64)
                .map(|i| ((i * 2_654_435_761) % n_cols as u64) as u32)
                .collect();
            row.sort_unstable();
            row.dedup();
            let mut expected = row.clone();
            row.reverse();
            let third = row.len() / 3;
            row.rotate_left(third);
            expected.sort_unstable();
            sort_columns(&mut row, &mut spare, n_cols);
            assert_eq!(row, expected, "{len} {n_cols}");
        }
    }

    #[test]
    fn runs_cover_all_documents_in_order() {
        let docs = ["aaaa", "b", "cc", "dddddd", "e", "", "ff"];
        for parts in 1..=9 {
            let runs = split_by_length(&docs, parts);
            assert!(runs.len() <= parts && !runs.is_empty());
            assert_eq!(runs.concat(), docs);
        }
    }
}
