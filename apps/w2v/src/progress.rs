//! The training progress bar: epoch, words/s, learning rate, ETA (hidden with `--quiet` and when stderr is not a
//! terminal, which indicatif detects).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over all words of all epochs.
pub fn training_bar(total_words: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(total_words),
        if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {percent:>3}% {per_sec} ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Updates the bar from a training snapshot.
pub fn update(bar: &ProgressBar, p: &embed::Progress) {
    bar.set_position(p.words_done);
    bar.set_message(format!(
        "epoch {}/{} alpha {:.5}",
        p.epoch, p.epochs, p.alpha
    ));
}
