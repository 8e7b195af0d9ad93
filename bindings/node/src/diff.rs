//! `diff(before, after, options?)` and the `ProfileDiff` class: differential
//! profiles, converted from [`flamekit::diff`] and rendered by
//! [`flamekit::render_diff_png`] / [`flamekit::render_diff_svg`]. Conversion
//! only; no diff logic here.

use std::sync::Arc;

use flamekit::{DeltaSort, Error};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;

use crate::{guard, reject, run, RenderOptions, RenderSubject, RenderTask};

/// Which profiles to compare and whether to normalise (every field optional).
#[napi(object)]
#[derive(Clone, Default)]
pub struct DiffOptions {
    /// Profile index in the before group (default: its active profile).
    pub before_profile: Option<u32>,
    /// Profile index in the after group (default: its active profile).
    pub after_profile: Option<u32>,
    /// Scale before weights to the after total (default true).
    pub normalize: Option<bool>,
}

/// One function's weights before and after (before weights scaled when normalised).
#[napi(object)]
pub struct FunctionDelta {
    /// Function name.
    pub name: String,
    /// Source file, if known.
    pub file: Option<String>,
    /// Self weight before (scaled when normalised).
    pub before_self: f64,
    /// Self weight after.
    pub after_self: f64,
    /// Total weight before (scaled when normalised), recursion counted once.
    pub before_total: f64,
    /// Total weight after, recursion counted once.
    pub after_total: f64,
    /// `afterSelf - beforeSelf`.
    pub delta_self: f64,
    /// `afterTotal - beforeTotal`.
    pub delta_total: f64,
    /// Relative change of self weight; absent (undefined) when it was 0 before.
    pub relative_self: Option<f64>,
    /// Relative change of total weight; absent (undefined) when it was 0 before.
    pub relative_total: Option<f64>,
}

impl From<&flamekit::FunctionDelta> for FunctionDelta {
    fn from(f: &flamekit::FunctionDelta) -> Self {
        FunctionDelta {
            name: f.name.clone(),
            file: f.file.clone(),
            before_self: f.before_self,
            after_self: f.after_self,
            before_total: f.before_total,
            after_total: f.after_total,
            delta_self: f.delta_self(),
            delta_total: f.delta_total(),
            relative_self: f.relative_self(),
            relative_total: f.relative_total(),
        }
    }
}

/// Options of `topByDelta` (every field optional).
#[napi(object)]
#[derive(Clone, Default)]
pub struct DeltaOptions {
    /// `self` (default: largest self growth first), `total` (largest total
    /// growth first) or `self_absolute` (largest change of self weight either way).
    pub by: Option<String>,
    /// Rows to skip (default 0).
    pub offset: Option<u32>,
    /// Rows to return (default 20).
    pub limit: Option<u32>,
}

fn delta_sort(by: Option<&str>) -> Result<DeltaSort, Error> {
    match by.unwrap_or("self") {
        "self" => Ok(DeltaSort::SelfGrowth),
        "total" => Ok(DeltaSort::TotalGrowth),
        "self_absolute" => Ok(DeltaSort::SelfAbsolute),
        other => Err(Error::argument("by", format!("{other:?} is not one of: self, total, self_absolute"))),
    }
}

/// What changed between two profiles. Immutable.
#[napi]
pub struct ProfileDiff {
    inner: Arc<flamekit::ProfileDiff>,
}

#[napi]
impl ProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    #[napi(getter)]
    pub fn unit(&self) -> String {
        self.inner.unit.as_str().to_owned()
    }
    /// Whether before weights were scaled to the after total.
    #[napi(getter)]
    pub fn normalized(&self) -> bool {
        self.inner.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    #[napi(getter)]
    pub fn scale(&self) -> f64 {
        self.inner.scale
    }
    /// Total weight of the before profile, unscaled.
    #[napi(getter)]
    pub fn before_total(&self) -> f64 {
        self.inner.before_total
    }
    /// Total weight of the after profile.
    #[napi(getter)]
    pub fn after_total(&self) -> f64 {
        self.inner.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    #[napi(getter)]
    pub fn functions(&self) -> Vec<FunctionDelta> {
        self.inner.functions.iter().map(Into::into).collect()
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    #[napi(getter)]
    pub fn is_zero(&self) -> bool {
        self.inner.is_zero()
    }
    /// Functions ranked by `by` (default `self`), one page of rows.
    #[napi]
    pub fn top_by_delta(&self, options: Option<DeltaOptions>) -> napi::Result<Vec<FunctionDelta>, &'static str> {
        let o = options.unwrap_or_default();
        run(|| {
            let sort = delta_sort(o.by.as_deref())?;
            let (offset, limit) = (o.offset.unwrap_or(0) as usize, o.limit.unwrap_or(20) as usize);
            Ok(self.inner.top_by_delta(sort, offset, limit).into_iter().map(Into::into).collect())
        })
    }
    /// Render the diff as a PNG flame graph (after weights; red grew, blue
    /// shrank). Uses `width`, `height`, `theme`, `devicePixelRatio`, `title`.
    /// Blocks the event loop: prefer `renderPngAsync`.
    #[napi]
    pub fn render_png(&self, options: Option<RenderOptions>) -> napi::Result<Buffer, &'static str> {
        run(|| flamekit::render_diff_png(&self.inner, &crate::to_render_options(options)?).map(Buffer::from))
    }
    /// Render the diff as a standalone SVG document; same options and layout as `renderPng`.
    #[napi]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> napi::Result<String, &'static str> {
        run(|| flamekit::render_diff_svg(&self.inner, &crate::to_render_options(options)?))
    }
    /// `renderPng` on the libuv thread pool; the event loop stays free.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn render_png_async(&self, options: Option<RenderOptions>) -> AsyncTask<RenderTask> {
        AsyncTask::new(RenderTask {
            subject: RenderSubject::Diff(self.inner.clone()),
            options: crate::to_render_options(options),
            svg: false,
        })
    }
    /// `renderSvg` on the libuv thread pool; the event loop stays free.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn render_svg_async(&self, options: Option<RenderOptions>) -> AsyncTask<RenderTask> {
        AsyncTask::new(RenderTask {
            subject: RenderSubject::Diff(self.inner.clone()),
            options: crate::to_render_options(options),
            svg: true,
        })
    }
}

fn to_diff_options(o: Option<DiffOptions>) -> flamekit::DiffOptions {
    let o = o.unwrap_or_default();
    flamekit::DiffOptions {
        before_profile: o.before_profile.map(|p| p as usize),
        after_profile: o.after_profile.map(|p| p as usize),
        normalize: o.normalize.unwrap_or(true),
    }
}

/// Compare a profile of `before` with a profile of `after` (default: the
/// active ones). Throws an `Error` with `code` (`invalid_argument` for a
/// profile index out of range).
#[napi]
pub fn diff(
    before: &crate::ProfileGroup,
    after: &crate::ProfileGroup,
    options: Option<DiffOptions>,
) -> napi::Result<ProfileDiff, &'static str> {
    let opts = to_diff_options(options);
    run(|| {
        let d = flamekit::diff(before.group(), after.group(), &opts)?;
        Ok(ProfileDiff { inner: Arc::new(d) })
    })
}

/// The work of `diffAsync`, run on the libuv thread pool.
pub struct DiffTask {
    before: Arc<crate::Loaded>,
    after: Arc<crate::Loaded>,
    options: flamekit::DiffOptions,
}

impl Task for DiffTask {
    type Output = Result<ProfileDiff, Error>;
    type JsValue = ProfileDiff;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(guard(|| {
            let d = flamekit::diff(&self.before.group, &self.after.group, &self.options)?;
            Ok(ProfileDiff { inner: Arc::new(d) })
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<ProfileDiff> {
        output.map_err(|e| reject(env, e))
    }
}

/// `diff` on the libuv thread pool: resolves to a `ProfileDiff`, rejects with an `Error` carrying `code`.
#[napi(ts_return_type = "Promise<ProfileDiff>")]
pub fn diff_async(
    before: &crate::ProfileGroup,
    after: &crate::ProfileGroup,
    options: Option<DiffOptions>,
) -> AsyncTask<DiffTask> {
    AsyncTask::new(DiffTask {
        before: before.inner.clone(),
        after: after.inner.clone(),
        options: to_diff_options(options),
    })
}
