//! `diff(before, after, options)` and the `ProfileDiff` object: differential
//! profiles, converted from [`flamekit::diff`] and rendered by
//! [`flamekit::render_diff_png`] / [`flamekit::render_diff_svg`]. Conversion
//! only; no diff logic here.

use std::sync::Arc;

use crate::{default_render_options, run, FlamekitError, ProfileGroup, RenderOptions};

/// Which profiles to compare and whether to normalise.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DiffOptions {
    /// Profile index in the before group (default: its active profile).
    #[uniffi(default = None)]
    pub before_profile: Option<u32>,
    /// Profile index in the after group (default: its active profile).
    #[uniffi(default = None)]
    pub after_profile: Option<u32>,
    /// Scale before weights to the after total.
    #[uniffi(default = true)]
    pub normalize: bool,
}

impl From<DiffOptions> for flamekit::DiffOptions {
    fn from(o: DiffOptions) -> Self {
        flamekit::DiffOptions {
            before_profile: o.before_profile.map(|p| p as usize),
            after_profile: o.after_profile.map(|p| p as usize),
            normalize: o.normalize,
        }
    }
}

/// Which delta `ProfileDiff.top_by_delta` ranks by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DeltaSort {
    /// Largest growth of self weight first (the default).
    SelfGrowth,
    /// Largest growth of total weight first.
    TotalGrowth,
    /// Largest absolute change of self weight first (growth or shrink).
    SelfAbsolute,
}

impl From<DeltaSort> for flamekit::DeltaSort {
    fn from(s: DeltaSort) -> Self {
        match s {
            DeltaSort::SelfGrowth => flamekit::DeltaSort::SelfGrowth,
            DeltaSort::TotalGrowth => flamekit::DeltaSort::TotalGrowth,
            DeltaSort::SelfAbsolute => flamekit::DeltaSort::SelfAbsolute,
        }
    }
}

/// One function's weights before and after (before weights scaled when normalised).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
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
    /// `after_self - before_self`.
    pub delta_self: f64,
    /// `after_total - before_total`.
    pub delta_total: f64,
    /// Relative change of self weight; none when it was 0 before.
    pub relative_self: Option<f64>,
    /// Relative change of total weight; none when it was 0 before.
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

/// What changed between two profiles. Immutable and thread-safe.
#[derive(uniffi::Object)]
pub struct ProfileDiff {
    diff: flamekit::ProfileDiff,
}

#[uniffi::export]
impl ProfileDiff {
    /// Unit of every weight here (the after profile's unit).
    pub fn unit(&self) -> String {
        self.diff.unit.as_str().to_owned()
    }
    /// Whether before weights were scaled to the after total.
    pub fn normalized(&self) -> bool {
        self.diff.normalized
    }
    /// Factor applied to before weights (1 when not normalised).
    pub fn scale(&self) -> f64 {
        self.diff.scale
    }
    /// Total weight of the before profile, unscaled.
    pub fn before_total(&self) -> f64 {
        self.diff.before_total
    }
    /// Total weight of the after profile.
    pub fn after_total(&self) -> f64 {
        self.diff.after_total
    }
    /// Every function of either profile, in first-seen order (before, then after).
    pub fn functions(&self) -> Vec<FunctionDelta> {
        self.diff.functions.iter().map(Into::into).collect()
    }
    /// True when no weight changed (e.g. a profile diffed with itself).
    pub fn is_zero(&self) -> bool {
        self.diff.is_zero()
    }
    /// Functions ranked by `by` (default: self growth): rows `offset .. offset + limit`.
    #[uniffi::method(default(by = None, offset = 0, limit = 20))]
    pub fn top_by_delta(
        &self,
        by: Option<DeltaSort>,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<FunctionDelta>, FlamekitError> {
        let sort = by.unwrap_or(DeltaSort::SelfGrowth).into();
        run(|| Ok(self.diff.top_by_delta(sort, offset as usize, limit as usize).into_iter().map(Into::into).collect()))
    }
    /// Render the diff as a PNG flame graph (after weights; red grew, blue
    /// shrank); uses width, height, theme, device_pixel_ratio and title.
    #[uniffi::method(default(options = None))]
    pub fn render_png(&self, options: Option<RenderOptions>) -> Result<Vec<u8>, FlamekitError> {
        let opts = options.unwrap_or_else(default_render_options).into();
        run(|| flamekit::render_diff_png(&self.diff, &opts))
    }
    /// Render the diff as a standalone SVG document; same options and layout as `render_png`.
    #[uniffi::method(default(options = None))]
    pub fn render_svg(&self, options: Option<RenderOptions>) -> Result<String, FlamekitError> {
        let opts = options.unwrap_or_else(default_render_options).into();
        run(|| flamekit::render_diff_svg(&self.diff, &opts))
    }
}

/// The library's default diff options (active profiles, normalised).
#[uniffi::export]
pub fn default_diff_options() -> DiffOptions {
    let d = flamekit::DiffOptions::default();
    DiffOptions {
        before_profile: d.before_profile.map(|p| p as u32),
        after_profile: d.after_profile.map(|p| p as u32),
        normalize: d.normalize,
    }
}

/// Compare a profile of `before` with a profile of `after`; `None` means
/// default options (active profiles, normalised).
#[uniffi::export(default(options = None))]
pub fn diff(
    before: Arc<ProfileGroup>,
    after: Arc<ProfileGroup>,
    options: Option<DiffOptions>,
) -> Result<Arc<ProfileDiff>, FlamekitError> {
    let opts = options.unwrap_or_else(default_diff_options).into();
    run(|| Ok(Arc::new(ProfileDiff { diff: flamekit::diff(&before.group, &after.group, &opts)? })))
}
