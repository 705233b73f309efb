//! Python's `repr()` of strings and of `{str: int}` dicts, character for character: how Python prints
//! sklearn's `vocabulary_` (see [`Vocabulary::python_repr`](super::Vocabulary::python_repr)).

use std::fmt::Write;

use super::pyprintable_table::PRINTABLE_RANGES;

/// Whether Python's `str.isprintable()` is true for `c` (table generated from Python; see its header).
pub fn is_printable(c: char) -> bool {
    let cp = c as u32;
    PRINTABLE_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python's `repr(text)`: single quotes unless the text holds a `'` and no `"`; backslash escapes for the quote,
/// `\\`, `\t`, `\n`, `\r`, and `\xhh` / `\uhhhh` / `\Uhhhhhhhh` for characters Python does not print.
pub fn repr_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        let cp = c as u32;
        match c {
            _ if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if cp < 0x20 || cp == 0x7f => {
                let _ = write!(out, "\\x{cp:02x}");
            }
            _ if cp < 0x7f || is_printable(c) => out.push(c),
            _ if cp <= 0xff => {
                let _ = write!(out, "\\x{cp:02x}");
            }
            _ if cp <= 0xffff => {
                let _ = write!(out, "\\u{cp:04x}");
            }
            _ => {
                let _ = write!(out, "\\U{cp:08x}");
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a dict from strings to ints, entries in the given order: `{'он': 2, 'не': 1}`.
pub fn repr_dict<'a>(entries: impl IntoIterator<Item = (&'a str, usize)>) -> String {
    let body: Vec<String> = entries
        .into_iter()
        .map(|(key, value)| format!("{}: {value}", repr_str(key)))
        .collect();
    format!("{{{}}}", body.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python_on_the_fixture_samples() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/parity/countvectorizer/unicode.json"
        );
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let samples = fixture["repr_samples"].as_array().unwrap();
        assert!(samples.len() > 20);
        for pair in samples {
            assert_eq!(
                repr_str(pair[0].as_str().unwrap()),
                pair[1].as_str().unwrap()
            );
        }
    }

    #[test]
    fn printable_matches_python_on_every_code_point() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/parity/countvectorizer/unicode.json"
        );
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let ranges: Vec<(u32, u32)> = fixture["printable_ranges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r[0].as_u64().unwrap() as u32, r[1].as_u64().unwrap() as u32))
            .collect();
        let mut ours: Vec<(u32, u32)> = Vec::new();
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_printable(c))
        {
            match ours.last_mut() {
                Some(last) if last.1 + 1 == c as u32 => last.1 = c as u32,
                _ => ours.push((c as u32, c as u32)),
            }
        }
        assert_eq!(ours, ranges);
    }

    #[test]
    fn dict_repr_keeps_order() {
        assert_eq!(
            repr_dict([("он", 2), ("it's", 0)]),
            "{'он': 2, \"it's\": 0}"
        );
        assert_eq!(repr_dict([]), "{}");
    }
}
