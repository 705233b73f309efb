//! The top-level runner shared by every app: errors become one line on stderr; data errors exit 1,
//! usage errors exit 2 (as clap's own do).

use std::fmt;
use std::process::ExitCode;

/// A usage error an app finds after clap has parsed the flags: a value out of range, two flags
/// that contradict each other, a name that is not one of the valid ones. [`run`] exits 2 for it,
/// like clap does for the errors it finds itself; every other error is a data error (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A [`UsageError`] as an `anyhow::Error`, for `return Err(usage(...))` in an app's body.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// Whether `err` or one of its causes is a [`UsageError`].
#[must_use]
pub fn is_usage(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.is::<UsageError>())
}

/// Runs an app's body and maps its outcome to the process exit code.
///
/// `Ok(())` exits 0. An error prints `error: <message>` (with its causes joined by `: `) on stderr
/// and exits 2 for a [`UsageError`] anywhere in its chain, 1 otherwise. Usage errors clap finds
/// never reach here: clap prints them and exits 2 before the body runs.
pub fn run(body: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The exit code [`run`] gives `err`: 2 for a usage error, 1 for any other.
#[must_use]
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if is_usage(err) { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_even_with_context() {
        let err = usage("--window must be at least 1").context("preparing the data");
        assert_eq!(exit_code(&err), 2);
        assert_eq!(
            format!("{err:#}"),
            "preparing the data: --window must be at least 1"
        );
    }

    #[test]
    fn other_errors_exit_1() {
        let err = anyhow::anyhow!("p.csv: line 3, column Liquid: not a number");
        assert_eq!(exit_code(&err), 1);
        assert!(!is_usage(&err));
    }
}
