//! Prometheus metrics: requests and latency by route, the process-wide recorder, and who may
//! read them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppError;
use crate::config::Secret;

/// Why a request may not read `/metrics`, if it may not. With `SWITCHBOARD_METRICS_TOKEN`
/// set, it must bear that token (401 otherwise). Without one, it must come from this machine
/// (403 otherwise): a loopback connection that no proxy relayed, since a proxy on this
/// machine makes everyone's connection local (it says so in `Forwarded`, `X-Forwarded-For`
/// or `X-Real-IP`).
pub fn scrape_refusal(
    token: Option<&Secret>,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Option<AppError> {
    if let Some(token) = token {
        use subtle::ConstantTimeEq as _;
        let sent = super::auth::bearer(headers).unwrap_or_default();
        let valid = bool::from(sent.as_bytes().ct_eq(token.expose().as_bytes()));
        return (!valid).then_some(AppError::Unauthorized(
            "send Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>",
        ));
    }
    let relayed = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    let local = peer.is_some_and(|p| p.ip().is_loopback());
    (relayed || !local).then_some(AppError::Forbidden(
        "metrics answer only this machine; set SWITCHBOARD_METRICS_TOKEN to scrape from elsewhere",
    ))
}

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
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let (requests, duration) = handles(route, method, response.status());
    requests.increment(1);
    duration.record(started.elapsed().as_secs_f64());
    response
}

/// A route's request counter (by method and status) and its latency histogram.
type RouteHandles = (metrics::Counter, metrics::Histogram);

/// A request method as a label: the standard ones by name, anything else `other`, so that
/// made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    STANDARD
        .iter()
        .find(|m| *m == method)
        .map_or("other", Method::as_str)
}

/// The handles of each (route, method, status) seen so far. Looking a metric up by its labels
/// builds and hashes a key of owned strings every time; there are few routes, methods and
/// statuses, so each combination's handles are made once. A std mutex: held for one map
/// operation, never across an await.
static HANDLES: LazyLock<Mutex<HashMap<RouteKey, RouteHandles>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

type RouteKey = (Arc<str>, &'static str, StatusCode);

fn handles(route: Arc<str>, method: &'static str, status: StatusCode) -> RouteHandles {
    let key = (route, method, status);
    if let Some(known) = HANDLES.lock().ok().and_then(|h| h.get(&key).cloned()) {
        return known;
    }
    let (route, method, status) = key.clone();
    let made = (
        metrics::counter!(
            "http_requests_total",
            "method" => method,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_are_labelled_by_name_and_others_as_other() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let made_up = Method::from_bytes(b"PROBE1").unwrap();
        assert_eq!(method_label(&made_up), "other");
    }

    #[test]
    fn metrics_need_the_token_when_set_else_a_local_unrelayed_client() {
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "203.0.113.7:5000".parse().unwrap();
        let none = HeaderMap::new();
        let mut relayed = HeaderMap::new();
        relayed.insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
        let mut bearing = HeaderMap::new();
        bearing.insert("authorization", "Bearer s3cret".parse().unwrap());
        let status = |r: Option<AppError>| r.map(|e| e.status().as_u16());
        assert_eq!(status(scrape_refusal(None, &none, Some(local))), None);
        assert_eq!(status(scrape_refusal(None, &none, Some(remote))), Some(403));
        assert_eq!(
            status(scrape_refusal(None, &relayed, Some(local))),
            Some(403)
        );
        assert_eq!(status(scrape_refusal(None, &none, None)), Some(403));
        let token = Secret::new("s3cret");
        assert_eq!(
            status(scrape_refusal(Some(&token), &none, Some(local))),
            Some(401)
        );
        assert_eq!(
            status(scrape_refusal(Some(&token), &bearing, Some(remote))),
            None
        );
    }
}
