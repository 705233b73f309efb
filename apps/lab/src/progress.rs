//! One progress bar for the whole run: a step per part, the part's name, and its latest log line.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// The run's progress bar (drawn on stderr when it is a terminal, hidden otherwise).
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar of `parts` steps.
    pub fn new(parts: usize) -> Progress {
        let bar = ProgressBar::new(parts as u64);
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:20} {pos}/{len} {prefix:.bold} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    /// Starts a part.
    pub fn start(&self, name: &str) {
        self.bar.set_prefix(name.to_owned());
        self.bar.set_message("");
    }

    /// Shows a log line of the running part (its first line only).
    pub fn say(&self, line: &str) {
        let first = line.lines().next().unwrap_or_default();
        self.bar.set_message(first.to_owned());
    }

    /// Prints a line above the bar (kept in the terminal).
    pub fn println(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// Finishes a part.
    pub fn done(&self) {
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
