//! What the counting pass keeps about each document: the feature ids of its occurrences (all of them when the
//! input is held in memory, only the current document's when it is streamed) and, when asked, each feature's
//! document frequency and total count (what `min_df`, `max_df` and `max_features` need), so a streamed input
//! can be pruned without its matrix.

/// Per feature (by first-seen id): in how many documents it occurs and how often in all.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) documents: Vec<u64>,
    pub(crate) totals: Vec<u64>,
    /// The last document each feature was counted in (`usize::MAX`: none yet).
    last_document: Vec<usize>,
}

impl Stats {
    /// Counts one document's occurrences; every id is below `n_features`.
    pub(crate) fn add_document(&mut self, ids: &[u32], n_features: usize, document: usize) {
        if self.documents.len() < n_features {
            self.documents.resize(n_features, 0);
            self.totals.resize(n_features, 0);
            self.last_document.resize(n_features, usize::MAX);
        }
        for &id in ids {
            let id = id as usize;
            self.totals[id] += 1;
            if self.last_document[id] != document {
                self.last_document[id] = document;
                self.documents[id] += 1;
            }
        }
    }

    /// The statistics of occurrences held in memory (`ids` split into documents at `doc_ends`).
    pub(crate) fn of_recorded(ids: &[u32], doc_ends: &[usize], n_features: usize) -> Self {
        let mut stats = Self::default();
        let mut start = 0;
        for (document, &end) in doc_ends.iter().enumerate() {
            stats.add_document(&ids[start..end], n_features, document);
            start = end;
        }
        stats.documents.resize(n_features, 0);
        stats.totals.resize(n_features, 0);
        stats
    }
}

/// The occurrences of a counting pass, fed one feature id at a time.
#[derive(Debug)]
pub(crate) struct Occurrences {
    /// Feature id of every occurrence: of every document so far when recording, else of the current one.
    pub(crate) ids: Vec<u32>,
    /// End of each document's occurrences in `ids` (recording only).
    pub(crate) doc_ends: Vec<usize>,
    /// Document frequencies and totals, when asked for.
    pub(crate) stats: Option<Stats>,
    /// Documents ended so far.
    pub(crate) n_docs: usize,
    record: bool,
    doc_start: usize,
}

impl Occurrences {
    /// `record`: keep every document's ids (memory grows with the input); `stats`: count document frequencies
    /// and totals as documents end (memory grows with the vocabulary).
    pub(crate) fn new(record: bool, stats: bool) -> Self {
        Self {
            ids: Vec::new(),
            doc_ends: Vec::new(),
            stats: stats.then(Stats::default),
            n_docs: 0,
            record,
            doc_start: 0,
        }
    }

    /// Whether every document's ids are kept.
    pub(crate) fn records(&self) -> bool {
        self.record
    }

    /// Ends the current document; its ids are all below `n_features`.
    #[inline]
    pub(crate) fn end_document(&mut self, n_features: usize) {
        if let Some(stats) = &mut self.stats {
            stats.add_document(&self.ids[self.doc_start..], n_features, self.n_docs);
        }
        self.n_docs += 1;
        if self.record {
            self.doc_ends.push(self.ids.len());
            self.doc_start = self.ids.len();
        } else {
            self.ids.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_and_recorded_statistics_agree() {
        let docs: [&[u32]; 4] = [&[0, 1, 1, 2], &[], &[2, 3, 0, 0], &[1]];
        let mut streamed = Occurrences::new(false, true);
        let mut recorded = Occurrences::new(true, false);
        for doc in docs {
            for occ in [&mut streamed, &mut recorded] {
                occ.ids.extend_from_slice(doc);
                occ.end_document(4);
            }
        }
        assert!(streamed.ids.is_empty());
        assert_eq!(recorded.doc_ends, [4, 4, 8, 9]);
        let stats = streamed.stats.unwrap();
        assert_eq!(stats.documents, [2, 2, 2, 1]);
        assert_eq!(stats.totals, [3, 3, 2, 1]);
        let again = Stats::of_recorded(&recorded.ids, &recorded.doc_ends, 5);
        assert_eq!(again.documents, [2, 2, 2, 1, 0]);
        assert_eq!(again.totals, [3, 3, 2, 1, 0]);
        assert_eq!(streamed.n_docs, 4);
    }
}
