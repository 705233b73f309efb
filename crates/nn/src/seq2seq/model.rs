//! The encoder–decoder: a bidirectional recurrent encoder over source tokens, a recurrent decoder
//! fed its previous token (the target under teacher forcing, its own choice when decoding) and,
//! optionally, the attention context of its previous state (Bahdanau's input feeding).
//!
//! Variable-length batches: sources are padded with `<pad>` at the end; the backward direction
//! reads each row's *own* tokens reversed (so it never sees padding before real tokens), both
//! directions' final states are taken at each row's last real token, and attention masks the
//! padding. Targets are padded too and padded positions are left out of the loss.

use std::collections::HashMap;

use ndarray::{ArrayD, IxDyn};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::attention::{Attention, AttentionKind, Keys};
use super::vocab::{END, PAD, START, Vocab};
use crate::layers::{Cell, Recurrent, RecurrentConfig};
use crate::params::{ParamId, Params};
use crate::tape::{Tape, Var};
use crate::{Error, Result};

/// Sizes and options of a [`Seq2Seq`] model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seq2SeqConfig {
    /// Recurrent cell of encoder and decoder (GRU or LSTM; SimpleRNN also works).
    pub cell: Cell,
    /// Width of the source and target embeddings.
    pub embed_dim: usize,
    /// Units of each encoder direction (the encoder states have `2·enc_units`).
    pub enc_units: usize,
    /// Units of the decoder.
    pub dec_units: usize,
    /// The attention score function, `None` for a plain encoder–decoder (the decoder then sees
    /// the source only through its initial state).
    pub attention: Option<AttentionKind>,
    /// Hidden units of additive attention.
    pub attention_units: usize,
    /// Longest accepted source (tokens).
    pub max_source_len: usize,
    /// Longest generated output (tokens, without `<end>`).
    pub max_target_len: usize,
}

impl Default for Seq2SeqConfig {
    fn default() -> Self {
        Self {
            cell: Cell::Gru,
            embed_dim: 32,
            enc_units: 64,
            dec_units: 64,
            attention: Some(AttentionKind::Additive),
            attention_units: 64,
            max_source_len: 64,
            max_target_len: 64,
        }
    }
}

impl Seq2SeqConfig {
    /// Check the sizes.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming a zero size.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("embed_dim", self.embed_dim),
            ("enc_units", self.enc_units),
            ("dec_units", self.dec_units),
            ("attention_units", self.attention_units),
            ("max_source_len", self.max_source_len),
            ("max_target_len", self.max_target_len),
        ] {
            if v == 0 {
                return Err(Error::Invalid(format!("seq2seq: {name} must be positive")));
            }
        }
        Ok(())
    }
}

/// One decoded output.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    /// Output token indices (without `<end>`).
    pub tokens: Vec<usize>,
    /// Sum of the log-probabilities of the chosen tokens (incl. `<end>` when it was produced).
    pub log_prob: f32,
    /// Attention weights, one row per output step (incl. the `<end>` step), each over the
    /// source positions (empty rows without attention).
    pub attention: Vec<Vec<f32>>,
}

/// An encoder–decoder with its own parameter store and vocabularies.
#[derive(Debug, Clone)]
pub struct Seq2Seq {
    config: Seq2SeqConfig,
    source_vocab: Vocab,
    target_vocab: Vocab,
    /// The weights (pass to an optimiser).
    pub params: Params,
    src_embed: ParamId,
    tgt_embed: ParamId,
    enc_fwd: Recurrent,
    enc_bwd: Recurrent,
    init_kernel: ParamId,
    init_bias: ParamId,
    decoder: Recurrent,
    attention: Option<Attention>,
    out_kernel: ParamId,
    out_bias: ParamId,
}

/// A decoder state: `h` and, for LSTM, `c`.
type State = (Var, Option<Var>);

/// One decoder step's output features, new state and attention weights.
type StepOut = (Var, State, Option<Var>);

/// What the encoder hands the decoder.
struct Encoded {
    keys: Option<Keys>,
    h0: Var,
    c0: Option<Var>,
}

const FORMAT: &str = "rnnlab-seq2seq";

impl Seq2Seq {
    /// A new model with weights drawn from `rng`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an invalid configuration.
    pub fn new<R: Rng + ?Sized>(
        config: Seq2SeqConfig,
        source_vocab: Vocab,
        target_vocab: Vocab,
        rng: &mut R,
    ) -> Result<Self> {
        config.validate()?;
        let mut params = Params::new();
        let (e, h, hd) = (config.embed_dim, config.enc_units, config.dec_units);
        let uni = |rng: &mut R, r, c| tensor::init::uniform(rng, r, c, 0.05).into_dyn();
        let src_embed = params.add("source_embedding", uni(rng, source_vocab.len(), e), true);
        let tgt_embed = params.add("target_embedding", uni(rng, target_vocab.len(), e), true);
        let enc_cfg = RecurrentConfig {
            name: None,
            cell: config.cell,
            units: h,
            return_sequences: true,
            index_input: None,
            torch_biases: false,
        };
        let enc_fwd = Recurrent::build(&enc_cfg, "encoder/forward", e, &mut params, rng)?;
        let enc_bwd = Recurrent::build(&enc_cfg, "encoder/backward", e, &mut params, rng)?;
        let init_kernel = params.add(
            "bridge/kernel",
            tensor::init::glorot_uniform(rng, 2 * h, hd).into_dyn(),
            true,
        );
        let init_bias = params.add("bridge/bias", ArrayD::zeros(IxDyn(&[hd])), true);
        let ctx = if config.attention.is_some() { 2 * h } else { 0 };
        let dec_cfg = RecurrentConfig {
            units: hd,
            ..enc_cfg
        };
        let decoder = Recurrent::build(&dec_cfg, "decoder", e + ctx, &mut params, rng)?;
        let attention = match config.attention {
            Some(kind) => Some(Attention::build(
                kind,
                "attention",
                2 * h,
                hd,
                config.attention_units,
                &mut params,
                rng,
            )?),
            None => None,
        };
        let out_kernel = params.add(
            "output/kernel",
            tensor::init::glorot_uniform(rng, hd + ctx, target_vocab.len()).into_dyn(),
            true,
        );
        let out_bias = params.add(
            "output/bias",
            ArrayD::zeros(IxDyn(&[target_vocab.len()])),
            true,
        );
        Ok(Self {
            config,
            source_vocab,
            target_vocab,
            params,
            src_embed,
            tgt_embed,
            enc_fwd,
            enc_bwd,
            init_kernel,
            init_bias,
            decoder,
            attention,
            out_kernel,
            out_bias,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Seq2SeqConfig {
        &self.config
    }

    /// The source vocabulary.
    #[must_use]
    pub fn source_vocab(&self) -> &Vocab {
        &self.source_vocab
    }

    /// The target vocabulary.
    #[must_use]
    pub fn target_vocab(&self) -> &Vocab {
        &self.target_vocab
    }

    /// Check a batch of sources: non-empty, within `max_source_len`, indices in the vocabulary.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the row and the problem.
    pub fn check_sources(&self, sources: &[Vec<usize>]) -> Result<()> {
        if sources.is_empty() {
            return Err(Error::Invalid("seq2seq: no sources".into()));
        }
        for (i, s) in sources.iter().enumerate() {
            if s.is_empty() {
                return Err(Error::Invalid(format!("seq2seq: source {i} is empty")));
            }
            if s.len() > self.config.max_source_len {
                return Err(Error::Invalid(format!(
                    "seq2seq: source {i} has {} tokens, more than the model's maximum of {}",
                    s.len(),
                    self.config.max_source_len
                )));
            }
            if let Some(&bad) = s.iter().find(|&&t| t < 3 || t >= self.source_vocab.len()) {
                return Err(Error::Invalid(format!(
                    "seq2seq: source {i} has token index {bad} outside the vocabulary"
                )));
            }
        }
        Ok(())
    }

    /// Run the encoder on padded sources and prepare attention.
    fn encode(&self, tape: &mut Tape, sources: &[Vec<usize>]) -> Result<Encoded> {
        let b = sources.len();
        let t = sources.iter().map(Vec::len).max().unwrap_or(0);
        let lens: Vec<usize> = sources.iter().map(Vec::len).collect();
        let mut fwd = Vec::with_capacity(b * t);
        let mut bwd = Vec::with_capacity(b * t);
        for s in sources {
            fwd.extend(
                s.iter()
                    .copied()
                    .chain(std::iter::repeat_n(PAD, t - s.len())),
            );
            bwd.extend(
                s.iter()
                    .rev()
                    .copied()
                    .chain(std::iter::repeat_n(PAD, t - s.len())),
            );
        }
        let table = tape.param(self.src_embed);
        let xf = tape.gather(table, &fwd, &[b, t])?;
        let xb = tape.gather(table, &bwd, &[b, t])?;
        let of = self.enc_fwd.forward_full(tape, xf, None)?;
        let ob = self.enc_bwd.forward_full(tape, xb, None)?;
        let h = self.config.enc_units;
        let flat_f = tape.reshape(of.sequence, &[b * t, h])?;
        let flat_b = tape.reshape(ob.sequence, &[b * t, h])?;
        // Backward step k of row r saw position len-1-k: put it back at that position.
        let mut align = Vec::with_capacity(b * t);
        for (r, &len) in lens.iter().enumerate() {
            for j in 0..t {
                align.push(r * t + if j < len { len - 1 - j } else { j });
            }
        }
        let last: Vec<usize> = lens
            .iter()
            .enumerate()
            .map(|(r, &l)| r * t + l - 1)
            .collect();
        let seq_b = tape.gather(flat_b, &align, &[b, t])?;
        let last_f = tape.gather(flat_f, &last, &[b])?;
        let last_b = tape.gather(flat_b, &last, &[b])?;
        let both = tape.concat(&[last_f, last_b], 1)?;
        let k = tape.param(self.init_kernel);
        let bias = tape.param(self.init_bias);
        let pre = tape.matmul(both, k)?;
        let pre = tape.add(pre, bias)?;
        let h0 = tape.tanh(pre);
        let c0 = (self.config.cell == Cell::Lstm)
            .then(|| tape.constant(ArrayD::zeros(IxDyn(&[b, self.config.dec_units]))));
        let keys = match &self.attention {
            Some(att) => {
                let states = tape.concat(&[of.sequence, seq_b], 2)?;
                let padded = lens.iter().any(|&l| l != t);
                Some(att.keys(tape, states, padded.then_some(lens.as_slice()))?)
            }
            None => None,
        };
        Ok(Encoded { keys, h0, c0 })
    }

    /// One decoder step from previous tokens `prev (B)`: returns logits `(B, V)`, the new state
    /// and the attention weights `(B, Tx)`.
    fn step(&self, tape: &mut Tape, enc: &Encoded, emb: Var, state: State) -> Result<StepOut> {
        let b = tape.shape(emb)[0];
        let (input, ctx, weights) = match (&self.attention, &enc.keys) {
            (Some(att), Some(keys)) => {
                let a = att.attend(tape, keys, state.0)?;
                let x = tape.concat(&[emb, a.context], 1)?;
                (x, Some(a.context), Some(a.weights))
            }
            _ => (emb, None, None),
        };
        let f = tape.shape(input)[1];
        let x3 = tape.reshape(input, &[b, 1, f])?;
        let out = self.decoder.forward_full(tape, x3, Some(state))?;
        let features = match ctx {
            Some(c) => tape.concat(&[out.h, c], 1)?,
            None => out.h,
        };
        Ok((features, (out.h, out.c), weights))
    }

    fn project(&self, tape: &mut Tape, features: Var) -> Result<Var> {
        let k = tape.param(self.out_kernel);
        let b = tape.param(self.out_bias);
        let l = tape.matmul(features, k)?;
        tape.add(l, b)
    }

    /// The mean cross-entropy per target token (incl. `<end>`, excl. padding) of a batch under
    /// teacher forcing: the decoder is fed `<start> y₁ … yₙ` and predicts `y₁ … yₙ <end>`.
    /// Returns the loss var and `(correct tokens, tokens)` of the argmax predictions.
    ///
    /// # Errors
    /// [`Error::Invalid`] for empty or mismatched batches or tokens outside the vocabularies.
    pub fn loss(
        &self,
        tape: &mut Tape,
        sources: &[Vec<usize>],
        targets: &[Vec<usize>],
    ) -> Result<(Var, usize, usize)> {
        self.check_sources(sources)?;
        if targets.len() != sources.len() {
            return Err(Error::Invalid(format!(
                "seq2seq: {} sources but {} targets",
                sources.len(),
                targets.len()
            )));
        }
        let v = self.target_vocab.len();
        if let Some(bad) = targets.iter().flatten().find(|&&t| t < 3 || t >= v) {
            return Err(Error::Invalid(format!(
                "seq2seq: target token index {bad} outside the vocabulary"
            )));
        }
        let b = sources.len();
        let ty = targets.iter().map(Vec::len).max().unwrap_or(0) + 1;
        let mut inputs = Vec::with_capacity(b * ty);
        let mut rows = Vec::new();
        let mut gold = Vec::new();
        for (r, tgt) in targets.iter().enumerate() {
            inputs.push(START);
            inputs.extend(tgt.iter().copied());
            inputs.extend(std::iter::repeat_n(PAD, ty - 1 - tgt.len()));
            for (i, &tok) in tgt.iter().chain(std::iter::once(&END)).enumerate() {
                rows.push(r * ty + i);
                gold.push(tok);
            }
        }
        let enc = self.encode(tape, sources)?;
        let table = tape.param(self.tgt_embed);
        let emb = tape.gather(table, &inputs, &[b, ty])?;
        let mut state = (enc.h0, enc.c0);
        let mut outs = Vec::with_capacity(ty);
        for i in 0..ty {
            let e = tape.select(emb, 1, i)?;
            let (features, next, _) = self.step(tape, &enc, e, state)?;
            state = next;
            let f = tape.shape(features)[1];
            outs.push(tape.reshape(features, &[b, 1, f])?);
        }
        let all = tape.concat(&outs, 1)?;
        let f = tape.shape(all)[2];
        let flat = tape.reshape(all, &[b * ty, f])?;
        let picked = tape.gather(flat, &rows, &[rows.len()])?;
        let logits = self.project(tape, picked)?;
        let loss = tape.cross_entropy(logits, &gold)?;
        let lv = tape.value(logits);
        let correct = lv
            .outer_iter()
            .zip(&gold)
            .filter(|(row, g)| argmax(row.iter().copied()) == **g)
            .count();
        Ok((loss, correct, gold.len()))
    }

    /// Decode `sources` with beam search of `width` (1 = greedy), at most `max_target_len`
    /// tokens; all sources in one batch (rows `source · width + beam`). Hypotheses are ranked by
    /// total log-probability; a finished hypothesis keeps its score.
    ///
    /// # Errors
    /// [`Error::Invalid`] for bad sources or a zero width.
    pub fn decode(&self, sources: &[Vec<usize>], width: usize) -> Result<Vec<Hypothesis>> {
        self.check_sources(sources)?;
        if width == 0 {
            return Err(Error::Invalid(
                "seq2seq: beam width must be positive".into(),
            ));
        }
        let n = sources.len();
        let rows = n * width;
        let mut tape = Tape::inference(&self.params);
        let repeated: Vec<Vec<usize>> = sources
            .iter()
            .flat_map(|s| std::iter::repeat_n(s.clone(), width))
            .collect();
        let enc = self.encode(&mut tape, &repeated)?;
        let table = tape.param(self.tgt_embed);
        let mut state = (enc.h0, enc.c0);
        let mut prev = vec![START; rows];
        let mut score = vec![f32::NEG_INFINITY; rows];
        for s in 0..n {
            score[s * width] = 0.0;
        }
        let mut finished = vec![false; rows];
        let mut tokens: Vec<Vec<usize>> = vec![Vec::new(); rows];
        let mut attn: Vec<Vec<Vec<f32>>> = vec![Vec::new(); rows];
        for _ in 0..=self.config.max_target_len {
            if finished.iter().all(|&f| f) {
                break;
            }
            let emb = tape.gather(table, &prev, &[rows])?;
            let (features, next, weights) = self.step(&mut tape, &enc, emb, state)?;
            let logits = self.project(&mut tape, features)?;
            let logp = tape.log_softmax(logits);
            let lp = tape.value(logp);
            let v = lp.shape()[1];
            let wv = weights.map(|w| tape.value(w).clone());
            let mut parent = Vec::with_capacity(rows);
            let mut new_prev = Vec::with_capacity(rows);
            let mut new_score = Vec::with_capacity(rows);
            let mut new_fin = Vec::with_capacity(rows);
            let mut new_tokens = Vec::with_capacity(rows);
            let mut new_attn = Vec::with_capacity(rows);
            for (s, source) in sources.iter().enumerate() {
                // (score, beam row, token or None for a finished beam staying as it is)
                let mut cands: Vec<(f32, usize, Option<usize>)> = Vec::new();
                for k in 0..width {
                    let r = s * width + k;
                    if score[r] == f32::NEG_INFINITY {
                        continue;
                    }
                    if finished[r] {
                        cands.push((score[r], r, None));
                        continue;
                    }
                    let row = lp.index_axis(ndarray::Axis(0), r);
                    for tok in (0..v).filter(|&t| t != PAD && t != START) {
                        cands.push((score[r] + row[tok], r, Some(tok)));
                    }
                }
                cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                for k in 0..width {
                    let (sc, r, tok) =
                        cands
                            .get(k)
                            .copied()
                            .unwrap_or((f32::NEG_INFINITY, s * width, None));
                    parent.push(r);
                    new_score.push(sc);
                    let mut toks = tokens[r].clone();
                    let mut at = attn[r].clone();
                    match tok {
                        Some(t) => {
                            if let Some(w) = &wv {
                                let len = source.len();
                                at.push(
                                    w.index_axis(ndarray::Axis(0), r)
                                        .iter()
                                        .take(len)
                                        .copied()
                                        .collect(),
                                );
                            } else {
                                at.push(Vec::new());
                            }
                            if t == END {
                                new_fin.push(true);
                            } else {
                                toks.push(t);
                                new_fin.push(false);
                            }
                            new_prev.push(t);
                        }
                        None => {
                            new_fin.push(finished[r] || sc == f32::NEG_INFINITY);
                            new_prev.push(END);
                        }
                    }
                    new_tokens.push(toks);
                    new_attn.push(at);
                }
            }
            let h = tape.gather(next.0, &parent, &[rows])?;
            let c = match next.1 {
                Some(c) => Some(tape.gather(c, &parent, &[rows])?),
                None => None,
            };
            state = (h, c);
            prev = new_prev;
            score = new_score;
            finished = new_fin;
            tokens = new_tokens;
            attn = new_attn;
        }
        let mut out = Vec::with_capacity(n);
        for s in 0..n {
            let best = (0..width)
                .map(|k| s * width + k)
                .max_by(|&a, &b| {
                    (finished[a], score[a])
                        .partial_cmp(&(finished[b], score[b]))
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(b.cmp(&a))
                })
                .unwrap_or(s * width);
            out.push(Hypothesis {
                tokens: std::mem::take(&mut tokens[best]),
                log_prob: score[best],
                attention: std::mem::take(&mut attn[best]),
            });
        }
        Ok(out)
    }

    /// The model as safetensors bytes (configuration and vocabularies in the metadata).
    ///
    /// # Errors
    /// [`Error::Invalid`] when serialisation fails.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let meta = Meta {
            config: self.config.clone(),
            source_vocab: self.source_vocab.clone(),
            target_vocab: self.target_vocab.clone(),
        };
        let json = serde_json::to_string(&meta).map_err(|e| Error::Invalid(e.to_string()))?;
        let metadata = HashMap::from([
            ("format".to_string(), FORMAT.to_string()),
            ("seq2seq".to_string(), json),
        ]);
        let tensors: Vec<(String, ArrayD<f32>)> = self
            .params
            .iter()
            .map(|(_, p)| (p.name.clone(), p.value.clone()))
            .collect();
        crate::io::safetensors_bytes(&tensors, metadata)
    }

    /// Rebuild a model from [`Seq2Seq::to_bytes`]; `label` names the source in errors.
    ///
    /// # Errors
    /// [`Error::File`] for a foreign or corrupted file or a missing / misshapen weight.
    pub fn from_bytes(bytes: &[u8], label: &str) -> Result<Self> {
        let file_err = |m: String| Error::File {
            path: label.to_string(),
            message: m,
        };
        let (_, st_meta) = safetensors::SafeTensors::read_metadata(bytes)
            .map_err(|e| file_err(format!("not a safetensors file ({e})")))?;
        let md = st_meta.metadata().clone().unwrap_or_default();
        if md.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(file_err("not an rnnlab seq2seq model".into()));
        }
        let meta: Meta = serde_json::from_str(md.get("seq2seq").map_or("", String::as_str))
            .map_err(|e| file_err(format!("bad model metadata ({e})")))?;
        let file = crate::io::parse_safetensors(bytes, label)?;
        crate::io::check_declared_weights(
            declared_weights(
                &meta.config,
                meta.source_vocab.len(),
                meta.target_vocab.len(),
            ),
            &file,
            label,
        )?;
        let mut rng = tensor::seeded_rng(0);
        let mut model = Self::new(meta.config, meta.source_vocab, meta.target_vocab, &mut rng)?;
        let ids: Vec<(ParamId, String)> = model
            .params
            .iter()
            .map(|(id, p)| (id, p.name.clone()))
            .collect();
        for (id, name) in ids {
            let value = file.get(&name)?.clone();
            model
                .params
                .set(id, value)
                .map_err(|e| file_err(format!("weight {name}: {e}")))?;
        }
        Ok(model)
    }
}

/// A lower bound of the weights [`Seq2Seq::new`] allocates for `config` (its weight matrices,
/// biases left out), checked against the file before anything is built.
fn declared_weights(config: &Seq2SeqConfig, source_vocab: usize, target_vocab: usize) -> u128 {
    // f64: a corrupted header may declare sizes whose products overflow any integer type.
    let [e, h, hd, a] = [
        config.embed_dim,
        config.enc_units,
        config.dec_units,
        config.attention_units,
    ]
    .map(|n| n as f64);
    let (sv, tv) = (source_vocab as f64, target_vocab as f64);
    let gates = config.cell.gates() as f64;
    let ctx = if config.attention.is_some() {
        2.0 * h
    } else {
        0.0
    };
    let recurrent = |rows: f64, units: f64| gates * (rows + units) * units;
    let attention = match config.attention {
        Some(AttentionKind::Additive) => (hd + 2.0 * h + 1.0) * a,
        Some(AttentionKind::Dot) => hd * 2.0 * h,
        None => 0.0,
    };
    let total = (sv + tv) * e
        + 2.0 * recurrent(e, h)
        + 2.0 * h * hd
        + recurrent(e + ctx, hd)
        + attention
        + (hd + ctx) * tv;
    // `as` saturates: an infinite or huge bound becomes u128::MAX.
    total as u128
}

#[derive(Serialize, Deserialize)]
struct Meta {
    config: Seq2SeqConfig,
    source_vocab: Vocab,
    target_vocab: Vocab,
}

fn argmax(it: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, v) in it.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}
