//! The tasks: Russian number words ↔ digits for 0..=999 999 and reversal of letter strings, with
//! seeded train / validation / test splits that share no example.
//!
//! Russian grammar used: hundreds `сто … девятьсот`, tens `двадцать … девяносто`, `десять …
//! девятнадцать`, units `один … девять` (`ноль` only for 0 itself); thousands take the feminine
//! `одна` / `две` and the form agreeing with the last two digits — `тысяча` after 1 (21, 101 …),
//! `тысячи` after 2–4, `тысяч` after 0 and 5–20 (11–14 included); 1 000 is written `одна тысяча`.

use std::collections::HashSet;

use anyhow::bail;
use rand::Rng;
use rand::seq::SliceRandom;

/// One example: source and target tokens.
pub type Pair = (Vec<String>, Vec<String>);

/// Which task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Task {
    /// `двести сорок семь` → `2 4 7` (word tokens in, digit characters out).
    WordsToDigits,
    /// `2 4 7` → `двести сорок семь`.
    DigitsToWords,
    /// A string of letters `a`–`j` (1–`max` long) → the same string reversed (characters).
    Reverse,
}

impl Task {
    /// The name used on the command line and in metrics.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::WordsToDigits => "words-to-digits",
            Self::DigitsToWords => "digits-to-words",
            Self::Reverse => "reverse",
        }
    }

    /// Split user text into this task's source tokens.
    #[must_use]
    pub fn tokenize(self, text: &str) -> Vec<String> {
        match self {
            Self::WordsToDigits => text.split_whitespace().map(str::to_lowercase).collect(),
            Self::DigitsToWords | Self::Reverse => text
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(String::from)
                .collect(),
        }
    }

    /// Join output tokens for display.
    #[must_use]
    pub fn join(self, tokens: &[String]) -> String {
        match self {
            Self::DigitsToWords => tokens.join(" "),
            _ => tokens.concat(),
        }
    }
}

const UNITS: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];

/// Words of `n` in 1..=999; `feminine` for thousands (`одна`, `две`).
fn below_thousand(n: u32, feminine: bool, out: &mut Vec<&'static str>) {
    let (h, rest) = (n / 100, n % 100);
    if h > 0 {
        out.push(HUNDREDS[h as usize]);
    }
    if (10..20).contains(&rest) {
        out.push(TEENS[(rest - 10) as usize]);
        return;
    }
    let (t, u) = (rest / 10, rest % 10);
    if t > 0 {
        out.push(TENS[t as usize]);
    }
    if u > 0 {
        out.push(match (feminine, u) {
            (true, 1) => "одна",
            (true, 2) => "две",
            _ => UNITS[u as usize],
        });
    }
}

/// The Russian words for `n` (0..=999 999).
///
/// # Errors
/// When `n` is a million or more.
pub fn number_words(n: u32) -> anyhow::Result<Vec<&'static str>> {
    if n > 999_999 {
        bail!("{n} is outside 0..=999999");
    }
    if n == 0 {
        return Ok(vec!["ноль"]);
    }
    let mut out = Vec::new();
    let (th, rest) = (n / 1000, n % 1000);
    if th > 0 {
        below_thousand(th, true, &mut out);
        let (last2, last) = (th % 100, th % 10);
        out.push(if (11..=14).contains(&last2) {
            "тысяч"
        } else if last == 1 {
            "тысяча"
        } else if (2..=4).contains(&last) {
            "тысячи"
        } else {
            "тысяч"
        });
    }
    if rest > 0 {
        below_thousand(rest, false, &mut out);
    }
    Ok(out)
}

/// Every word the number task can produce, in a fixed order (the source vocabulary).
#[must_use]
pub fn all_words() -> Vec<&'static str> {
    let mut v = vec!["ноль", "одна", "две", "тысяча", "тысячи", "тысяч"];
    v.extend(
        UNITS
            .iter()
            .chain(&TEENS)
            .chain(&TENS)
            .chain(&HUNDREDS)
            .filter(|w| !w.is_empty()),
    );
    v
}

/// The train / validation / test splits.
#[derive(Debug, Clone)]
pub struct Splits {
    /// Training pairs.
    pub train: Vec<Pair>,
    /// Validation pairs.
    pub valid: Vec<Pair>,
    /// Test pairs.
    pub test: Vec<Pair>,
}

/// Longest reversal string.
pub const REVERSE_MAX: usize = 20;

fn pair_of(task: Task, n: u32) -> anyhow::Result<Pair> {
    let words: Vec<String> = number_words(n)?.into_iter().map(String::from).collect();
    let digits: Vec<String> = n.to_string().chars().map(String::from).collect();
    Ok(match task {
        Task::DigitsToWords => (digits, words),
        _ => (words, digits),
    })
}

/// Draw `sizes = (train, valid, test)` distinct examples with `rng` and split them. For the
/// number tasks the examples are all numbers below 1000 (when at least 1000 are asked for)
/// and a uniform sample of 1000..=999 999.
///
/// # Errors
/// When more examples are asked for than the task has.
pub fn make_splits<R: Rng + ?Sized>(
    task: Task,
    sizes: (usize, usize, usize),
    rng: &mut R,
) -> anyhow::Result<Splits> {
    let total = sizes.0 + sizes.1 + sizes.2;
    let pairs: Vec<Pair> = match task {
        Task::WordsToDigits | Task::DigitsToWords => {
            if total > 1_000_000 {
                bail!("the number task has 1000000 examples, {total} asked for");
            }
            // Every number below 1000 (so short inputs are not rare) plus a uniform sample of
            // the larger ones, shuffled together.
            let mut large: Vec<u32> = (1000..1_000_000).collect();
            large.shuffle(rng);
            let small = total.min(1000);
            let mut pool: Vec<u32> = (0..small as u32).collect();
            pool.extend_from_slice(&large[..total - small]);
            pool.shuffle(rng);
            pool.iter()
                .map(|&n| pair_of(task, n))
                .collect::<anyhow::Result<_>>()?
        }
        Task::Reverse => {
            let mut seen = HashSet::new();
            let mut out = Vec::with_capacity(total);
            while out.len() < total {
                let len = rng.random_range(1..=REVERSE_MAX);
                let s: Vec<String> = (0..len)
                    .map(|_| char::from(b'a' + rng.random_range(0..10u8)).to_string())
                    .collect();
                if seen.insert(s.clone()) {
                    let rev: Vec<String> = s.iter().rev().cloned().collect();
                    out.push((s, rev));
                }
            }
            out
        }
    };
    let mut it = pairs.into_iter();
    let train = it.by_ref().take(sizes.0).collect();
    let valid = it.by_ref().take(sizes.1).collect();
    let test = it.collect();
    Ok(Splits { train, valid, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: u32) -> String {
        number_words(n).unwrap().join(" ")
    }

    #[test]
    fn russian_grammar() {
        assert_eq!(words(0), "ноль");
        assert_eq!(words(247), "двести сорок семь");
        assert_eq!(words(312), "триста двенадцать");
        assert_eq!(words(1000), "одна тысяча");
        assert_eq!(words(2001), "две тысячи один");
        assert_eq!(words(5000), "пять тысяч");
        assert_eq!(words(11_000), "одиннадцать тысяч");
        assert_eq!(words(21_000), "двадцать одна тысяча");
        assert_eq!(words(104_000), "сто четыре тысячи");
        assert_eq!(words(112_000), "сто двенадцать тысяч");
        assert_eq!(
            words(999_999),
            "девятьсот девяносто девять тысяч девятьсот девяносто девять"
        );
        assert_eq!(words(40), "сорок");
        assert!(number_words(1_000_000).is_err());
    }

    #[test]
    fn words_are_unique_per_number_and_in_the_vocabulary() {
        let vocab: HashSet<&str> = all_words().into_iter().collect();
        let mut seen = HashSet::new();
        for n in (0..1_000_000).step_by(7) {
            let w = number_words(n).unwrap();
            assert!(w.iter().all(|t| vocab.contains(t)), "{n}: {w:?}");
            assert!(seen.insert(w.join(" ")), "{n} collides");
        }
    }

    #[test]
    fn splits_are_disjoint_and_seeded() {
        for task in [Task::WordsToDigits, Task::Reverse] {
            let a = make_splits(task, (500, 100, 100), &mut tensor::seeded_rng(3)).unwrap();
            let b = make_splits(task, (500, 100, 100), &mut tensor::seeded_rng(3)).unwrap();
            assert_eq!(a.test, b.test);
            let train: HashSet<_> = a.train.iter().map(|p| p.0.clone()).collect();
            let valid: HashSet<_> = a.valid.iter().map(|p| p.0.clone()).collect();
            assert_eq!(train.len(), 500);
            assert_eq!(valid.len(), 100);
            assert!(
                a.test
                    .iter()
                    .all(|p| !train.contains(&p.0) && !valid.contains(&p.0))
            );
            assert!(a.valid.iter().all(|p| !train.contains(&p.0)));
        }
    }
}
