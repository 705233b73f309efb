//! Python's `\w`, `\s` and `str.lower()` on every code point, against the table Python itself wrote
//! (`fixtures/parity/countvectorizer/unicode.json`, made by `tools/sklearn_countvectorizer.py`).

#![allow(clippy::unwrap_used)] // tests may unwrap (docs/conventions.md)

use serde_json::Value;
use textprep::vectorize::pyword::{is_space, is_word_char, python_lower};

fn fixture() -> Value {
    let path = format!(
        "{}/../../fixtures/parity/countvectorizer/unicode.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn in_ranges(ranges: &Value, cp: u32) -> bool {
    ranges.as_array().unwrap().iter().any(|r| {
        let (lo, hi) = (r[0].as_u64().unwrap() as u32, r[1].as_u64().unwrap() as u32);
        (lo..=hi).contains(&cp)
    })
}

fn all_chars() -> impl Iterator<Item = char> {
    (0..=0x10FFFFu32).filter_map(char::from_u32)
}

fn ranges_of(predicate: impl Fn(char) -> bool) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for c in all_chars().filter(|&c| predicate(c)) {
        let cp = c as u32;
        match out.last_mut() {
            Some(last) if last.1 + 1 == cp => last.1 = cp,
            _ => out.push((cp, cp)),
        }
    }
    out
}

fn as_pairs(ranges: &Value) -> Vec<(u32, u32)> {
    ranges
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_u64().unwrap() as u32, r[1].as_u64().unwrap() as u32))
        .collect()
}

#[test]
fn word_characters_are_pythons_on_every_code_point() {
    let fixture = fixture();
    assert_eq!(ranges_of(is_word_char), as_pairs(&fixture["word_ranges"]));
    for t in fixture["tricky"].as_array().unwrap() {
        let c = char::from_u32(t[0].as_u64().unwrap() as u32).unwrap();
        assert_eq!(is_word_char(c), t[1].as_bool().unwrap(), "{c:?}");
    }
}

#[test]
fn whitespace_is_pythons_for_regex_and_split() {
    let fixture = fixture();
    assert_eq!(ranges_of(is_space), as_pairs(&fixture["space_ranges"]));
    assert_eq!(ranges_of(is_space), as_pairs(&fixture["split_is_space"]));
}

#[test]
fn lowercase_is_pythons_on_every_code_point() {
    let fixture = fixture();
    let mut expected = std::collections::HashMap::new();
    for pair in fixture["lower_map"].as_array().unwrap() {
        expected.insert(
            pair[0].as_u64().unwrap() as u32,
            pair[1].as_str().unwrap().to_owned(),
        );
    }
    let mut wrong = Vec::new();
    for c in all_chars() {
        let ours = python_lower(&c.to_string()).into_owned();
        let python = expected
            .get(&(c as u32))
            .cloned()
            .unwrap_or_else(|| c.to_string());
        if ours != python {
            wrong.push(format!(
                "U+{:04X} ours {ours:?} python {python:?} assigned {}",
                c as u32,
                in_ranges(&fixture["assigned_ranges"], c as u32)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} differences:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    for pair in fixture["lower_samples"].as_array().unwrap() {
        assert_eq!(
            python_lower(pair[0].as_str().unwrap()),
            pair[1].as_str().unwrap()
        );
    }
}
