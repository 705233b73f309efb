//! How the network's weights start (`--init`). `nn` builds layers with Keras' initialisers (glorot-uniform
//! kernels, orthogonal recurrent kernels, zero biases with ones in the LSTM forget block). `--init pytorch`
//! (the default) redraws every weight as PyTorch does for the same model: `nn.LSTM` / `nn.GRU` / `nn.RNN`
//! draw all weights and both biases from `uniform(-1/√h, 1/√h)` (`h` = the layer's units), and `nn.Linear`
//! draws its kernel from `kaiming_uniform(a = √5)` and its bias from `uniform(-1/√fan_in, 1/√fan_in)`, which
//! are the same bound, `1/√fan_in`. The recurrent layers are then built with PyTorch's two biases
//! (`torch_biases`), each its own trained parameter, so Adam moves them as PyTorch does.

use anyhow::bail;
use clap::ValueEnum;
use nn::Sequential;
use nn::layers::LayerConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Which library's initialisers the network starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Init {
    /// PyTorch's `nn.LSTM`/`nn.GRU`/`nn.RNN` and `nn.Linear` defaults, two biases per recurrent layer.
    Pytorch,
    /// Keras' defaults (nn's own): glorot-uniform, orthogonal, unit forget bias, one bias.
    Keras,
}

impl Init {
    /// The flag's value as typed.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pytorch => "pytorch",
            Self::Keras => "keras",
        }
    }
}

/// The stream of the redrawn weights: the run's seed on its own ChaCha stream, so that it never overlaps
/// the shuffling, dropout or sampling draws of the same seed.
const INIT_STREAM: u64 = 0x696e_6974; // "init"

/// Redraws every weight of `model` like PyTorch would for the same layers (see the module documentation).
/// Layers must have been built with `torch_biases` for the two biases to exist; a layer kind PyTorch's
/// rule is not written for here is an error.
pub fn pytorch(model: &mut Sequential, seed: u64) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(INIT_STREAM);
    let mut bounds = Vec::new();
    for layer in model.layers() {
        let bound = match layer.config() {
            LayerConfig::Recurrent(c) => 1.0 / (c.units as f32).sqrt(),
            LayerConfig::Dense(_) => {
                let kernel = layer.params()[0];
                let fan_in = model.params().get(kernel).value.shape()[0];
                1.0 / (fan_in.max(1) as f32).sqrt()
            }
            other => bail!(
                "--init pytorch: no PyTorch rule for a {} layer",
                other.prefix()
            ),
        };
        bounds.extend(layer.params().into_iter().map(|id| (id, bound)));
    }
    let params = model.params_mut();
    for (id, bound) in bounds {
        params
            .get_mut(id)
            .value
            .mapv_inplace(|_| rng.random_range(-bound..bound));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn::layers::{dense, lstm};

    fn model(torch: bool) -> Sequential {
        let mut m = Sequential::new(&[5], 3);
        m.add(
            lstm(16)
                .return_sequences(true)
                .index_input(7)
                .torch_biases(torch),
        )
        .expect("lstm");
        m.add(dense(7)).expect("dense");
        m
    }

    #[test]
    fn every_weight_is_redrawn_within_one_over_root_fan_in() {
        let mut m = model(true);
        pytorch(&mut m, 9).expect("init");
        let names: Vec<&str> = m.params().iter().map(|(_, p)| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "lstm/kernel",
                "lstm/recurrent_kernel",
                "lstm/bias",
                "lstm/recurrent_bias",
                "dense/kernel",
                "dense/bias"
            ]
        );
        for (_, p) in m.params().iter() {
            let bound = 0.25; // 1/√16: LSTM units, and the Dense layer's fan-in
            let max = p.value.iter().fold(0.0f32, |a, v| a.max(v.abs()));
            assert!(max < bound, "{}: |w| up to {max}", p.name);
            if p.value.len() < 64 {
                continue; // dense/bias: too few values for a mean to say much
            }
            // uniform(-b, b) has mean |w| = b/2: nothing is left at Keras' zeros, ones or glorot scale.
            let mean = p.value.iter().map(|v| v.abs()).sum::<f32>() / p.value.len() as f32;
            assert!(
                (mean - bound / 2.0).abs() < 0.2 * bound,
                "{}: mean |w| {mean}",
                p.name
            );
        }
    }

    #[test]
    fn same_seed_same_weights_other_seed_other_weights() {
        let (mut a, mut b, mut c) = (model(true), model(true), model(true));
        pytorch(&mut a, 1).expect("init");
        pytorch(&mut b, 1).expect("init");
        pytorch(&mut c, 2).expect("init");
        let values = |m: &Sequential| -> Vec<f32> {
            m.params()
                .iter()
                .flat_map(|(_, p)| p.value.iter().copied().collect::<Vec<_>>())
                .collect()
        };
        assert_eq!(values(&a), values(&b));
        assert_ne!(values(&a), values(&c));
    }
}
