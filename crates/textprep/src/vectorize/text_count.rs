//! Numbering the features of the `char` and `char_wb` analyzers (any feature given as text) in first-seen order,
//! batch after batch.
//!
//! With several threads, a batch is cut into one contiguous run per thread (balanced by text length); each run
//! numbers its features in its own first-seen order, and the runs are then merged into the vocabulary in
//! document order, which gives exactly the single-threaded numbering.

use rustc_hash::FxBuildHasher;

use super::analyzer::{Analysis, Scratch};
use super::count::on_runs;
use super::occurrences::Occurrences;
use super::vocabulary::FastMap;
use crate::error::Result;

/// The vocabulary found so far and the occurrences.
pub(crate) struct TextCounter {
    ids_of: FastMap<Box<str>, u32>,
    /// The occurrences and statistics.
    pub(crate) occurrences: Occurrences,
}

/// The features of a run of documents, numbered in first-seen order within the run.
struct Run {
    /// Texts of the features.
    terms: Vec<Box<str>>,
    doc_ends: Vec<usize>,
    ids: Vec<u32>,
}

impl TextCounter {
    pub(crate) fn new(occurrences: Occurrences) -> Self {
        Self {
            ids_of: FastMap::with_hasher(FxBuildHasher),
            occurrences,
        }
    }

    /// Counts the features of `docs`.
    pub(crate) fn feed<D: AsRef<str> + Sync>(
        &mut self,
        analysis: &Analysis,
        docs: &[D],
        threads: usize,
    ) -> Result<()> {
        if threads <= 1 || docs.len() < 2 {
            let Self {
                ids_of,
                occurrences,
            } = self;
            let mut scratch = Scratch::default();
            for doc in docs {
                analysis.features(doc.as_ref(), &mut scratch, &mut |feature| {
                    occurrences.ids.push(number(ids_of, feature));
                });
                occurrences.end_document(ids_of.len());
            }
            return Ok(());
        }
        let runs = on_runs(docs, threads, |run| learn_run(analysis, run))?;
        for run in runs {
            let global: Vec<u32> = run
                .terms
                .into_iter()
                .map(|term| {
                    let next = self.ids_of.len() as u32;
                    *self.ids_of.entry(term).or_insert(next)
                })
                .collect();
            let mut start = 0;
            for &end in &run.doc_ends {
                let occurrences = &mut self.occurrences;
                occurrences.ids.extend(
                    run.ids[start..end]
                        .iter()
                        .map(|&local| global[local as usize]),
                );
                occurrences.end_document(self.ids_of.len());
                start = end;
            }
        }
        Ok(())
    }

    /// The feature texts by first-seen id, and the occurrences.
    pub(crate) fn finish(self) -> (Vec<Box<str>>, Occurrences) {
        let mut terms: Vec<Box<str>> = vec![Box::default(); self.ids_of.len()];
        for (term, id) in self.ids_of {
            terms[id as usize] = term;
        }
        (terms, self.occurrences)
    }
}

/// The number of `feature` in `ids_of`, given the next one if it is new.
#[inline]
fn number(ids_of: &mut FastMap<Box<str>, u32>, feature: &str) -> u32 {
    match ids_of.get(feature) {
        Some(&id) => id,
        None => {
            let id = ids_of.len() as u32;
            ids_of.insert(Box::from(feature), id);
            id
        }
    }
}

fn learn_run<D: AsRef<str>>(analysis: &Analysis, docs: &[D]) -> Run {
    let mut ids_of: FastMap<Box<str>, u32> = FastMap::with_hasher(FxBuildHasher);
    let mut ids = Vec::new();
    let mut doc_ends = Vec::with_capacity(docs.len());
    let mut scratch = Scratch::default();
    for doc in docs {
        analysis.features(doc.as_ref(), &mut scratch, &mut |feature| {
            ids.push(number(&mut ids_of, feature));
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
