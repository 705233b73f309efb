//! Labelled heat maps (e.g. an attention map: output tokens × source tokens) as SVG, with a colour
//! bar, drawn with `plotters`' SVG backend like [`crate::plot`] and written atomically.
//!
//! ```
//! use appkit::heatmap::Heatmap;
//!
//! let map = Heatmap {
//!     title: "attention".into(),
//!     rows: vec!["2".into(), "4".into(), "<end>".into()],
//!     columns: vec!["двести".into(), "сорок".into()],
//!     values: vec![vec![0.9, 0.1], vec![0.2, 0.8], vec![0.5, 0.5]],
//! };
//! let svg = map.render_svg()?;
//! assert!(svg.contains("двести") && svg.contains("&lt;end&gt;"));
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use plotters::prelude::*;

const FONT: &str = "sans-serif";

/// A matrix of values with a label per row and per column.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Heatmap {
    /// The title above the map.
    pub title: String,
    /// Row labels (top to bottom).
    pub rows: Vec<String>,
    /// Column labels (left to right).
    pub columns: Vec<String>,
    /// `values[row][column]`; colours span the finite minimum to maximum.
    pub values: Vec<Vec<f64>>,
}

/// White → dark blue.
fn colour(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0))
}

impl Heatmap {
    /// The map as an SVG document.
    ///
    /// # Errors
    /// When the map is empty, the labels do not match the values, or drawing fails.
    pub fn render_svg(&self) -> anyhow::Result<String> {
        let (nr, nc) = (self.rows.len(), self.columns.len());
        if nr == 0 || nc == 0 {
            bail!("a heat map needs at least one row and one column ({nr} rows, {nc} columns)");
        }
        if self.values.len() != nr || self.values.iter().any(|r| r.len() != nc) {
            bail!("a heat map's values must be {nr} rows of {nc} columns");
        }
        let finite = self
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let span = if hi > lo { hi - lo } else { 1.0 };
        let cell = 48i32;
        let label_w = 16
            + 9 * self
                .rows
                .iter()
                .map(|r| r.chars().count())
                .max()
                .unwrap_or(1) as i32;
        let label_h = 16
            + 8 * self
                .columns
                .iter()
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(1) as i32;
        let (top, bar_w) = (50i32, 90i32);
        let title_w = 20 + 11 * self.title.chars().count() as i32;
        let width = (label_w + cell * nc as i32 + bar_w + 20).max(title_w);
        let height = (top + label_h + cell * nr as i32 + 20).max(top + 200);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width as u32, height as u32))
                .into_drawing_area();
            root.fill(&WHITE).map_err(plot_error)?;
            let draw = |e| root.draw(&e).map_err(plot_error);
            let text =
                |s: &str, size: i32| (s.to_string(), TextStyle::from((FONT, size).into_font()));
            let (t, st) = text(&self.title, 20);
            root.draw(&Text::new(t, (10, 12), st)).map_err(plot_error)?;
            let (x0, y0) = (label_w, top + label_h);
            for (j, c) in self.columns.iter().enumerate() {
                let style =
                    TextStyle::from((FONT, 14).into_font()).transform(FontTransform::Rotate270);
                let x = x0 + cell * j as i32 + cell / 2 - 7;
                root.draw(&Text::new(c.clone(), (x, y0 - 6), style))
                    .map_err(plot_error)?;
            }
            for (i, r) in self.rows.iter().enumerate() {
                let (t, st) = text(r, 14);
                root.draw(&Text::new(t, (8, y0 + cell * i as i32 + cell / 2 - 7), st))
                    .map_err(plot_error)?;
                for j in 0..nc {
                    let v = self.values[i][j];
                    let norm = if v.is_finite() { (v - lo) / span } else { 0.0 };
                    let (x, y) = (x0 + cell * j as i32, y0 + cell * i as i32);
                    draw(Rectangle::new(
                        [(x, y), (x + cell, y + cell)],
                        colour(norm).filled(),
                    ))?;
                    draw(Rectangle::new(
                        [(x, y), (x + cell, y + cell)],
                        BLACK.mix(0.2),
                    ))?;
                    let ink = if norm > 0.55 { WHITE } else { BLACK };
                    let style = TextStyle::from((FONT, 12).into_font()).color(&ink);
                    root.draw(&Text::new(
                        format!("{v:.2}"),
                        (x + 8, y + cell / 2 - 6),
                        style,
                    ))
                    .map_err(plot_error)?;
                }
            }
            // Colour bar: hi at the top, lo at the bottom.
            let bx = x0 + cell * nc as i32 + 20;
            let bar_h = (cell * nr as i32).max(120);
            for k in 0..bar_h {
                let norm = 1.0 - f64::from(k) / f64::from(bar_h - 1);
                draw(Rectangle::new(
                    [(bx, y0 + k), (bx + 18, y0 + k + 1)],
                    colour(norm).filled(),
                ))?;
            }
            for (v, y) in [(hi, y0), (lo, y0 + bar_h - 12)] {
                let (t, st) = text(&format!("{v:.2}"), 12);
                root.draw(&Text::new(t, (bx + 24, y), st))
                    .map_err(plot_error)?;
            }
            root.present().map_err(plot_error)?;
        }
        Ok(svg)
    }

    /// Render and write atomically to `path`.
    ///
    /// # Errors
    /// As [`Heatmap::render_svg`], or when the file cannot be written.
    pub fn write_svg(&self, path: &Path) -> anyhow::Result<()> {
        let svg = self
            .render_svg()
            .with_context(|| format!("cannot draw {}", path.display()))?;
        crate::write_atomic(path, |w| Ok(w.write_all(svg.as_bytes())?))
    }
}

fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("plotting failed: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cells_and_bad_shapes() {
        let map = Heatmap {
            title: "t".into(),
            rows: vec!["r0".into(), "r1".into()],
            columns: vec!["c0".into(), "c1".into(), "c2".into()],
            values: vec![vec![0.0, 0.5, 1.0], vec![0.25, 0.25, 0.5]],
        };
        let svg = map.render_svg().unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<_> = doc.descendants().filter_map(|n| n.text()).collect();
        for want in ["r0", "r1", "c0", "c2", "0.50", "1.00"] {
            assert!(texts.iter().any(|t| t.trim() == want), "{want} missing");
        }
        let bad = Heatmap {
            values: vec![vec![1.0]],
            ..map
        };
        assert!(bad.render_svg().is_err());
    }
}
