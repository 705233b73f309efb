//! Checks of an app's outcome: exit code, error line, no panic.

use std::process::Output;

/// Checks the exit code and that stderr holds `error: <message>` (for a data error, exit 1, as its last line),
/// without a panic.
pub fn check(out: &Output, code: i32, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {stderr}");
    let line = format!("error: {message}");
    if code == 1 {
        assert_eq!(
            stderr.lines().last(),
            Some(line.as_str()),
            "message; stderr: {stderr}"
        );
    } else {
        assert!(
            stderr.lines().any(|l| l == line),
            "message {line:?} not in stderr: {stderr}"
        );
    }
}

/// Checks the exit code and that stderr holds one `error: ` line, without a panic (for rows whose message is not
/// settled yet).
pub fn check_code(out: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("error: ")),
        "no error line: {stderr}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn sh(script: &str) -> Output {
        Command::new("sh").args(["-c", script]).output().unwrap()
    }

    #[test]
    fn accepts_the_expected_data_error() {
        check(&sh("echo 'error: bad' >&2; exit 1"), 1, "bad");
    }

    #[test]
    #[should_panic(expected = "exit code")]
    fn rejects_another_exit_code() {
        check(&sh("echo 'error: bad' >&2; exit 2"), 1, "bad");
    }

    #[test]
    #[should_panic(expected = "message")]
    fn rejects_another_message() {
        check(&sh("echo 'error: worse' >&2; exit 1"), 1, "bad");
    }

    #[test]
    #[should_panic(expected = "panic")]
    fn rejects_a_panic() {
        check(&sh("echo 'thread main panicked' >&2; exit 1"), 1, "bad");
    }

    #[test]
    fn usage_error_may_be_followed_by_help() {
        check(
            &sh("echo 'error: bad flag' >&2; echo 'Usage: x' >&2; exit 2"),
            2,
            "bad flag",
        );
        check_code(&sh("echo 'error: anything' >&2; exit 2"), 2);
    }

    #[test]
    #[should_panic(expected = "no error line")]
    fn check_code_needs_an_error_line() {
        check_code(&sh("echo 'oops' >&2; exit 1"), 1);
    }
}
