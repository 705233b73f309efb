//! The two figures, drawn by `appkit::plot`.

use appkit::plot::{Figure, actual_vs_prediction, loss_curves};
use ndarray::{Array3, Axis};

use crate::report::EpochRow;

/// Liquid Actual (all months) vs Prediction (from month `window + 1`) for the first `wells` test wells, 2 columns for
/// up to four wells, 5 otherwise. `actual` (wells × months × features) and `pred` (wells × horizon × features) are
/// barrels; Liquid is feature number `liquid`.
pub fn forecast_grid(
    apis: &[String],
    actual: &Array3<f32>,
    pred: &Array3<f32>,
    liquid: usize,
    window: usize,
    wells: usize,
) -> Figure {
    let column = |a: &Array3<f32>, w: usize| -> Vec<f64> {
        a.index_axis(Axis(0), w)
            .index_axis(Axis(1), liquid)
            .iter()
            .map(|&v| f64::from(v))
            .collect()
    };
    let charts = (0..wells)
        .map(|w| {
            let (a, p) = (column(actual, w), column(pred, w));
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
