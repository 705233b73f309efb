//! Making and damaging input files.

use std::path::Path;

/// Writes `bytes` to `dir/name`, creating directories.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("a parent directory")).expect("test file I/O");
    std::fs::write(path, bytes).expect("test file I/O");
}

/// Cuts the file at `path` to `len` bytes.
pub fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("test file I/O")
        .set_len(len)
        .expect("test file I/O");
}

/// Replaces the first `from` in the text file at `path` by `to`.
pub fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("test file I/O");
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("test file I/O");
}

/// Inverts the byte `back` positions before the end of the file at `path`.
pub fn flip_byte_from_end(path: &Path, back: usize) {
    let mut bytes = std::fs::read(path).expect("test file I/O");
    let at = bytes.len() - back;
    bytes[at] ^= 0xff;
    std::fs::write(path, bytes).expect("test file I/O");
}

/// Replaces the first `from` by `to` in the JSON header of the safetensors file at `path` (its length prefix
/// updated, the tensors kept), e.g. to make the architecture it declares larger than its tensors.
pub fn edit_safetensors_header(path: &Path, from: &str, to: &str) {
    let bytes = std::fs::read(path).expect("test file I/O");
    let len = usize::try_from(u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")))
        .expect("a header length");
    let header = std::str::from_utf8(&bytes[8..8 + len]).expect("a UTF-8 header");
    assert!(
        header.contains(from),
        "{from} not in the header of {}",
        path.display()
    );
    let mut header = header.trim_end().replacen(from, to, 1);
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&bytes[8 + len..]);
    std::fs::write(path, out).expect("test file I/O");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("clitest_{tag}_{}", std::process::id()))
    }

    #[test]
    fn damages_files_as_named() {
        let dir = scratch("damage");
        write(&dir, "a/b.txt", b"one two one");
        let path = dir.join("a/b.txt");
        replace(&path, "one", "three");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three two one");
        flip_byte_from_end(&path, 1);
        assert_eq!(std::fs::read(&path).unwrap().last(), Some(&(b'e' ^ 0xff)));
        truncate(&path, 5);
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn edits_a_safetensors_header_keeping_the_tensors() {
        let dir = scratch("header");
        let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
        let mut file = (header.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(header);
        file.extend_from_slice(&1.5f32.to_le_bytes());
        write(&dir, "m.safetensors", &file);
        let path = dir.join("m.safetensors");
        edit_safetensors_header(&path, "[1]", "[100]");
        let bytes = std::fs::read(&path).unwrap();
        let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(len % 8, 0);
        let text = std::str::from_utf8(&bytes[8..8 + len]).unwrap();
        assert!(
            text.trim_end()
                .ends_with(r#""shape":[100],"data_offsets":[0,4]}}"#),
            "{text}"
        );
        assert_eq!(&bytes[8 + len..], &1.5f32.to_le_bytes());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
