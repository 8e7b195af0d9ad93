//! `flamekit render FILE -o OUT`: draw a flame graph as PNG or SVG. Only
//! fills in [`flamekit::RenderOptions`] and writes the bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flamekit::{Error, RenderOptions, Theme, View, ViewKind};

use crate::{load, write_output, InputArgs};

/// `flamekit render FILE -o OUT`
#[derive(clap::Args)]
pub struct RenderArgs {
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
}

/// Image options shared by `render` and `diff`.
#[derive(clap::Args)]
pub struct ImageArgs {
    /// Colour scheme of the image: `light` or `dark`.
    #[arg(long, default_value = "light")]
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
    pub fn options(&self) -> RenderOptions {
        RenderOptions { width: self.width, height: self.height, theme: self.theme, ..Default::default() }
    }

    /// Whether to write SVG to `output`: --svg, or a `.svg` name (any case).
    pub fn is_svg(&self, output: &Path) -> bool {
        self.svg || output.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    }
}

pub fn render(a: RenderArgs) -> Result<ExitCode, Error> {
    let view = View::new(a.view, a.frame)?;
    let options = RenderOptions {
        device_pixel_ratio: a.dpr,
        view,
        profile_index: a.profile,
        start: a.start,
        end: a.end,
        focus: a.focus,
        title: !a.no_title,
        ..a.image.options()
    };
    let group = load(&a.input)?;
    let bytes = if a.image.is_svg(&a.output) {
        flamekit::render_svg(&group, &options)?.into_bytes()
    } else {
        flamekit::render_png(&group, &options)?
    };
    write_output(&a.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
