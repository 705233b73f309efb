//! Training windows cut from (wells × months × features) arrays.

use ndarray::{Array2, Array3, ArrayView3, Axis, Slice};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How many many-to-many windows to cut from a series of `months` months with a window of `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum WindowCount {
    /// `months - window - 1` windows, offsets `0..months - window - 1`: the lesson's
    /// `for i in range(len - window - 1)`, which leaves out the last complete window (24 months, window 12: 11
    /// windows, i.e. 440 for 40 wells).
    #[default]
    Lesson,
    /// Every complete window: `months - window` of them.
    All,
}

/// Many-to-many windows exactly as the lesson cuts them: for each offset `i`, `x = m[:, i:i+window]` and
/// `y = m[:, i+1:i+window+1]`.
///
/// Windows are stacked offset-major, as `np.concatenate([m[:, i:i+w] for i in range(k)])` does: all wells at
/// offset 0, then all wells at offset 1, and so on. Returns `(x, y)`, each (windows × `window` × features).
pub fn many_to_many(
    data: ArrayView3<f32>,
    window: usize,
    count: WindowCount,
) -> Result<(Array3<f32>, Array3<f32>)> {
    let months = data.len_of(Axis(1));
    let offsets = match count {
        WindowCount::Lesson => months.checked_sub(window + 1),
        WindowCount::All => months.checked_sub(window),
    }
    .filter(|&k| window > 0 && k > 0)
    .ok_or_else(|| too_short(months, window, count == WindowCount::Lesson))?;
    Ok(stack(data, window, offsets, 1))
}

/// Many-to-one windows: `x = m[:, i:i+window]` and the target is the next month, `y = m[:, i+window]`, for every
/// offset whose target exists (`months - window` of them), offset-major. Returns `x` (windows × `window` ×
/// features) and `y` (windows × features).
pub fn many_to_one(data: ArrayView3<f32>, window: usize) -> Result<(Array3<f32>, Array2<f32>)> {
    let months = data.len_of(Axis(1));
    let offsets = months
        .checked_sub(window)
        .filter(|&k| window > 0 && k > 0)
        .ok_or_else(|| too_short(months, window, false))?;
    let (x, y) = stack(data, window, offsets, window);
    let y = y.index_axis_move(Axis(1), 0);
    Ok((x, y))
}

/// Stacks `x` windows of length `window` and `y` windows shifted by `shift` (of length `window` when the shift is
/// 1, of length 1 for many-to-one).
fn stack(
    data: ArrayView3<f32>,
    window: usize,
    offsets: usize,
    shift: usize,
) -> (Array3<f32>, Array3<f32>) {
    let (wells, _, features) = data.dim();
    let y_len = if shift == 1 { window } else { 1 };
    let mut x = Array3::zeros((offsets * wells, window, features));
    let mut y = Array3::zeros((offsets * wells, y_len, features));
    for i in 0..offsets {
        let rows = Slice::from(i * wells..(i + 1) * wells);
        x.slice_axis_mut(Axis(0), rows)
            .assign(&data.slice_axis(Axis(1), Slice::from(i..i + window)));
        y.slice_axis_mut(Axis(0), rows)
            .assign(&data.slice_axis(Axis(1), Slice::from(i + shift..i + shift + y_len)));
    }
    (x, y)
}

/// Splits every well's months at `at`: `(data[:, ..at], data[:, at..])`, e.g. the 12 observed months and the 12 to
/// forecast. (ndarray's `s!` macro cannot be used in this workspace, which forbids `unsafe_code`.)
pub fn split_months(
    data: ArrayView3<f32>,
    at: usize,
) -> Result<(ArrayView3<f32>, ArrayView3<f32>)> {
    let months = data.len_of(Axis(1));
    if at == 0 || at >= months {
        return Err(Error::Invalid(format!(
            "cannot split {months} months at month {at}: both sides need at least one month"
        )));
    }
    Ok(data.split_at(Axis(1), at))
}

fn too_short(months: usize, window: usize, lesson: bool) -> Error {
    let need = if lesson { window + 2 } else { window + 1 };
    Error::Invalid(format!(
        "a window of {window} needs series of at least {need} months (have {months}) and a window of at least 1"
    ))
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;

    /// value = 100·well + month, one feature.
    fn ramp(wells: usize, months: usize) -> Array3<f32> {
        Array3::from_shape_fn((wells, months, 1), |(w, t, _)| (100 * w + t) as f32)
    }

    fn series_of(a: &Array3<f32>, row: usize) -> Vec<f32> {
        a.index_axis(Axis(0), row).column(0).to_vec()
    }

    #[test]
    fn lesson_shape_is_440_by_12_for_40_wells_of_24_months() {
        let (x, y) = many_to_many(ramp(40, 24).view(), 12, WindowCount::Lesson).unwrap();
        assert_eq!(x.dim(), (440, 12, 1));
        assert_eq!(y.dim(), (440, 12, 1));
        let (x, _) = many_to_many(ramp(40, 24).view(), 12, WindowCount::All).unwrap();
        assert_eq!(x.dim(), (480, 12, 1));
    }

    #[test]
    fn windows_are_offset_major_and_y_is_x_shifted_by_one() {
        let (x, y) = many_to_many(ramp(3, 6).view(), 2, WindowCount::Lesson).unwrap();
        // offsets 0..3 (6 - 2 - 1), 3 wells each.
        assert_eq!(x.dim(), (9, 2, 1));
        // row 4 = offset 1, well 1: months 1, 2 → targets 2, 3.
        assert_eq!(series_of(&x, 4), vec![101.0, 102.0]);
        assert_eq!(series_of(&y, 4), vec![102.0, 103.0]);
        // last row = offset 2, well 2; the lesson never uses the window whose target is month 5.
        assert_eq!(series_of(&y, 8), vec![203.0, 204.0]);
    }

    #[test]
    fn many_to_one_targets_the_next_month() {
        let (x, y) = many_to_one(ramp(2, 5).view(), 3).unwrap();
        assert_eq!(x.dim(), (4, 3, 1));
        assert_eq!(y.dim(), (4, 1));
        assert_eq!(series_of(&x, 3), vec![101.0, 102.0, 103.0]);
        assert_eq!(y[[3, 0]], 104.0);
    }

    #[test]
    fn split_months_cuts_history_from_the_months_to_forecast() {
        let data = ramp(2, 24);
        let (history, rest) = split_months(data.view(), 12).unwrap();
        assert_eq!((history.dim(), rest.dim()), ((2, 12, 1), (2, 12, 1)));
        assert_eq!(rest[[1, 0, 0]], 112.0);
        assert!(split_months(data.view(), 24).is_err());
        assert!(split_months(data.view(), 0).is_err());
    }

    proptest::proptest! {
        #[test]
        fn every_target_is_its_input_shifted_by_one_month(
            wells in 1usize..5, months in 3usize..20, features in 1usize..3, window in 1usize..10,
        ) {
            let data = Array3::from_shape_fn((wells, months, features), |(w, t, f)| (1000 * w + 10 * t + f) as f32);
            let Ok((x, y)) = many_to_many(data.view(), window, WindowCount::Lesson) else {
                proptest::prop_assert!(months < window + 2);
                return Ok(());
            };
            proptest::prop_assert_eq!(x.len_of(Axis(0)), wells * (months - window - 1));
            for k in 0..x.len_of(Axis(0)) {
                let (offset, well) = (k / wells, k % wells);
                for t in 0..window {
                    for f in 0..features {
                        proptest::prop_assert_eq!(x[[k, t, f]], data[[well, offset + t, f]]);
                        proptest::prop_assert_eq!(y[[k, t, f]], data[[well, offset + t + 1, f]]);
                    }
                }
            }
        }
    }

    #[test]
    fn too_short_series_are_errors() {
        assert!(many_to_many(ramp(2, 13).view(), 12, WindowCount::Lesson).is_err());
        assert!(many_to_many(ramp(2, 13).view(), 12, WindowCount::All).is_ok());
        assert!(many_to_one(ramp(2, 12).view(), 12).is_err());
        assert!(many_to_one(ramp(2, 12).view(), 0).is_err());
    }
}
