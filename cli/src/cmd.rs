//! Subcommands. Each fills in library options and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use flamekit::Error;

use crate::{load, read_input, write_output, write_output_with, InputArgs};

/// `flamekit dump FILE`
#[derive(clap::Args)]
pub(crate) struct DumpArgs {
    #[command(flatten)]
    input: InputArgs,
}

pub(crate) fn dump(a: DumpArgs) -> Result<ExitCode, Error> {
    let group = load(&a.input)?;
    // Bounded as the in-memory dump is; then written as it is made.
    flamekit::check_dump(&group)?;
    write_output_with(&PathBuf::from("-"), |w| flamekit::dump_json(&group, w))?;
    Ok(ExitCode::SUCCESS)
}

/// `flamekit convert FILE -o OUT`
#[derive(clap::Args)]
pub(crate) struct ConvertArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output path; ends in `.gz` for gzip; `-` for stdout.
    #[arg(short, long, default_value = "-")]
    output: PathBuf,
    /// gzip the output even when the name does not end in `.gz`.
    #[arg(long)]
    gzip: bool,
}

pub(crate) fn convert(a: ConvertArgs) -> Result<ExitCode, Error> {
    let group = load(&a.input)?;
    let gz = a.gzip || a.output.extension().is_some_and(|e| e == "gz");
    if gz {
        write_output(&a.output, &flamekit::to_speedscope_gzip(&group)?)?;
    } else {
        // Bounded as the in-memory exports are; then written as it is
        // made: the JSON of a large profile is several times the profile.
        flamekit::check_speedscope_export(&group)?;
        write_output_with(&a.output, |w| flamekit::write_speedscope_json(&group, w))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `flamekit detect FILE`
#[derive(clap::Args)]
pub(crate) struct DetectArgs {
    /// Input file (`-` for stdin).
    file: PathBuf,
}

pub(crate) fn detect(a: DetectArgs) -> Result<ExitCode, Error> {
    let bytes = read_input(&a.file, flamekit::IngestLimits::default().max_input_bytes)?;
    let hint = a.file.file_name().map(|n| n.to_string_lossy().into_owned());
    let f = flamekit::detect(&bytes, hint.as_deref())?;
    crate::print_stdout(format!("{f}\n").as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
