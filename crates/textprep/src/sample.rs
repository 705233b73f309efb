//! A small sample text: the default input of the rnnlab text apps and of examples and tests.
//!
//! «Смотритель маяка» ("The lighthouse keeper") is an original Russian short story written for this project
//! (about 8 700 characters, 1 450 words, 50 paragraphs of varied prose and dialogue, one paragraph per line,
//! with `ё`, `…`, dialogue dashes and «guillemets»), released under the crate's licence. It lives in the
//! repository at `fixtures/text/story.txt` (with a copy carrying a UTF-8 byte-order mark beside it) and is
//! embedded here so that binaries and published users get it without any file. It is small enough that a
//! tiny character or word model learns something from it in seconds, and large enough to have a real alphabet.

/// The story as one string: no byte-order mark, `\n` after each paragraph.
pub const RUSSIAN_STORY: &str = include_str!("../data/story.txt");

#[cfg(test)]
mod tests {
    use super::RUSSIAN_STORY;

    #[test]
    fn the_story_is_what_the_docs_say() {
        assert!(!RUSSIAN_STORY.starts_with('\u{feff}'));
        assert!(RUSSIAN_STORY.ends_with(".\n"));
        let chars = RUSSIAN_STORY.chars().count();
        assert!((8_000..20_000).contains(&chars), "{chars} characters");
        assert_eq!(RUSSIAN_STORY.lines().count(), 51);
        for needed in ['ё', 'Ё', '…', '—', '«', '»', '!', '?'] {
            assert!(RUSSIAN_STORY.contains(needed), "{needed:?} missing");
        }
    }
}
