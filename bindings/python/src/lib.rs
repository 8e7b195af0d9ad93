//! Python bindings for flamekit: a thin skin over the `flamekit` crate.
//!
//! Every function here converts Python arguments into the library's types,
//! calls the library with the GIL released, and converts the result (or maps
//! the [`flamekit::Error`] to a `flamekit.FlamekitError` subclass carrying the
//! stable `.code`). No profile logic lives here. Panics are caught and
//! raised as `flamekit.InternalError` (code `internal_error`).
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use flamekit::{Error, ImportOptions, ImportReport};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

mod diff;
mod policy;

create_exception!(flamekit, FlamekitError, PyValueError, "Base of every flamekit error; `.code` is the stable code.");
create_exception!(flamekit, InvalidJsonError, FlamekitError, "The input is not valid JSON (code `invalid_json`).");
create_exception!(
    flamekit,
    UnsupportedFormatError,
    FlamekitError,
    "No importer recognised the input (`unsupported_format`)."
);
create_exception!(
    flamekit,
    InvalidProfileError,
    FlamekitError,
    "The input's content is inconsistent (`invalid_profile`)."
);
create_exception!(flamekit, TruncatedInputError, FlamekitError, "The input ends early (`truncated_input`).");
create_exception!(flamekit, LimitExceededError, FlamekitError, "An ingest limit was exceeded (`limit_exceeded`).");
create_exception!(
    flamekit,
    DecompressionFailedError,
    FlamekitError,
    "gzip/zip data is corrupt (`decompression_failed`)."
);
create_exception!(flamekit, InvalidArgumentError, FlamekitError, "An argument is out of range (`invalid_argument`).");
create_exception!(flamekit, EmptyProfileError, FlamekitError, "Nothing to show or analyze (`empty_profile`).");
create_exception!(flamekit, IoError, FlamekitError, "Reading a file failed (`io_error`).");
create_exception!(flamekit, InternalError, FlamekitError, "A bug in flamekit, or a caught panic (`internal_error`).");

/// Run `f`, turning a panic into [`Error::Internal`] so it never crosses the FFI boundary.
fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::Internal { message: format!("panic: {what}") })
    })
}

/// Release the GIL, run `f` under [`guard`], and map its error.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    py.detach(|| guard(f)).map_err(|e| to_py_err(py, e))
}

/// The exception class for an error code.
fn class_for<'py>(py: Python<'py>, code: &str) -> Bound<'py, pyo3::types::PyType> {
    match code {
        "invalid_json" => py.get_type::<InvalidJsonError>(),
        "unsupported_format" => py.get_type::<UnsupportedFormatError>(),
        "invalid_profile" => py.get_type::<InvalidProfileError>(),
        "truncated_input" => py.get_type::<TruncatedInputError>(),
        "limit_exceeded" => py.get_type::<LimitExceededError>(),
        "decompression_failed" => py.get_type::<DecompressionFailedError>(),
        "invalid_argument" => py.get_type::<InvalidArgumentError>(),
        "empty_profile" => py.get_type::<EmptyProfileError>(),
        "io_error" => py.get_type::<IoError>(),
        "internal_error" => py.get_type::<InternalError>(),
        _ => py.get_type::<FlamekitError>(),
    }
}

/// Map a library error to its exception, with `.code` and the variant's details as attributes.
fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let value = class_for(py, e.code()).call1((e.to_string(),))?;
        value.setattr("code", e.code())?;
        match &e {
            Error::LimitExceeded { limit, max, value: reached } => {
                value.setattr("limit", limit.as_str())?;
                value.setattr("max", *max)?;
                value.setattr("value", *reached)?;
            }
            Error::InvalidJson { line, column, .. } => {
                value.setattr("line", *line)?;
                value.setattr("column", *column)?;
            }
            Error::InvalidProfile { location, .. } | Error::Truncated { location, .. } => {
                value.setattr("location", location.as_str())?;
            }
            Error::InvalidArgument { name, .. } => value.setattr("argument", *name)?,
            _ => {}
        }
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|err| err)
}

/// Bounds checked while importing (see the Rust `IngestLimits`). Every field
/// defaults to the library's default; `IngestLimits.unlimited()` turns all off.
#[pyclass(module = "flamekit", name = "IngestLimits", eq, from_py_object)]
#[derive(Clone, PartialEq)]
struct PyIngestLimits {
    /// Largest accepted input in bytes, before decompression.
    #[pyo3(get, set)]
    max_input_bytes: u64,
    /// Largest size after gzip/zip decompression.
    #[pyo3(get, set)]
    max_inflated_bytes: u64,
    /// Most distinct frames in one group.
    #[pyo3(get, set)]
    max_frames: u64,
    /// Most samples plus events over all profiles of a group.
    #[pyo3(get, set)]
    max_samples: u64,
    /// Deepest accepted stack.
    #[pyo3(get, set)]
    max_stack_depth: u64,
    /// Most profiles in a group.
    #[pyo3(get, set)]
    max_profiles: u64,
}

impl From<flamekit::IngestLimits> for PyIngestLimits {
    fn from(l: flamekit::IngestLimits) -> Self {
        PyIngestLimits {
            max_input_bytes: l.max_input_bytes,
            max_inflated_bytes: l.max_inflated_bytes,
            max_frames: l.max_frames,
            max_samples: l.max_samples,
            max_stack_depth: l.max_stack_depth,
            max_profiles: l.max_profiles,
        }
    }
}

impl From<&PyIngestLimits> for flamekit::IngestLimits {
    fn from(l: &PyIngestLimits) -> Self {
        flamekit::IngestLimits {
            max_input_bytes: l.max_input_bytes,
            max_inflated_bytes: l.max_inflated_bytes,
            max_frames: l.max_frames,
            max_samples: l.max_samples,
            max_stack_depth: l.max_stack_depth,
            max_profiles: l.max_profiles,
            ..flamekit::IngestLimits::default()
        }
    }
}

#[pymethods]
impl PyIngestLimits {
    #[new]
    #[pyo3(signature = (*, max_input_bytes=None, max_inflated_bytes=None, max_frames=None, max_samples=None, max_stack_depth=None, max_profiles=None))]
    fn new(
        max_input_bytes: Option<u64>,
        max_inflated_bytes: Option<u64>,
        max_frames: Option<u64>,
        max_samples: Option<u64>,
        max_stack_depth: Option<u64>,
        max_profiles: Option<u64>,
    ) -> Self {
        let d = flamekit::IngestLimits::default();
        PyIngestLimits {
            max_input_bytes: max_input_bytes.unwrap_or(d.max_input_bytes),
            max_inflated_bytes: max_inflated_bytes.unwrap_or(d.max_inflated_bytes),
            max_frames: max_frames.unwrap_or(d.max_frames),
            max_samples: max_samples.unwrap_or(d.max_samples),
            max_stack_depth: max_stack_depth.unwrap_or(d.max_stack_depth),
            max_profiles: max_profiles.unwrap_or(d.max_profiles),
        }
    }

    /// No limits at all.
    #[staticmethod]
    fn unlimited() -> Self {
        flamekit::IngestLimits::unlimited().into()
    }

    fn __repr__(&self) -> String {
        format!(
            "IngestLimits(max_input_bytes={}, max_inflated_bytes={}, max_frames={}, max_samples={}, max_stack_depth={}, max_profiles={})",
            self.max_input_bytes,
            self.max_inflated_bytes,
            self.max_frames,
            self.max_samples,
            self.max_stack_depth,
            self.max_profiles
        )
    }
}

/// Python keyword arguments to [`flamekit::RenderOptions`].
#[allow(clippy::too_many_arguments)]
fn render_options(
    width: u32,
    height: u32,
    theme: &str,
    view: &str,
    frame: Option<String>,
    start: Option<f64>,
    end: Option<f64>,
    profile: Option<usize>,
    focus: Option<String>,
    device_pixel_ratio: f64,
    title: bool,
) -> Result<flamekit::RenderOptions, Error> {
    Ok(flamekit::RenderOptions {
        width,
        height,
        device_pixel_ratio,
        theme: flamekit::theme_from_name(theme)?,
        view: flamekit::view_from_name(view, frame)?,
        profile_index: profile,
        start,
        end,
        focus,
        title,
    })
}

/// One profile of a group: its name, unit and size.
#[pyclass(module = "flamekit", frozen, get_all, skip_from_py_object)]
#[derive(Clone)]
struct ProfileInfo {
    /// Position in the group.
    index: usize,
    /// Display name.
    name: String,
    /// Unit of weights: `none`, `nanoseconds`, ..., `bytes`.
    unit: String,
    /// `sampled` or `evented`.
    kind: String,
    /// Number of samples (sampled) or events (evented).
    sample_count: usize,
    /// Sum of weights.
    total_weight: f64,
    /// First value of the time axis.
    start_value: f64,
    /// Last value of the time axis.
    end_value: f64,
    /// Duration in ms for time units, else None.
    duration_ms: Option<f64>,
}

#[pymethods]
impl ProfileInfo {
    fn __repr__(&self) -> String {
        format!(
            "ProfileInfo(index={}, name={:?}, unit={:?}, kind={:?}, sample_count={}, total_weight={})",
            self.index, self.name, self.unit, self.kind, self.sample_count, self.total_weight
        )
    }
}

/// Self and total weight of one frame in one profile.
#[pyclass(module = "flamekit", frozen, get_all, skip_from_py_object)]
#[derive(Clone)]
struct FrameWeight {
    /// Index in the group's frame table.
    index: usize,
    /// Function name.
    name: String,
    /// Source file, if known.
    file: Option<String>,
    /// 1-based line, if known.
    line: Option<u32>,
    /// 1-based column, if known.
    col: Option<u32>,
    /// Weight of samples where the frame is innermost.
    self_weight: f64,
    /// Weight of samples where the frame is on the stack (recursion counted once).
    total_weight: f64,
}

#[pymethods]
impl FrameWeight {
    fn __repr__(&self) -> String {
        format!(
            "FrameWeight(name={:?}, self_weight={}, total_weight={})",
            self.name, self.self_weight, self.total_weight
        )
    }
}

/// One import warning.
#[pyclass(module = "flamekit", frozen, get_all, skip_from_py_object)]
#[derive(Clone)]
struct Diagnostic {
    /// Stable warning code.
    code: String,
    /// Where in the input (line, byte, index or field path).
    location: String,
    /// Detail.
    message: String,
}

/// What an import skipped or repaired.
#[pyclass(module = "flamekit", name = "ImportReport", frozen, skip_from_py_object)]
struct PyImportReport {
    report: ImportReport,
}

#[pymethods]
impl PyImportReport {
    /// Format identifier that was imported.
    #[getter]
    fn format(&self) -> &str {
        &self.report.format
    }
    /// Exact number of warnings.
    #[getter]
    fn warning_count(&self) -> u64 {
        self.report.warning_count
    }
    /// The first warnings (at most 100).
    #[getter]
    fn warnings(&self) -> Vec<Diagnostic> {
        self.report
            .warnings
            .iter()
            .map(|d| Diagnostic { code: d.code.into(), location: d.location.to_string(), message: d.message.clone() })
            .collect()
    }
    /// Exact count of skipped items per reason code.
    #[getter]
    fn skipped(&self) -> BTreeMap<&'static str, u64> {
        self.report.skipped.clone()
    }
    /// True when nothing was skipped or repaired.
    #[getter]
    fn is_clean(&self) -> bool {
        self.report.is_clean()
    }
    fn __repr__(&self) -> String {
        format!("ImportReport(format={:?}, warning_count={})", self.report.format, self.report.warning_count)
    }
}

/// Profiles imported from one input, sharing one frame table. Immutable;
/// safe to use from several threads at once.
#[pyclass(module = "flamekit", name = "ProfileGroup", frozen, skip_from_py_object)]
struct PyProfileGroup {
    group: flamekit::ProfileGroup,
    report: ImportReport,
}

impl PyProfileGroup {
    fn profile_index(&self, profile: Option<usize>) -> usize {
        profile.unwrap_or_else(|| self.group.active_profile_index())
    }
}

#[pymethods]
impl PyProfileGroup {
    /// Group name (the file name, the name hint, or the format's own name).
    #[getter]
    fn name(&self) -> &str {
        self.group.name()
    }
    /// Detected format identifier, e.g. `speedscope`, `pprof`.
    #[getter]
    fn profile_type(&self) -> &str {
        self.group.format()
    }
    /// Longest profile duration in ms among profiles with a time unit, else None.
    #[getter]
    fn duration_ms(&self) -> Option<f64> {
        self.group.duration_ms()
    }
    /// Index of the profile a viewer shows first.
    #[getter]
    fn active_profile_index(&self) -> usize {
        self.group.active_profile_index()
    }
    /// Number of distinct frames in the group.
    #[getter]
    fn frame_count(&self) -> usize {
        self.group.frames().len()
    }
    /// The profiles, in file order.
    #[getter]
    fn profiles(&self, py: Python<'_>) -> PyResult<Vec<ProfileInfo>> {
        let group = &self.group;
        run(py, || {
            Ok(group
                .profiles()
                .iter()
                .enumerate()
                .map(|(index, p)| ProfileInfo {
                    index,
                    name: p.name().to_owned(),
                    unit: p.unit().as_str().to_owned(),
                    kind: if p.is_sampled() { "sampled" } else { "evented" }.to_owned(),
                    sample_count: p.sample_count(),
                    total_weight: p.total_weight(),
                    start_value: p.start_value(),
                    end_value: p.end_value(),
                    duration_ms: p.duration_ms(),
                })
                .collect())
        })
    }
    /// What the import skipped or repaired.
    #[getter]
    fn report(&self) -> PyImportReport {
        PyImportReport { report: self.report.clone() }
    }

    /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
    #[pyo3(signature = (profile=None))]
    fn frame_weights(&self, py: Python<'_>, profile: Option<usize>) -> PyResult<Vec<FrameWeight>> {
        let index = self.profile_index(profile);
        let group = &self.group;
        run(py, || {
            let p = group.profile(index)?;
            let fw = p.frame_weights(group.frames().len());
            Ok(group
                .frames()
                .iter()
                .enumerate()
                .filter(|(i, _)| fw.present[*i])
                .map(|(i, f)| FrameWeight {
                    index: i,
                    name: f.name.clone(),
                    file: f.file.clone(),
                    line: f.line,
                    col: f.col,
                    self_weight: fw.self_weight[i],
                    total_weight: fw.total_weight[i],
                })
                .collect())
        })
    }

    /// Render a profile as PNG bytes (deterministic). `view` is `time_order`,
    /// `left_heavy` or `sandwich` (with `frame`); `start`/`end` zoom on the
    /// profile's time axis (profile units, absolute); `profile` defaults to the
    /// active profile. Runs without the GIL.
    #[pyo3(signature = (width=1200, height=800, theme="light", view="time_order", frame=None, start=None, end=None, profile=None, focus=None, device_pixel_ratio=1.0, title=true))]
    #[allow(clippy::too_many_arguments)]
    fn render_png<'py>(
        &self,
        py: Python<'py>,
        width: u32,
        height: u32,
        theme: &str,
        view: &str,
        frame: Option<String>,
        start: Option<f64>,
        end: Option<f64>,
        profile: Option<usize>,
        focus: Option<String>,
        device_pixel_ratio: f64,
        title: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let group = &self.group;
        let png = run(py, || {
            let opts = render_options(
                width,
                height,
                theme,
                view,
                frame,
                start,
                end,
                profile,
                focus,
                device_pixel_ratio,
                title,
            )?;
            flamekit::render_png(group, &opts)
        })?;
        Ok(PyBytes::new(py, &png))
    }

    /// Render a profile as a standalone SVG document; same options and layout as `render_png`.
    #[pyo3(signature = (width=1200, height=800, theme="light", view="time_order", frame=None, start=None, end=None, profile=None, focus=None, device_pixel_ratio=1.0, title=true))]
    #[allow(clippy::too_many_arguments)]
    fn render_svg(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        theme: &str,
        view: &str,
        frame: Option<String>,
        start: Option<f64>,
        end: Option<f64>,
        profile: Option<usize>,
        focus: Option<String>,
        device_pixel_ratio: f64,
        title: bool,
    ) -> PyResult<String> {
        let group = &self.group;
        run(py, || {
            let opts = render_options(
                width,
                height,
                theme,
                view,
                frame,
                start,
                end,
                profile,
                focus,
                device_pixel_ratio,
                title,
            )?;
            flamekit::render_svg(group, &opts)
        })
    }

    /// The functions of a profile (default: the active one) ranked by `by`
    /// (`self` or `total`) weight, heaviest first: rows `offset .. offset + limit`.
    /// `(root)` and `(idle)` pseudo-frames are left out.
    #[pyo3(signature = (profile=None, by="self", offset=0, limit=20))]
    fn top_functions(
        &self,
        py: Python<'_>,
        profile: Option<usize>,
        by: &str,
        offset: usize,
        limit: usize,
    ) -> PyResult<Vec<policy::FunctionStat>> {
        let index = self.profile_index(profile);
        let group = &self.group;
        run(py, || {
            let sort_by = flamekit::SortBy::parse(by)
                .ok_or_else(|| Error::argument("by", format!("{by:?} is not one of: self, total")))?;
            let rows = flamekit::top_functions(group, index, &flamekit::TopOptions { sort_by, offset, limit })?;
            Ok(rows.into_iter().map(Into::into).collect())
        })
    }

    /// A plain-text summary of the group for an LLM prompt, at most
    /// `max_chars` characters, listing `top_n` functions and call paths per ranking.
    #[pyo3(signature = (max_chars=flamekit::SummaryOptions::default().max_chars, top_n=flamekit::SummaryOptions::default().top_n))]
    fn summary(&self, py: Python<'_>, max_chars: usize, top_n: usize) -> PyResult<String> {
        let group = &self.group;
        run(py, || flamekit::summarize(group, &flamekit::SummaryOptions { max_chars, top_n }))
    }

    /// speedscope file-format JSON (deterministic).
    fn to_speedscope_json(&self, py: Python<'_>) -> PyResult<String> {
        let group = &self.group;
        run(py, || Ok(flamekit::to_speedscope_json(group)))
    }

    /// gzip-compressed speedscope JSON (deterministic).
    fn to_speedscope_gzip<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let group = &self.group;
        let bytes = run(py, || Ok(flamekit::to_speedscope_gzip(group)))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
    fn dump(&self, py: Python<'_>) -> PyResult<String> {
        let group = &self.group;
        run(py, || Ok(flamekit::dump(group)))
    }

    fn __repr__(&self) -> String {
        format!(
            "ProfileGroup(name={:?}, profile_type={:?}, profiles={})",
            self.group.name(),
            self.group.format(),
            self.group.profiles().len()
        )
    }
}

/// Import a profile from a path (`str` or `os.PathLike`) or from `bytes`/`bytearray`.
///
/// The format is detected from the content; `name_hint` (a file name) only
/// breaks ties and names the group. gzip/zip input is inflated under `limits`.
#[pyfunction]
#[pyo3(signature = (path_or_bytes, name_hint=None, limits=None))]
fn load(
    py: Python<'_>,
    path_or_bytes: &Bound<'_, PyAny>,
    name_hint: Option<String>,
    limits: Option<PyIngestLimits>,
) -> PyResult<PyProfileGroup> {
    let limits = limits.as_ref().map(flamekit::IngestLimits::from).unwrap_or_default();
    let opts = ImportOptions { limits, name: name_hint.clone(), ..Default::default() };
    let imported = if let Ok(b) = path_or_bytes.cast::<PyBytes>() {
        let bytes = b.as_bytes();
        run(py, || flamekit::import_with(bytes, name_hint.as_deref(), &opts))?
    } else if let Ok(b) = path_or_bytes.cast::<PyByteArray>() {
        let bytes = b.to_vec();
        run(py, || flamekit::import_with(&bytes, name_hint.as_deref(), &opts))?
    } else if let Ok(path) = path_or_bytes.extract::<PathBuf>() {
        run(py, || flamekit::import_file(&path, &opts))?
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "load() takes a path (str or os.PathLike) or bytes/bytearray",
        ));
    };
    let (group, report) = imported;
    Ok(PyProfileGroup { group, report })
}

/// Panic inside the library on purpose: tests that a panic surfaces as
/// `InternalError` (code `internal_error`) instead of aborting the interpreter.
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
fn panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run(py, || -> Result<(), Error> { panic!("deliberate panic for tests") })
}

/// Every stable error code, in the library's order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}

/// The Python module `flamekit`.
#[pymodule]
#[pyo3(name = "flamekit")]
fn flamekit_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(diff::diff, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(policy::check_upload, m)?)?;
    m.add_function(wrap_pyfunction!(policy::check_upload_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(policy::validate_svg, m)?)?;
    m.add_function(wrap_pyfunction!(policy::check_chat_limits, m)?)?;
    m.add_function(wrap_pyfunction!(policy::check_chat_session, m)?)?;
    m.add_function(wrap_pyfunction!(policy::monthly_period_start, m)?)?;
    m.add_function(wrap_pyfunction!(policy::unix_seconds_from_date, m)?)?;
    m.add_class::<policy::FunctionStat>()?;
    m.add_class::<policy::SvgPolicy>()?;
    m.add_class::<policy::UploadPolicy>()?;
    m.add_class::<policy::Verdict>()?;
    m.add_class::<policy::ChatPlan>()?;
    m.add_class::<policy::ChatUsage>()?;
    m.add_class::<policy::ChatVerdict>()?;
    m.add_class::<PyIngestLimits>()?;
    m.add_class::<PyProfileGroup>()?;
    m.add_class::<ProfileInfo>()?;
    m.add_class::<FrameWeight>()?;
    m.add_class::<Diagnostic>()?;
    m.add_class::<PyImportReport>()?;
    m.add_class::<diff::PyProfileDiff>()?;
    m.add_class::<diff::PyFunctionDelta>()?;
    m.add("FlamekitError", py.get_type::<FlamekitError>())?;
    py.get_type::<FlamekitError>().setattr("code", py.None())?;
    for code in Error::CODES {
        let cls = class_for(py, code);
        cls.setattr("code", *code)?;
        m.add(cls.name()?, cls)?;
    }
    Ok(())
}
