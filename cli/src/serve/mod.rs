//! `flamekit serve`: an HTTP render/ingest service (a drop-in for Flamedeck's
//! flamechart-server routes) on tokio + axum. Every answer comes from the
//! library; this module only moves bytes: authentication, body limits,
//! admission control, a bounded blocking pool for the CPU work, timeouts,
//! error statuses and metrics.

mod errors;
mod metrics;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use flamekit::{Error, IngestLimits, Named, SortBy, SummaryOptions, TopOptions, UploadInfo, UploadPolicy, View};
use http_body_util::BodyExt;
use tokio::sync::Semaphore;

use crate::service::{import_bytes, import_summary_json, render_options_from_params, run_job};
use errors::ApiError;
use metrics::Metrics;

/// `flamekit serve [--listen ADDR]`
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0: any free port; the bound address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Name of the environment variable holding the shared secret. Every route
    /// but /healthz then needs `Authorization: Bearer SECRET` or `x-internal-auth-token: SECRET`.
    #[arg(long)]
    token_env: Option<String>,
    /// Allow listening beyond loopback without a token.
    #[arg(long)]
    insecure: bool,
    /// Largest accepted request body in bytes (as sent, before gunzip).
    #[arg(long, default_value_t = 10 << 20)]
    max_body_bytes: u64,
    /// Largest decompressed size of a gzip/zip body, in bytes.
    #[arg(long, default_value_t = 256 << 20)]
    max_inflated_bytes: u64,
    /// Seconds a request may take, queueing included.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// Requests worked on at once (default: the number of CPU cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Requests allowed to wait for a worker; beyond that the answer is 503 `overloaded`.
    #[arg(long, default_value_t = 64)]
    max_queue: usize,
    /// Threads each import may use: `auto` (the cores shared among the
    /// requests being worked on: a lone request reads on every core, two on
    /// two cores one each), `0` every core for each import (the library
    /// default), `1` one thread per request. The result is the same for any value.
    #[arg(long, default_value = "auto", value_name = "N|auto", value_parser = import_threads)]
    import_threads: ImportThreads,
}

/// `--import-threads`: a number of threads for every import, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ImportThreads {
    /// The cores shared among the requests being worked on ([`ImportThreads::for_import`]).
    Auto,
    /// [`flamekit::ImportOptions::threads`] of every import.
    Fixed(usize),
}

/// Parse `--import-threads`: `auto` or a whole number.
fn import_threads(s: &str) -> Result<ImportThreads, String> {
    match s {
        "auto" => Ok(ImportThreads::Auto),
        n => n.parse().map(ImportThreads::Fixed).map_err(|_| format!("{n:?} is neither `auto` nor a whole number")),
    }
}

impl ImportThreads {
    /// The threads of an import while `busy` requests (this one included)
    /// are worked on, on a machine of `cores` cores.
    fn for_import(self, cores: usize, busy: usize) -> usize {
        match self {
            ImportThreads::Fixed(n) => n,
            ImportThreads::Auto => (cores / busy.max(1)).max(1),
        }
    }
}

/// One server's configuration and counters. Nothing about a request outlives it.
struct App {
    token: Option<Vec<u8>>,
    max_body: u64,
    limits: IngestLimits,
    /// Threads of each import ([`ImportThreads::for_import`]).
    import_threads: ImportThreads,
    /// The machine's cores ([`flamekit::available_cores`]).
    cores: usize,
    /// Size of `work`: requests worked on at once.
    workers: usize,
    timeout: Duration,
    /// Requests admitted (working or queued); holds their bodies' memory bound.
    admit: Semaphore,
    /// Requests working; sized to the cores.
    work: Arc<Semaphore>,
    metrics: Metrics,
}

/// A successful answer of a job.
struct Reply {
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(v: &serde_json::Value) -> Reply {
        Reply { content_type: "application/json", body: v.to_string().into_bytes(), headers: Vec::new() }
    }
}

/// A request's inputs, handed to the blocking pool.
struct Req {
    params: Vec<(String, String)>,
    content_type: Option<String>,
    /// The request body as received (not copied).
    body: axum::body::Bytes,
}

impl Req {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn pairs(&self) -> Vec<(&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    fn usize_param(&self, name: &'static str, default: usize) -> Result<usize, Error> {
        match self.param(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| Error::argument(name, format!("{v:?} is not a whole number"))),
        }
    }
}

type Job = fn(&App, &Req) -> Result<Reply, Error>;

pub(crate) fn serve(a: ServeArgs) -> Result<ExitCode, Error> {
    let token = match &a.token_env {
        Some(name) => match std::env::var(name) {
            Ok(t) if !t.is_empty() => Some(t.into_bytes()),
            _ => return Err(Error::argument("token-env", format!("environment variable {name} is unset or empty"))),
        },
        None => None,
    };
    if token.is_none() && !a.listen.ip().is_loopback() && !a.insecure {
        return Err(Error::argument(
            "listen",
            format!("{} is beyond loopback: set --token-env (or pass --insecure)", a.listen),
        ));
    }
    let workers = a.workers.unwrap_or_else(flamekit::available_cores).max(1);
    let app = Arc::new(App {
        token,
        max_body: a.max_body_bytes,
        limits: IngestLimits {
            max_input_bytes: a.max_body_bytes,
            max_inflated_bytes: a.max_inflated_bytes,
            ..IngestLimits::default()
        },
        import_threads: a.import_threads,
        cores: flamekit::available_cores(),
        workers,
        timeout: Duration::from_secs(a.timeout_secs),
        admit: Semaphore::new(workers.saturating_add(a.max_queue)),
        work: Arc::new(Semaphore::new(workers)),
        metrics: Metrics::default(),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(workers)
        .build()
        .map_err(|e| Error::Io { message: format!("tokio runtime: {e}") })?;
    runtime.block_on(run(app, a.listen))?;
    Ok(ExitCode::SUCCESS)
}

async fn run(app: Arc<App>, listen: SocketAddr) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::Io { message: format!("cannot listen on {listen}: {e}") })?;
    let local = listener.local_addr()?;
    eprintln!("flamekit serve: listening on http://{local}");
    let router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics_route))
        .route("/api/v1/render", post(render))
        .route("/api/v1/render-sandwich", post(render_sandwich))
        .route("/api/v1/import", post(import))
        .route("/api/v1/top", post(top))
        .route("/api/v1/summary", post(summary))
        .route("/api/v1/check", post(check))
        .fallback(not_found)
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| Error::Io { message: format!("server: {e}") })?;
    eprintln!("flamekit serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Whether the request carries the shared secret (always true without one).
fn authorized(app: &App, headers: &HeaderMap) -> bool {
    use subtle::ConstantTimeEq;
    let Some(token) = &app.token else { return true };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .and_then(|v| (v.len() > 7 && v[..7].eq_ignore_ascii_case(b"bearer ")).then(|| &v[7..]))
        .is_some_and(|t| bool::from(t.ct_eq(token)));
    let internal = headers.get("x-internal-auth-token").is_some_and(|v| bool::from(v.as_bytes().ct_eq(token)));
    bearer || internal
}

async fn metrics_route(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !authorized(&app, &headers) {
        return ApiError::transport("unauthorized", "missing or wrong token").into_response();
    }
    let mut r = Response::new(Body::from(app.metrics.render()));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let e = if authorized(&app, &headers) {
        ApiError::transport("not_found", "no such route")
    } else {
        ApiError::transport("unauthorized", "missing or wrong token")
    };
    app.metrics.record("other", e.status().as_u16(), Some(e.code), Duration::ZERO);
    e.into_response()
}

macro_rules! route {
    ($name:ident, $path:literal, $job:expr) => {
        async fn $name(State(app): State<Arc<App>>, RawQuery(q): RawQuery, headers: HeaderMap, body: Body) -> Response {
            handle(app, $path, q, headers, body, $job).await
        }
    };
}

route!(render, "/api/v1/render", job_render);
route!(render_sandwich, "/api/v1/render-sandwich", job_render_sandwich);
route!(import, "/api/v1/import", job_import);
route!(top, "/api/v1/top", job_top);
route!(summary, "/api/v1/summary", job_summary);
route!(check, "/api/v1/check", job_check);

/// Every POST route: authenticate, admit, read the body under the limit, run
/// the job on the blocking pool under the timeout, answer and count.
async fn handle(
    app: Arc<App>,
    route: &'static str,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
    job: Job,
) -> Response {
    let started = Instant::now();
    let result = handle_inner(&app, query, &headers, body, job).await;
    let (response, code) = match result {
        Ok(reply) => {
            let mut b = Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, reply.content_type);
            for (k, v) in reply.headers {
                b = b.header(k, v);
            }
            (b.body(Body::from(reply.body)).unwrap_or_else(|_| Response::new(Body::empty())), None)
        }
        Err(e) => {
            let code = e.code;
            (e.into_response(), Some(code))
        }
    };
    app.metrics.record(route, response.status().as_u16(), code, started.elapsed());
    response
}

async fn handle_inner(
    app: &Arc<App>,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
    job: Job,
) -> Result<Reply, ApiError> {
    if !authorized(app, headers) {
        return Err(ApiError::transport("unauthorized", "missing or wrong token"));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/")) {
        return Err(ApiError::transport(
            "unsupported_media_type",
            "send the profile as the raw request body (text/plain, application/octet-stream or gzip), not a form",
        ));
    }
    let too_large = || ApiError::transport("payload_too_large", format!("request body over {} bytes", app.max_body));
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.max_body) {
        return Err(too_large());
    }
    // Admission before reading the body: waiting requests hold at most
    // (workers + max_queue) bodies.
    let _admitted = app
        .admit
        .try_acquire()
        .map_err(|_| ApiError::transport("overloaded", "too many requests in progress; retry later"))?;
    let limit = usize::try_from(app.max_body).unwrap_or(usize::MAX);
    let work = async {
        let bytes = match http_body_util::Limited::new(body, limit).collect().await {
            Ok(c) => c.to_bytes(),
            Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => return Err(too_large()),
            Err(e) => return Err(ApiError::transport("payload_too_large", format!("reading the body failed: {e}"))),
        };
        app.metrics.bytes_in(bytes.len() as u64);
        let params = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()).into_owned().collect();
        let req = Req { params, content_type, body: bytes };
        let permit = app
            .work
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::transport("overloaded", "server is shutting down"))?;
        let app2 = Arc::clone(app);
        let joined = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            run_job(|| job(&app2, &req))
        })
        .await;
        match joined {
            Ok(r) => r.map_err(ApiError::from),
            Err(_) => Err(ApiError::from(Error::Internal { message: "worker task failed".into() })),
        }
    };
    match tokio::time::timeout(app.timeout, work).await {
        Ok(r) => r,
        Err(_) => Err(ApiError::transport("timeout", format!("request took longer than {:?}", app.timeout))),
    }
}

fn load(app: &App, req: &Req) -> Result<(flamekit::ProfileGroup, flamekit::ImportReport), Error> {
    // This request holds one of `work`'s permits: the others held are the
    // requests being worked on beside it.
    let busy = app.workers.saturating_sub(app.work.available_permits());
    let threads = app.import_threads.for_import(app.cores, busy);
    import_bytes(&req.body, req.param("fileName"), &app.limits, threads)
}

fn png(body: Vec<u8>) -> Reply {
    Reply { content_type: "image/png", body, headers: Vec::new() }
}

fn job_render(app: &App, req: &Req) -> Result<Reply, Error> {
    let (group, _) = load(app, req)?;
    let opts = render_options_from_params(&req.pairs())?;
    Ok(png(flamekit::render_png(&group, &opts)?))
}

fn job_render_sandwich(app: &App, req: &Req) -> Result<Reply, Error> {
    let frame = req.param("frameName").ok_or_else(|| Error::argument("frameName", "required"))?.to_owned();
    let (group, _) = load(app, req)?;
    let opts = render_options_from_params(&req.pairs())?;
    let opts = flamekit::RenderOptions { view: View::Sandwich { frame }, ..opts };
    Ok(png(flamekit::render_png(&group, &opts)?))
}

fn job_import(app: &App, req: &Req) -> Result<Reply, Error> {
    let (group, report) = load(app, req)?;
    let meta = import_summary_json(&group, &report);
    match req.param("speedscope") {
        None => Ok(Reply::json(&meta)),
        Some("gzip") => {
            let header_of = |k: &str| match &meta[k] {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let headers = vec![
                ("x-flamekit-profile-type", header_of("profileType")),
                ("x-flamekit-duration-ms", header_of("durationMs")),
                ("x-flamekit-profiles", group.profiles().len().to_string()),
                ("x-flamekit-warnings", report.warning_count.to_string()),
            ];
            Ok(Reply { content_type: "application/gzip", body: flamekit::to_speedscope_gzip(&group)?, headers })
        }
        Some(other) => Err(Error::argument("speedscope", format!("{other:?} is not one of: gzip"))),
    }
}

fn job_top(app: &App, req: &Req) -> Result<Reply, Error> {
    let (group, _) = load(app, req)?;
    let sort_by = SortBy::parse_param("sortBy", req.param("sortBy").unwrap_or("total"))?;
    let index = match req.param("profile") {
        Some(_) => req.usize_param("profile", 0)?,
        None => group.active_profile_index(),
    };
    let opts = TopOptions { sort_by, offset: req.usize_param("offset", 0)?, limit: req.usize_param("limit", 15)? };
    let rows = flamekit::top_functions(&group, index, &opts)?;
    let v = serde_json::to_value(&rows).map_err(|e| Error::Internal { message: e.to_string() })?;
    Ok(Reply::json(&v))
}

fn job_summary(app: &App, req: &Req) -> Result<Reply, Error> {
    let (group, _) = load(app, req)?;
    let d = SummaryOptions::default();
    let opts = SummaryOptions {
        max_chars: req.usize_param("maxChars", d.max_chars)?,
        top_n: req.usize_param("top", d.top_n)?,
    };
    let text = flamekit::summarize(&group, &opts)?;
    Ok(Reply { content_type: "text/plain; charset=utf-8", body: text.into_bytes(), headers: Vec::new() })
}

fn job_check(_app: &App, req: &Req) -> Result<Reply, Error> {
    let info = UploadInfo {
        size_bytes: req.body.len() as u64,
        content_type: req.param("contentType").map(str::to_owned).or_else(|| req.content_type.clone()),
        file_name: req.param("fileName").map(str::to_owned),
        duration_ms: None,
    };
    let verdict = flamekit::check_upload_bytes(&UploadPolicy::default(), &info, &req.body);
    Ok(Reply { content_type: "application/json", body: verdict.to_json().into_bytes(), headers: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_threads_share_the_cores_among_the_requests_worked_on_unless_fixed() {
        assert_eq!(import_threads("auto"), Ok(ImportThreads::Auto));
        assert_eq!(import_threads("0"), Ok(ImportThreads::Fixed(0)));
        assert_eq!(import_threads("3"), Ok(ImportThreads::Fixed(3)));
        assert!(import_threads("many").is_err() && import_threads("-1").is_err());
        let auto = ImportThreads::Auto;
        // Alone: every core; two on two cores: one each; more requests than
        // cores: one each, never none.
        assert_eq!([1, 2, 3, 8].map(|busy| auto.for_import(2, busy)), [2, 1, 1, 1]);
        assert_eq!([1, 2, 3, 8, 9].map(|busy| auto.for_import(8, busy)), [8, 4, 2, 1, 1]);
        assert_eq!(auto.for_import(4, 0), 4, "counted before its permit: still every core");
        assert_eq!(ImportThreads::Fixed(0).for_import(2, 2), 0, "0: every core, as the library");
        assert_eq!(ImportThreads::Fixed(1).for_import(8, 1), 1);
    }

    #[test]
    fn a_panicking_job_is_an_internal_error() {
        let r: Result<(), Error> = run_job(|| panic!("boom"));
        let e = r.unwrap_err();
        assert_eq!(e.code(), "internal_error");
        assert!(e.to_string().contains("boom"));
        assert_eq!(ApiError::from(e).status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
