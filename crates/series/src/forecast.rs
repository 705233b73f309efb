//! The autoregressive forecast driver: from each well's last observed window, predict the following months one at a
//! time, feeding every prediction back as the newest input month.
//!
//! `series` knows no neural network: a model is anything that implements [`SequenceModel`] (whole windows, the
//! lesson's way) or [`StatefulModel`] (one month at a time, carrying its recurrent state).

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, Axis, Slice, concatenate};

use crate::error::{Error, Result};

/// A model that maps a batch of windows to a batch of sequences, the last time step being the next month.
pub trait SequenceModel {
    /// The model's own error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Predicts from `x` (batch × months × features). The output is (batch × steps × features) with any number of
    /// steps ≥ 1 (many-to-many models return one per input month, many-to-one models one); only the last step is
    /// used, as the forecast of the month after the window. Output features must equal input features.
    fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error>;
}

/// A recurrent model driven one month at a time, keeping its state between calls.
pub trait StatefulModel {
    /// The model's own error type.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Clears the recurrent state for a new batch of `batch` independent sequences.
    fn reset(&mut self, batch: usize) -> std::result::Result<(), Self::Error>;

    /// Feeds one month (batch × features) and returns the prediction for the next month (batch × features).
    fn step(&mut self, x: ArrayView2<f32>) -> std::result::Result<Array2<f32>, Self::Error>;
}

fn model_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Model(Box::new(e))
}

fn check_inputs(history: &ArrayView3<f32>, horizon: usize) -> Result<()> {
    let (wells, months, features) = history.dim();
    if wells == 0 || months == 0 || features == 0 || horizon == 0 {
        return Err(Error::Invalid(format!(
            "forecast needs a non-empty history and horizon (history {wells}×{months}×{features}, horizon {horizon})"
        )));
    }
    Ok(())
}

fn check_output(got: (usize, usize), wells: usize, features: usize) -> Result<()> {
    if got != (wells, features) {
        return Err(Error::Invalid(format!(
            "the model returned {}×{} for the next month; expected {wells} wells × {features} features",
            got.0, got.1
        )));
    }
    Ok(())
}

/// Forecasts `horizon` months after `history` (wells × window × features) exactly as the lesson does: predict from
/// the window, take the prediction's last time step as the next month, slide the window by one month
/// (`x = concat(x[:, 1:], pred_last)`), repeat. Returns (wells × horizon × features).
pub fn forecast<M: SequenceModel>(
    model: &mut M,
    history: ArrayView3<f32>,
    horizon: usize,
) -> Result<Array3<f32>> {
    check_inputs(&history, horizon)?;
    let (wells, _, features) = history.dim();
    let mut x = history.to_owned();
    let mut out = Array3::zeros((wells, horizon, features));
    for h in 0..horizon {
        let pred = model.predict(x.view()).map_err(model_error)?;
        let steps = pred.len_of(Axis(1));
        if steps == 0 {
            return Err(Error::Invalid("the model returned no time step".into()));
        }
        let next = pred.slice_axis(Axis(1), Slice::from(steps - 1..steps));
        check_output(
            (next.len_of(Axis(0)), next.len_of(Axis(2))),
            wells,
            features,
        )?;
        out.slice_axis_mut(Axis(1), Slice::from(h..h + 1))
            .assign(&next);
        x = concatenate(Axis(1), &[x.slice_axis(Axis(1), Slice::from(1..)), next])
            .map_err(|e| Error::Invalid(format!("cannot slide the window: {e}")))?;
    }
    Ok(out)
}

/// Forecasts `horizon` months after `history` with a stateful model: reset, feed the history one month at a time
/// (the output after the last observed month is the first forecast), then feed each forecast back as the next input.
/// Returns (wells × horizon × features).
pub fn forecast_stateful<M: StatefulModel>(
    model: &mut M,
    history: ArrayView3<f32>,
    horizon: usize,
) -> Result<Array3<f32>> {
    check_inputs(&history, horizon)?;
    let (wells, months, features) = history.dim();
    model.reset(wells).map_err(model_error)?;
    let mut next = Array2::zeros((wells, features));
    for t in 0..months {
        next = model
            .step(history.index_axis(Axis(1), t))
            .map_err(model_error)?;
        check_output(next.dim(), wells, features)?;
    }
    let mut out = Array3::zeros((wells, horizon, features));
    for h in 0..horizon {
        out.index_axis_mut(Axis(1), h).assign(&next);
        if h + 1 < horizon {
            next = model.step(next.view()).map_err(model_error)?;
            check_output(next.dim(), wells, features)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, array};

    use super::*;

    /// next = 0.5·(last month) + 0.25·(first month of the window), returned for every time step like a
    /// many-to-many network (each step's output computed from the prefix ending there).
    struct Linear {
        calls: usize,
    }

    impl SequenceModel for Linear {
        type Error = std::convert::Infallible;
        fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error> {
            self.calls += 1;
            let first = x.index_axis(Axis(1), 0).to_owned();
            Ok(Array3::from_shape_fn(x.dim(), |(b, t, f)| {
                0.5 * x[[b, t, f]] + 0.25 * first[[b, f]]
            }))
        }
    }

    #[test]
    fn sequence_forecast_slides_the_window_as_the_lesson() {
        // window 3, one well: history 8, 4, 2.
        let history = array![[[8.0f32], [4.0], [2.0]]];
        let mut model = Linear { calls: 0 };
        let out = forecast(&mut model, history.view(), 3).unwrap();
        // step 1: window [8,4,2]  → 0.5·2 + 0.25·8 = 3
        // step 2: window [4,2,3]  → 0.5·3 + 0.25·4 = 2.5
        // step 3: window [2,3,2.5] → 0.5·2.5 + 0.25·2 = 1.75
        assert_eq!(out, array![[[3.0f32], [2.5], [1.75]]]);
        assert_eq!(model.calls, 3);
    }

    /// Sums what it has seen since the reset and predicts half of it.
    struct RunningSum {
        sum: Array2<f32>,
    }

    impl StatefulModel for RunningSum {
        type Error = std::convert::Infallible;
        fn reset(&mut self, batch: usize) -> std::result::Result<(), Self::Error> {
            self.sum = Array2::zeros((batch, 2));
            Ok(())
        }
        fn step(&mut self, x: ArrayView2<f32>) -> std::result::Result<Array2<f32>, Self::Error> {
            self.sum += &x;
            Ok(&self.sum * 0.5)
        }
    }

    #[test]
    fn stateful_forecast_carries_the_state_through_history_and_feedback() {
        let history = array![[[2.0f32, 0.0], [4.0, 2.0]], [[0.0, 0.0], [0.0, 8.0]]];
        let mut model = RunningSum {
            sum: Array2::zeros((0, 2)),
        };
        let out = forecast_stateful(&mut model, history.view(), 3).unwrap();
        // well 0, feature 0: sums 2, 6 → 3; then 6+3 = 9 → 4.5; then 9+4.5 = 13.5 → 6.75.
        assert_eq!(
            out.index_axis(Axis(0), 0).column(0).to_vec(),
            vec![3.0, 4.5, 6.75]
        );
        // well 1, feature 1: sums 0, 8 → 4; 12 → 6; 18 → 9.
        assert_eq!(
            out.index_axis(Axis(0), 1).column(1).to_vec(),
            vec![4.0, 6.0, 9.0]
        );
    }

    /// Predicts that every month equals the window's last month.
    struct RepeatLast;

    impl SequenceModel for RepeatLast {
        type Error = std::convert::Infallible;
        fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error> {
            let last = x.len_of(Axis(1)) - 1;
            Ok(x.slice_axis(Axis(1), Slice::from(last..)).to_owned())
        }
    }

    #[test]
    fn a_repeat_last_model_reproduces_the_last_value_baseline() {
        let history = Array3::from_shape_fn((3, 12, 2), |(w, t, f)| (w * 100 + t * 3 + f) as f32);
        let out = forecast(&mut RepeatLast, history.view(), 12).unwrap();
        assert_eq!(
            out,
            crate::baseline::last_value(history.view(), 12).unwrap()
        );
    }

    struct WrongWidth;

    impl SequenceModel for WrongWidth {
        type Error = std::convert::Infallible;
        fn predict(&mut self, x: ArrayView3<f32>) -> std::result::Result<Array3<f32>, Self::Error> {
            Ok(Array3::zeros((x.len_of(Axis(0)), 1, 5)))
        }
    }

    #[test]
    fn mismatched_model_output_is_an_error() {
        let err = forecast(&mut WrongWidth, Array3::zeros((2, 3, 1)).view(), 2).unwrap_err();
        assert!(err.to_string().contains("2 wells × 1 features"), "{err}");
        assert!(forecast(&mut WrongWidth, Array3::zeros((2, 3, 1)).view(), 0).is_err());
    }
}
