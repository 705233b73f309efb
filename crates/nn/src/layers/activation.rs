//! Activation functions for `Dense` layers, named as in Keras.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::tape::{Tape, Var};

/// An element-wise (or, for softmax, last-axis) activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Activation {
    /// Identity.
    #[default]
    Linear,
    /// `max(x, 0)`.
    Relu,
    /// Logistic sigmoid.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Softmax over the last axis.
    Softmax,
}

const NAMES: [(&str, Activation); 5] = [
    ("linear", Activation::Linear),
    ("relu", Activation::Relu),
    ("sigmoid", Activation::Sigmoid),
    ("tanh", Activation::Tanh),
    ("softmax", Activation::Softmax),
];

impl Activation {
    /// The Keras name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("linear", |(n, _)| n)
    }

    /// Apply on a tape.
    pub fn apply(self, tape: &mut Tape, x: Var) -> Var {
        match self {
            Self::Linear => x,
            Self::Relu => tape.relu(x),
            Self::Sigmoid => tape.sigmoid(x),
            Self::Tanh => tape.tanh(x),
            Self::Softmax => tape.softmax(x),
        }
    }
}

impl FromStr for Activation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, a)| *a)
            .ok_or_else(|| Error::UnknownName {
                kind: "activation",
                name: s.to_string(),
                valid: NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
            })
    }
}

impl TryFrom<String> for Activation {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<Activation> for String {
    fn from(a: Activation) -> Self {
        a.as_str().to_string()
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_name_lists_valid_ones() {
        let e = "gelu".parse::<Activation>().unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown activation \"gelu\"; valid: linear, relu, sigmoid, tanh, softmax"
        );
        assert_eq!("relu".parse::<Activation>().unwrap(), Activation::Relu);
    }
}
