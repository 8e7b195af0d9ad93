//! `flamekit render FILE -o OUT`: draw a flame graph as PNG or SVG. Only
//! fills in [`flamekit::RenderOptions`] and writes the bytes.

use std::path::PathBuf;
use std::process::ExitCode;

use flamekit::{Error, RenderOptions, Theme, View};

use crate::{load, write_output, InputArgs};

/// Colour scheme.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ThemeArg {
    /// White background.
    Light,
    /// Dark background.
    Dark,
}

/// What to draw.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ViewArg {
    /// Flame chart: calls in time order.
    TimeOrder,
    /// Merged flame graph, heaviest paths first.
    LeftHeavy,
    /// Callers above and callees below the function given with --frame.
    Sandwich,
}

/// `flamekit render FILE -o OUT`
#[derive(clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output path (`-` for stdout). Written as SVG with --svg or a `.svg` name, else PNG.
    #[arg(short, long)]
    output: PathBuf,
    /// Colour scheme.
    #[arg(long, value_enum, default_value = "light")]
    theme: ThemeArg,
    /// Width in CSS pixels.
    #[arg(long, default_value_t = 1200)]
    width: u32,
    /// Height in CSS pixels.
    #[arg(long, default_value_t = 800)]
    height: u32,
    /// Device pixel ratio (2 for a sharp image on high-density screens).
    #[arg(long, default_value_t = 1.0)]
    dpr: f64,
    /// Which view to draw.
    #[arg(long, value_enum, default_value = "time-order")]
    view: ViewArg,
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
    /// Write SVG instead of PNG.
    #[arg(long)]
    svg: bool,
    /// Leave out the title strip.
    #[arg(long)]
    no_title: bool,
}

/// The library theme for a `--theme` value.
pub fn theme(t: ThemeArg) -> Theme {
    match t {
        ThemeArg::Light => Theme::Light,
        ThemeArg::Dark => Theme::Dark,
    }
}

pub fn render(a: RenderArgs) -> Result<ExitCode, Error> {
    let view = match (a.view, a.frame) {
        (ViewArg::Sandwich, Some(frame)) => View::Sandwich { frame },
        (ViewArg::Sandwich, None) => {
            return Err(Error::argument("frame", "--view sandwich needs --frame NAME"));
        }
        (_, Some(_)) => return Err(Error::argument("frame", "--frame is only used with --view sandwich")),
        (ViewArg::TimeOrder, None) => View::TimeOrder,
        (ViewArg::LeftHeavy, None) => View::LeftHeavy,
    };
    let options = RenderOptions {
        width: a.width,
        height: a.height,
        device_pixel_ratio: a.dpr,
        theme: theme(a.theme),
        view,
        profile_index: a.profile,
        start: a.start,
        end: a.end,
        focus: a.focus,
        title: !a.no_title,
    };
    let group = load(&a.input)?;
    let svg = a.svg || a.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let bytes = if svg {
        flamekit::render_svg(&group, &options)?.into_bytes()
    } else {
        flamekit::render_png(&group, &options)?
    };
    write_output(&a.output, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
