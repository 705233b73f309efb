//! numpy's `str()` of a 2-D integer array (`print(X.toarray())`), with its padding, line wrapping at 75 columns
//! and `...` summary for arrays of more than 1000 elements.

use ndarray::Array2;

const LINE_WIDTH: usize = 75;
const SUMMARY_THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;

/// Formats `matrix` exactly as `print(numpy_array)` does with numpy's default print options.
pub fn format_matrix(matrix: &Array2<i64>) -> String {
    let (rows, cols) = matrix.dim();
    if rows * cols == 0 {
        return "[]".to_owned();
    }
    let summarize = rows * cols > SUMMARY_THRESHOLD;
    let shown_rows = shown(rows, summarize);
    let shown_cols = shown(cols, summarize);
    let width = shown_rows
        .iter()
        .flatten()
        .flat_map(|&r| shown_cols.iter().flatten().map(move |&c| (r, c)))
        .map(|(r, c)| matrix[[r, c]].to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (i, row) in shown_rows.iter().enumerate() {
        out.push_str(if i == 0 { "[" } else { " " });
        match row {
            Some(r) => out.push_str(&format_row(matrix, *r, &shown_cols, width)),
            None => out.push_str("..."),
        }
        if i + 1 < shown_rows.len() {
            out.push('\n');
        }
    }
    out.push(']');
    out
}

/// The indices to print along an axis of length `len`; `None` stands for the `...` gap.
fn shown(len: usize, summarize: bool) -> Vec<Option<usize>> {
    if summarize && len > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain([None])
            .chain((len - EDGE_ITEMS..len).map(Some))
            .collect()
    } else {
        (0..len).map(Some).collect()
    }
}

/// One row as numpy's `_formatArray` builds it: a hanging indent of two spaces, elements joined by one space,
/// wrapped before an element that would pass column 73 (75 minus the two closing brackets).
fn format_row(matrix: &Array2<i64>, row: usize, cols: &[Option<usize>], width: usize) -> String {
    const INDENT: &str = "  ";
    let elem_width = LINE_WIDTH - 2;
    let mut done = String::new();
    let mut line = INDENT.to_owned();
    for (i, col) in cols.iter().enumerate() {
        let word = match col {
            Some(c) => format!("{:>width$}", matrix[[row, *c]]),
            None => "...".to_owned(),
        };
        if line.len() + word.len() > elem_width && line.len() > INDENT.len() {
            done.push_str(line.trim_end());
            done.push('\n');
            line = INDENT.to_owned();
        }
        line.push_str(&word);
        if i + 1 < cols.len() {
            line.push(' ');
        }
    }
    done.push_str(&line);
    format!("[{}]", &done[INDENT.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_on_the_fixture_matrices() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/parity/countvectorizer/numpy_print.json"
        );
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let matrices = fixture["matrices"].as_array().unwrap();
        assert!(matrices.len() >= 8);
        for m in matrices {
            let shape: Vec<usize> = m["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let values: Vec<i64> = m["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let matrix = Array2::from_shape_vec((shape[0], shape[1]), values).unwrap();
            assert_eq!(
                format_matrix(&matrix),
                m["printed"].as_str().unwrap(),
                "shape {shape:?}"
            );
        }
    }
}
