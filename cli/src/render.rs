//! `flamekit render FILE -o OUT`: draw a flame graph as PNG or SVG. Only
//! fills in [`flamekit::RenderOptions`] and writes the bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flamekit::{Error, RenderOptions, SandwichFrames, Theme, View, ViewKind};

use crate::{load, write_output, InputArgs};

/// `flamekit render FILE -o OUT`
#[derive(clap::Args)]
pub(crate) struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output path (`-` for stdout). Written as SVG with --svg or a `.svg` name, else PNG.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    image: ImageArgs,
    /// Device pixel ratio (2 for a sharp image on high-density screens).
    #[arg(long, default_value_t = 1.0)]
    dpr: f64,
    /// Which view to draw: `time-order` (flame chart), `left-heavy` (merged
    /// flame graph, heaviest paths first) or `sandwich` (callers above and
    /// callees below the function given with --frame).
    #[arg(long, default_value = "time-order")]
    view: ViewKind,
    /// Function name for --view sandwich.
    #[arg(long)]
    frame: Option<String>,
    /// Highlight this function; fade the others.
    #[arg(long)]
    focus: Option<String>,
    /// Start of the zoom window, in the profile's unit (absolute time).
    #[arg(long, allow_hyphen_values = true)]
    start: Option<f64>,
    /// End of the zoom window, in the profile's unit (absolute time).
    #[arg(long, allow_hyphen_values = true)]
    end: Option<f64>,
    /// Profile index in the file (default: the file's active profile).
    #[arg(long)]
    profile: Option<usize>,
    /// Leave out the title strip.
    #[arg(long)]
    no_title: bool,
    /// Leave out the time axis, grid lines and depth axis.
    #[arg(long)]
    no_axes: bool,
    /// Start of the zoom window in milliseconds after the profile's start
    /// (Flamedeck's startTimeMs; time units only).
    #[arg(long, allow_hyphen_values = true, value_name = "MS")]
    start_time_ms: Option<String>,
    /// End of the zoom window in milliseconds after the profile's start (Flamedeck's endTimeMs).
    #[arg(long, allow_hyphen_values = true, value_name = "MS")]
    end_time_ms: Option<String>,
    /// Skip the outermost N rows (Flamedeck's startDepth).
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    start_depth: Option<String>,
    /// Box colours: system, fire, peach or ice (Flamedeck's flamegraphThemeName).
    #[arg(long, value_name = "NAME")]
    palette: Option<String>,
    /// Make the image only as tall as its rows need, at most --height.
    #[arg(long)]
    auto_height: bool,
    /// Sandwich of the heaviest frame with the --frame name only (default: all frames with that name).
    #[arg(long)]
    heaviest: bool,
    /// Most rows for the sandwich's callers half.
    #[arg(long, value_name = "N")]
    callers_rows: Option<usize>,
    /// Most rows for the sandwich's callees half.
    #[arg(long, value_name = "N")]
    callees_rows: Option<usize>,
    /// A Flamedeck render parameter, NAME=VALUE (width, height, mode,
    /// startTimeMs, endTimeMs, startDepth, flamegraphThemeName); repeatable,
    /// applied after the other options. An empty height means --auto-height.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
}

/// Image options shared by `render` and `diff`.
#[derive(clap::Args)]
pub(crate) struct ImageArgs {
    /// Colour scheme of the image: `light` or `dark` (`--mode` as in Flamedeck's parameters).
    #[arg(long, visible_alias = "mode", default_value = "light")]
    theme: Theme,
    /// Image width in CSS pixels.
    #[arg(long, default_value_t = 1200)]
    width: u32,
    /// Image height in CSS pixels.
    #[arg(long, default_value_t = 800)]
    height: u32,
    /// Write SVG instead of PNG (also chosen by a `.svg` output name).
    #[arg(long)]
    svg: bool,
}

impl ImageArgs {
    /// Render options with this size and theme, the library's defaults otherwise.
    pub(crate) fn options(&self) -> RenderOptions {
        RenderOptions { width: self.width, height: self.height, theme: self.theme, ..Default::default() }
    }

    /// Whether to write SVG to `output`: --svg, or a `.svg` name (any case).
    pub(crate) fn is_svg(&self, output: &Path) -> bool {
        self.svg || output.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    }
}

pub(crate) fn render(a: RenderArgs) -> Result<ExitCode, Error> {
    let view = View::new(a.view, a.frame)?;
    let mut options = RenderOptions {
        device_pixel_ratio: a.dpr,
        view,
        profile_index: a.profile,
        start: a.start,
        end: a.end,
        focus: a.focus,
        title: !a.no_title,
        axes: !a.no_axes,
        auto_height: a.auto_height,
        sandwich_frames: if a.heaviest { SandwichFrames::Heaviest } else { SandwichFrames::AllNamed },
        sandwich_callers_rows: a.callers_rows,
        sandwich_callees_rows: a.callees_rows,
        ..a.image.options()
    };
    // The Flamedeck-named options go through the library's one parser.
    for (name, value) in
        [("startTimeMs", &a.start_time_ms), ("endTimeMs", &a.end_time_ms), ("startDepth", &a.start_depth)]
    {
        if let Some(v) = value {
            options.apply_param(name, v)?;
        }
    }
    if let Some(p) = &a.palette {
        options.palette = p.parse()?;
    }
    for p in &a.params {
        let Some((name, value)) = p.split_once('=') else {
            return Err(Error::argument("param", format!("expected NAME=VALUE, got {p:?}")));
        };
        if !options.apply_param(name, value)? {
            return Err(Error::argument("param", format!("unknown render parameter {name:?}")));
        }
    }
    let group = load(&a.input)?;
    let bytes = if a.image.is_svg(&a.output) {
        flamekit::render_svg(&group, &options)?.into_bytes()
    } else {
        flamekit::render_png(&group, &options)?
    };
    write_output(&a.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
