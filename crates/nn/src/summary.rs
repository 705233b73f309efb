//! `summary()`: the Keras 3 table of layers, output shapes and parameter counts.

use crate::model::Sequential;

const W: [usize; 3] = [31, 22, 13];

/// `12705` → `"12,705"`.
#[must_use]
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn bytes(n: usize) -> String {
    let b = (n * 4) as f64;
    if b < 1024.0 {
        format!("{b:.2} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.2} KB", b / 1024.0)
    } else {
        format!("{:.2} MB", b / (1024.0 * 1024.0))
    }
}

fn rule(l: char, m: char, r: char, fill: char) -> String {
    let seg = |w: usize| std::iter::repeat_n(fill, w + 2).collect::<String>();
    format!("{l}{}{m}{}{m}{}{r}\n", seg(W[0]), seg(W[1]), seg(W[2]))
}

fn shape(s: &[usize]) -> String {
    let mut parts = vec!["None".to_string()];
    parts.extend(s.iter().map(ToString::to_string));
    format!("({})", parts.join(", "))
}

impl Sequential {
    /// The Keras-style summary table. For the lesson's model
    /// `LSTM(32, return_sequences) → LSTM(32, return_sequences) → Dense(1)` on `(12, 1)` it lists
    /// 4,352, 8,320 and 33 parameters, 12,705 in total.
    #[must_use]
    pub fn summary(&self) -> String {
        let mut s = format!("Model: \"{}\"\n", self.name);
        s += &rule('┏', '┳', '┓', '━');
        s += &format!(
            "┃ {:<w0$} ┃ {:<w1$} ┃ {:>w2$} ┃\n",
            "Layer (type)",
            "Output Shape",
            "Param #",
            w0 = W[0],
            w1 = W[1],
            w2 = W[2]
        );
        s += &rule('┡', '╇', '┩', '━');
        for (k, (layer, out)) in self.layers.iter().zip(&self.shapes).enumerate() {
            if k > 0 {
                s += &rule('├', '┼', '┤', '─');
            }
            let label = format!("{} ({})", layer.name(), layer.kind());
            let count = thousands(layer.param_count(&self.params));
            s += &format!(
                "│ {:<w0$} │ {:<w1$} │ {:>w2$} │\n",
                label,
                shape(out),
                count,
                w0 = W[0],
                w1 = W[1],
                w2 = W[2]
            );
        }
        s += &rule('└', '┴', '┘', '─');
        let (total, trainable) = self.params.count();
        s += &format!(" Total params: {} ({})\n", thousands(total), bytes(total));
        s += &format!(
            " Trainable params: {} ({})\n",
            thousands(trainable),
            bytes(trainable)
        );
        s += &format!(
            " Non-trainable params: {} ({})\n",
            thousands(total - trainable),
            bytes(total - trainable)
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Activation, dense, gru, lstm};

    #[test]
    fn lesson_model_counts_match_keras() {
        let mut m = Sequential::new(&[12, 1], 0);
        m.add(lstm(32).return_sequences(true)).unwrap();
        m.add(lstm(32).return_sequences(true)).unwrap();
        m.add(dense(1).activation(Activation::Relu)).unwrap();
        let s = m.summary();
        assert!(
            s.contains(
                "│ lstm (LSTM)                     │ (None, 12, 32)         │         4,352 │"
            ),
            "{s}"
        );
        assert!(s.contains("lstm_1 (LSTM)") && s.contains("8,320"), "{s}");
        assert!(
            s.contains(
                "│ dense (Dense)                   │ (None, 12, 1)          │            33 │"
            ),
            "{s}"
        );
        assert!(s.contains(" Total params: 12,705 (49.63 KB)"), "{s}");
        assert_eq!(m.params().count(), (12_705, 12_705));
    }

    #[test]
    fn gru_32_on_one_input_has_3360() {
        let mut m = Sequential::new(&[5, 1], 0);
        m.add(gru(32)).unwrap();
        assert_eq!(m.params().count().0, 3360);
        assert_eq!(m.output_shape(), &[32]);
    }

    #[test]
    fn thousands_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
