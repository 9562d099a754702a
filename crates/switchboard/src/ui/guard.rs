//! What guards every dashboard request and response: a form is taken only from the site's own
//! origin (on top of its CSRF token), and responses carry the headers that keep pages out of
//! other sites' frames and out of caches, with their content types taken as sent.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use maud::html;
use tower_http::set_header::SetResponseHeaderLayer;

use super::layout::bare_page;
use crate::app::AppState;

/// The policy: this site's own scripts, styles and images only, no plugins, forms posted only
/// here, and never inside a frame (`frame-ancestors`, as `X-Frame-Options` says for older
/// browsers).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; base-uri 'none'; object-src 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Signed-in pages hold the organisation's data: no browser or proxy keeps a copy.
pub fn no_store(pages: Router<AppState>) -> Router<AppState> {
    pages.layer(SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

/// Every dashboard route: the same-origin check on forms, and the security headers.
pub fn protect(dashboard: Router<AppState>, state: &AppState) -> Router<AppState> {
    let site: Arc<str> = origin_of(state.config.public_url.as_str()).into();
    let headers = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    let dashboard = dashboard.layer(middleware::from_fn_with_state(site, same_origin));
    headers
        .into_iter()
        .fold(dashboard, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::overriding(
                name,
                HeaderValue::from_static(value),
            ))
        })
}

/// Refuses (403) a request that changes something (any method but GET, HEAD, OPTIONS, TRACE)
/// when its `Origin`, or without one its `Referer`, is not the public URL's origin. Browsers
/// send `Origin` with every form post, so a form on another site cannot post here even when
/// it has somehow got a valid CSRF token. A request with neither header (a privacy setting
/// may strip both) is left to the CSRF token.
async fn same_origin(State(site): State<Arc<str>>, request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match sent_from(request.headers()) {
        Some(from) if *from != *site => refuse(&from, &site),
        _ => next.run(request).await,
    }
}

/// The origin a request says it comes from: its `Origin`, else its `Referer`'s origin.
fn sent_from(headers: &HeaderMap) -> Option<String> {
    let value = |name: HeaderName| {
        headers
            .get(name)
            .map(|v| origin_of(v.to_str().unwrap_or("")))
    };
    value(header::ORIGIN).or_else(|| value(header::REFERER))
}

/// `scheme://host[:port]` of `url` as browsers write it in `Origin`; "null" for anything
/// without one (an opaque origin, or no URL at all).
fn origin_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| "null".into(), |u| u.origin().ascii_serialization())
}

fn refuse(from: &str, site: &str) -> Response {
    tracing::warn!(from, "a form from another site was refused");
    let body = html! {
        p.error role="alert" {
            "This form was sent from " code { (from) } ", not from this site (" code { (site) }
            "). Open Switchboard at " a href=(site) { (site) } " and try again."
        }
    };
    (StatusCode::FORBIDDEN, bare_page("Not allowed", body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_as_browsers_write_them() {
        assert_eq!(origin_of("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("https://Switch.Example.org:443/a?b"),
            "https://switch.example.org"
        );
        assert_eq!(origin_of("null"), "null");
        assert_eq!(origin_of("data:text/html,hi"), "null");
        let mut headers = HeaderMap::new();
        assert_eq!(sent_from(&headers), None);
        headers.insert(
            header::REFERER,
            HeaderValue::from_static("http://evil.example/x"),
        );
        assert_eq!(sent_from(&headers).as_deref(), Some("http://evil.example"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert_eq!(
            sent_from(&headers).as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
