//! The model loader (`nn::Sequential::from_bytes`: safetensors plus the JSON architecture in its metadata) on
//! arbitrary bytes. A loaded model also runs one prediction on zeros, since a file that loads must be usable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = nn::Sequential::from_bytes(data, "fuzz.safetensors") {
        let mut shape = vec![1];
        shape.extend_from_slice(model.input_shape());
        let size = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if size.is_some_and(|n| n <= 1 << 16) {
            let x = tensor::ndarray::ArrayD::<f32>::zeros(shape);
            let _ = model.predict(&x, 1);
        }
    }
});
