//! SVG plots shared by the apps: line charts with title, axis labels and legend; grids of subplots (e.g. 2×2 Actual
//! vs Prediction for four wells, 2×5 for ten); loss curves by epoch; labelled scatters (a 2-D word map).
//!
//! Rendering uses `plotters` with only its SVG backend and without its `ttf`/`ab_glyph` features: SVG `<text>`
//! needs no font file (the viewer picks a sans-serif font) and plotters then sizes labels with its built-in estimate,
//! so no system font is read. Files are written through [`crate::write_atomic`].
//!
//! ```
//! use appkit::plot::{Figure, actual_vs_prediction, loss_curves};
//!
//! let dir = tempfile::tempdir()?;
//! // The lesson's 2×2 grid: 24 actual months, months 13–24 forecast.
//! let actual: Vec<f64> = (0..24).map(|t| 9000.0 / (1.0 + 0.3 * t as f64)).collect();
//! let charts = (0..4)
//!     .map(|w| actual_vs_prediction(format!("well {w}"), "Liquid (barrels)", &actual, &actual[12..], 13))
//!     .collect();
//! Figure::grid("Actual vs Prediction", charts, 2).write_svg(&dir.path().join("wells.svg"))?;
//! // Loss by epoch.
//! let chart = loss_curves("training", &[0.02, 0.008, 0.004], Some(&[0.025, 0.01, 0.006]));
//! Figure::single(chart).write_svg(&dir.path().join("loss.svg"))?;
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::path::Path;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SeriesStyle {
    /// A line through the points.
    #[default]
    Line,
    /// A line with a dot on every point.
    LineWithMarkers,
    /// Dots only (a scatter); with labels, each dot is annotated.
    Markers,
}

/// One named series of (x, y) points. Non-finite points are skipped when drawing.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    /// The legend entry.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Optional text beside each point (empty, or one per point).
    pub labels: Vec<String>,
    /// How to draw it.
    pub style: SeriesStyle,
}

impl Series {
    /// A line through `points`.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
            ..Series::default()
        }
    }

    /// A line through `values`, the first at x = `first_x`, then `first_x + 1`, ...
    pub fn from_values(name: impl Into<String>, first_x: f64, values: &[f64]) -> Series {
        let points = values
            .iter()
            .enumerate()
            .map(|(i, &y)| (first_x + i as f64, y))
            .collect();
        Series::line(name, points)
    }

    /// Dots at `points`, each annotated with its label (`labels` must be empty or as long as `points`).
    pub fn labelled_points(
        name: impl Into<String>,
        points: Vec<(f64, f64)>,
        labels: Vec<String>,
    ) -> Series {
        Series {
            name: name.into(),
            points,
            labels,
            style: SeriesStyle::Markers,
        }
    }

    /// The same series drawn with `style`.
    pub fn with_style(mut self, style: SeriesStyle) -> Series {
        self.style = style;
        self
    }

    fn finite_points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    }
}

/// One set of axes: a title, axis labels and any number of series (each gets a legend entry and its own colour).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Chart {
    /// The caption above the axes.
    pub title: String,
    /// The x-axis description.
    pub x_label: String,
    /// The y-axis description.
    pub y_label: String,
    /// The series, drawn in order.
    pub series: Vec<Series>,
}

impl Chart {
    /// An empty chart with a title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Chart {
        Chart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: Vec::new(),
        }
    }

    /// Adds a series.
    pub fn with(mut self, series: Series) -> Chart {
        self.series.push(series);
        self
    }

    /// The data range with 5 % padding (more on the right of labelled points); a degenerate or empty range is widened so the axes stay drawable.
    fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let points = self.series.iter().flat_map(Series::finite_points);
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for (x, y) in points {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        let pad = |lo: f64, hi: f64| {
            if !lo.is_finite() {
                (0.0, 1.0)
            } else if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
                (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0))
            } else {
                let m = 0.05 * (hi - lo);
                (lo - m, hi + m)
            }
        };
        let (x0, mut x1) = pad(x0, x1);
        if self.series.iter().any(|s| !s.labels.is_empty()) {
            // Room for the text to the right of the rightmost points.
            x1 += 0.12 * (x1 - x0);
        }
        ((x0, x1), pad(y0, y1))
    }
}

/// One or more charts on a page: a grid of `columns` columns (rows as needed), with an optional overall title.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The title above the whole grid.
    pub title: Option<String>,
    /// The panels, filled row by row.
    pub charts: Vec<Chart>,
    /// Panels per row (≥ 1).
    pub columns: usize,
    /// Width and height of each panel in pixels.
    pub panel_size: (u32, u32),
}

/// The tab10 colours (matplotlib's default cycle), so plots look like the Python peers'.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

const FONT: &str = "sans-serif";

impl Figure {
    /// A figure holding one chart (640 × 420).
    pub fn single(chart: Chart) -> Figure {
        Figure {
            title: None,
            charts: vec![chart],
            columns: 1,
            panel_size: (640, 420),
        }
    }

    /// A grid of charts, `columns` per row (e.g. 4 charts in 2 columns → 2×2; 10 in 5 → 2×5), 480 × 320 each.
    pub fn grid(title: impl Into<String>, charts: Vec<Chart>, columns: usize) -> Figure {
        Figure {
            title: Some(title.into()),
            charts,
            columns,
            panel_size: (480, 320),
        }
    }

    /// The number of panel rows.
    pub fn rows(&self) -> usize {
        self.charts.len().div_ceil(self.columns.max(1))
    }

    /// Renders the figure as an SVG document.
    pub fn render_svg(&self) -> anyhow::Result<String> {
        if self.charts.is_empty()
            || self.columns == 0
            || self.panel_size.0 < 100
            || self.panel_size.1 < 100
        {
            anyhow::bail!(
                "a figure needs at least one chart, one column and panels of at least 100×100 pixels \
                 ({} charts, {} columns, panel {:?})",
                self.charts.len(),
                self.columns,
                self.panel_size
            );
        }
        for chart in &self.charts {
            if let Some(s) = chart
                .series
                .iter()
                .find(|s| !s.labels.is_empty() && s.labels.len() != s.points.len())
            {
                anyhow::bail!(
                    "series `{}` of chart `{}` has {} labels for {} points",
                    s.name,
                    chart.title,
                    s.labels.len(),
                    s.points.len()
                );
            }
        }
        let columns = self.columns.min(self.charts.len());
        let rows = self.rows();
        let title_height = if self.title.is_some() { 40 } else { 0 };
        let size = (
            self.panel_size.0 * columns as u32,
            self.panel_size.1 * rows as u32 + title_height,
        );
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(plot_error)?;
            let body = match &self.title {
                Some(title) => root.titled(title, (FONT, 26)).map_err(plot_error)?,
                None => root.clone(),
            };
            let panels = body.split_evenly((rows, columns));
            for (panel, chart) in panels.iter().zip(&self.charts) {
                draw_chart(panel, chart)?;
            }
            root.present().map_err(plot_error)?;
        }
        Ok(svg)
    }

    /// Renders the figure and writes it atomically to `path`.
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

/// Tick labels without float noise: integers as integers, others with up to 4 significant digits.
fn tick(v: &f64) -> String {
    let v = *v;
    if v == v.round() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 1e4 || v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{v:.digits$}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn draw_chart(area: &DrawingArea<SVGBackend<'_>, Shift>, chart: &Chart) -> anyhow::Result<()> {
    let ((x0, x1), (y0, y1)) = chart.bounds();
    let mut ctx = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(plot_error)?;
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_labels(8)
        .y_labels(6)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(plot_error)?;
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let points: Vec<(f64, f64)> = series.finite_points().collect();
        let annotation = match series.style {
            SeriesStyle::Line => ctx.draw_series(LineSeries::new(points, color.stroke_width(2))),
            SeriesStyle::LineWithMarkers => {
                ctx.draw_series(LineSeries::new(points, color.stroke_width(2)).point_size(3))
            }
            SeriesStyle::Markers => {
                let labels = &series.labels;
                ctx.draw_series(
                    series
                        .points
                        .iter()
                        .enumerate()
                        .filter(|(_, (x, y))| x.is_finite() && y.is_finite())
                        .map(|(j, &(x, y))| {
                            let text = labels.get(j).cloned().unwrap_or_default();
                            EmptyElement::at((x, y))
                                + Circle::new((0, 0), 3, color.filled())
                                + Text::new(text, (5, -12), (FONT, 12).into_font().color(&BLACK))
                        }),
                )
            }
        }
        .map_err(plot_error)?;
        annotation
            .label(series.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    if chart.series.iter().any(|s| !s.name.is_empty()) {
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .label_font((FONT, 13))
            .draw()
            .map_err(plot_error)?;
    }
    Ok(())
}

/// Loss by epoch (epochs numbered from 1): the training curve and, if given, the validation curve.
pub fn loss_curves(title: impl Into<String>, train: &[f64], validation: Option<&[f64]>) -> Chart {
    let mut chart = Chart::new(title, "epoch", "loss")
        .with(Series::from_values("train", 1.0, train).with_style(SeriesStyle::LineWithMarkers));
    if let Some(validation) = validation {
        chart = chart.with(
            Series::from_values("validation", 1.0, validation)
                .with_style(SeriesStyle::LineWithMarkers),
        );
    }
    chart
}

/// The lesson's Actual vs Prediction panel: `actual` for months 1, 2, ... and `prediction` starting at month
/// `first_predicted_month` (1-based, e.g. 13 when months 13–24 are forecast from the first 12).
pub fn actual_vs_prediction(
    title: impl Into<String>,
    y_label: impl Into<String>,
    actual: &[f64],
    prediction: &[f64],
    first_predicted_month: usize,
) -> Chart {
    Chart::new(title, "month", y_label)
        .with(Series::from_values("Actual", 1.0, actual))
        .with(
            Series::from_values("Prediction", first_predicted_month as f64, prediction)
                .with_style(SeriesStyle::LineWithMarkers),
        )
}

/// A labelled scatter, e.g. words placed by the first two principal components of their vectors.
pub fn labelled_scatter(
    title: impl Into<String>,
    x_label: impl Into<String>,
    y_label: impl Into<String>,
    points: &[(f64, f64)],
    labels: &[String],
) -> Chart {
    Chart::new(title, x_label, y_label).with(Series::labelled_points(
        "",
        points.to_vec(),
        labels.to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
    }

    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }

    /// Polylines drawn in a colour (each line series draws one, and its legend sample one more).
    fn polylines_in(doc: &roxmltree::Document<'_>, color: RGBColor) -> usize {
        let hex = format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2);
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .filter(|n| {
                n.attribute("stroke")
                    .is_some_and(|s| s.eq_ignore_ascii_case(&hex))
            })
            .count()
    }

    #[test]
    fn a_line_chart_has_its_title_labels_legend_and_one_line_per_series() {
        let chart = Chart::new("Liquid & water <well 7>", "month", "barrels")
            .with(Series::from_values("Actual", 1.0, &[5.0, 4.0, 3.5]))
            .with(Series::from_values("Prediction", 2.0, &[4.2, 3.3]))
            .with(Series::line("Baseline", vec![(1.0, 5.0), (3.0, 3.0)]));
        let svg = Figure::single(chart).render_svg().unwrap();
        let doc = parse(&svg);
        let texts = texts(&doc);
        for expected in [
            "Liquid & water <well 7>",
            "month",
            "barrels",
            "Actual",
            "Prediction",
            "Baseline",
        ] {
            assert_eq!(
                texts.iter().filter(|t| *t == expected).count(),
                1,
                "{expected} in {texts:?}"
            );
        }
        for color in &PALETTE[..3] {
            assert_eq!(polylines_in(&doc, *color), 2, "series line + legend sample");
        }
        assert_eq!(polylines_in(&doc, PALETTE[3]), 0);
    }

    #[test]
    fn a_grid_has_one_panel_per_chart_and_the_figure_title() {
        let charts: Vec<Chart> = (0..10)
            .map(|w| {
                actual_vs_prediction(
                    format!("API {w}"),
                    "Liquid",
                    &[3.0, 2.0, 1.5, 1.0],
                    &[1.4, 1.1],
                    3,
                )
            })
            .collect();
        let figure = Figure::grid("Actual vs Prediction", charts, 5);
        assert_eq!(figure.rows(), 2);
        let svg = figure.render_svg().unwrap();
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some("2400"));
        assert_eq!(root.attribute("height"), Some("680"));
        let texts = texts(&doc);
        assert_eq!(
            texts
                .iter()
                .filter(|t| *t == "Actual vs Prediction")
                .count(),
            1
        );
        for w in 0..10 {
            assert!(texts.contains(&format!("API {w}")));
        }
        assert_eq!(texts.iter().filter(|t| *t == "Prediction").count(), 10);
        assert_eq!(polylines_in(&doc, PALETTE[1]), 20);
        // Prediction markers: two per panel.
        let dots = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert_eq!(dots, 20);
    }

    #[test]
    fn loss_curves_number_epochs_from_one() {
        let chart = loss_curves("loss", &[0.5, 0.25, 0.125], Some(&[0.6, 0.4, 0.3]));
        assert_eq!(chart.series[0].points[0], (1.0, 0.5));
        assert_eq!(chart.series[1].name, "validation");
        let doc_text = Figure::single(chart).render_svg().unwrap();
        let texts = texts(&parse(&doc_text));
        assert!(texts.contains(&"train".to_string()) && texts.contains(&"validation".to_string()));
        assert!(texts.contains(&"epoch".to_string()));
        let train_only = loss_curves("loss", &[1.0], None);
        assert_eq!(train_only.series.len(), 1);
        assert!(Figure::single(train_only).render_svg().is_ok());
    }

    #[test]
    fn a_scatter_labels_every_point() {
        let words: Vec<String> = ["raskolnikov", "sonia", "dounia", "petersburg"]
            .map(String::from)
            .to_vec();
        let points = [(0.1, 0.2), (-0.3, 0.5), (0.7, -0.2), (f64::NAN, 1.0)];
        let svg = Figure::single(labelled_scatter(
            "Word map", "PC 1", "PC 2", &points, &words,
        ))
        .render_svg()
        .unwrap();
        let doc = parse(&svg);
        let texts = texts(&doc);
        for w in &words[..3] {
            assert!(texts.contains(w), "{w}");
        }
        // The non-finite point is skipped, not drawn at a bogus place.
        assert!(!texts.contains(&words[3]));
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("circle"))
                .count(),
            3
        );
    }

    #[test]
    fn bad_figures_are_errors_and_degenerate_data_still_draws() {
        assert!(Figure::grid("x", Vec::new(), 2).render_svg().is_err());
        let mismatched =
            Chart::new("t", "x", "y").with(Series::labelled_points("p", vec![(0.0, 0.0)], vec![]));
        assert!(Figure::single(mismatched).render_svg().is_ok());
        let wrong = Chart::new("t", "x", "y").with(Series::labelled_points(
            "p",
            vec![(0.0, 0.0)],
            vec!["a".into(), "b".into()],
        ));
        assert!(Figure::single(wrong).render_svg().is_err());
        let flat = Chart::new("dead output", "month", "Liquid").with(Series::from_values(
            "Prediction",
            1.0,
            &[0.0; 12],
        ));
        parse(&Figure::single(flat).render_svg().unwrap());
        parse(
            &Figure::single(Chart::new("empty", "x", "y"))
                .render_svg()
                .unwrap(),
        );
    }

    #[test]
    fn write_svg_goes_through_the_atomic_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plots/loss.svg");
        Figure::single(loss_curves("loss", &[1.0, 0.5], None))
            .write_svg(&path)
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        parse(&text);
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn tick_labels_have_no_float_noise() {
        assert_eq!(tick(&12.0), "12");
        assert_eq!(tick(&0.30000000000000004), "0.3");
        assert_eq!(tick(&0.0125), "0.0125");
        assert_eq!(tick(&42345.5), "4.23e4");
    }
}
