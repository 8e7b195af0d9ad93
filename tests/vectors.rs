//! The shared test vectors (tests/vectors/vectors.json) run against the Rust
//! facade. The Python, Node and UniFFI binding tests run the same file, the
//! same way, so every language must agree with the library. The expected
//! values are derived from the raw inputs (see the `derivation` of each case
//! and tests/vectors/derive.py).

mod common;

use std::path::PathBuf;

use flamekit::{Error, ImportOptions, ImportReport, IngestLimits, ProfileGroup};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vectors() -> Value {
    let p = root().join("tests/vectors/vectors.json");
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

fn input_path(inp: &Value) -> PathBuf {
    if let Some(c) = inp["corpus"].as_str() {
        match std::env::var_os("FLAMEKIT_CORPUS") {
            Some(dir) => PathBuf::from(dir).join(c),
            None => common::corpus_path(c),
        }
    } else if let Some(d) = inp["data"].as_str() {
        root().join("tests/data").join(d)
    } else {
        panic!("input has no path: {inp}")
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn input_bytes(inp: &Value) -> Vec<u8> {
    let mut data = if let Some(t) = inp["text"].as_str() {
        t.as_bytes().to_vec()
    } else if let Some(h) = inp["hex"].as_str() {
        hex(h)
    } else {
        std::fs::read(input_path(inp)).unwrap()
    };
    if let Some(r) = inp["replace"].as_array() {
        let (old, new) = (r[0].as_str().unwrap(), r[1].as_str().unwrap());
        let text = String::from_utf8(data).unwrap();
        assert!(text.contains(old), "replace: {old:?} does not occur in the input {inp}");
        data = text.replace(old, new).into_bytes();
    }
    if let Some(n) = inp["truncate"].as_u64() {
        data.truncate(n as usize);
    }
    data
}

fn limits(v: &Value) -> IngestLimits {
    let mut l = IngestLimits::default();
    if let Some(obj) = v.as_object() {
        for (k, v) in obj {
            let v = v.as_u64().unwrap();
            match k.as_str() {
                "max_input_bytes" => l.max_input_bytes = v,
                "max_inflated_bytes" => l.max_inflated_bytes = v,
                "max_frames" => l.max_frames = v,
                "max_samples" => l.max_samples = v,
                "max_stack_depth" => l.max_stack_depth = v,
                "max_profiles" => l.max_profiles = v,
                _ => panic!("unknown limit {k}"),
            }
        }
    }
    l
}

/// Load a case the way every binding's `load` does: a path through
/// `import_file`, bytes through `import_with` with the name hint as the name.
fn load(case: &Value) -> Result<(ProfileGroup, ImportReport), Error> {
    let hint = case["name_hint"].as_str().map(str::to_owned);
    let mut opts = ImportOptions { limits: limits(&case["limits"]), name: hint.clone(), ..Default::default() };
    let o = &case["import_options"];
    if let Some(s) = o["perf_weight"].as_str() {
        opts.perf_weight = s.parse()?;
    }
    if let Some(s) = o["firefox_frames"].as_str() {
        opts.firefox_frames = s.parse()?;
    }
    if let Some(s) = o["pmcstat_samples"].as_str() {
        opts.pmcstat_samples = s.parse()?;
    }
    if let Some(s) = o["papyrus_stacks"].as_str() {
        opts.papyrus_stacks = s.parse()?;
    }
    if let Some(n) = o["threads"].as_u64() {
        opts.threads = n as usize;
    }
    for m in o["source_maps"].as_array().into_iter().flatten() {
        let map = flamekit::SourceMapInput::new(m["name"].as_str().unwrap(), input_bytes(&m["input"]));
        opts.source_maps.push(match m["script"].as_str() {
            Some(url) => map.for_script(url),
            None => map,
        });
    }
    if case["load"].as_str() == Some("path") {
        flamekit::import_file(&input_path(&case["input"]), &opts)
    } else {
        flamekit::import_with(&input_bytes(&case["input"]), hint.as_deref(), &opts)
    }
}

fn check_expect(id: &str, g: &ProfileGroup, exp: &Value) {
    assert_eq!(g.format(), exp["profile_type"].as_str().unwrap(), "{id}: profile_type");
    if let Some(n) = exp["name"].as_str() {
        assert_eq!(g.name(), n, "{id}: name");
    }
    if let Some(names) = exp["profile_names"].as_array() {
        let got: Vec<&str> = g.profiles().iter().map(|p| p.name()).collect();
        let want: Vec<&str> = names.iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(got, want, "{id}: profile names");
    }
    if let Some(n) = exp["profile_count"].as_u64() {
        assert_eq!(g.profiles().len() as u64, n, "{id}: profile count");
    }
    if let Some(i) = exp["active_profile_index"].as_u64() {
        assert_eq!(g.active_profile_index() as u64, i, "{id}: active profile");
    }
    if let Some(n) = exp["frame_count"].as_u64() {
        assert_eq!(g.frames().len() as u64, n, "{id}: frame count");
    }
    if exp.get("duration_ms").is_some() {
        assert_eq!(g.duration_ms(), exp["duration_ms"].as_f64(), "{id}: duration_ms");
    }
    for ep in exp["profiles"].as_array().unwrap() {
        let i = ep["index"].as_u64().unwrap() as usize;
        let p = &g.profiles()[i];
        if let Some(u) = ep["unit"].as_str() {
            assert_eq!(p.unit().as_str(), u, "{id}[{i}]: unit");
        }
        if let Some(k) = ep["kind"].as_str() {
            assert_eq!(if p.is_sampled() { "sampled" } else { "evented" }, k, "{id}[{i}]: kind");
        }
        if let Some(n) = ep["sample_count"].as_u64() {
            assert_eq!(p.sample_count() as u64, n, "{id}[{i}]: sample count");
        }
        if let Some(w) = ep["total_weight"].as_f64() {
            common::assert_close(p.total_weight(), w);
        }
        let names: Vec<&str> = g.frames().iter().map(|f| f.name.as_str()).collect();
        for (key, present) in [("names_present", true), ("names_absent", false)] {
            for name in ep[key].as_array().into_iter().flatten() {
                assert_eq!(names.contains(&name.as_str().unwrap()), present, "{id}[{i}]: {key} {name}");
            }
        }
        let fw = p.frame_weights(g.frames().len());
        let present: Vec<usize> = (0..g.frames().len()).filter(|&f| fw.present[f]).collect();
        let frames = ep["frames"].as_object().unwrap();
        for (name, sw) in frames {
            let ids: Vec<usize> = present.iter().copied().filter(|&f| g.frames()[f].name == *name).collect();
            assert_eq!(ids.len(), 1, "{id}[{i}]: frame {name} present {} times", ids.len());
            let (s, t) = (sw[0].as_f64().unwrap(), sw[1].as_f64().unwrap());
            assert_eq!((fw.self_weight[ids[0]], fw.total_weight[ids[0]]), (s, t), "{id}[{i}]: frame {name}");
        }
        if ep["frames_exact"].as_bool() == Some(true) {
            assert_eq!(present.len(), frames.len(), "{id}[{i}]: other frames present");
        }
        for (key, sort_by) in [("top_by_self", flamekit::SortBy::Self_), ("top_by_total", flamekit::SortBy::Total)] {
            if let Some(want) = ep[key].as_array() {
                let opts = flamekit::TopOptions { sort_by, offset: 0, limit: 100 };
                let rows = flamekit::top_functions(g, i, &opts).unwrap();
                let got: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
                let want: Vec<&str> = want.iter().map(|n| n.as_str().unwrap()).collect();
                assert_eq!(got, want, "{id}[{i}]: {key}");
            }
        }
    }
}

#[test]
fn import_vectors() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        match (load(case), case["error"].as_str()) {
            (Ok((g, _)), None) => check_expect(id, &g, &case["expect"]),
            (Err(e), Some(code)) => {
                assert_eq!(e.code(), code, "{id}: {e}");
                if let Some(arg) = case["error_argument"].as_str() {
                    assert!(matches!(e, Error::InvalidArgument { name, .. } if name == arg), "{id}: {e}");
                }
                if let Some(limit) = case["error_limit"].as_str() {
                    match e {
                        Error::LimitExceeded { limit: l, .. } => assert_eq!(l.as_str(), limit, "{id}"),
                        other => panic!("{id}: {other}"),
                    }
                }
            }
            (Ok(_), Some(code)) => panic!("{id}: loaded, expected error {code}"),
            (Err(e), None) => panic!("{id}: {e}"),
        }
    }
}

/// Render options from a vectors.json object: the typed options by their
/// snake_case names, then `params` (Flamedeck's render parameters).
fn render_options(args: &Value) -> Result<flamekit::RenderOptions, Error> {
    let d = flamekit::RenderOptions::default();
    let f = |key: &str| args[key].as_f64();
    let mut o = flamekit::RenderOptions {
        width: f("width").map_or(d.width, |w| w as u32),
        height: f("height").map_or(d.height, |h| h as u32),
        theme: flamekit::theme_from_name(args["theme"].as_str().unwrap_or("light"))?,
        view: flamekit::view_from_name(
            args["view"].as_str().unwrap_or("time_order"),
            args["frame"].as_str().map(str::to_owned),
        )?,
        profile_index: args["profile"].as_u64().map(|p| p as usize),
        start: f("start"),
        end: f("end"),
        start_time_ms: f("start_time_ms"),
        end_time_ms: f("end_time_ms"),
        start_depth: args["start_depth"].as_u64().map_or(d.start_depth, |k| k as usize),
        palette: args["palette"].as_str().map_or(Ok(d.palette), str::parse)?,
        ..d
    };
    for (name, value) in args["params"].as_object().into_iter().flatten() {
        if !o.apply_param(name, value.as_str().unwrap())? {
            return Err(Error::argument("params", format!("unknown render parameter {name:?}")));
        }
    }
    Ok(o)
}

#[test]
fn op_error_vectors() {
    let v = vectors();
    for case in v["op_errors"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (g, _) = load(case).unwrap();
        let args = &case["args"];
        let err = match case["op"].as_str().unwrap() {
            "frame_weights" => g.profile(args["profile"].as_u64().unwrap() as usize).map(|_| ()).unwrap_err(),
            "render_png" => render_options(args).and_then(|o| flamekit::render_png(&g, &o)).map(|_| ()).unwrap_err(),
            op => panic!("{id}: unknown op {op}"),
        };
        assert_eq!(err.code(), case["error"].as_str().unwrap(), "{id}: {err}");
        if let Some(arg) = case["error_argument"].as_str() {
            assert!(matches!(err, Error::InvalidArgument { name, .. } if name == arg), "{id}: {err}");
        }
    }
}

#[test]
fn render_param_vectors() {
    let v = vectors();
    for case in v["render_params"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (g, _) = load(case).unwrap();
        let png = |args: &Value| flamekit::render_png(&g, &render_options(args).unwrap()).unwrap();
        let with = |extra: &Value| {
            let mut args = case["base"].clone();
            args.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            args
        };
        let typed = png(&with(&case["options"]));
        assert_eq!(typed, png(&serde_json::json!({ "params": case["params"] })), "{id}: params = typed options");
        let size = [
            u32::from_be_bytes(typed[16..20].try_into().unwrap()),
            u32::from_be_bytes(typed[20..24].try_into().unwrap()),
        ];
        assert_eq!(serde_json::json!(size), case["size"], "{id}: size");
        let base = png(&case["base"]);
        for (key, value) in case["options"].as_object().unwrap() {
            assert_ne!(png(&with(&serde_json::json!({ key: value }))), base, "{id}: {key} changes nothing");
        }
    }
}

#[test]
fn render_vectors() {
    let v = vectors();
    for case in v["renders"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (g, _) = load(case).unwrap();
        let png = flamekit::render_png(&g, &render_options(&case["options"]).unwrap()).unwrap();
        let hash: String = Sha256::digest(&png).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, case["png_sha256"].as_str().unwrap(), "{id}");
    }
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

#[test]
fn upload_check_vectors() {
    let v = vectors();
    for case in v["upload_checks"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (p, i, e) = (&case["policy"], &case["info"], &case["expect"]);
        let mut policy = flamekit::UploadPolicy::default();
        if let Some(m) = p.get("max_bytes") {
            policy.max_bytes = m.as_u64();
        }
        policy.allowed_content_types = strings(&p["allowed_content_types"]);
        policy.allowed_extensions = strings(&p["allowed_extensions"]);
        policy.max_duration_ms = p["max_duration_ms"].as_u64();
        let info = flamekit::UploadInfo {
            size_bytes: i["size_bytes"].as_u64().unwrap_or(0),
            content_type: opt_str(&i["content_type"]),
            file_name: opt_str(&i["file_name"]),
            duration_ms: i["duration_ms"].as_f64(),
        };
        let verdict = match case.get("data") {
            Some(d) => flamekit::check_upload_bytes(&policy, &info, &input_bytes(d)),
            None => flamekit::check_upload(&policy, &info),
        };
        assert_eq!(verdict.is_allowed(), e["allowed"].as_bool().unwrap(), "{id}: {}", verdict.to_json());
        assert_eq!(verdict.code().map(|c| c.as_str()), e["code"].as_str(), "{id}");
        if let flamekit::Verdict::Deny { limit, actual, .. } = &verdict {
            if e.get("limit").is_some() {
                assert_eq!((*limit, *actual), (e["limit"].as_u64(), e["actual"].as_u64()), "{id}");
            }
        }
    }
}

#[test]
fn chat_check_vectors() {
    let v = vectors();
    for case in v["chat_checks"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let (p, u, e) = (&case["plan"], &case["usage"], &case["expect"]);
        let plan = flamekit::ChatPlan {
            messages_per_session: p["messages_per_session"].as_u64().map(|x| x as u32),
            sessions_limit: p["sessions_limit"].as_u64().map(|x| x as u32),
            sessions_period: match p["sessions_period"].as_str() {
                Some("monthly") => flamekit::SessionsPeriod::Monthly,
                _ => flamekit::SessionsPeriod::Lifetime,
            },
        };
        let n = |k: &str| u[k].as_u64().unwrap_or(0) as u32;
        let usage = flamekit::ChatUsage {
            session_messages: n("session_messages"),
            lifetime_sessions: n("lifetime_sessions"),
            monthly_sessions: n("monthly_sessions"),
            period_start: u["period_start"].as_i64().unwrap_or(0),
            period_anchor: u["period_anchor"].as_i64(),
        };
        let verdict = match case["op"].as_str().unwrap() {
            "message" => flamekit::may_send_message(&plan, &usage),
            "session" => flamekit::may_start_session(&plan, &usage, case["now"].as_i64().unwrap()),
            op => panic!("{id}: unknown op {op}"),
        };
        assert_eq!(verdict.is_allowed(), e["allowed"].as_bool().unwrap(), "{id}: {}", verdict.to_json());
        match &verdict {
            flamekit::ChatVerdict::Allow { reset, increment, period_start } => {
                let names = |v: &[flamekit::ChatLimitType]| -> Vec<String> {
                    v.iter().map(|c| c.as_str().to_owned()).collect()
                };
                if e.get("reset").is_some() {
                    assert_eq!(names(reset), strings(&e["reset"]), "{id}");
                }
                if e.get("increment").is_some() {
                    assert_eq!(names(increment), strings(&e["increment"]), "{id}");
                }
                if let Some(ps) = e["period_start"].as_i64() {
                    assert_eq!(*period_start, ps, "{id}");
                }
            }
            flamekit::ChatVerdict::Deny { limit_type, limit, actual, resets_at, .. } => {
                assert_eq!(limit_type.as_str(), e["limit_type"].as_str().unwrap(), "{id}");
                assert_eq!(Some(*limit as u64), e["limit"].as_u64(), "{id}");
                assert_eq!(Some(*actual as u64), e["actual"].as_u64(), "{id}");
                assert_eq!(*resets_at, e["resets_at"].as_i64(), "{id}");
            }
        }
        if let Some(after) = e["usage_after"].as_object() {
            let got = serde_json::to_value(verdict.apply(&usage)).unwrap();
            for (k, want) in after {
                assert_eq!(&got[k], want, "{id}: usage_after.{k}");
            }
        }
    }
}

fn load_input(inp: &Value) -> ProfileGroup {
    flamekit::import_with(&input_bytes(inp), None, &ImportOptions::default()).unwrap().0
}

#[test]
fn diff_vectors() {
    let v = vectors();
    let cases = v["diffs"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let (before, after) = (load_input(&case["before"]), load_input(&case["after"]));
        let o = &case["options"];
        let opts = flamekit::DiffOptions {
            before_profile: o["before_profile"].as_u64().map(|p| p as usize),
            after_profile: o["after_profile"].as_u64().map(|p| p as usize),
            normalize: o["normalize"].as_bool().unwrap_or(true),
        };
        let d = flamekit::diff(&before, &after, &opts).unwrap();
        let e = &case["expect"];
        assert_eq!(d.is_zero(), e["is_zero"].as_bool().unwrap(), "{id}: is_zero");
        if let Some(n) = e["normalized"].as_bool() {
            assert_eq!(d.normalized, n, "{id}: normalized");
        }
        if let Some(u) = e["unit"].as_str() {
            assert_eq!(d.unit.as_str(), u, "{id}: unit");
        }
        for (key, got) in [("scale", d.scale), ("before_total", d.before_total), ("after_total", d.after_total)] {
            if let Some(want) = e[key].as_f64() {
                assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{id}: {key} {got} != {want}");
            }
        }
        if let Some(funcs) = e["functions"].as_object() {
            assert_eq!(d.functions.len(), funcs.len(), "{id}: function count");
            for (name, w) in funcs {
                let f = d.functions.iter().find(|f| f.name == *name).unwrap_or_else(|| panic!("{id}: no {name}"));
                let got = [f.before_self, f.after_self, f.before_total, f.after_total];
                for (g, want) in got.iter().zip(w.as_array().unwrap()) {
                    let want = want.as_f64().unwrap();
                    assert!((g - want).abs() <= 1e-9 * want.abs().max(1.0), "{id}: {name} {got:?} != {w}");
                }
            }
        }
        for (key, sort) in
            [("top_self", flamekit::DeltaSort::SelfGrowth), ("top_total", flamekit::DeltaSort::TotalGrowth)]
        {
            if let Some(want) = e[key].as_array() {
                let got: Vec<&str> = d.top_by_delta(sort, 0, 100).iter().map(|f| f.name.as_str()).collect();
                let want: Vec<&str> = want.iter().map(|n| n.as_str().unwrap()).collect();
                assert_eq!(got, want, "{id}: {key}");
            }
        }
        if let Some(hash) = case["png_sha256"].as_str() {
            let png = flamekit::render_diff_png(&d, &render_options(&case["render"]).unwrap()).unwrap();
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{id}: PNG signature");
            let got: String = Sha256::digest(&png).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(got, hash, "{id}: png_sha256");
        }
    }
}

#[test]
fn report_vectors() {
    let v = vectors();
    let cases = v["reports"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let (_, r) = load(case).unwrap();
        let e = &case["expect"];
        assert_eq!(r.format, e["format"].as_str().unwrap(), "{id}: format");
        assert_eq!(r.warning_count, e["warning_count"].as_u64().unwrap(), "{id}: warning_count");
        let skipped: serde_json::Map<String, Value> =
            r.skipped.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
        assert_eq!(&Value::Object(skipped), &e["skipped"], "{id}: skipped");
        let want = e["warnings"].as_array().unwrap();
        assert!(r.warnings.len() >= want.len(), "{id}: warnings");
        for (w, d) in want.iter().zip(&r.warnings) {
            assert_eq!(d.code, w["code"].as_str().unwrap(), "{id}: warning code");
            assert_eq!(d.location.to_string(), w["location"].as_str().unwrap(), "{id}: warning location");
        }
    }
}
