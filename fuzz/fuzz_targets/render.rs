#![no_main]
//! Random small profiles (the input's tail, imported by detection: collapsed
//! stacks, speedscope JSON, ...) rendered with options taken from the first
//! bytes. Rendering must give a PNG/SVG or a typed error, never panic.

use flamekit::{ImportOptions, Palette, RenderOptions, Theme, View};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (head, body) = data.split_at(8);
    let opts = ImportOptions { limits: flamekit_fuzz::harness::limits(), ..Default::default() };
    let Ok((group, _)) = flamekit::import_with(body, None, &opts) else { return };
    let frame = group.frames().get(head[3] as usize % group.frames().len().max(1)).map(|f| f.name.clone());
    let view = match head[2] % 3 {
        0 => View::TimeOrder,
        1 => View::LeftHeavy,
        _ => View::Sandwich { frame: frame.clone().unwrap_or_default() },
    };
    let zoom = |b: u8| (b > 200).then(|| (b as f64 - 220.0) * 3.5);
    let ro = RenderOptions {
        width: 1 + head[0] as u32 * 2,
        height: 1 + head[1] as u32,
        device_pixel_ratio: [1.0, 0.5, 2.0, 0.25][(head[4] % 4) as usize],
        theme: if head[4] & 4 != 0 { Theme::Dark } else { Theme::Light },
        view,
        profile_index: (head[5] > 240).then_some((head[5] - 240) as usize),
        start: zoom(head[6]),
        end: zoom(head[7]),
        focus: if head[5] & 1 == 1 { frame } else { None },
        title: head[5] & 2 == 0,
        axes: head[5] & 4 == 0,
        palette: Palette::ALL[(head[3] % 4) as usize],
        // Mostly a few rows; at times far past any profile's depth.
        start_depth: match head[2] / 3 % 11 {
            8 => usize::MAX,
            9 => 1 << 63,
            10 => 1 << 32,
            d => d as usize,
        },
        start_time_ms: (head[6] > 230).then(|| (head[6] - 230) as f64),
        ..Default::default()
    };
    match flamekit::render_png(&group, &ro) {
        Ok(png) => assert!(png.starts_with(b"\x89PNG")),
        Err(e) => assert!(flamekit::Error::CODES.contains(&e.code())),
    }
    if let Ok(svg) = flamekit::render_svg(&group, &ro) {
        assert!(svg.contains("<svg"));
    }
});
