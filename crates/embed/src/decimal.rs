//! Shortest round-trip decimal digits with Python's and numpy's tie rule, and their two layouts.
//!
//! Rust's `{}` / `{:e}` already give the shortest digit string that reads back to the same float. When two such
//! strings are equally close to the float's exact value (the value ends in exactly ...5 one digit further), Rust
//! rounds the tie up while Python's `repr` and numpy's `str` round it to even (`np.float32(0.181640625)` prints
//! `0.18164062`, Rust prints `0.18164063`). `shortest` returns the digits with the tie rounded to even.

/// Sign, significant digits (no leading zeros) and decimal exponent of the first digit.
pub(crate) struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i32,
}

fn split_sci(s: &str) -> (bool, Vec<u8>, i32) {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

/// Shortest round-trip digits of a finite, non-zero value: `sci` is Rust's `{:e}` of it (in its own type) and
/// `exact` its exact value as `f64` (exact for `f32` and `f64`).
pub(crate) fn shortest(sci: &str, exact: f64) -> Decimal {
    let (negative, mut digits, mut exponent) = split_sci(sci);
    let n = digits.len();
    let (_, exact_digits, exact_exponent) = split_sci(&format!("{:.*e}", n + 120, exact));
    let tie = exact_exponent == exponent
        && exact_digits.len() > n
        && exact_digits[n] == 5
        && exact_digits[n + 1..].iter().all(|&d| d == 0);
    if tie {
        let mut rounded = exact_digits[..n].to_vec();
        if rounded[n - 1] % 2 == 1 {
            // round up to the even neighbour, with carry
            let mut i = n;
            loop {
                if i == 0 {
                    rounded.insert(0, 1);
                    rounded.pop();
                    exponent += 1;
                    break;
                }
                i -= 1;
                if rounded[i] == 9 {
                    rounded[i] = 0;
                } else {
                    rounded[i] += 1;
                    break;
                }
            }
        }
        digits = rounded;
        while digits.len() > 1 && digits.last() == Some(&0) {
            digits.pop();
        }
    }
    Decimal {
        negative,
        digits,
        exponent,
    }
}

impl Decimal {
    /// Positional layout with at least one digit after the point (`12.0`, `0.00012`).
    pub(crate) fn positional(&self) -> String {
        let mut out = String::from(if self.negative { "-" } else { "" });
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        if self.exponent >= 0 {
            let int_len = self.exponent as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.push_str(&"0".repeat(int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-self.exponent - 1) as usize));
            out.push_str(&digits);
        }
        out
    }

    /// Python's scientific layout (`1.5e-05`, `1e+16`).
    pub(crate) fn scientific(&self) -> String {
        let mut out = String::from(if self.negative { "-" } else { "" });
        out.push(char::from(b'0' + self.digits[0]));
        if self.digits.len() > 1 {
            out.push('.');
            out.extend(self.digits[1..].iter().map(|d| char::from(b'0' + d)));
        }
        let sign = if self.exponent < 0 { '-' } else { '+' };
        out.push_str(&format!("e{sign}{:02}", self.exponent.abs()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_round_to_even_like_numpy() {
        let x = 93.0f32 / 512.0; // 0.181640625 exactly: a tie between 0.18164062 and 0.18164063
        assert_eq!(
            shortest(&format!("{x:e}"), f64::from(x)).positional(),
            "0.18164062"
        );
        let y = 0.5f32;
        assert_eq!(
            shortest(&format!("{y:e}"), f64::from(y)).positional(),
            "0.5"
        );
        let z = 123_456.7f32;
        assert_eq!(
            shortest(&format!("{z:e}"), f64::from(z)).positional(),
            "123456.7"
        );
        let w = -1.5e-5f32;
        assert_eq!(
            shortest(&format!("{w:e}"), f64::from(w)).scientific(),
            "-1.5e-05"
        );
        assert_eq!(shortest("1e16", 1e16).scientific(), "1e+16");
        assert_eq!(shortest("1.2e2", 120.0).positional(), "120.0");
    }
}
