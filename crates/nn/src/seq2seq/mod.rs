//! Sequence to sequence: [`Attention`] (Bahdanau additive or Luong dot, with masking), a
//! [`Vocab`] with `<pad>` / `<start>` / `<end>`, and the [`Seq2Seq`] encoder–decoder (bidirectional
//! encoder, teacher-forced training loss, greedy and beam-search decoding, save / load).

mod attention;
mod model;
mod vocab;

pub use attention::{Attended, Attention, AttentionKind, Keys};
pub use model::{Hypothesis, Seq2Seq, Seq2SeqConfig};
pub use vocab::{END, PAD, START, Vocab};
