//! Request counters for `GET /metrics`, in the Prometheus text format. Owned
//! by one server instance (no process-wide state).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, u16), u64>,
    errors: BTreeMap<&'static str, u64>,
    buckets: Vec<u64>,
    latency_sum: f64,
    latency_count: u64,
    bytes_in: u64,
}

/// Counters of one server.
#[derive(Default)]
pub(super) struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    /// Count a finished request.
    pub(super) fn record(&self, route: &'static str, status: u16, error_code: Option<&'static str>, latency: Duration) {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests.entry((route, status)).or_default() += 1;
        if let Some(code) = error_code {
            *m.errors.entry(code).or_default() += 1;
        }
        if m.buckets.is_empty() {
            m.buckets = vec![0; BUCKETS.len()];
        }
        let secs = latency.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                m.buckets[i] += 1;
            }
        }
        m.latency_sum += secs;
        m.latency_count += 1;
    }

    /// Count request body bytes.
    pub(super) fn bytes_in(&self, n: u64) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).bytes_in += n;
    }

    /// The Prometheus text exposition.
    pub(super) fn render(&self) -> String {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut s = String::new();
        let _ = writeln!(s, "# HELP flamekit_requests_total Requests answered, by route and HTTP status.");
        let _ = writeln!(s, "# TYPE flamekit_requests_total counter");
        for ((route, status), n) in &m.requests {
            let _ = writeln!(s, "flamekit_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        let _ = writeln!(s, "# HELP flamekit_errors_total Error responses, by stable error code.");
        let _ = writeln!(s, "# TYPE flamekit_errors_total counter");
        for (code, n) in &m.errors {
            let _ = writeln!(s, "flamekit_errors_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(s, "# HELP flamekit_request_duration_seconds Request latency.");
        let _ = writeln!(s, "# TYPE flamekit_request_duration_seconds histogram");
        for (i, le) in BUCKETS.iter().enumerate() {
            let n = m.buckets.get(i).copied().unwrap_or(0);
            let _ = writeln!(s, "flamekit_request_duration_seconds_bucket{{le=\"{le}\"}} {n}");
        }
        let _ = writeln!(s, "flamekit_request_duration_seconds_bucket{{le=\"+Inf\"}} {}", m.latency_count);
        let _ = writeln!(s, "flamekit_request_duration_seconds_sum {}", m.latency_sum);
        let _ = writeln!(s, "flamekit_request_duration_seconds_count {}", m.latency_count);
        let _ = writeln!(s, "# HELP flamekit_request_bytes_total Request body bytes received.");
        let _ = writeln!(s, "# TYPE flamekit_request_bytes_total counter");
        let _ = writeln!(s, "flamekit_request_bytes_total {}", m.bytes_in);
        s
    }
}
