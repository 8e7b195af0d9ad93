//! `flamekit.diff` and `flamekit.ProfileDiff`: differential profiles, converted
//! from [`flamekit::diff`] and rendered by [`flamekit::render_diff_png`] /
//! [`flamekit::render_diff_svg`]. Conversion only; no diff logic here.

use flamekit::{DeltaSort, DiffOptions, Error};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::{run, PyProfileGroup};

/// One function's weights before and after (before weights scaled when the
/// diff is normalised).
#[pyclass(module = "flamekit", name = "FunctionDelta", frozen, skip_from_py_object)]
pub(crate) struct PyFunctionDelta {
    f: flamekit::FunctionDelta,
}

#[pymethods]
impl PyFunctionDelta {
    /// Function name.
    #[getter]
    fn name(&self) -> &str {
        &self.f.name
    }
    /// Source file, if known.
    #[getter]
    fn file(&self) -> Option<&str> {
        self.f.file.as_deref()
    }
    /// Self weight before (scaled when normalised).
    #[getter]
    fn before_self(&self) -> f64 {
        self.f.before_self
    }
    /// Self weight after.
    #[getter]
    fn after_self(&self) -> f64 {
        self.f.after_self
    }
    /// Total weight before (scaled when normalised), recursion counted once.
    #[getter]
    fn before_total(&self) -> f64 {
        self.f.before_total
    }
    /// Total weight after, recursion counted once.
    #[getter]
    fn after_total(&self) -> f64 {
        self.f.after_total
    }
    /// `after_self - before_self`.
    #[getter]
    fn delta_self(&self) -> f64 {
        self.f.delta_self()
    }
    /// `after_total - before_total`.
    #[getter]
    fn delta_total(&self) -> f64 {
        self.f.delta_total()
    }
    /// Relative change of self weight; None when it was 0 before.
    #[getter]
    fn relative_self(&self) -> Option<f64> {
        self.f.relative_self()
    }
    /// Relative change of total weight; None when it was 0 before.
    #[getter]
    fn relative_total(&self) -> Option<f64> {
        self.f.relative_total()
    }
    fn __repr__(&self) -> String {
        format!(
            "FunctionDelta(name={:?}, before_self={}, after_self={}, before_total={}, after_total={})",
            self.f.name, self.f.before_self, self.f.after_self, self.f.before_total, self.f.after_total
        )
    }
}

/// The ranking names of `top_by_delta(by=...)`.
fn delta_sort(by: &str) -> Result<DeltaSort, Error> {
    match by {
        "self" => Ok(DeltaSort::SelfGrowth),
        "total" => Ok(DeltaSort::TotalGrowth),
        "self_absolute" => Ok(DeltaSort::SelfAbsolute),
        _ => Err(Error::argument("by", format!("{by:?} is not one of: self, total, self_absolute"))),
    }
}

/// The result of `flamekit.diff`: what changed between two profiles.
/// Immutable; safe to share between threads.
#[pyclass(module = "flamekit", name = "ProfileDiff", frozen, skip_from_py_object)]
pub(crate) struct PyProfileDiff {
    diff: flamekit::ProfileDiff,
}

impl PyProfileDiff {
    fn options(
        width: u32,
        height: u32,
        theme: &str,
        device_pixel_ratio: f64,
        title: bool,
    ) -> Result<flamekit::RenderOptions, Error> {
        Ok(flamekit::RenderOptions {
            width,
            height,
            device_pixel_ratio,
            theme: flamekit::theme_from_name(theme)?,
            title,
            ..Default::default()
        })
    }
}

#[pymethods]
impl PyProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    #[getter]
    fn unit(&self) -> &'static str {
        self.diff.unit.as_str()
    }
    /// Whether before weights were scaled to the after total.
    #[getter]
    fn normalized(&self) -> bool {
        self.diff.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    #[getter]
    fn scale(&self) -> f64 {
        self.diff.scale
    }
    /// Total weight of the before profile, unscaled.
    #[getter]
    fn before_total(&self) -> f64 {
        self.diff.before_total
    }
    /// Total weight of the after profile.
    #[getter]
    fn after_total(&self) -> f64 {
        self.diff.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    #[getter]
    fn functions(&self) -> Vec<PyFunctionDelta> {
        self.diff.functions.iter().map(|f| PyFunctionDelta { f: f.clone() }).collect()
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    #[getter]
    fn is_zero(&self) -> bool {
        self.diff.is_zero()
    }

    /// Functions ranked by `by`: `self` (largest self growth first), `total`
    /// (largest total growth first) or `self_absolute` (largest change of self
    /// weight either way); rows `offset .. offset + limit`.
    #[pyo3(signature = (by="self", offset=0, limit=20))]
    fn top_by_delta(&self, py: Python<'_>, by: &str, offset: usize, limit: usize) -> PyResult<Vec<PyFunctionDelta>> {
        let diff = &self.diff;
        run(py, || {
            let sort = delta_sort(by)?;
            Ok(diff.top_by_delta(sort, offset, limit).into_iter().map(|f| PyFunctionDelta { f: f.clone() }).collect())
        })
    }

    /// Render the diff as a PNG flame graph (after weights; red grew, blue
    /// shrank). Deterministic; runs without the GIL.
    #[pyo3(signature = (width=1200, height=800, theme="light", device_pixel_ratio=1.0, title=true))]
    fn render_png<'py>(
        &self,
        py: Python<'py>,
        width: u32,
        height: u32,
        theme: &str,
        device_pixel_ratio: f64,
        title: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let diff = &self.diff;
        let png = run(py, || {
            flamekit::render_diff_png(diff, &Self::options(width, height, theme, device_pixel_ratio, title)?)
        })?;
        Ok(PyBytes::new(py, &png))
    }

    /// Render the diff as a standalone SVG document; same options and layout as `render_png`.
    #[pyo3(signature = (width=1200, height=800, theme="light", device_pixel_ratio=1.0, title=true))]
    fn render_svg(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        theme: &str,
        device_pixel_ratio: f64,
        title: bool,
    ) -> PyResult<String> {
        let diff = &self.diff;
        run(py, || flamekit::render_diff_svg(diff, &Self::options(width, height, theme, device_pixel_ratio, title)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "ProfileDiff(unit={:?}, normalized={}, scale={}, before_total={}, after_total={}, functions={})",
            self.diff.unit.as_str(),
            self.diff.normalized,
            self.diff.scale,
            self.diff.before_total,
            self.diff.after_total,
            self.diff.functions.len()
        )
    }
}

/// Compare profile `before_profile` of `before` (default: its active profile)
/// with profile `after_profile` of `after`. With `normalize` (the default)
/// before weights are scaled to the after total. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (before, after, before_profile=None, after_profile=None, normalize=true))]
pub(crate) fn diff(
    py: Python<'_>,
    before: &Bound<'_, PyProfileGroup>,
    after: &Bound<'_, PyProfileGroup>,
    before_profile: Option<usize>,
    after_profile: Option<usize>,
    normalize: bool,
) -> PyResult<PyProfileDiff> {
    let (b, a) = (&before.get().group, &after.get().group);
    let opts = DiffOptions { before_profile, after_profile, normalize };
    let diff = run(py, || flamekit::diff(b, a, &opts))?;
    Ok(PyProfileDiff { diff })
}
