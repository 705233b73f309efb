//! `.npy` output: any ndarray array to any writer, in the format `numpy.load` reads (via `ndarray-npy`).
//! Writing to an `impl Write` lets apps go through an atomic file helper.

use std::io::Write;

use ndarray::{ArrayBase, Data, Dimension};
use ndarray_npy::{WritableElement, WriteNpyExt};

use crate::error::{Error, Result};

/// Writes `array` in `.npy` format (little-endian, C order; `f32` → `<f4`, `u32` → `<u4`). Non-contiguous
/// arrays are written in logical order.
///
/// ```
/// use ndarray::array;
/// use ndarray_npy::ReadNpyExt;
/// let mut bytes = Vec::new();
/// textprep::write_npy(&array![[1u32, 2], [3, 4]], &mut bytes)?;
/// assert!(bytes.starts_with(b"\x93NUMPY"));
/// assert_eq!(ndarray::Array2::<u32>::read_npy(&bytes[..]).unwrap(), array![[1, 2], [3, 4]]);
/// # Ok::<(), textprep::Error>(())
/// ```
///
/// # Errors
/// [`Error::Npy`] when the writer fails.
pub fn write_npy<A, S, D>(array: &ArrayBase<S, D>, writer: impl Write) -> Result<()>
where
    A: WritableElement,
    S: Data<Elem = A>,
    D: Dimension,
{
    array.write_npy(writer).map_err(|err| Error::Npy {
        reason: err.to_string(),
    })
}
