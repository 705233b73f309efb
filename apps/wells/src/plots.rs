//! The two figures, drawn by `appkit::plot`.

use appkit::plot::{Figure, actual_vs_prediction, loss_curves};

use crate::report::{EpochRow, Panel};

/// Liquid Actual (all months) vs Prediction (from month `window + 1`) for the given test wells, 2 columns for up to
/// four wells, 5 otherwise.
pub fn forecast_grid(panels: &[Panel], window: usize) -> Figure {
    let charts = panels
        .iter()
        .map(|p| {
            actual_vs_prediction(
                format!("API {}", p.api),
                "Liquid (barrels)",
                &p.actual,
                &p.forecast,
                window + 1,
            )
        })
        .collect();
    let columns = if panels.len() <= 4 { 2 } else { 5 };
    Figure::grid("Liquid: Actual vs Prediction (test wells)", charts, columns)
}

/// Training (and validation) loss by epoch.
pub fn loss(history: &[EpochRow], val_loss: &[f64]) -> Figure {
    let train: Vec<f64> = history.iter().map(|e| e.loss).collect();
    let val = (!val_loss.is_empty()).then_some(val_loss);
    Figure::single(loss_curves("Training loss (MSE)", &train, val))
}
