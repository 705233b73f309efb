//! Forecast combination: several models trained from different seeds, their predictions averaged. Averaging removes
//! much of the seed-to-seed spread of small recurrent networks trained on a few dozen wells.

use ndarray::{Array3, ArrayView3};

use crate::error::Error;
use crate::forecast::SequenceModel;

/// A [`SequenceModel`] whose prediction is the element-wise mean of its members' predictions.
#[derive(Debug, Clone)]
pub struct Ensemble<M>(pub Vec<M>);

impl<M: SequenceModel> SequenceModel for Ensemble<M> {
    type Error = Error;

    fn predict(&mut self, x: ArrayView3<f32>) -> Result<Array3<f32>, Error> {
        let n = self.0.len();
        let mut sum: Option<Array3<f32>> = None;
        for member in &mut self.0 {
            let out = member
                .predict(x.view())
                .map_err(|e| Error::Model(Box::new(e)))?;
            match &mut sum {
                None => sum = Some(out),
                Some(s) if s.dim() == out.dim() => *s += &out,
                Some(s) => {
                    return Err(Error::Invalid(format!(
                        "ensemble members disagree on the output shape: {:?} and {:?}",
                        s.dim(),
                        out.dim()
                    )));
                }
            }
        }
        let sum =
            sum.ok_or_else(|| Error::Invalid("an ensemble needs at least one model".into()))?;
        Ok(sum / n as f32)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, array};

    use super::*;

    /// Predicts `factor` × the input.
    struct Times(f32);

    impl SequenceModel for Times {
        type Error = std::convert::Infallible;
        fn predict(&mut self, x: ArrayView3<f32>) -> Result<Array3<f32>, Self::Error> {
            Ok(x.mapv(|v| v * self.0))
        }
    }

    #[test]
    fn averages_the_members() {
        let x = array![[[2.0f32], [4.0]]];
        let out = Ensemble(vec![Times(1.0), Times(2.0), Times(6.0)])
            .predict(x.view())
            .unwrap();
        assert_eq!(out, array![[[6.0f32], [12.0]]]);
        let empty: Ensemble<Times> = Ensemble(Vec::new());
        assert!(Ensemble(empty.0).predict(x.view()).is_err());
        assert!(
            Ensemble(vec![Times(1.0)])
                .predict(Array3::zeros((1, 1, 1)).view())
                .is_ok()
        );
    }
}
