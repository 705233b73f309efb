//! Where a vectorizer's documents come from: a slice in memory, or a file of one document per line read in
//! batches (so a file larger than memory can be vectorized).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::utf8::{Utf8Policy, Utf8Reader};

/// Documents a vectorizer reads in batches of consecutive documents, once or twice.
///
/// Fitting with pruning and then writing rows needs two passes over the documents; a source that
/// [`holds_in_memory`](DocumentSource::holds_in_memory) gets one, and the vectorizer keeps what it found in
/// memory instead of reading again.
pub trait DocumentSource {
    /// Calls `batch` with every document, in order, a batch of consecutive documents at a time. Every call of
    /// this method must give the same documents.
    ///
    /// # Errors
    /// The source's own (reading, decoding) and whatever `batch` returns.
    fn for_each_batch(&self, batch: &mut dyn FnMut(&[&str]) -> Result<()>) -> Result<()>;

    /// Whether the documents are in memory already (or cannot be read twice), so the vectorizer should keep
    /// every occurrence from one pass rather than read them again; `false` bounds its memory by the vocabulary.
    fn holds_in_memory(&self) -> bool;
}

/// Documents in memory: one batch.
impl<D: AsRef<str>> DocumentSource for &[D] {
    fn for_each_batch(&self, batch: &mut dyn FnMut(&[&str]) -> Result<()>) -> Result<()> {
        let docs: Vec<&str> = self.iter().map(AsRef::as_ref).collect();
        batch(&docs)
    }

    fn holds_in_memory(&self) -> bool {
        true
    }
}

/// Documents in memory: one batch.
impl<D: AsRef<str>> DocumentSource for Vec<D> {
    fn for_each_batch(&self, batch: &mut dyn FnMut(&[&str]) -> Result<()>) -> Result<()> {
        self.as_slice().for_each_batch(batch)
    }

    fn holds_in_memory(&self) -> bool {
        true
    }
}

/// Documents in memory: one batch.
impl<D: AsRef<str>, const N: usize> DocumentSource for [D; N] {
    fn for_each_batch(&self, batch: &mut dyn FnMut(&[&str]) -> Result<()>) -> Result<()> {
        self.as_slice().for_each_batch(batch)
    }

    fn holds_in_memory(&self) -> bool {
        true
    }
}

/// A text file with one document per line, read in batches of lines in bounded memory, once per pass.
///
/// The rules of [`split_lines`]: UTF-8 (a leading byte-order mark is dropped), lines end at `"\n"` with an
/// optional `"\r"` before it, and a final line ending does not start another document.
///
/// ```
/// use textprep::vectorize::{DocumentSource, LineDocuments};
/// # let dir = std::env::temp_dir().join(format!("textprep-lines-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("docs.txt");
/// std::fs::write(&path, "\u{feff}one\r\ntwo\n\nthree\n")?;
/// let docs = LineDocuments::new(&path, textprep::Utf8Policy::Strict);
/// let mut seen = Vec::new();
/// docs.for_each_batch(&mut |batch| {
///     seen.extend(batch.iter().map(|d| d.to_string()));
///     Ok(())
/// })?;
/// assert_eq!(seen, ["one", "two", "", "three"]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct LineDocuments {
    path: PathBuf,
    policy: Utf8Policy,
    batch_bytes: usize,
}

impl LineDocuments {
    /// Batches hold about this much text by default.
    pub const BATCH_BYTES: usize = 1 << 20;

    /// Documents of the file at `path`; errors name it.
    pub fn new(path: impl AsRef<Path>, policy: Utf8Policy) -> Self {
        Self {
            path: path.as_ref().to_owned(),
            policy,
            batch_bytes: Self::BATCH_BYTES,
        }
    }

    /// Sets the text per batch (at least one line is always passed whole).
    #[must_use]
    pub fn with_batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes.max(1);
        self
    }
}

impl DocumentSource for LineDocuments {
    fn for_each_batch(&self, batch: &mut dyn FnMut(&[&str]) -> Result<()>) -> Result<()> {
        let mut reader: Utf8Reader<BufReader<File>> = Utf8Reader::open(&self.path, self.policy)?;
        let mut pending = String::new();
        let mut chunk = String::new();
        loop {
            let more = reader.read_chunk(&mut chunk)?;
            pending.push_str(&chunk);
            if more && pending.len() < self.batch_bytes {
                continue;
            }
            // Whole lines go now; a line not ended yet waits for the next chunk (or ends the input).
            let cut = if more {
                match pending.rfind('\n') {
                    Some(at) => at + 1,
                    None => continue,
                }
            } else {
                pending.len()
            };
            let docs: Vec<&str> = split_lines(&pending[..cut]).collect();
            if !docs.is_empty() {
                batch(&docs)?;
            }
            drop(docs);
            pending.drain(..cut);
            if !more {
                return Ok(());
            }
        }
    }

    fn holds_in_memory(&self) -> bool {
        false
    }
}

/// Splits a text into documents: one per line, `"\n"` or `"\r\n"` endings, no extra document after a final line
/// ending; an empty text has none.
///
/// ```
/// use textprep::vectorize::split_lines;
/// assert_eq!(split_lines("a\r\nb\n\nc\n").collect::<Vec<_>>(), ["a", "b", "", "c"]);
/// assert_eq!(split_lines("\n").collect::<Vec<_>>(), [""]);
/// assert_eq!(split_lines("").count(), 0);
/// ```
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines = (!text.is_empty()).then(|| body.split('\n'));
    lines
        .into_iter()
        .flatten()
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(source: &dyn DocumentSource) -> Result<Vec<String>> {
        let mut out = Vec::new();
        source.for_each_batch(&mut |batch| {
            out.extend(batch.iter().map(|d| (*d).to_owned()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn lines_are_the_same_documents_in_any_batch_size() {
        let dir = std::env::temp_dir().join(format!("textprep-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let texts = [
            "",
            "\n",
            "\u{feff}",
            "\u{feff}ё\r\nж\n",
            "a\r\nb\n\nc\n",
            "a\nb",
            "x\u{2028}y\r",
            "ab\r",
            "один\rдва\r\n\r\nтри четыре\n\n\nпять",
        ];
        for (i, text) in texts.iter().enumerate() {
            let path = dir.join(format!("{i}.txt"));
            std::fs::write(&path, text).unwrap();
            let expected: Vec<String> = split_lines(text.strip_prefix('\u{feff}').unwrap_or(text))
                .map(str::to_owned)
                .collect();
            for bytes in [1, 2, 3, 5, 1 << 20] {
                let docs = LineDocuments::new(&path, Utf8Policy::Strict).with_batch_bytes(bytes);
                assert_eq!(read_all(&docs).unwrap(), expected, "{text:?} {bytes}");
                // A second pass gives the same documents.
                assert_eq!(read_all(&docs).unwrap(), expected, "{text:?} {bytes}");
            }
        }
        let path = dir.join("bad.txt");
        std::fs::write(&path, b"ok\nbad \xFF\n").unwrap();
        let err = read_all(&LineDocuments::new(&path, Utf8Policy::Strict)).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("bad.txt: invalid UTF-8 at byte offset 7"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
