//! `nn::io::write_atomic`, the one atomic write behind `Sequential::save` and
//! `checkpoint::save`: a file is replaced whole, no temporary file is left behind, and a failed
//! save names the path and leaves nothing.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use nn::layers::{dense, lstm};
use nn::{Error, Sequential, checkpoint, io::write_atomic};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn model(seed: u64) -> Sequential {
    let mut m = Sequential::new(&[4, 1], seed);
    m.add(lstm(3)).unwrap();
    m.add(dense(1)).unwrap();
    m
}

#[test]
fn write_atomic_replaces_the_file_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    write_atomic(&path, b"first, longer content").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    assert_eq!(entries(dir.path()), ["out.bin"]);
}

#[test]
fn model_and_checkpoint_saves_replace_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    model(1).save(&path).unwrap();
    let second = model(2);
    second.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), second.to_bytes().unwrap());
    assert_eq!(entries(dir.path()), ["model.safetensors"]);

    let ck = dir.path().join("ckpt.safetensors");
    let state = nn::TrainState {
        epochs_done: 0,
        seed: 1,
        shuffle: false,
        batch_size: 4,
        train_rows: 8,
        history: nn::History::default(),
        optimizer: nn::Optimizer::state(&nn::Adam::keras()),
        best: None,
        stopped_early: false,
    };
    checkpoint::save(&ck, &second, &state).unwrap();
    assert_eq!(
        std::fs::read(&ck).unwrap(),
        checkpoint::to_bytes(&second, &state).unwrap()
    );
    let (back, _) = checkpoint::load(&ck).unwrap();
    assert_eq!(back.to_bytes().unwrap(), second.to_bytes().unwrap());
    assert_eq!(
        entries(dir.path()),
        ["ckpt.safetensors", "model.safetensors"]
    );
}

#[test]
fn saving_into_a_missing_directory_names_the_path_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("model.safetensors");
    let e = model(1).save(&path).unwrap_err();
    match &e {
        Error::File { path: p, .. } => assert_eq!(p, &path.display().to_string()),
        other => panic!("expected a file error, got {other:?}"),
    }
    assert!(entries(dir.path()).is_empty());
}
