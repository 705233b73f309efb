//! The two figures, drawn by `appkit::plot`.

use appkit::plot::{Figure, actual_vs_prediction, loss_curves};
use ndarray::{Array3, Axis};

use crate::report::EpochRow;

/// Liquid Actual (all months) vs Prediction (from month `window + 1`) for the first `wells` test wells, 2 columns for
/// up to four wells, 5 otherwise. `actual` and `pred` are barrels, one feature.
pub fn forecast_grid(
    apis: &[String],
    actual: &Array3<f32>,
    pred: &Array3<f32>,
    window: usize,
    wells: usize,
) -> Figure {
    let charts = (0..wells)
        .map(|w| {
            let a: Vec<f64> = actual
                .index_axis(Axis(0), w)
                .iter()
                .map(|&v| f64::from(v))
                .collect();
            let p: Vec<f64> = pred
                .index_axis(Axis(0), w)
                .iter()
                .map(|&v| f64::from(v))
                .collect();
            actual_vs_prediction(
                format!("API {}", apis[w]),
                "Liquid (barrels)",
                &a,
                &p,
                window + 1,
            )
        })
        .collect();
    let columns = if wells <= 4 { 2 } else { 5 };
    Figure::grid("Liquid: Actual vs Prediction (test wells)", charts, columns)
}

/// Training (and validation) loss by epoch.
pub fn loss(history: &[EpochRow], val_loss: &[f64]) -> Figure {
    let train: Vec<f64> = history.iter().map(|e| e.loss).collect();
    let val = (!val_loss.is_empty()).then_some(val_loss);
    Figure::single(loss_curves("Training loss (MSE)", &train, val))
}
