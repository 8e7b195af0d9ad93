//! Python bindings for flamekit: the pyo3 skin over `flamekit-bindings`.
//!
//! Keyword arguments become the shared request structs (whose `resolve()`
//! applies the defaults), results are the shared records (`#[pyclass]`es
//! there). This crate keeps what pyo3 forces: the exception classes, the
//! option classes with keyword constructors and setters, verdict classes
//! with `__bool__`, and the GIL: every call runs without it, under the
//! shared panic guard (a panic raises `flamekit.InternalError`).
#![warn(missing_docs)]

use std::path::PathBuf;

use flamekit_bindings::{self as fb, flamekit, Error, Image, Loaded, Subject};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyType};

create_exception!(flamekit, FlamekitError, PyValueError, "Base of every flamekit error; `.code` is the stable code.");

/// One exception class per stable code (the shared `error_table!`), and the class for a code.
macro_rules! exceptions {
    ($($variant:ident $class:ident = $code:literal: $doc:literal,)* ; $lv:ident $lc:ident = $lcode:literal: $ldoc:literal) => {
        $(create_exception!(flamekit, $class, FlamekitError, $doc);)*
        create_exception!(flamekit, $lc, FlamekitError, $ldoc);

        /// The exception class for an error code.
        fn class_for<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyType> {
            match code {
                $($code => py.get_type::<$class>(),)*
                $lcode => py.get_type::<$lc>(),
                _ => py.get_type::<FlamekitError>(),
            }
        }
    };
}

flamekit_bindings::error_table!(exceptions);

/// A library error as its exception, with `.code` and the variant's details as attributes.
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

/// Release the GIL, run `f` under the panic guard, and map its error.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    py.detach(|| fb::guard(f)).map_err(|e| to_py_err(py, e))
}

/// `render_request`: the keyword arguments of `render_png`/`render_svg`
/// (groups and diffs; all optional, None = the library default) as the
/// shared request, one keyword per field of its definition.
macro_rules! render_request {
    (; $(#[$($m:tt)*])* struct $name:ident { $($(#[$($fm:tt)*])* $field:ident: $ty:ty,)* }) => {
        fn render_request(options: Option<&Bound<'_, PyDict>>) -> PyResult<fb::$name> {
            let mut r = fb::$name::default();
            for (key, v) in options.into_iter().flat_map(|o| o.iter()).filter(|(_, v)| !v.is_none()) {
                match key.extract::<String>()?.as_str() {
                    $(stringify!($field) => r.$field = v.extract()?,)*
                    other => return Err(PyTypeError::new_err(format!("unexpected keyword argument {other:?}"))),
                }
            }
            Ok(r)
        }
    };
}

fb::RenderRequest!(render_request);

/// Render without the GIL: PNG `bytes` or SVG `str`.
fn render<'py>(
    py: Python<'py>,
    subject: Subject<'_>,
    options: Option<&Bound<'py, PyDict>>,
    svg: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let request = render_request(options)?;
    Ok(match run(py, || fb::render(subject, &request, svg))? {
        Image::Png(png) => PyBytes::new(py, &png).into_any(),
        Image::Svg(svg) => svg.into_pyobject(py)?.into_any(),
    })
}

/// Profiles imported from one input, sharing one frame table. Immutable;
/// safe to use from several threads at once.
#[pyclass(module = "flamekit", name = "ProfileGroup", frozen, skip_from_py_object)]
struct PyProfileGroup(Loaded);

/// The `#[pymethods]` of a class: its own `methods` and, as getters, the shared
/// accessors (`flamekit_bindings::group_accessors!`, `diff_accessors!`).
macro_rules! py_methods {
    ($class:ident { $($methods:tt)* } ; |$v:ident| { $($(#[doc = $doc:literal])* $name:ident: $ty:ty = $value:expr;)* }) => {
        #[pymethods]
        impl $class {
            $($(#[doc = $doc])* #[getter] fn $name(&self) -> $ty { let $v = &self.0; $value })*
            $($methods)*
        }
    };
}

fb::group_accessors! {
    py_methods PyProfileGroup {
        /// The profiles, in file order.
        #[getter]
        fn profiles(&self, py: Python<'_>) -> PyResult<Vec<fb::ProfileInfo>> {
            run(py, || Ok(self.0.profiles()))
        }
        /// Self/total weight of every frame present in a profile (default: the active one), in frame-table order.
        #[pyo3(signature = (profile=None))]
        fn frame_weights(&self, py: Python<'_>, profile: Option<u32>) -> PyResult<Vec<fb::FrameWeight>> {
            run(py, || self.0.frame_weights(profile))
        }
        /// Render a profile as PNG bytes (deterministic); keywords as in flamekit.pyi,
        /// omitted ones keep the library defaults. Runs without the GIL.
        #[pyo3(signature = (**options))]
        fn render_png<'py>(&self, py: Python<'py>, options: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
            render(py, Subject::Group(&self.0.group), options, false)
        }
        /// Render a profile as a standalone SVG document; same options and layout as `render_png`.
        #[pyo3(signature = (**options))]
        fn render_svg<'py>(&self, py: Python<'py>, options: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
            render(py, Subject::Group(&self.0.group), options, true)
        }
        /// The functions of a profile (default: the active one) ranked by `by`
        /// (`self` or `total`) weight, heaviest first: rows `offset .. offset + limit`.
        /// `(root)` and `(idle)` pseudo-frames are left out.
        #[pyo3(signature = (profile=None, by=None, offset=None, limit=None))]
        fn top_functions(
            &self,
            py: Python<'_>,
            profile: Option<u32>,
            by: Option<String>,
            offset: Option<u32>,
            limit: Option<u32>,
        ) -> PyResult<Vec<fb::FunctionStat>> {
            run(py, || self.0.top_functions(&fb::TopRequest { profile, by, offset, limit }))
        }
        /// A plain-text summary of the group for an LLM prompt, at most
        /// `max_chars` characters, listing `top_n` functions and call paths per ranking.
        #[pyo3(signature = (max_chars=None, top_n=None))]
        fn summary(&self, py: Python<'_>, max_chars: Option<u32>, top_n: Option<u32>) -> PyResult<String> {
            run(py, || self.0.summary(&fb::SummaryRequest { max_chars, top_n }))
        }
        /// speedscope file-format JSON (deterministic).
        fn to_speedscope_json(&self, py: Python<'_>) -> PyResult<String> {
            run(py, || flamekit::to_speedscope_json(&self.0.group))
        }
        /// gzip-compressed speedscope JSON (deterministic).
        fn to_speedscope_gzip<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
            Ok(PyBytes::new(py, &run(py, || flamekit::to_speedscope_gzip(&self.0.group))?))
        }
        /// The `flamekit dump` JSON: frames with self/total weights and time-ordered stacks per profile.
        fn dump(&self, py: Python<'_>) -> PyResult<String> {
            run(py, || flamekit::dump(&self.0.group))
        }
        fn __repr__(&self) -> String {
            let g = &self.0.group;
            format!("ProfileGroup(name={:?}, profile_type={:?}, profiles={})", g.name(), g.format(), g.profiles().len())
        }
    }
}

/// Import a profile from a path (`str` or `os.PathLike`) or from `bytes`/`bytearray`.
///
/// The format is detected from the content; `name_hint` (a file name) only
/// breaks ties and names the group. gzip/zip input is inflated under `limits`.
/// The keywords after `limits` are the import switches and source maps
/// (`{"name": ..., "bytes": ..., "script": ...}` dicts), as in flamekit.pyi.
#[pyfunction]
#[pyo3(signature = (path_or_bytes, name_hint=None, limits=None, *, perf_weight=None, firefox_frames=None, pmcstat_samples=None, papyrus_stacks=None, source_maps=Vec::new(), threads=None))]
#[allow(clippy::too_many_arguments)]
fn load(
    py: Python<'_>,
    path_or_bytes: &Bound<'_, PyAny>,
    name_hint: Option<String>,
    limits: Option<fb::LimitsRequest>,
    perf_weight: Option<String>,
    firefox_frames: Option<String>,
    pmcstat_samples: Option<String>,
    papyrus_stacks: Option<String>,
    source_maps: Vec<fb::SourceMapRequest>,
    threads: Option<u32>,
) -> PyResult<PyProfileGroup> {
    let options =
        fb::ImportRequest { perf_weight, firefox_frames, pmcstat_samples, papyrus_stacks, source_maps, threads };
    let request = fb::LoadRequest { name_hint, limits: limits.unwrap_or_default(), options };
    let loaded = if let Ok(b) = path_or_bytes.cast::<PyBytes>() {
        let bytes = b.as_bytes();
        run(py, || Loaded::from_bytes(bytes, &request))?
    } else if let Ok(b) = path_or_bytes.cast::<PyByteArray>() {
        let bytes = b.to_vec();
        run(py, || Loaded::from_bytes(&bytes, &request))?
    } else if let Ok(path) = path_or_bytes.extract::<PathBuf>() {
        run(py, || Loaded::from_path(&path, &request))?
    } else {
        return Err(PyTypeError::new_err("load() takes a path (str or os.PathLike) or bytes/bytearray"));
    };
    Ok(PyProfileGroup(loaded))
}

/// The result of `flamekit.diff`: what changed between two profiles.
/// Immutable; safe to share between threads.
#[pyclass(module = "flamekit", name = "ProfileDiff", frozen, skip_from_py_object)]
struct PyProfileDiff(flamekit::ProfileDiff);

fb::diff_accessors! {
    py_methods PyProfileDiff {
        /// Functions ranked by `by`: `self` (largest self growth first, the
        /// default), `total` (largest total growth first) or `self_absolute`
        /// (largest change of self weight either way); rows `offset .. offset + limit`.
        #[pyo3(signature = (by=None, offset=None, limit=None))]
        fn top_by_delta(
            &self,
            py: Python<'_>,
            by: Option<String>,
            offset: Option<u32>,
            limit: Option<u32>,
        ) -> PyResult<Vec<fb::FunctionDelta>> {
            run(py, || fb::top_by_delta(&self.0, &fb::DeltaRequest { by, offset, limit }))
        }
        /// Render the diff as PNG bytes (deterministic); keywords as in flamekit.pyi,
        /// omitted ones keep the library defaults. Runs without the GIL.
        #[pyo3(signature = (**options))]
        fn render_png<'py>(&self, py: Python<'py>, options: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
            render(py, Subject::Diff(&self.0), options, false)
        }
        /// Render the diff as a standalone SVG document; same options and layout as `render_png`.
        #[pyo3(signature = (**options))]
        fn render_svg<'py>(&self, py: Python<'py>, options: Option<&Bound<'py, PyDict>>) -> PyResult<Bound<'py, PyAny>> {
            render(py, Subject::Diff(&self.0), options, true)
        }
        fn __repr__(&self) -> String {
            let d = &self.0;
            format!(
                "ProfileDiff(unit={:?}, normalized={}, scale={}, functions={})",
                d.unit.as_str(),
                d.normalized,
                d.scale,
                d.functions.len()
            )
        }
    }
}

/// Compare profile `before_profile` of `before` (default: its active profile)
/// with profile `after_profile` of `after`. With `normalize` (the default)
/// before weights are scaled to the after total. Runs without the GIL.
#[pyfunction]
#[pyo3(signature = (before, after, before_profile=None, after_profile=None, normalize=None))]
fn diff(
    py: Python<'_>,
    before: &Bound<'_, PyProfileGroup>,
    after: &Bound<'_, PyProfileGroup>,
    before_profile: Option<u32>,
    after_profile: Option<u32>,
    normalize: Option<bool>,
) -> PyResult<PyProfileDiff> {
    let request = fb::DiffRequest { before_profile, after_profile, normalize };
    let (b, a) = (&before.get().0, &after.get().0);
    Ok(PyProfileDiff(run(py, || fb::diff(b, a, &request))?))
}

/// What an upload endpoint accepts (see the Rust `UploadPolicy`). Omitted
/// arguments keep the library defaults; empty allowlists accept anything.
#[pyclass(module = "flamekit", eq, get_all, set_all, from_py_object)]
#[derive(Clone, PartialEq)]
struct UploadPolicy {
    max_bytes: Option<u64>,
    allowed_content_types: Vec<String>,
    allowed_extensions: Vec<String>,
    max_duration_ms: Option<u64>,
    svg: fb::SvgPolicyRequest,
}

impl From<UploadPolicy> for flamekit::UploadPolicy {
    fn from(p: UploadPolicy) -> Self {
        let UploadPolicy { max_bytes, allowed_content_types, allowed_extensions, max_duration_ms, svg } = p;
        flamekit::UploadPolicy {
            max_bytes,
            allowed_content_types,
            allowed_extensions,
            max_duration_ms,
            svg: svg.into(),
        }
    }
}

#[pymethods]
impl UploadPolicy {
    #[new]
    // `max_bytes` omitted: the library default; `max_bytes=None`: no limit.
    #[pyo3(signature = (*, max_bytes=flamekit::UploadPolicy::default().max_bytes, allowed_content_types=None, allowed_extensions=None, max_duration_ms=None, svg=None))]
    fn new(
        max_bytes: Option<u64>,
        allowed_content_types: Option<Vec<String>>,
        allowed_extensions: Option<Vec<String>>,
        max_duration_ms: Option<u64>,
        svg: Option<fb::SvgPolicyRequest>,
    ) -> Self {
        let d = flamekit::UploadPolicy::default();
        UploadPolicy {
            max_bytes,
            allowed_content_types: allowed_content_types.unwrap_or(d.allowed_content_types),
            allowed_extensions: allowed_extensions.unwrap_or(d.allowed_extensions),
            max_duration_ms: max_duration_ms.or(d.max_duration_ms),
            svg: svg.unwrap_or_default(),
        }
    }
    fn __repr__(&self) -> String {
        format!("UploadPolicy({:?})", flamekit::UploadPolicy::from(self.clone()))
    }
}

/// Check an upload's metadata against a policy (default: `UploadPolicy()`).
#[pyfunction]
#[pyo3(signature = (size_bytes, content_type=None, file_name=None, duration_ms=None, policy=None))]
fn check_upload(
    py: Python<'_>,
    size_bytes: u64,
    content_type: Option<String>,
    file_name: Option<String>,
    duration_ms: Option<f64>,
    policy: Option<UploadPolicy>,
) -> PyResult<fb::VerdictRecord> {
    let info = fb::UploadInfoRequest { size_bytes: Some(size_bytes), content_type, file_name, duration_ms };
    let policy = policy.map(flamekit::UploadPolicy::from).unwrap_or_default();
    run(py, || Ok(fb::verdict(&flamekit::check_upload(&policy, &info.resolve(None)))))
}

/// `check_upload` with the bytes at hand: the size is `len(data)`, and an SVG
/// upload (by content type or `.svg` name) must also pass `validate_svg`.
#[pyfunction]
#[pyo3(signature = (data, content_type=None, file_name=None, duration_ms=None, policy=None))]
fn check_upload_bytes(
    py: Python<'_>,
    data: &[u8],
    content_type: Option<String>,
    file_name: Option<String>,
    duration_ms: Option<f64>,
    policy: Option<UploadPolicy>,
) -> PyResult<fb::VerdictRecord> {
    let info =
        fb::UploadInfoRequest { size_bytes: None, content_type, file_name, duration_ms }.resolve(Some(data.len()));
    let policy = policy.map(flamekit::UploadPolicy::from).unwrap_or_default();
    run(py, || Ok(fb::verdict(&flamekit::check_upload_bytes(&policy, &info, data))))
}

/// Validate an SVG flamegraph (no scripts, DTDs, external references, ...).
#[pyfunction]
#[pyo3(signature = (data, policy=None))]
fn validate_svg(py: Python<'_>, data: &[u8], policy: Option<fb::SvgPolicyRequest>) -> PyResult<fb::VerdictRecord> {
    let policy = policy.unwrap_or_default().into();
    run(py, || Ok(fb::verdict(&flamekit::validate_svg(data, &policy))))
}

/// A chat plan; None limits are unlimited.
#[pyclass(module = "flamekit", eq, get_all, from_py_object)]
#[derive(Clone, PartialEq)]
struct ChatPlan {
    #[pyo3(set)]
    messages_per_session: Option<u32>,
    #[pyo3(set)]
    sessions_limit: Option<u32>,
    sessions_period: String,
}

impl ChatPlan {
    fn request(&self) -> fb::ChatPlanRequest {
        fb::ChatPlanRequest {
            messages_per_session: self.messages_per_session,
            sessions_limit: self.sessions_limit,
            sessions_period: Some(self.sessions_period.clone()),
        }
    }
}

#[pymethods]
impl ChatPlan {
    #[new]
    #[pyo3(signature = (*, messages_per_session=None, sessions_limit=None, sessions_period="lifetime"))]
    fn new(
        py: Python<'_>,
        messages_per_session: Option<u32>,
        sessions_limit: Option<u32>,
        sessions_period: &str,
    ) -> PyResult<Self> {
        sessions_period.parse::<flamekit::SessionsPeriod>().map_err(|e| to_py_err(py, e))?;
        Ok(ChatPlan { messages_per_session, sessions_limit, sessions_period: sessions_period.to_owned() })
    }
    #[setter]
    fn set_sessions_period(&mut self, py: Python<'_>, value: &str) -> PyResult<()> {
        value.parse::<flamekit::SessionsPeriod>().map_err(|e| to_py_err(py, e))?;
        self.sessions_period = value.to_owned();
        Ok(())
    }
    fn __repr__(&self) -> String {
        format!("ChatPlan({:?})", self.request())
    }
}

/// May the user send one more message in the current session?
#[pyfunction]
fn check_chat_limits(py: Python<'_>, plan: &ChatPlan, usage: fb::ChatUsage) -> PyResult<fb::ChatVerdictRecord> {
    let (plan, usage) = (plan.request(), usage.into());
    run(py, || Ok(fb::chat_verdict(&flamekit::may_send_message(&plan.resolve()?, &usage), &usage)))
}

/// May the user start a new chat session at `now` (UTC unix seconds)?
#[pyfunction]
fn check_chat_session(
    py: Python<'_>,
    plan: &ChatPlan,
    usage: fb::ChatUsage,
    now: i64,
) -> PyResult<fb::ChatVerdictRecord> {
    let (plan, usage) = (plan.request(), usage.into());
    run(py, || Ok(fb::chat_verdict(&flamekit::may_start_session(&plan.resolve()?, &usage, now), &usage)))
}

/// Start of the monthly period containing `now`, for periods beginning at `period_start`.
#[pyfunction]
fn monthly_period_start(period_start: i64, now: i64) -> i64 {
    flamekit::monthly_period_start(period_start, now)
}

/// UTC unix seconds at midnight of a date; None for an invalid date.
#[pyfunction]
fn unix_seconds_from_date(year: i32, month: u32, day: u32) -> Option<i64> {
    flamekit::unix_seconds_from_date(year, month, day)
}

/// Panic inside the library on purpose: tests that a panic surfaces as
/// `InternalError` (code `internal_error`) instead of aborting the interpreter.
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
fn panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run(py, fb::panic_for_tests)
}

/// Every stable error code, in the library's order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    fb::error_codes()
}

/// The Python module `flamekit`.
#[pymodule]
#[pyo3(name = "flamekit")]
fn flamekit_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(check_upload, m)?)?;
    m.add_function(wrap_pyfunction!(check_upload_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(validate_svg, m)?)?;
    m.add_function(wrap_pyfunction!(check_chat_limits, m)?)?;
    m.add_function(wrap_pyfunction!(check_chat_session, m)?)?;
    m.add_function(wrap_pyfunction!(monthly_period_start, m)?)?;
    m.add_function(wrap_pyfunction!(unix_seconds_from_date, m)?)?;
    m.add_class::<fb::ProfileInfo>()?;
    m.add_class::<fb::FrameWeight>()?;
    m.add_class::<fb::Diagnostic>()?;
    m.add_class::<fb::ImportReportInfo>()?;
    m.add_class::<fb::FunctionStat>()?;
    m.add_class::<fb::FunctionDelta>()?;
    m.add_class::<fb::LimitsRequest>()?;
    m.add_class::<PyProfileGroup>()?;
    m.add_class::<PyProfileDiff>()?;
    m.add_class::<fb::SvgPolicyRequest>()?;
    m.add_class::<UploadPolicy>()?;
    m.add_class::<fb::VerdictRecord>()?;
    m.add_class::<ChatPlan>()?;
    m.add_class::<fb::ChatUsage>()?;
    m.add_class::<fb::ChatVerdictRecord>()?;
    m.add("FlamekitError", py.get_type::<FlamekitError>())?;
    py.get_type::<FlamekitError>().setattr("code", py.None())?;
    for code in Error::CODES {
        let cls = class_for(py, code);
        cls.setattr("code", *code)?;
        m.add(cls.name()?, cls)?;
    }
    Ok(())
}
