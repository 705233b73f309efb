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
use super::vocabulary::FastMap;
use crate::error::{Error, Result};

/// What fitting found: the terms sorted in code-point order, where each first-seen term went, and the counts.
pub(crate) struct Learned {
    /// Terms by feature index (sorted).
    pub(crate) terms: Vec<String>,
    /// Feature index of each term in first-seen order (sklearn's `vocabulary_` insertion order).
    pub(crate) insertion_order: Vec<u32>,
    /// Document-term counts with sorted feature indices.
    pub(crate) matrix: CsrMatrix,
}

/// The features of a run of documents, numbered in first-seen order within the run.
struct Run {
    terms: Vec<Box<str>>,
    doc_ends: Vec<usize>,
    ids: Vec<u32>,
}

/// Counts the features of `docs`, learning the vocabulary.
pub(crate) fn learn<D: AsRef<str> + Sync>(
    analysis: &Analysis,
    docs: &[D],
    threads: usize,
) -> Result<Learned> {
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
        rows_of_run(run, to_rank, terms.len())
    })?;
    let matrix = concat(parts, terms.len());
    let mut sorted: Vec<String> = vec![String::new(); terms.len()];
    for (global, term) in terms.into_iter().enumerate() {
        sorted[rank[global] as usize] = term.into_string();
    }
    Ok(Learned {
        terms: sorted,
        insertion_order: rank,
        matrix,
    })
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
/// Sorts by the first eight bytes as one big-endian integer first, then orders each group of equal prefixes by
/// the whole string: most comparisons become integer comparisons.
fn rank_by_term(terms: &[Box<str>]) -> Vec<u32> {
    let prefix = |term: &str| {
        let mut bytes = [0u8; 8];
        let n = term.len().min(8);
        bytes[..n].copy_from_slice(&term.as_bytes()[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, u32)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (prefix(t), i as u32))
        .collect();
    radix_sort_by_key(&mut keyed);
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        if end - start > 1 {
            keyed[start..end]
                .sort_unstable_by(|a, b| terms[a.1 as usize].cmp(&terms[b.1 as usize]));
        }
        start = end;
    }
    let mut rank = vec![0u32; terms.len()];
    for (r, &(_, id)) in keyed.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// The run's rows with feature ranks as columns: each row's distinct ranks are counted in a dense array and
/// only those are sorted.
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

fn rows_of_run(run: &Run, to_rank: &[u32], n_cols: usize) -> CsrMatrix {
    let mut matrix = CsrMatrix::with_columns(n_cols);
    let mut counts = vec![0u32; n_cols];
    let mut distinct: Vec<u32> = Vec::new();
    let mut start = 0;
    for &end in &run.doc_ends {
        distinct.clear();
        for &id in &run.ids[start..end] {
            let rank = to_rank[id as usize];
            let count = &mut counts[rank as usize];
            if *count == 0 {
                distinct.push(rank);
            }
            *count += 1;
        }
        distinct.sort_unstable();
        matrix.push_counted_row(distinct.iter().map(|&rank| {
            let count = std::mem::take(&mut counts[rank as usize]);
            (rank, i64::from(count))
        }));
        start = end;
    }
    matrix
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
        ]
        .into_iter()
        .map(Box::from)
        .collect();
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
