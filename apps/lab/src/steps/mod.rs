//! The parts of the lesson. Each runs the crate functions (or the app library) its own app runs, with the
//! settings of the command it reports, and returns its report section.

pub mod char_rnn;
pub mod ngrams;
pub mod onehot;
pub mod seq2seq;
pub mod w2v;
pub mod wells;
pub mod word_rnn;

use std::path::{Path, PathBuf};

use appkit::report::Section;

use crate::cli::{Args, Part};
use crate::progress::Progress;

/// The sample story the text apps use when no book is given.
pub const FIXTURE_STORY: &str = textprep::sample::RUSSIAN_STORY;

/// What every part needs: the flags, where to write, and the progress bar.
pub struct Ctx<'a> {
    /// The command line.
    pub args: &'a Args,
    /// The progress bar.
    pub progress: &'a Progress,
}

impl Ctx<'_> {
    /// The directory of a part's own files: `<out>/<app>`.
    pub fn dir(&self, part: Part) -> PathBuf {
        self.args.out.join(part.app())
    }

    /// A path inside a part's directory.
    pub fn file(&self, part: Part, name: &str) -> PathBuf {
        self.dir(part).join(name)
    }

    /// `["--input", book]` when a book was given.
    pub fn input_flags(&self) -> Vec<String> {
        self.args
            .book
            .as_ref()
            .map(|p| vec!["--input".to_owned(), path_arg(p)])
            .unwrap_or_default()
    }

    /// The name of the text used, for the report.
    pub fn book_name(&self) -> String {
        self.args.book.as_ref().map_or_else(
            || "the sample story (fixtures/text/story.txt)".to_owned(),
            |p| p.display().to_string(),
        )
    }

    /// Shows a log line on the progress bar.
    pub fn say(&self, line: &str) {
        self.progress.say(line);
    }
}

/// A path as a command-line argument.
pub fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

/// `cargo run --release -p <app> -- <flags>`, each flag quoted for a POSIX shell where needed.
pub fn command(app: &str, flags: &[String]) -> String {
    let mut line = format!("cargo run --release -p {app}");
    if !flags.is_empty() {
        line.push_str(" --");
        for flag in flags {
            line.push(' ');
            line.push_str(&shell_quote(flag));
        }
    }
    line
}

/// Quotes `arg` for a POSIX shell unless it is made only of letters, digits and `-_./,=:+`.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./,=:+".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A section for `part` with its title.
pub fn section(part: Part, title: &str, command: String) -> Section {
    Section::new(part.app(), title, command)
}

/// A number with `digits` decimals, or `–` when it is not finite.
pub fn num(value: f64, digits: usize) -> String {
    if value.is_finite() {
        format!("{value:.digits$}")
    } else {
        "–".to_owned()
    }
}

/// Strings for a list of owned flags.
pub fn flags<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_quote_only_what_the_shell_would_split() {
        let f = vec![
            "train".to_owned(),
            "--query".to_owned(),
            "раскольников".to_owned(),
            "--input".to_owned(),
            "my book.txt".to_owned(),
            "it's".to_owned(),
        ];
        assert_eq!(
            command("w2v", &f),
            "cargo run --release -p w2v -- train --query раскольников --input 'my book.txt' 'it'\\''s'"
        );
        assert_eq!(command("ngrams", &[]), "cargo run --release -p ngrams");
    }
}
