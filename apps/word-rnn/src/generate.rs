//! Word-by-word generation carrying the recurrent state (nn's `Generator`), with `<unk>` masked out
//! unless allowed; and `word-rnn generate`.

use embed::lm_vocab::LmVocab;
use nn::generate::Generator;
use nn::sampling::Sampler;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::bundle;
use crate::cli::GenerateArgs;
use crate::data;

/// A logit low enough that the word is never drawn, yet finite (the sampler rejects infinities).
const MASKED: f32 = -1.0e30;

/// Feeds `prime` (ids) and draws `len` words; `<unk>` is never drawn unless `allow_unk`.
pub fn words(
    model: &nn::Sequential,
    vocab: &LmVocab,
    prime: &[u32],
    len: usize,
    sampler: &Sampler,
    allow_unk: bool,
    seed: u64,
) -> anyhow::Result<Vec<String>> {
    sampler.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut generator = Generator::new(model)?;
    let mut logits = Vec::new();
    for &t in prime {
        logits = generator.feed(t as usize)?.to_vec();
    }
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        if !allow_unk {
            if let Some(l) = logits.get_mut(vocab.unk() as usize) {
                *l = MASKED;
            }
        }
        let token = sampler.sample(&logits, &mut rng)?;
        out.push(vocab.word(token as u32).unwrap_or_default().to_owned());
        logits = generator.feed(token)?.to_vec();
    }
    Ok(out)
}

/// `word-rnn generate`: prints the prime and the generated words.
pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let sampler = Sampler {
        temperature: args.temperature,
        top_k: args.top_k,
    };
    sampler
        .validate()
        .map_err(|e| appkit::usage(format!("--temperature / --top-k: {e}")))?;
    let bundle = bundle::load(&args.model)?;
    let prime_words: Vec<String> = textprep::sentences(&args.prime, &data::sentence_config())?
        .flatten()
        .collect();
    if prime_words.is_empty() {
        return Err(appkit::usage(format!(
            "--prime {:?} has no words after cleaning: give at least one word",
            args.prime
        )));
    }
    let unknown: Vec<&str> = prime_words
        .iter()
        .filter(|w| bundle.vocab.id(w).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "warning: not in the model's vocabulary, read as <unk>: {}",
            unknown.join(", ")
        );
    }
    let prime = bundle.vocab.encode(&prime_words);
    let text = words(
        &bundle.model,
        &bundle.vocab,
        &prime,
        args.len,
        &sampler,
        args.allow_unk,
        args.seed,
    )?;
    println!("{} {}", prime_words.join(" "), text.join(" "));
    Ok(())
}
