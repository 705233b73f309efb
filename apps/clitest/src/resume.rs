//! Checks of a training app's safety contract: `--resume` continues a run to the same bytes, a missing
//! checkpoint is refused, and a diverging run stops without touching the files it had written.

use std::path::Path;
use std::process::Output;

/// Runs the app's `train` with a small fixed configuration writing to the given `--out` directory plus the
/// extra arguments (`--epochs N`, `--resume`, …).
pub type Train<'a> = &'a dyn Fn(&Path, &[&str]) -> Output;

/// Asserts that `out` exited with status 0, printing its stderr otherwise.
pub fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The bytes of `dir/name`.
pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name))
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.join(name).display()))
}

/// A run of 3 epochs and a run of 1 epoch continued with `--resume` to 3 (and a third run resuming from the
/// second's directory with `--resume DIR`) end with the same `model.safetensors`; `same_description` compares
/// the rest of the two model directories (straight, resumed) the way the app's description allows.
pub fn check_resumed_equals_straight(
    tmp: &Path,
    train: Train,
    same_description: &dyn Fn(&Path, &Path),
) {
    let (straight, split) = (tmp.join("straight"), tmp.join("split"));
    ok(&train(&straight, &["--epochs", "3"]));
    ok(&train(&split, &["--epochs", "1"]));
    let resumed = train(&split, &["--epochs", "3", "--resume"]);
    ok(&resumed);
    assert!(String::from_utf8_lossy(&resumed.stdout).contains("after epoch 1 of 3"));
    assert!(
        read(&straight, "model.safetensors") == read(&split, "model.safetensors"),
        "model.safetensors differs"
    );
    same_description(&straight, &split);
    let other = tmp.join("other");
    let split_dir = split.display().to_string();
    ok(&train(&other, &["--epochs", "3", "--resume", &split_dir]));
    assert!(read(&other, "model.safetensors") == read(&straight, "model.safetensors"));
}

/// `--resume` into a directory with no checkpoint is a data error (exit 1) saying it cannot read it.
pub fn check_missing_checkpoint_refused(tmp: &Path, train: Train) {
    let o = train(&tmp.join("none"), &["--epochs", "2", "--resume"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the checkpoint"));
}

/// After one good epoch in `tmp/m`, a second run with `diverging` arguments (an absurd learning rate) exits 1
/// saying no epoch completed and `message`, and leaves `checkpoint.safetensors` and `model.safetensors` as
/// they were.
pub fn check_divergence_keeps_files(tmp: &Path, train: Train, diverging: &[&str], message: &str) {
    let out = tmp.join("m");
    ok(&train(&out, &["--epochs", "1"]));
    let (checkpoint, model) = (
        read(&out, "checkpoint.safetensors"),
        read(&out, "model.safetensors"),
    );
    let mut args = vec!["--epochs", "2"];
    args.extend_from_slice(diverging);
    let o = train(&out, &args);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("no epoch completed"), "{e}");
    assert!(e.contains(message), "{e}");
    assert!(read(&out, "checkpoint.safetensors") == checkpoint);
    assert!(read(&out, "model.safetensors") == model);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// A stand-in trainer: writes `model.safetensors` and `checkpoint.safetensors` holding the `--epochs`
    /// value (and, if `resume_differs`, whether it resumed) and prints `after epoch 1 of 3`; `--lr` fails.
    fn fake(resume_differs: bool) -> impl Fn(&Path, &[&str]) -> Output {
        move |out: &Path, extra: &[&str]| {
            let epochs = extra
                .iter()
                .position(|a| *a == "--epochs")
                .map_or("0", |i| extra[i + 1]);
            let script = if extra.contains(&"--lr") {
                "echo 'no epoch completed; diverged' >&2; exit 1".to_string()
            } else {
                let resumed = resume_differs && extra.contains(&"--resume");
                let body = format!("model after {epochs} epochs, resumed: {resumed}");
                format!(
                    "mkdir -p '{0}' && printf '{body}' > '{0}/model.safetensors' && printf '{body}' > \
                     '{0}/checkpoint.safetensors' && echo 'after epoch 1 of 3'",
                    out.display()
                )
            };
            Command::new("sh").args(["-c", &script]).output().unwrap()
        }
    }

    #[test]
    fn resume_check_accepts_equal_models_and_divergence_check_kept_files() {
        let tmp = tempfile::tempdir().unwrap();
        let train = fake(false);
        check_resumed_equals_straight(tmp.path(), &train, &|_, _| {});
        check_divergence_keeps_files(tmp.path(), &train, &["--lr", "1e38"], "diverged");
    }

    #[test]
    #[should_panic(expected = "model.safetensors differs")]
    fn resume_check_rejects_a_resumed_model_that_differs() {
        let tmp = tempfile::tempdir().unwrap();
        check_resumed_equals_straight(tmp.path(), &fake(true), &|_, _| {});
    }
}
