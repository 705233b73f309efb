//! Counting features over many documents (sklearn's `_count_vocab`), optionally on several threads.
//!
//! Documents are cut into one contiguous run per thread (balanced by text length). Each run numbers its new
//! features in first-seen order; the runs are then merged in document order, which gives exactly the
//! single-threaded numbering, so the result never depends on the thread count.

use std::mem;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::analyzer::{Analysis, Scratch};
use super::sparse::CsrMatrix;
use super::term_list::TermList;
use super::vocabulary::FastMap;
use super::word_count::{WordRun, count_words};
use crate::error::{Error, Result};

/// What fitting found: the terms sorted in code-point order, where each first-seen term went, and the counts.
pub(crate) struct Learned {
    /// Terms by feature index (sorted).
    pub(crate) terms: TermList,
    /// Feature index of each term in first-seen order (sklearn's `vocabulary_` insertion order).
    pub(crate) insertion_order: Vec<u32>,
    /// Document-term counts with sorted feature indices.
    pub(crate) matrix: CsrMatrix,
}

/// The features of a run of documents, numbered in first-seen order within the run.
struct Run {
    /// Texts of the features.
    terms: Vec<Box<str>>,
    doc_ends: Vec<usize>,
    ids: Vec<u32>,
}

/// The texts of the features of `run`, in `order`, back to back.
fn word_terms_in(run: &WordRun, order: &[u32]) -> TermList {
    let token_len: Vec<usize> = run.tokens.iter().map(|t| t.len()).collect();
    let bytes = order
        .iter()
        .map(|&f| {
            let window = run.window(f as usize);
            window.iter().map(|&t| token_len[t as usize]).sum::<usize>() + window.len() - 1
        })
        .sum();
    let mut terms = TermList::with_capacity(order.len(), bytes);
    let token = |t: u32| &*run.tokens[t as usize];
    for &f in order {
        match *run.window(f as usize) {
            [only] => terms.push(token(only)),
            [first, second] => terms.push_pair(token(first), token(second)),
            _ => terms.push_joined(run.tokens_of(f as usize)),
        }
    }
    terms
}

/// Counts the features of `docs`, learning the vocabulary.
pub(crate) fn learn<D: AsRef<str> + Sync>(
    analysis: &Analysis,
    docs: &[D],
    threads: usize,
) -> Result<Learned> {
    if analysis.is_word() {
        return learn_words(count_words(analysis, docs, threads), threads);
    }
    let mut runs = on_runs(docs, threads, |run| learn_run(analysis, run))?;
    let (terms, run_to_global) = merge(&mut runs);
    if terms.is_empty() {
        return Err(Error::EmptyVocabulary);
    }
    let rank = rank_by_term(&terms);
    let run_to_rank: Vec<Vec<u32>> = run_to_global
        .iter()
        .map(|map| map.iter().map(|&g| rank[g as usize]).collect())
        .collect();
    let jobs: Vec<(&Run, &Vec<u32>)> = runs.iter().zip(&run_to_rank).collect();
    let parts = map_items(threads, &jobs, |(run, to_rank)| {
        rows_of_run(&run.ids, &run.doc_ends, to_rank, terms.len())
    })?;
    let matrix = concat(parts, terms.len());
    let sorted = inverse(&rank)
        .iter()
        .map(|&global| &*terms[global as usize])
        .collect();
    Ok(Learned {
        terms: sorted,
        insertion_order: rank,
        matrix,
    })
}

/// Ranks, names and counts the features of a run of word n-grams: features are ranked from their tokens and
/// their texts made only once, in rank order. With two or more threads the rows and the texts are made side by
/// side.
fn learn_words(run: WordRun, threads: usize) -> Result<Learned> {
    if run.len() == 0 {
        return Err(Error::EmptyVocabulary);
    }
    let order = order_by_tokens(&run);
    let rank = inverse(&order);
    let rows = || rows_of_run(&run.ids, &run.doc_ends, &rank, run.len());
    let (matrix, terms) = if threads > 1 {
        std::thread::scope(|scope| {
            let names = scope.spawn(|| word_terms_in(&run, &order));
            let matrix = rows();
            let terms = names
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (matrix, terms)
        })
    } else {
        (rows(), word_terms_in(&run, &order))
    };
    Ok(Learned {
        terms,
        insertion_order: rank,
        matrix,
    })
}

/// The inverse of a permutation of `0..perm.len()`.
fn inverse(perm: &[u32]) -> Vec<u32> {
    let mut inverse = vec![0u32; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p as usize] = i as u32;
    }
    inverse
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

fn learn_run<D: AsRef<str>>(analysis: &Analysis, docs: &[D]) -> Run {
    let mut ids_of: FastMap<Box<str>, u32> = FastMap::with_hasher(FxBuildHasher);
    let mut ids = Vec::new();
    let mut doc_ends = Vec::with_capacity(docs.len());
    let mut scratch = Scratch::default();
    for doc in docs {
        analysis.features(doc.as_ref(), &mut scratch, &mut |feature| {
            let id = match ids_of.get(feature) {
                Some(&id) => id,
                None => {
                    let id = ids_of.len() as u32;
                    ids_of.insert(Box::from(feature), id);
                    id
                }
            };
            ids.push(id);
        });
        doc_ends.push(ids.len());
    }
    let mut terms: Vec<Box<str>> = vec![Box::default(); ids_of.len()];
    for (term, id) in ids_of {
        terms[id as usize] = term;
    }
    Run {
        terms,
        doc_ends,
        ids,
    }
}

/// Numbers all terms in first-seen order across the runs (taken in document order); returns the terms and,
/// per run, the global number of each of its terms.
fn merge(runs: &mut [Run]) -> (Vec<Box<str>>, Vec<Vec<u32>>) {
    if let [only] = runs {
        let n = only.terms.len() as u32;
        return (mem::take(&mut only.terms), vec![(0..n).collect()]);
    }
    let mut origin: Vec<(usize, usize)> = Vec::new();
    let mut maps = Vec::with_capacity(runs.len());
    {
        let mut global: FastMap<&str, u32> = FastMap::with_hasher(FxBuildHasher);
        for (r, run) in runs.iter().enumerate() {
            let map = run
                .terms
                .iter()
                .enumerate()
                .map(|(local, term)| {
                    *global.entry(&**term).or_insert_with(|| {
                        origin.push((r, local));
                        (origin.len() - 1) as u32
                    })
                })
                .collect();
            maps.push(map);
        }
    }
    let terms = origin
        .into_iter()
        .map(|(r, local)| mem::take(&mut runs[r].terms[local]))
        .collect();
    (terms, maps)
}

/// Rank of every term in code-point order (UTF-8 byte order is code-point order).
///
/// A multikey sort on eight bytes at a time read as one big-endian integer (zero-padded): a radix pass on the
/// first eight bytes, then each group sharing them is sorted on the next eight, and so on; small groups are
/// finished with whole-string comparisons. Most comparisons are integer comparisons.
fn rank_by_term(terms: &[Box<str>]) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (chunk_at(t, 0), i as u32))
        .collect();
    radix_sort_by_key(&mut keyed);
    for_each_group(&mut keyed, |group| sort_group(group, terms, 1));
    let mut rank = vec![0u32; terms.len()];
    for (r, &(_, id)) in keyed.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// Word n-grams (by feature number) in code-point order of their texts, computed from their token sequences.
///
/// Tokens are runs of Python word characters, all above U+0020, so the space that joins them sorts below any
/// token character: comparing two n-gram texts is comparing their token sequences token by token (a token that
/// is a prefix of the other, or a sequence that is a prefix of the other, comes first either way).
fn order_by_tokens(windows: &WordRun) -> Vec<u32> {
    debug_assert!(windows.tokens.iter().all(|t| t.chars().all(|c| c > ' ')));
    let token_rank = rank_by_term(&windows.tokens);
    let count = windows.len();
    let window = |f: usize| windows.window(f);
    let longest = (0..count).map(|f| window(f).len()).max().unwrap_or(0);
    if longest <= 2 {
        // Two stable counting sorts (least significant token first), one bucket per token: the second token's
        // rank + 1 (0 for a unigram, which sorts before the bigrams it starts), then the first token's rank.
        // Both keys are read from one array of pairs made in a single pass over the features.
        let buckets = windows.tokens.len() + 1;
        let keys: Vec<(u32, u32)> = windows
            .starts
            .windows(2)
            .map(|span| match windows.flat[span[0]..span[1]] {
                [first, second] => (token_rank[first as usize], token_rank[second as usize] + 1),
                [first, ..] => (token_rank[first as usize], 0),
                [] => (0, 0),
            })
            .collect();
        let features: Vec<u32> = (0..count as u32).collect();
        let by_second = counting_sort(&features, buckets, |f| keys[f as usize].1 as usize);
        counting_sort(&by_second, buckets, |f| keys[f as usize].0 as usize)
    } else {
        let ranked: Vec<u32> = windows
            .flat
            .iter()
            .map(|&t| token_rank[t as usize])
            .collect();
        let ranked_window =
            |f: u32| &ranked[windows.starts[f as usize]..windows.starts[f as usize + 1]];
        let mut order: Vec<u32> = (0..count as u32).collect();
        order.sort_unstable_by(|&a, &b| ranked_window(a).cmp(ranked_window(b)));
        order
    }
}

/// Stable counting sort of `items` by `key(item)`, which must be below `buckets`.
fn counting_sort(items: &[u32], buckets: usize, key: impl Fn(u32) -> usize) -> Vec<u32> {
    let mut next = vec![0usize; buckets + 1];
    for &item in items {
        next[key(item) + 1] += 1;
    }
    for b in 1..=buckets {
        next[b] += next[b - 1];
    }
    let mut sorted = vec![0u32; items.len()];
    for &item in items {
        let slot = &mut next[key(item)];
        sorted[*slot] = item;
        *slot += 1;
    }
    sorted
}

/// Bytes `[8 * depth, 8 * depth + 8)` of `term` as a big-endian integer, zero-padded past the end.
fn chunk_at(term: &str, depth: usize) -> u64 {
    let bytes = term.as_bytes();
    let start = (8 * depth).min(bytes.len());
    let end = (start + 8).min(bytes.len());
    let mut chunk = [0u8; 8];
    chunk[..end - start].copy_from_slice(&bytes[start..end]);
    u64::from_be_bytes(chunk)
}

/// Calls `sort` on every run of two or more consecutive items with equal keys.
fn for_each_group(keyed: &mut [(u64, u32)], mut sort: impl FnMut(&mut [(u64, u32)])) {
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        if end - start > 1 {
            sort(&mut keyed[start..end]);
        }
        start = end;
    }
}

/// Sorts a group of terms whose first `8 * depth` bytes (zero-padded) are equal.
fn sort_group(group: &mut [(u64, u32)], terms: &[Box<str>], depth: usize) {
    let longest = group
        .iter()
        .map(|&(_, id)| terms[id as usize].len())
        .max()
        .unwrap_or(0);
    if group.len() <= 16 || longest <= 8 * depth {
        group.sort_unstable_by(|a, b| terms[a.1 as usize].cmp(&terms[b.1 as usize]));
        return;
    }
    for item in group.iter_mut() {
        item.0 = chunk_at(&terms[item.1 as usize], depth);
    }
    group.sort_unstable_by_key(|&(key, _)| key);
    for_each_group(group, |sub| sort_group(sub, terms, depth + 1));
}

/// Stable LSD radix sort of `(key, id)` pairs by key, one byte per pass, skipping bytes all keys share.
fn radix_sort_by_key(items: &mut Vec<(u64, u32)>) {
    let mut spare = vec![(0u64, 0u32); items.len()];
    for shift in (0..64).step_by(8) {
        let mut counts = [0usize; 256];
        for &(key, _) in items.iter() {
            counts[((key >> shift) & 0xFF) as usize] += 1;
        }
        if counts.contains(&items.len()) {
            continue;
        }
        let mut offset = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = offset;
            offset += here;
        }
        for &item in items.iter() {
            let bucket = &mut counts[((item.0 >> shift) & 0xFF) as usize];
            spare[*bucket] = item;
            *bucket += 1;
        }
        std::mem::swap(items, &mut spare);
    }
}

/// The count rows of a run, columns renumbered by `to_rank` and sorted within each row.
///
/// Each row's distinct columns are collected and sorted on their own: a few dozen numbers that stay in cache.
/// (Bucketing all entries by column instead takes fewer instructions on the novel but scatters writes over
/// arrays as large as the matrix, which made the novel ×10 slower.)
fn rows_of_run(ids: &[u32], doc_ends: &[usize], to_rank: &[u32], n_cols: usize) -> CsrMatrix {
    let mut indptr = Vec::with_capacity(doc_ends.len() + 1);
    indptr.push(0);
    // At most one entry per occurrence: reserved pages never written cost no memory.
    let mut indices: Vec<u32> = Vec::with_capacity(ids.len());
    let mut data: Vec<i64> = Vec::with_capacity(ids.len());
    let mut counts = vec![0u32; n_cols];
    let mut start = 0;
    for &end in doc_ends {
        let row_start = indices.len();
        for &id in &ids[start..end] {
            let rank = to_rank[id as usize];
            let count = &mut counts[rank as usize];
            if *count == 0 {
                indices.push(rank);
            }
            *count += 1;
        }
        let row = &mut indices[row_start..];
        row.sort_unstable();
        data.extend(
            row.iter()
                .map(|&rank| i64::from(std::mem::take(&mut counts[rank as usize]))),
        );
        indptr.push(indices.len());
        start = end;
    }
    CsrMatrix::from_sorted_parts(n_cols, indptr, indices, data)
}

fn concat(parts: Vec<CsrMatrix>, n_cols: usize) -> CsrMatrix {
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
fn on_runs<D, T, F>(docs: &[D], threads: usize, work: F) -> Result<Vec<T>>
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
    fn ranks_follow_code_point_order() {
        let terms: Vec<Box<str>> = [
            "ёж",
            "яма",
            "abcdefghij",
            "abcdefghi",
            "abcdefgh",
            "Ё",
            "z",
            "ab c",
            "ab",
            "абв",
            "abcdefgh\0",
            "abcdefgh",
            "abcdefghijklmnopq",
            "abcdefghijklmnopp",
            "abcdefghijklmnop",
        ]
        .into_iter()
        .map(Box::from)
        .collect::<Vec<Box<str>>>();
        let mut terms = terms;
        terms
            .extend((0..300).map(|i| Box::from(format!("abcdefgh{}", (i * 7919) % 1000).as_str())));
        let rank = rank_by_term(&terms);
        let mut by_rank: Vec<&str> = vec![""; terms.len()];
        for (i, &r) in rank.iter().enumerate() {
            by_rank[r as usize] = &terms[i];
        }
        let mut expected: Vec<&str> = terms.iter().map(|t| &**t).collect();
        expected.sort_by_key(|t| t.chars().map(u32::from).collect::<Vec<_>>());
        assert_eq!(by_rank, expected);
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
