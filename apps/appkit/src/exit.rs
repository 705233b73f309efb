//! The top-level runner shared by every app: errors become one line on stderr and exit code 1.

use std::process::ExitCode;

/// Runs an app's body and maps its outcome to the process exit code.
///
/// `Ok(())` exits 0. An error prints `error: <message>` (with its causes joined by `: `) on stderr and exits 1.
/// Usage errors never reach here: clap prints them and exits 2 before the body runs.
pub fn run(body: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
