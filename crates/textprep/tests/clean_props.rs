//! Property tests of cleaning: idempotent, and nothing but allowed characters survives.

use proptest::prelude::*;
use textprep::{CleanConfig, Cleaner};

fn config() -> impl Strategy<Value = CleanConfig> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec!["", ".,!?-", " -…\u{301}"]),
    )
        .prop_map(|(lowercase, keep_newlines, extra)| CleanConfig {
            lowercase,
            keep_newlines,
            extra: extra.to_owned(),
        })
}

/// Any Unicode text, with extra weight on what cleaning treats specially.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "Ё",
        "ё",
        "и\u{306}",
        "\u{306}",
        "İ",
        "ẞ",
        "\n",
        "\r\n",
        " ",
        "\u{a0}",
        "\u{2029}",
        ".",
        "-",
        "…",
        "\u{feff}",
    ])
    .prop_map(str::to_owned);
    let any_char = any::<char>().prop_map(String::from);
    prop::collection::vec(prop_oneof![special, any_char], 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn cleaning_is_idempotent(text in text(), config in config()) {
        let cleaner = Cleaner::new(&config).unwrap();
        let once = cleaner.clean(&text);
        prop_assert_eq!(cleaner.clean(&once), once);
    }

    #[test]
    fn only_allowed_characters_survive(text in text(), config in config()) {
        let cleaner = Cleaner::new(&config).unwrap();
        let cleaned = cleaner.clean(&text);
        prop_assert!(!cleaned.starts_with(char::is_whitespace) && !cleaned.ends_with(char::is_whitespace));
        prop_assert!(!cleaned.contains("  ") && !cleaned.contains(" \n") && !cleaned.contains("\n ") && !cleaned.contains("\n\n"));
        let mut previous: Option<char> = None;
        for c in cleaned.chars() {
            let allowed = c.is_alphabetic()
                || c == ' '
                || (c == '\n' && config.keep_newlines)
                || config.extra.contains(c)
                // A combining mark only right after a letter or another kept mark.
                || previous.is_some_and(|p| p.is_alphabetic() || is_mark(p)) && is_mark(c);
            prop_assert!(allowed, "{:?} is not allowed in {:?}", c, cleaned);
            if config.lowercase && !is_mark(c) {
                prop_assert!(c.to_lowercase().eq(std::iter::once(c)), "{:?} is not lowercase", c);
            }
            previous = Some(c);
        }
    }
}

/// Combining marks: general category Mn, Mc or Me.
fn is_mark(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    matches!(
        get_general_category(c),
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark
    )
}
