//! `flamekit mcp`: a Model Context Protocol server over stdio (official Rust
//! SDK, `rmcp`) with Flamedeck's three tools (same names, input schemas and
//! defaults) and flamekit's own. Tool bodies call the library; this module
//! resolves paths, caches loaded profiles and turns errors into MCP tool
//! errors carrying the stable code.

mod cache;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use base64::Engine as _;
use flamekit::{DeltaSort, DiffOptions, Error, Named, ProfileGroup, SortBy, SummaryOptions, TopOptions, View};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};
use serde_json::{json, Value};

use crate::service::{render_options_from_params, run_job};
use cache::Cache;

/// `flamekit mcp [--root DIR]...`
#[derive(clap::Args)]
pub(crate) struct McpArgs {
    /// Only read trace files under this directory (repeatable). Default: any readable file.
    #[arg(long = "root")]
    roots: Vec<PathBuf>,
    /// Most bytes of loaded profiles kept for later calls (least recently used
    /// out; the profile in use is kept even when larger).
    #[arg(long, default_value_t = 1 << 30)]
    cache_bytes: usize,
}

/// Render parameters accepted by the screenshot tools, passed by name to
/// [`render_options_from_params`].
const RENDER_PARAMS: &[&str] = &["width", "height", "mode", "startTimeMs", "endTimeMs", "startDepth"];

struct Server {
    roots: Vec<PathBuf>,
    cache: Cache,
}

#[derive(Clone)]
struct Handler(Arc<Server>);

pub(crate) fn mcp(a: McpArgs) -> Result<ExitCode, Error> {
    let mut roots = Vec::new();
    for r in &a.roots {
        roots.push(std::fs::canonicalize(r).map_err(|e| Error::Io { message: format!("{}: {e}", r.display()) })?);
    }
    let handler = Handler(Arc::new(Server { roots, cache: Cache::new(a.cache_bytes) }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io { message: format!("tokio runtime: {e}") })?;
    runtime.block_on(async move {
        let service = handler
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| Error::Io { message: format!("mcp initialize: {e}") })?;
        service.waiting().await.map_err(|e| Error::Internal { message: format!("mcp server: {e}") })?;
        Ok::<_, Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn schema(v: Value) -> Arc<JsonObject> {
    match v {
        Value::Object(m) => Arc::new(m),
        _ => Arc::new(JsonObject::new()),
    }
}

fn trace_prop() -> Value {
    json!({"type": "string", "description": "Path of the trace file (or a file:// URL)."})
}

fn render_props() -> serde_json::Map<String, Value> {
    let v = json!({
        "width": {"type": "number", "description": "Image width in pixels.", "default": 1200},
        "height": {"type": "number", "description": "Image height in pixels.", "default": 800},
        "startTimeMs": {"type": "number", "description": "Start of the time window, ms from the profile start."},
        "endTimeMs": {"type": "number", "description": "End of the time window, ms from the profile start."},
        "startDepth": {"type": "number", "description": "First stack depth shown: the outermost rows above it are skipped.", "default": 0},
        "mode": {"type": "string", "enum": ["light", "dark"], "default": "light", "description": "Colour mode."},
    });
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

fn tools() -> Vec<Tool> {
    let mut screenshot = render_props();
    screenshot.insert("trace".into(), trace_prop());
    let mut sandwich = render_props();
    sandwich.insert("trace".into(), trace_prop());
    sandwich.insert("frameName".into(), json!({"type": "string", "description": "Exact name of the function."}));
    vec![
        Tool::new(
            "get_top_functions",
            "List the functions with the most total (or self) time in a trace.",
            schema(json!({"type": "object", "required": ["trace"], "properties": {
                "trace": trace_prop(),
                "sortBy": {"type": "string", "enum": ["self", "total"], "default": "total"},
                "offset": {"type": "number", "default": 0},
                "limit": {"type": "number", "default": 15},
            }})),
        ),
        Tool::new(
            "generate_flamegraph_screenshot",
            "Render the trace's flame chart (time order) as a PNG image.",
            schema(json!({"type": "object", "required": ["trace"], "properties": screenshot})),
        ),
        Tool::new(
            "generate_sandwich_flamegraph_screenshot",
            "Render the callers and callees of one function (sandwich view) as a PNG image.",
            schema(json!({"type": "object", "required": ["trace", "frameName"], "properties": sandwich})),
        ),
        Tool::new(
            "get_trace_summary",
            "A plain-text summary of the trace (profiles, hottest functions and call paths), sized for a prompt.",
            schema(json!({"type": "object", "required": ["trace"], "properties": {
                "trace": trace_prop(),
                "maxChars": {"type": "number", "default": SummaryOptions::default().max_chars},
            }})),
        ),
        Tool::new(
            "list_profiles",
            "List the profiles (threads, event types) in a trace with unit, kind, sample count and total weight.",
            schema(json!({"type": "object", "required": ["trace"], "properties": {"trace": trace_prop()}})),
        ),
        Tool::new(
            "compare_traces",
            "Compare two traces: functions ranked by growth from before to after; a differential flame graph on request.",
            schema(json!({"type": "object", "required": ["before", "after"], "properties": {
                "before": trace_prop(),
                "after": trace_prop(),
                "sortBy": {"type": "string", "enum": ["self", "total", "absolute"], "default": "self"},
                "limit": {"type": "number", "default": 15},
                "image": {"type": "boolean", "default": false, "description": "Also return a differential flame graph PNG."},
            }})),
        ),
    ]
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("flamekit", env!("CARGO_PKG_VERSION")))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let server = Arc::clone(&self.0);
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        let joined = tokio::task::spawn_blocking(move || run_job(|| server.call(&name, &args))).await;
        let result = match joined {
            Ok(r) => r,
            Err(e) => Err(Error::Internal { message: format!("tool task failed: {e}") }),
        };
        Ok(match result {
            Ok(content) => CallToolResult::success(content),
            Err(e) => {
                let mut r = CallToolResult::error(vec![ContentBlock::text(format!("error [{}]: {e}", e.code()))]);
                r.structured_content = Some(json!({"code": e.code(), "message": e.to_string()}));
                r
            }
        }
        .into())
    }
}

/// A string argument.
fn str_arg<'a>(args: &'a JsonObject, name: &'static str) -> Result<Option<&'a str>, Error> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::argument(name, format!("expected a string, got {v}"))),
    }
}

/// A whole-number argument (JSON number or numeric string).
fn usize_arg(args: &JsonObject, name: &'static str, default: usize) -> Result<usize, Error> {
    let bad = |v: &Value| Error::argument(name, format!("expected a whole number, got {v}"));
    match args.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v @ Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => usize::try_from(u).map_err(|_| bad(v)),
            (None, Some(f)) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Ok(f as usize),
            _ => Err(bad(v)),
        },
        Some(v @ Value::String(s)) => s.parse().map_err(|_| bad(v)),
        Some(v) => Err(bad(v)),
    }
}

/// The render arguments as the (name, text) pairs the shared adapter reads.
fn render_pairs(args: &JsonObject) -> Vec<(&'static str, String)> {
    RENDER_PARAMS
        .iter()
        .filter_map(|&k| match args.get(k) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some((k, s.clone())),
            Some(v) => Some((k, v.to_string())),
        })
        .collect()
}

fn png_content(png: Vec<u8>) -> ContentBlock {
    ContentBlock::image(base64::engine::general_purpose::STANDARD.encode(png), "image/png")
}

impl Server {
    /// A `trace` argument: a path or `file://` URL, allowed by `--root`.
    fn resolve(&self, trace: &str) -> Result<PathBuf, Error> {
        let raw = match trace.strip_prefix("file://") {
            Some(rest) => {
                let rest = rest.strip_prefix("localhost").unwrap_or(rest);
                percent_encoding::percent_decode_str(rest).decode_utf8_lossy().into_owned()
            }
            None => trace.to_owned(),
        };
        let path = std::fs::canonicalize(Path::new(&raw)).map_err(|e| Error::Io { message: format!("{raw}: {e}") })?;
        if !self.roots.is_empty() && !self.roots.iter().any(|r| path.starts_with(r)) {
            return Err(Error::argument("trace", format!("{raw} is outside the allowed roots (--root)")));
        }
        Ok(path)
    }

    fn load(&self, args: &JsonObject, name: &'static str) -> Result<Arc<ProfileGroup>, Error> {
        let trace = str_arg(args, name)?.ok_or_else(|| Error::argument(name, "required"))?;
        self.cache.load(&self.resolve(trace)?)
    }

    fn call(&self, tool: &str, args: &JsonObject) -> Result<Vec<ContentBlock>, Error> {
        match tool {
            "get_top_functions" => self.top_functions(args),
            "generate_flamegraph_screenshot" => self.screenshot(args, None),
            "generate_sandwich_flamegraph_screenshot" => {
                let frame = str_arg(args, "frameName")?.ok_or_else(|| Error::argument("frameName", "required"))?;
                self.screenshot(args, Some(frame.to_owned()))
            }
            "get_trace_summary" => {
                let group = self.load(args, "trace")?;
                let d = SummaryOptions::default();
                let opts = SummaryOptions { max_chars: usize_arg(args, "maxChars", d.max_chars)?, ..d };
                Ok(vec![ContentBlock::text(flamekit::summarize(&group, &opts)?)])
            }
            "list_profiles" => {
                let group = self.load(args, "trace")?;
                let mut text = String::new();
                let _ = writeln!(text, "{} profile(s), format {}", group.profiles().len(), group.format());
                for (i, p) in group.profiles().iter().enumerate() {
                    let active = if i == group.active_profile_index() { " (active)" } else { "" };
                    let _ = writeln!(
                        text,
                        "{i}: {:?}{active} {} {}, {} sample(s), total {}",
                        p.name(),
                        if p.is_sampled() { "sampled" } else { "evented" },
                        p.unit(),
                        p.sample_count(),
                        flamekit::format_value(p.total_weight(), p.unit()),
                    );
                }
                Ok(vec![ContentBlock::text(text)])
            }
            "compare_traces" => self.compare(args),
            _ => Err(Error::argument("name", format!("no tool named {tool:?}"))),
        }
    }

    fn top_functions(&self, args: &JsonObject) -> Result<Vec<ContentBlock>, Error> {
        let group = self.load(args, "trace")?;
        let sort_by = SortBy::parse_param("sortBy", str_arg(args, "sortBy")?.unwrap_or("total"))?;
        let opts = TopOptions { sort_by, offset: usize_arg(args, "offset", 0)?, limit: usize_arg(args, "limit", 15)? };
        let index = group.active_profile_index();
        let rows = flamekit::top_functions(&group, index, &opts)?;
        let mut text = String::new();
        let p = group.profile(index)?;
        let _ = writeln!(
            text,
            "Top functions of profile {:?} by {} weight:",
            p.name(),
            if sort_by == flamekit::SortBy::Total { "total" } else { "self" }
        );
        for r in &rows {
            let loc = match (&r.file, r.line) {
                (Some(f), Some(l)) => format!(" ({f}:{l})"),
                (Some(f), None) => format!(" ({f})"),
                _ => String::new(),
            };
            let _ = writeln!(
                text,
                "{}. {}{loc} - total: {} ({:.1}%), self: {} ({:.1}%)",
                r.rank + 1,
                r.name,
                r.total_display,
                r.total_percent,
                r.self_display,
                r.self_percent
            );
        }
        if rows.is_empty() {
            let _ = writeln!(text, "(no functions in this range)");
        }
        Ok(vec![ContentBlock::text(text)])
    }

    fn screenshot(&self, args: &JsonObject, frame: Option<String>) -> Result<Vec<ContentBlock>, Error> {
        let group = self.load(args, "trace")?;
        let pairs = render_pairs(args);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut opts = render_options_from_params(&pairs)?;
        if let Some(frame) = frame {
            opts.view = View::Sandwich { frame };
        }
        Ok(vec![png_content(flamekit::render_png(&group, &opts)?)])
    }

    fn compare(&self, args: &JsonObject) -> Result<Vec<ContentBlock>, Error> {
        let before = self.load(args, "before")?;
        let after = self.load(args, "after")?;
        let sort = match str_arg(args, "sortBy")?.unwrap_or("self") {
            "self" => DeltaSort::SelfGrowth,
            "total" => DeltaSort::TotalGrowth,
            "absolute" => DeltaSort::SelfAbsolute,
            other => return Err(Error::argument("sortBy", format!("{other:?} is not one of: self, total, absolute"))),
        };
        let limit = usize_arg(args, "limit", 15)?;
        let image = match args.get("image") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => return Err(Error::argument("image", format!("expected true or false, got {v}"))),
        };
        let d = flamekit::diff(&before, &after, &DiffOptions::default())?;
        let unit = d.unit;
        let mut text = String::new();
        let _ = writeln!(
            text,
            "after {} vs before {}{}",
            flamekit::format_value(d.after_total, unit),
            flamekit::format_value(d.before_total, unit),
            if d.normalized { format!(" (before scaled x{:.4})", d.scale) } else { String::new() }
        );
        for (i, f) in d.top_by_delta(sort, 0, limit).iter().enumerate() {
            let _ = writeln!(
                text,
                "{}. {} - self {} -> {}, total {} -> {}",
                i + 1,
                f.name,
                flamekit::format_value(f.before_self, unit),
                flamekit::format_value(f.after_self, unit),
                flamekit::format_value(f.before_total, unit),
                flamekit::format_value(f.after_total, unit),
            );
        }
        let mut out = vec![ContentBlock::text(text)];
        if image {
            out.push(png_content(flamekit::render_diff_png(&d, &flamekit::RenderOptions::default())?));
        }
        Ok(out)
    }
}
