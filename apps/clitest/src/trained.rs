//! A small model trained once per test binary, copied into each test's directory to be damaged there.

use crate::App;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Trains once per test binary: in a fresh directory `<tmp_root>/<tag>_<pid>`, `setup` writes any input files, then
/// `app` runs with `args`; the result is `<that directory>/<out>`. Later calls return the same path. `tmp_root` is
/// the test's `env!("CARGO_TARGET_TMPDIR")`.
pub fn trained_once(
    cell: &'static OnceLock<PathBuf>,
    tmp_root: &str,
    tag: &str,
    app: App,
    setup: impl FnOnce(&Path),
    args: &[&str],
    out: &str,
) -> &'static Path {
    cell.get_or_init(|| {
        let root = Path::new(tmp_root).join(format!("{tag}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("test file I/O");
        setup(&root);
        let output = app.run(&root, args);
        assert!(
            output.status.success(),
            "training the test model failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        root.join(out)
    })
}

/// Copies the files of directory `from` (not recursive) into `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("test file I/O");
    for entry in std::fs::read_dir(from).expect("test file I/O") {
        let entry = entry.expect("test file I/O");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("test file I/O");
    }
}
