//! The committed text fixtures agree with the embedded sample.

use std::path::PathBuf;

use textprep::{
    SentenceConfig, SentenceReader, Utf8Policy, read_text, sample::RUSSIAN_STORY, sentences,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/text")
        .join(name)
}

#[test]
fn the_bom_copy_is_the_story_with_a_bom() {
    let raw = std::fs::read(fixture("story_bom.txt")).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(&raw[3..], RUSSIAN_STORY.as_bytes());
    assert_eq!(
        read_text(fixture("story_bom.txt"), Utf8Policy::Strict).unwrap(),
        RUSSIAN_STORY
    );
    assert_eq!(
        read_text(fixture("story.txt"), Utf8Policy::Strict).unwrap(),
        RUSSIAN_STORY
    );
}

#[test]
fn streaming_the_bom_file_gives_the_sentences_of_the_sample() {
    for config in [
        SentenceConfig::default(),
        SentenceConfig::with_max_words(12),
    ] {
        let streamed: Vec<Vec<String>> = SentenceReader::open(fixture("story_bom.txt"), &config)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let in_memory: Vec<Vec<String>> = sentences(RUSSIAN_STORY, &config).unwrap().collect();
        assert_eq!(streamed, in_memory);
        assert!(streamed.len() > 150, "{} sentences", streamed.len());
    }
}

#[test]
fn a_bad_byte_in_a_file_is_reported_with_the_path_and_offset_after_the_good_sentences() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("textprep-bad-byte.txt");
    let mut bytes = std::fs::read(fixture("story_bom.txt")).unwrap();
    let offset = bytes.len();
    bytes.extend_from_slice(b"\xC3\x28 tail.");
    std::fs::write(&path, &bytes).unwrap();
    let mut reader = SentenceReader::open(&path, &SentenceConfig::default()).unwrap();
    let good = reader.by_ref().take_while(Result::is_ok).count();
    assert_eq!(
        good,
        sentences(RUSSIAN_STORY, &SentenceConfig::default())
            .unwrap()
            .count()
    );
    assert!(
        reader.next().is_none(),
        "the iteration ends after the error"
    );
    let err = SentenceReader::open(&path, &SentenceConfig::default())
        .unwrap()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(
        err.to_string(),
        format!("{}: invalid UTF-8 at byte offset {offset}", path.display())
    );
}
