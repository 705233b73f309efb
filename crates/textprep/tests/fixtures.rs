//! The committed text fixtures agree with the embedded sample.

use std::path::PathBuf;

use textprep::{Utf8Policy, read_text, sample::RUSSIAN_STORY};

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
