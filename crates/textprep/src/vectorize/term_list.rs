//! A list of terms stored back to back in one string: a vocabulary of a hundred thousand n-grams costs two
//! allocations instead of one per term.

/// Terms by index, their texts concatenated in one `String`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermList {
    text: String,
    /// End of term `i` in `text`; it starts where term `i - 1` ends.
    ends: Vec<usize>,
}

impl TermList {
    /// An empty list with room for `terms` terms of `bytes` bytes in total.
    pub(crate) fn with_capacity(terms: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(terms),
        }
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the list holds no term.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Term `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.text[start..end])
    }

    /// The terms in index order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            &self.text[start..self.ends[i]]
        })
    }

    /// All terms' texts concatenated, without separators (e.g. to check them all for one character at once).
    pub fn concatenated(&self) -> &str {
        &self.text
    }

    /// Appends `term`.
    pub(crate) fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.ends.push(self.text.len());
    }

    /// Appends the term `first` + space + `second` (a word bigram from its tokens).
    pub(crate) fn push_pair(&mut self, first: &str, second: &str) {
        self.text.push_str(first);
        self.text.push(' ');
        self.text.push_str(second);
        self.ends.push(self.text.len());
    }

    /// Appends the term made of `parts` joined by single spaces (a word n-gram from its tokens).
    pub(crate) fn push_joined<'a>(&mut self, parts: impl IntoIterator<Item = &'a str>) {
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                self.text.push(' ');
            }
            self.text.push_str(part);
        }
        self.ends.push(self.text.len());
    }
}

impl<'a> FromIterator<&'a str> for TermList {
    fn from_iter<I: IntoIterator<Item = &'a str>>(terms: I) -> Self {
        let mut list = Self::default();
        for term in terms {
            list.push(term);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_back_as_pushed() {
        let mut list: TermList = ["ab", "", "он"].into_iter().collect();
        list.push_joined(["x", "yz"]);
        list.push_pair("ёж", "z");
        assert_eq!(list.len(), 5);
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            ["ab", "", "он", "x yz", "ёж z"]
        );
        assert_eq!(list.get(2), Some("он"));
        assert_eq!(list.get(1), Some(""));
        assert_eq!(list.get(4), Some("ёж z"));
        assert_eq!(list.get(5), None);
        assert_eq!(list.concatenated(), "abонx yzёж z");
        assert!(TermList::default().is_empty());
        assert_eq!(TermList::default().iter().count(), 0);
    }
}
