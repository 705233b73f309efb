//! `char-rnn generate`: load a model directory, feed the prime, sample one character at a time carrying
//! the recurrent state.

use anyhow::Context;
use nn::generate::generate;
use nn::sampling::Sampler;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::bundle;
use crate::cli::GenerateArgs;

/// `char-rnn generate`: prints the prime and the generated characters.
pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let sampler = Sampler {
        temperature: args.temperature,
        top_k: args.top_k,
    };
    sampler
        .validate()
        .map_err(|e| appkit::usage(format!("--temperature / --top-k: {e}")))?;
    let bundle = bundle::load(&args.model)?;
    let prime = if bundle.meta.lowercase {
        args.prime.to_lowercase()
    } else {
        args.prime.clone()
    };
    if prime.is_empty() {
        return Err(appkit::usage(
            "--prime is empty: give at least one character to start from",
        ));
    }
    let indices = bundle.alphabet.encode(&prime).with_context(|| {
        format!(
            "--prime {:?}: the model's alphabet is {}",
            args.prime,
            bundle.alphabet.to_json()
        )
    })?;
    let prime_tokens: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let tokens = generate(&bundle.model, &prime_tokens, args.len, &sampler, &mut rng)?;
    let tokens: Vec<u32> = tokens.iter().map(|&t| t as u32).collect();
    let text = bundle.alphabet.decode(&tokens)?;
    println!("{prime}{text}");
    Ok(())
}
