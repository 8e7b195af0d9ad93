//! Flamedeck's render parameters (`/api/v1/render`, its AI snapshot tool):
//! one place that turns a parameter map into [`RenderOptions`].

use flamekit_core::{Error, Named, Result};

use crate::{Palette, RenderOptions, Theme};

/// Largest height, in CSS pixels, of an image whose `height` parameter is
/// omitted (the image is as tall as its rows need, up to this).
pub const AUTO_HEIGHT_CAP: u32 = 2000;

/// A positive whole number of pixels.
fn pixels(name: &'static str, v: &str) -> Result<u32> {
    match v.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::argument(name, format!("must be a positive whole number of pixels, got {v:?}"))),
    }
}

/// A finite number of milliseconds.
fn millis(name: &'static str, v: &str) -> Result<f64> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(Error::argument(name, format!("must be a finite number of milliseconds, got {v:?}"))),
    }
}

/// A row count.
fn depth(name: &'static str, v: &str) -> Result<usize> {
    v.trim()
        .parse::<usize>()
        .map_err(|_| Error::argument(name, format!("must be a whole number of rows (0 or more), got {v:?}")))
}

impl RenderOptions {
    /// Options from Flamedeck's render parameters, by their names there:
    ///
    /// | parameter | value | sets |
    /// |---|---|---|
    /// | `width` | positive integer | `width` |
    /// | `height` | positive integer; omitted: as tall as the rows need, at most [`AUTO_HEIGHT_CAP`] | `height`, `auto_height` |
    /// | `mode` | `light`, `dark` | `theme` |
    /// | `startTimeMs`, `endTimeMs` | milliseconds after the profile's start | `start_time_ms`, `end_time_ms` |
    /// | `startDepth` | rows to skip, `0` or more | `start_depth` |
    /// | `flamegraphThemeName` | `system`, `fire`, `peach`, `ice` | `palette` |
    ///
    /// Everything else keeps its default. An empty value counts as omitted;
    /// a later pair overrides an earlier one with the same name. A bad value
    /// or an unknown name is [`Error::InvalidArgument`] naming the parameter
    /// (`name` is the Flamedeck spelling; for an unknown one, `params`).
    /// Callers with parameters of their own use [`RenderOptions::apply_param`].
    ///
    /// ```
    /// use flamekit_render::{Palette, RenderOptions, Theme};
    ///
    /// let o = RenderOptions::from_params([("width", "800"), ("mode", "dark"), ("flamegraphThemeName", "fire")])?;
    /// assert_eq!((o.width, o.theme, o.palette, o.auto_height), (800, Theme::Dark, Palette::Fire, true));
    /// let e = RenderOptions::from_params([("startDepth", "-1")]).unwrap_err();
    /// assert_eq!((e.code(), e.to_string().contains("startDepth")), ("invalid_argument", true));
    /// # Ok::<(), flamekit_core::Error>(())
    /// ```
    pub fn from_params<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<RenderOptions> {
        let mut o = RenderOptions { height: AUTO_HEIGHT_CAP, auto_height: true, ..RenderOptions::default() };
        for (name, value) in params {
            if !o.apply_param(name, value)? {
                return Err(Error::argument(
                    "params",
                    format!(
                        "unknown render parameter {name:?}; expected width, height, mode, startTimeMs, endTimeMs, \
                         startDepth or flamegraphThemeName"
                    ),
                ));
            }
        }
        Ok(o)
    }

    /// Apply one of Flamedeck's render parameters (see
    /// [`RenderOptions::from_params`]). `Ok(false)` when `name` is not one of
    /// them (nothing changed); an error for a bad value. An empty `height`
    /// means "as tall as needed" up to [`AUTO_HEIGHT_CAP`]; other empty values restore the default.
    pub fn apply_param(&mut self, name: &str, value: &str) -> Result<bool> {
        let d = RenderOptions::default();
        let empty = value.trim().is_empty();
        match name {
            "width" => self.width = if empty { d.width } else { pixels("width", value)? },
            "height" => {
                (self.height, self.auto_height) =
                    if empty { (AUTO_HEIGHT_CAP, true) } else { (pixels("height", value)?, false) }
            }
            "mode" => self.theme = if empty { d.theme } else { Theme::parse_param("mode", value.trim())? },
            "startTimeMs" => self.start_time_ms = if empty { None } else { Some(millis("startTimeMs", value)?) },
            "endTimeMs" => self.end_time_ms = if empty { None } else { Some(millis("endTimeMs", value)?) },
            "startDepth" => self.start_depth = if empty { 0 } else { depth("startDepth", value)? },
            "flamegraphThemeName" => {
                self.palette =
                    if empty { d.palette } else { Palette::parse_param("flamegraphThemeName", value.trim())? }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_name(params: &[(&str, &str)]) -> &'static str {
        match RenderOptions::from_params(params.iter().copied()) {
            Err(Error::InvalidArgument { name, .. }) => name,
            other => panic!("{params:?}: {other:?}"),
        }
    }

    #[test]
    fn every_parameter() {
        let o = RenderOptions::from_params([
            ("width", "640"),
            ("height", "480"),
            ("mode", "dark"),
            ("startTimeMs", "12.5"),
            ("endTimeMs", "40"),
            ("startDepth", "7"),
            ("flamegraphThemeName", "ice"),
        ])
        .unwrap();
        let want = RenderOptions {
            width: 640,
            height: 480,
            theme: Theme::Dark,
            start_time_ms: Some(12.5),
            end_time_ms: Some(40.0),
            start_depth: 7,
            palette: Palette::Ice,
            ..RenderOptions::default()
        };
        assert_eq!(o, want);
        // Omitted height: automatic, capped.
        let o = RenderOptions::from_params([]).unwrap();
        assert_eq!((o.height, o.auto_height), (AUTO_HEIGHT_CAP, true));
        let o = RenderOptions::from_params([("height", "300"), ("height", "")]).unwrap();
        assert_eq!((o.height, o.auto_height), (AUTO_HEIGHT_CAP, true));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        assert_eq!(err_name(&[("width", "0")]), "width");
        assert_eq!(err_name(&[("width", "wide")]), "width");
        assert_eq!(err_name(&[("height", "-5")]), "height");
        assert_eq!(err_name(&[("mode", "sepia")]), "mode");
        assert_eq!(err_name(&[("startTimeMs", "soon")]), "startTimeMs");
        assert_eq!(err_name(&[("endTimeMs", "NaN")]), "endTimeMs");
        assert_eq!(err_name(&[("startDepth", "1.5")]), "startDepth");
        assert_eq!(err_name(&[("flamegraphThemeName", "lava")]), "flamegraphThemeName");
        assert_eq!(err_name(&[("colour", "red")]), "params");
        let mut o = RenderOptions::default();
        assert!(!o.apply_param("traceId", "abc").unwrap());
        assert_eq!(o, RenderOptions::default());
    }
}
