//! Atomic file output: every file an app writes goes to a temporary file in the target's directory and is renamed
//! into place only once it is complete, so an interrupted run never leaves a half-written file behind and never
//! destroys the previous version.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

/// Writes a file atomically: `fill` writes the whole content into a buffered temporary file created beside `path`
/// (so the final rename stays on one file system), which is flushed, synced and renamed over `path`.
///
/// If `fill` fails, the temporary file is removed and `path` is left as it was. Missing parent directories are
/// created.
pub fn write_atomic<F>(path: &Path, fill: F) -> anyhow::Result<()>
where
    F: FnOnce(&mut dyn Write) -> anyhow::Result<()>,
{
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rnnlab-").suffix(".tmp");
    // A temporary file is private (0600) by default; the finished file should get the usual mode of a new file
    // (0666 less the umask), as `File::create` would give it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    {
        let mut writer = BufWriter::new(tmp.as_file());
        fill(&mut writer).with_context(|| format!("cannot write {}", path.display()))?;
        writer
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot sync {}", path.display()))?;
    // tempfile's PersistError already prints its io::Error and also returns it as `source()`:
    // keep its message only, so `{:#}` does not print the cause twice.
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| {
            format!(
                "cannot move the finished file into place at {}",
                path.display()
            )
        })?;
    Ok(())
}

/// Serialises `value` as pretty JSON (with a trailing newline) and writes it atomically to `path`.
pub fn write_json_atomic<T: serde::Serialize + ?Sized>(
    path: &Path,
    value: &T,
) -> anyhow::Result<()> {
    write_atomic(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.txt");
        write_atomic(&path, |w| Ok(w.write_all(b"hello")?)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "hello");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "previous").unwrap();
        let result = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            anyhow::bail!("disk on fire")
        });
        let message = format!("{:#}", result.unwrap_err());
        assert!(
            message.contains("out.txt") && message.contains("disk on fire"),
            "{message}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "previous");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn the_finished_file_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.txt");
        write_atomic(&path, |w| Ok(w.write_all(b"x")?)).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            mode & 0o044,
            0,
            "mode {mode:o} hides the file from group and others"
        );
    }

    #[test]
    fn json_ends_with_a_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        write_json_atomic(&path, &serde_json::json!({"seed": 1})).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("}\n"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["seed"],
            1
        );
    }
}
