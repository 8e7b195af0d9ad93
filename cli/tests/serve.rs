//! `flamekit serve` end to end: the real binary on an ephemeral loopback
//! port, a real HTTP client (ureq). Expected values come from the raw input
//! files or the routes' documented rules.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret-token";

fn corpus(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A running `flamekit serve`, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Start with a token (FLAMEKIT_TEST_TOKEN) and extra arguments.
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flamekit"))
            .args(["serve", "--listen", "127.0.0.1:0", "--token-env", "FLAMEKIT_TEST_TOKEN"])
            .args(extra)
            .env("FLAMEKIT_TEST_TOKEN", TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start flamekit serve");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
        assert!(line.contains("listening on http://127.0.0.1:"), "unexpected first line: {line:?}");
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Server { child, base: format!("http://{addr}") }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, content type and body of a response (error statuses included).
struct Resp {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Assert an error response `{code, message}`.
    #[track_caller]
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.content_type, "application/json");
        let v = self.json();
        assert_eq!(v["code"], code, "{v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
}

fn finish(r: Result<ureq::Response, ureq::Error>) -> Resp {
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = r.status();
    let content_type = r.header("content-type").unwrap_or("").to_owned();
    let headers = r.headers_names().into_iter().map(|n| (n.clone(), r.header(&n).unwrap_or("").to_owned())).collect();
    let mut body = Vec::new();
    r.into_reader().read_to_end(&mut body).unwrap();
    Resp { status, content_type, headers, body }
}

fn post_with(url: &str, auth: Option<(&str, &str)>, body: &[u8]) -> Resp {
    let mut req = ureq::post(url).set("content-type", "text/plain");
    if let Some((k, v)) = auth {
        req = req.set(k, v);
    }
    finish(req.send_bytes(body))
}

fn post(url: &str, body: &[u8]) -> Resp {
    post_with(url, Some(("authorization", &format!("Bearer {TOKEN}"))), body)
}

/// Width, height and RGB pixels of a PNG.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    let (w, h, _) = decode_png(bytes);
    (w, h)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// (total weight of every frame, sum of all weights) of a collapsed-stack file.
fn collapsed_totals(text: &str) -> (std::collections::BTreeMap<String, f64>, f64) {
    let mut totals = std::collections::BTreeMap::new();
    let mut sum = 0.0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (stack, n) = line.trim().rsplit_once(' ').unwrap();
        let n: f64 = n.parse().unwrap();
        sum += n;
        let mut seen = std::collections::BTreeSet::new();
        for f in stack.split(';') {
            if seen.insert(f) {
                *totals.entry(f.to_owned()).or_insert(0.0) += n;
            }
        }
    }
    (totals, sum)
}

const CPUPROFILE: &str = "Chrome/65/simple.cpuprofile";

#[test]
fn render_routes_answer_pngs_of_the_requested_size() {
    let s = Server::start(&[]);
    let body = corpus(CPUPROFILE);
    let light = post(&s.url("/api/v1/render?width=640&height=360"), &body);
    assert_eq!(light.status, 200, "{}", String::from_utf8_lossy(&light.body));
    assert_eq!(light.content_type, "image/png");
    let (w, h, light_px) = decode_png(&light.body);
    assert_eq!((w, h), (640, 360));

    let dark = post(&s.url("/api/v1/render?width=640&height=360&mode=dark"), &body);
    assert_eq!(dark.status, 200);
    let (w, h, dark_px) = decode_png(&dark.body);
    assert_eq!((w, h), (640, 360));
    assert_ne!(light_px, dark_px, "dark and light images differ");

    // Flamedeck's defaults: 1200 x 800.
    let default = post(&s.url("/api/v1/render"), &body);
    assert_eq!(png_size(&default.body), (1200, 800));

    // The same profile gzipped (detected by its magic bytes): the same image.
    let gz = post(&s.url("/api/v1/render?width=640&height=360"), &gzip(&body));
    assert_eq!(gz.status, 200);
    assert_eq!(gz.body, light.body);

    // A time window (ms from the profile start) is a different image.
    let window = post(&s.url("/api/v1/render?width=640&height=360&startTimeMs=20&endTimeMs=30"), &body);
    assert_eq!(window.status, 200);
    assert_ne!(decode_png(&window.body).2, light_px);

    // `d` is a function of the raw file (callFrame.functionName).
    let sandwich = post(&s.url("/api/v1/render-sandwich?frameName=d&width=500&height=300"), &body);
    assert_eq!(sandwich.status, 200, "{}", String::from_utf8_lossy(&sandwich.body));
    assert_eq!(png_size(&sandwich.body), (500, 300));
    let sandwich_a = post(&s.url("/api/v1/render-sandwich?frameName=a&width=500&height=300"), &body);
    assert_ne!(sandwich_a.body, sandwich.body);

    post(&s.url("/api/v1/render-sandwich?frameName=no_such_function"), &body).assert_error(404, "invalid_argument");
    post(&s.url("/api/v1/render-sandwich"), &body).assert_error(400, "invalid_argument");
    post(&s.url("/api/v1/render?mode=purple"), &body).assert_error(400, "invalid_argument");
    post(&s.url("/api/v1/render?width=wide"), &body).assert_error(400, "invalid_argument");
    post(&s.url("/api/v1/render?width=0"), &body).assert_error(400, "invalid_argument");
}

#[test]
fn import_top_summary_and_check_routes() {
    let s = Server::start(&[]);
    let raw = corpus("stackcollapse/simple.txt");
    let (totals, sum) = collapsed_totals(std::str::from_utf8(&raw).unwrap());

    let r = post(&s.url("/api/v1/import?fileName=simple.txt"), &raw);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["profileType"], "collapsed", "{v}");
    assert_eq!(v["durationMs"], serde_json::Value::Null, "collapsed stacks have no time unit");
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(v["profiles"][0]["unit"], "none");
    assert_eq!(v["profiles"][0]["kind"], "sampled");
    assert_eq!(v["profiles"][0]["totalWeight"].as_f64().unwrap(), sum);
    assert_eq!(v["report"]["warningCount"], 0);

    // The gzipped speedscope export, metadata in headers.
    let r = post(&s.url("/api/v1/import?fileName=simple.txt&speedscope=gzip"), &raw);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/gzip");
    assert_eq!(r.header("x-flamekit-profile-type"), Some("collapsed"));
    assert_eq!(r.header("x-flamekit-profiles"), Some("1"));
    let mut json = String::new();
    flate2::read::GzDecoder::new(&r.body[..]).read_to_string(&mut json).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["$schema"], "https://www.speedscope.app/file-format-schema.json");
    post(&s.url("/api/v1/import?speedscope=xml"), &raw).assert_error(400, "invalid_argument");

    // Top functions by total weight (Flamedeck's default), from the raw file.
    let r = post(&s.url("/api/v1/top?fileName=simple.txt"), &raw);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let rows = r.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), totals.len().min(15));
    for row in rows {
        let name = row["name"].as_str().unwrap();
        assert_eq!(row["total_weight"].as_f64().unwrap(), totals[name], "{name}");
    }
    let max = totals.values().cloned().fold(0.0, f64::max);
    assert_eq!(rows[0]["total_weight"].as_f64().unwrap(), max);
    let r = post(&s.url("/api/v1/top?fileName=simple.txt&limit=1&offset=1"), &raw);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    post(&s.url("/api/v1/top?sortBy=sideways"), &raw).assert_error(400, "invalid_argument");

    let r = post(&s.url("/api/v1/summary?fileName=simple.txt&maxChars=400"), &raw);
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/plain"));
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.chars().count() <= 400);
    assert!(!text.is_empty());

    let r = post(&s.url("/api/v1/check?fileName=simple.txt"), &raw);
    assert_eq!(r.json(), serde_json::json!({"verdict": "allow"}));
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let v = post(&s.url("/api/v1/check?fileName=x.svg"), svg).json();
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["code"], "svg_script");
    post(&s.url("/api/v1/check"), b"").json()["code"].as_str().unwrap().contains("empty").then_some(()).unwrap();
}

#[test]
fn auth_limits_and_bad_input() {
    let s = Server::start(&["--max-body-bytes", "4096"]);
    let body = corpus(CPUPROFILE);
    // /healthz needs no token.
    let h = finish(ureq::get(&s.url("/healthz")).call());
    assert_eq!(h.status, 200);
    // Missing and wrong tokens, both header styles.
    post_with(&s.url("/api/v1/render"), None, &body).assert_error(401, "unauthorized");
    post_with(&s.url("/api/v1/render"), Some(("authorization", "Bearer nope")), &body)
        .assert_error(401, "unauthorized");
    post_with(&s.url("/api/v1/render"), Some(("x-internal-auth-token", "nope")), &body)
        .assert_error(401, "unauthorized");
    post_with(&s.url("/api/v1/render"), Some(("authorization", TOKEN)), &body).assert_error(401, "unauthorized");
    assert_eq!(post_with(&s.url("/api/v1/render"), Some(("x-internal-auth-token", TOKEN)), &body).status, 200);
    let lower = format!("bearer {TOKEN}");
    assert_eq!(post_with(&s.url("/api/v1/render"), Some(("authorization", &lower)), &body).status, 200);
    finish(ureq::get(&s.url("/metrics")).call()).assert_error(401, "unauthorized");
    post_with(&s.url("/api/v1/nope"), None, &body).assert_error(401, "unauthorized");
    post(&s.url("/api/v1/nope"), &body).assert_error(404, "not_found");

    // Over the body limit: by Content-Length, and chunked (no length).
    let big = vec![b'x'; 5000];
    post(&s.url("/api/v1/render"), &big).assert_error(413, "payload_too_large");
    let chunked = ureq::post(&s.url("/api/v1/render"))
        .set("authorization", &format!("Bearer {TOKEN}"))
        .send(std::io::Cursor::new(big.clone()));
    finish(chunked).assert_error(413, "payload_too_large");

    // Garbage: a typed 400.
    let garbage: Vec<u8> = (0..2000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let r = post(&s.url("/api/v1/render"), &garbage);
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    let code = r.json()["code"].as_str().unwrap().to_owned();
    assert!(
        ["unsupported_format", "invalid_json", "invalid_profile", "truncated_input"].contains(&code.as_str()),
        "{code}"
    );
    // The first half of a real profile, and of its gzip stream.
    let half = post(&s.url("/api/v1/render"), &body[..body.len() / 2]);
    assert_eq!(half.status, 400, "{}", String::from_utf8_lossy(&half.body));
    let gz = gzip(&body);
    post(&s.url("/api/v1/render"), &gz[..gz.len() / 2]).assert_error(400, "truncated_input");

    // A form upload is the wrong media type.
    let r = ureq::post(&s.url("/api/v1/render"))
        .set("authorization", &format!("Bearer {TOKEN}"))
        .set("content-type", "multipart/form-data; boundary=x")
        .send_bytes(b"--x--");
    finish(r).assert_error(415, "unsupported_media_type");

    // Metrics count what happened.
    let m = finish(ureq::get(&s.url("/metrics")).set("authorization", &format!("Bearer {TOKEN}")).call());
    assert_eq!(m.status, 200);
    let text = String::from_utf8(m.body).unwrap();
    assert!(text.contains("flamekit_requests_total{route=\"/api/v1/render\",status=\"200\"} 2\n"), "{text}");
    assert!(text.contains("flamekit_errors_total{code=\"unauthorized\"}"), "{text}");
    assert!(text.contains("flamekit_errors_total{code=\"payload_too_large\"} 2\n"), "{text}");
    assert!(text.contains("flamekit_request_duration_seconds_count"), "{text}");
    assert!(text.contains("flamekit_request_bytes_total"), "{text}");
}

#[test]
fn gzip_bomb_is_refused_quickly_with_bounded_memory() {
    let s = Server::start(&["--max-inflated-bytes", &(32u64 << 20).to_string()]);
    // 1 GiB of zeros, about 1 MiB gzipped: under the 10 MiB body limit.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 10 << 20);
    let t = Instant::now();
    let r = post(&s.url("/api/v1/render"), &bomb);
    let elapsed = t.elapsed();
    r.assert_error(422, "limit_exceeded");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let peak_kib = s.peak_rss_kib();
    assert!(peak_kib < 256 * 1024, "peak RSS {peak_kib} KiB for a 1 GiB bomb");
}

#[test]
fn a_large_body_is_held_once() {
    // 64 MiB of text: the check route only looks at it, so what the server
    // holds at its peak is the body (once) and its own few MiB; a copy of
    // the body for the job would take it past 128 MiB.
    const BODY: usize = 64 << 20;
    let s = Server::start(&["--max-body-bytes", &(BODY as u64 * 2).to_string()]);
    let line = b"main;work;step 1\n";
    let body: Vec<u8> = line.iter().copied().cycle().take(BODY / line.len() * line.len()).collect();
    let r = post(&s.url("/api/v1/check"), &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["verdict"], "allow");
    drop(body);
    let peak_kib = s.peak_rss_kib();
    assert!(peak_kib < (BODY as u64 * 3 / 2) >> 10, "peak RSS {peak_kib} KiB for a {BODY}-byte body");
}

#[test]
fn two_hundred_concurrent_renders_are_all_answered() {
    let s = Server::start(&["--max-queue", "256"]);
    let url = s.url("/api/v1/render?width=300&height=200");
    let body = std::sync::Arc::new(corpus(CPUPROFILE));
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let (url, body) = (url.clone(), body.clone());
            std::thread::spawn(move || post(&url, &body))
        })
        .collect();
    for h in handles {
        let r = h.join().unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(png_size(&r.body), (300, 200));
    }
}

#[test]
fn saturation_is_503_and_the_server_keeps_serving() {
    let s = Server::start(&["--workers", "1", "--max-queue", "0"]);
    // A small body (fits the socket buffers, so an early 503 never races the
    // upload) and a large image (slow enough to keep the one worker busy).
    let url = s.url("/api/v1/render?width=4000&height=3000");
    let body = std::sync::Arc::new(corpus(CPUPROFILE));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (url, body) = (url.clone(), body.clone());
            std::thread::spawn(move || post(&url, &body))
        })
        .collect();
    let (mut ok, mut busy) = (0, 0);
    for h in handles {
        let r = h.join().unwrap();
        match r.status {
            200 => ok += 1,
            503 => {
                r.assert_error(503, "overloaded");
                busy += 1
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "ok {ok}, busy {busy}");
    assert_eq!(post(&url, &body).status, 200);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_gracefully() {
    let mut s = Server::start(&[]);
    assert_eq!(finish(ureq::get(&s.url("/healthz")).call()).status, 200);
    let st = Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let t = Instant::now();
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn refuses_to_listen_beyond_loopback_without_a_token() {
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit")).args(["serve", "--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid_argument") && err.contains("--token-env"), "{err}");
}

#[test]
fn import_threads_option_sets_each_imports_threads() {
    // 264 KB of collapsed stacks: read in chunks on several threads unless
    // the server keeps each import to one (`auto`, the default, gives a lone
    // request every core).
    let raw = corpus("stackcollapse/perf-vertx-stacks-01-collapsed-all.txt");
    let (_, sum) = collapsed_totals(std::str::from_utf8(&raw).unwrap());
    let mut exports = Vec::new();
    for threads in ["1", "4", "auto"] {
        let s = Server::start(&["--import-threads", threads]);
        let r = post(&s.url("/api/v1/import?fileName=vertx.txt"), &raw);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.json()["profiles"][0]["totalWeight"].as_f64().unwrap(), sum);
        let r = post(&s.url("/api/v1/import?fileName=vertx.txt&speedscope=gzip"), &raw);
        assert_eq!(r.status, 200);
        exports.push(r.body);
    }
    assert!(exports.windows(2).all(|w| w[0] == w[1]), "the same export on one thread, on four and shared");
    let out = Command::new(env!("CARGO_BIN_EXE_flamekit"))
        .args(["serve", "--listen", "127.0.0.1:0", "--import-threads", "many"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
