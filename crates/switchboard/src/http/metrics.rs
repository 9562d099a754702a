//! Prometheus metrics: requests and latency by route, plus the process-wide recorder.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// The process-wide recorder. Installed once; every app in the process (tests run many)
/// shares it.
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = builder()
                .map(|b| b.build_recorder())
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Fails only if another recorder is already installed; ours then stays unused.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

fn builder() -> Result<PrometheusBuilder, BuildError> {
    let requests = PrometheusBuilder::new().set_buckets(&[
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])?;
    OWN_BUCKETS.iter().try_fold(requests, |b, (name, buckets)| {
        b.set_buckets_for_metric(Matcher::Full(name.to_string()), buckets)
    })
}

/// Histograms whose values are not a request's seconds.
const OWN_BUCKETS: &[(&str, &[f64])] = &[
    // The incident desk's batches: how many commands each held, and how long it took.
    (
        "hotline_desk_batch_commands",
        &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0],
    ),
    ("hotline_desk_batch_seconds", SHORT_SECONDS),
    ("hotline_desk_phase_seconds", SHORT_SECONDS),
    // The SQLite checkpointer's passes (beside the writers or at the write gate) and the file
    // syncs ahead of a pass at the gate.
    ("sqlite_checkpoint_seconds", SHORT_SECONDS),
];

const SHORT_SECONDS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05];

/// Middleware: counts each request and records its latency under the matched route.
pub async fn track(req: Request, next: Next) -> Response {
    let route: Arc<str> = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| Arc::from("unmatched"), |p| Arc::from(p.as_str()));
    let method = req.method().clone();
    let started = Instant::now();
    let response = next.run(req).await;
    let (requests, duration) = handles(route, method, response.status());
    requests.increment(1);
    duration.record(started.elapsed().as_secs_f64());
    response
}

/// A route's request counter (by method and status) and its latency histogram.
type RouteHandles = (metrics::Counter, metrics::Histogram);

/// The handles of each (route, method, status) seen so far. Looking a metric up by its labels
/// builds and hashes a key of owned strings every time; there are few routes, methods and
/// statuses, so each combination's handles are made once. A std mutex: held for one map
/// operation, never across an await.
static HANDLES: LazyLock<Mutex<HashMap<RouteKey, RouteHandles>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

type RouteKey = (Arc<str>, Method, StatusCode);

fn handles(route: Arc<str>, method: Method, status: StatusCode) -> RouteHandles {
    let key = (route, method, status);
    if let Some(known) = HANDLES.lock().ok().and_then(|h| h.get(&key).cloned()) {
        return known;
    }
    let (route, method, status) = key.clone();
    let made = (
        metrics::counter!(
            "http_requests_total",
            "method" => method.to_string(),
            "route" => route.to_string(),
            "status" => status.as_u16().to_string()
        ),
        metrics::histogram!("http_request_duration_seconds", "route" => route.to_string()),
    );
    if let Ok(mut h) = HANDLES.lock() {
        h.insert(key, made.clone());
    }
    made
}
