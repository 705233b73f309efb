//! Safetensors reading and writing, and model save / load.
//!
//! A saved model is one safetensors file: every parameter under its name (`lstm/kernel`, …) as
//! `F32`, and in the header's `__metadata__` the keys `format = "rnnlab-nn"`, `format_version`
//! (currently `1`) and `model`, the JSON architecture (`name`, `input_shape`, `layers`: the
//! [`LayerConfig`]s). Loading rebuilds the architecture, then checks that every parameter is
//! present with the right shape and that no tensor is left over.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::layers::LayerConfig;
use crate::model::Sequential;
use crate::{Error, Result};

/// Current version of the model file format.
pub const FORMAT_VERSION: u32 = 1;

/// Tensors of a safetensors file, converted to f32, with the file's metadata.
#[derive(Debug, Clone, Default)]
pub struct TensorFile {
    /// Tensors by name (F32 as is; F64, F16-free integer types I64/I32 converted to f32).
    pub tensors: BTreeMap<String, ArrayD<f32>>,
    /// The `__metadata__` map.
    pub metadata: HashMap<String, String>,
}

impl TensorFile {
    /// The tensor called `name`.
    ///
    /// # Errors
    /// [`Error::UnknownName`] listing the names present.
    pub fn get(&self, name: &str) -> Result<&ArrayD<f32>> {
        self.tensors.get(name).ok_or_else(|| Error::UnknownName {
            kind: "tensor",
            name: name.into(),
            valid: self.tensors.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }
}

fn file_err(path: &str, message: impl Into<String>) -> Error {
    Error::File {
        path: path.into(),
        message: message.into(),
    }
}

/// The number of f32 values held by `file`'s tensors.
fn stored_values(file: &TensorFile) -> u128 {
    file.tensors.values().map(|t| t.len() as u128).sum()
}

/// Refuse an architecture that declares more weights than the file stores, *before* building it.
///
/// `declared` is a lower bound of the weights the architecture would allocate (its weight
/// matrices, biases left out), so an honest file (which stores exactly the architecture's
/// weights) always passes, and a file whose header declares, say, a 100000-unit LSTM beside a few
/// small tensors is an error instead of a multi-gigabyte allocation. Loading memory therefore
/// stays proportional to the file's size.
///
/// # Errors
/// [`Error::File`] naming both counts.
pub(crate) fn check_declared_weights(declared: u128, file: &TensorFile, label: &str) -> Result<()> {
    let stored = stored_values(file);
    if declared > stored {
        return Err(file_err(
            label,
            format!(
                "the architecture declares at least {declared} weights but the file stores {stored}: \
                 corrupted or mismatched model file"
            ),
        ));
    }
    Ok(())
}

/// A lower bound of the weights `layers` allocate on `input_shape` (their weight matrices).
fn architecture_weights(input_shape: &[usize], layers: &[LayerConfig]) -> u128 {
    let mut width = input_shape.last().copied().unwrap_or(0) as u128;
    let mut total: u128 = 0;
    let recurrent = |cfg: &crate::layers::RecurrentConfig, width: u128| -> u128 {
        let units = cfg.units as u128;
        let rows = cfg.index_input.map_or(width, |v| v as u128);
        (cfg.cell.gates() as u128).saturating_mul(rows.saturating_add(units).saturating_mul(units))
    };
    for layer in layers {
        match layer {
            LayerConfig::Dense(d) => {
                total = total.saturating_add(width.saturating_mul(d.units as u128));
                width = d.units as u128;
            }
            LayerConfig::Recurrent(r) => {
                total = total.saturating_add(recurrent(r, width));
                width = r.units as u128;
            }
            LayerConfig::Embedding(e) => {
                total = total.saturating_add((e.vocab as u128).saturating_mul(e.dim as u128));
                width = e.dim as u128;
            }
            LayerConfig::Bidirectional(b) => {
                total = total.saturating_add(recurrent(&b.layer, width).saturating_mul(2));
                let units = b.layer.units as u128;
                width = match b.merge {
                    crate::layers::Merge::Concat => units.saturating_mul(2),
                    crate::layers::Merge::Sum
                    | crate::layers::Merge::Mul
                    | crate::layers::Merge::Ave => units,
                };
            }
            LayerConfig::Dropout(_) => {}
            // No weights of its own but the bias; the width becomes the tied table's row count.
            LayerConfig::TiedDense(t) => {
                width = layers
                    .iter()
                    .find_map(|l| match l {
                        LayerConfig::Embedding(e) if e.name.as_deref() == Some(&t.embedding) => {
                            Some(e.vocab as u128)
                        }
                        _ => None,
                    })
                    .unwrap_or(0);
            }
        }
    }
    total
}

/// Parse safetensors bytes; `label` names the source in errors.
///
/// # Errors
/// [`Error::File`] for a truncated or corrupted buffer or an unsupported dtype.
pub fn parse_safetensors(bytes: &[u8], label: &str) -> Result<TensorFile> {
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| file_err(label, format!("not a valid safetensors file: {e}")))?;
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| file_err(label, format!("not a valid safetensors file: {e}")))?;
    let mut tensors = BTreeMap::new();
    for (name, view) in st.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|c| {
                    f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32
                })
                .collect(),
            Dtype::I64 => data
                .chunks_exact(8)
                .map(|c| {
                    i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32
                })
                .collect(),
            Dtype::I32 => data
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32)
                .collect(),
            other => {
                return Err(file_err(
                    label,
                    format!(
                        "tensor {name}: unsupported dtype {other:?} (F32, F64, I64, I32 are read)"
                    ),
                ));
            }
        };
        let array = ArrayD::from_shape_vec(IxDyn(view.shape()), values)
            .map_err(|e| file_err(label, format!("tensor {name}: {e}")))?;
        tensors.insert(name, array);
    }
    Ok(TensorFile {
        tensors,
        metadata: meta.metadata().clone().unwrap_or_default(),
    })
}

/// Write `bytes` to `path` atomically: into a temporary file created beside `path` (same
/// directory, so the rename stays on one file system), synced, then renamed over `path`. An
/// interrupted or failed write leaves the previous file intact and no temporary file behind.
/// Every file this crate writes ([`Sequential::save`], [`checkpoint::save`](crate::checkpoint::save))
/// goes through here. The directory must exist.
///
/// # Errors
/// [`Error::File`] naming `path` for I/O errors.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let label = path.display().to_string();
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rnnlab-nn-").suffix(".tmp");
    // A temporary file is private (0600); the finished file gets the usual mode of a new file
    // (0666 less the umask), as `File::create` would give it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| file_err(&label, format!("cannot create a temporary file: {e}")))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| file_err(&label, e.to_string()))?;
    // tempfile's PersistError prints its io::Error already.
    tmp.persist(path)
        .map_err(|e| file_err(&label, e.to_string()))?;
    Ok(())
}

/// Read a safetensors file.
///
/// # Errors
/// [`Error::File`] naming the path for I/O errors and bad contents.
pub fn read_safetensors(path: impl AsRef<Path>) -> Result<TensorFile> {
    let label = path.as_ref().display().to_string();
    let bytes = std::fs::read(path.as_ref()).map_err(|e| file_err(&label, e.to_string()))?;
    parse_safetensors(&bytes, &label)
}

/// Serialise f32 tensors (and metadata) to safetensors bytes.
///
/// # Errors
/// [`Error::Invalid`] when serialisation fails.
pub fn safetensors_bytes(
    tensors: &[(String, ArrayD<f32>)],
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    let raw: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(n, a)| {
            (
                n.clone(),
                a.shape().to_vec(),
                a.as_standard_layout()
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            )
        })
        .collect();
    // The header is written here rather than by `safetensors::serialize`, whose metadata is a `HashMap` and so
    // comes out in a different order on every call: with sorted metadata keys and tensors in the given order,
    // the same model always gives the same bytes. The layout is the safetensors format: an 8-byte little-endian
    // header length, the JSON header padded with spaces to a multiple of 8, then the tensors' bytes.
    let metadata: BTreeMap<String, String> = metadata.into_iter().collect();
    let mut header = format!("{{\"__metadata__\":{}", to_json(&metadata)?);
    let mut offset = 0usize;
    for (name, shape, bytes) in &raw {
        let end = offset + bytes.len();
        header.push_str(&format!(
            ",{}:{{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[{offset},{end}]}}",
            to_json(name)?,
            to_json(shape)?
        ));
        offset = end;
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for (_, _, bytes) in &raw {
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// Compact JSON for one header value.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Invalid(format!("safetensors header: {e}")))
}

#[derive(Serialize, Deserialize)]
struct Architecture {
    name: String,
    input_shape: Vec<usize>,
    layers: Vec<LayerConfig>,
}

impl Sequential {
    /// The model (architecture and weights) as safetensors bytes.
    ///
    /// # Errors
    /// [`Error::Invalid`] when serialisation fails.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let arch = Architecture {
            name: self.name.clone(),
            input_shape: self.input_shape.clone(),
            layers: self.layers.iter().map(|l| l.config()).collect(),
        };
        let json = serde_json::to_string(&arch).map_err(|e| Error::Invalid(e.to_string()))?;
        let meta = HashMap::from([
            ("format".to_string(), "rnnlab-nn".to_string()),
            ("format_version".to_string(), FORMAT_VERSION.to_string()),
            ("model".to_string(), json),
        ]);
        let tensors: Vec<(String, ArrayD<f32>)> = self
            .params
            .iter()
            .map(|(_, p)| (p.name.clone(), p.value.clone()))
            .collect();
        safetensors_bytes(&tensors, meta)
    }

    /// Save to `path` (written to a temporary file beside it, then renamed, so an interrupted
    /// save leaves the previous file intact).
    ///
    /// # Errors
    /// [`Error::File`] naming the path.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bytes()?)
    }

    /// Rebuild a model from bytes written by [`Sequential::to_bytes`]; `label` names the source in
    /// errors.
    ///
    /// # Errors
    /// [`Error::File`] for a truncated, corrupted, foreign or newer-version file, a missing or
    /// extra tensor, or a tensor of the wrong shape (naming the parameter and both shapes).
    pub fn from_bytes(bytes: &[u8], label: &str) -> Result<Self> {
        let file = parse_safetensors(bytes, label)?;
        if file.metadata.get("format").map(String::as_str) != Some("rnnlab-nn") {
            return Err(file_err(
                label,
                "not an rnnlab-nn model file (metadata key format = \"rnnlab-nn\" missing)",
            ));
        }
        let version: u32 = file
            .metadata
            .get("format_version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if version == 0 || version > FORMAT_VERSION {
            return Err(file_err(
                label,
                format!(
                    "format version {version} is not supported (this build reads 1..={FORMAT_VERSION})"
                ),
            ));
        }
        let json = file
            .metadata
            .get("model")
            .ok_or_else(|| file_err(label, "metadata key model missing"))?;
        let arch: Architecture = serde_json::from_str(json)
            .map_err(|e| file_err(label, format!("model architecture: {e}")))?;
        check_declared_weights(
            architecture_weights(&arch.input_shape, &arch.layers),
            &file,
            label,
        )?;
        let mut model = Sequential::new(&arch.input_shape, 0);
        model.name = arch.name;
        for cfg in arch.layers {
            model
                .add(cfg)
                .map_err(|e| file_err(label, format!("rebuilding the model: {e}")))?;
        }
        let mut used = 0;
        let ids: Vec<_> = model
            .params
            .iter()
            .map(|(id, p)| (id, p.name.clone()))
            .collect();
        for (id, name) in ids {
            let t = file
                .tensors
                .get(&name)
                .ok_or_else(|| file_err(label, format!("parameter {name} is missing")))?;
            model
                .params
                .set(id, t.clone())
                .map_err(|e| file_err(label, e.to_string()))?;
            used += 1;
        }
        if used != file.tensors.len() {
            let extra: Vec<_> = file
                .tensors
                .keys()
                .filter(|k| model.params.find(k).is_none())
                .cloned()
                .collect();
            return Err(file_err(
                label,
                format!("tensors not in the architecture: {}", extra.join(", ")),
            ));
        }
        Ok(model)
    }

    /// Load a model saved with [`Sequential::save`].
    ///
    /// # Errors
    /// As [`Sequential::from_bytes`], plus I/O errors naming the path.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let label = path.as_ref().display().to_string();
        let bytes = std::fs::read(path.as_ref()).map_err(|e| file_err(&label, e.to_string()))?;
        Self::from_bytes(&bytes, &label)
    }
}
