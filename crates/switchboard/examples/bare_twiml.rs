//! The hotline benchmark's baseline (`scripts/bench-hotline`): axum answering constant TwiML
//! and nothing else, run as its own process and loaded by the same wrk script as the real
//! endpoints, so each endpoint's figures can be read against what HTTP alone costs on the
//! same machine in the same run.
//!
//!   bare_twiml ADDR        (e.g. 127.0.0.1:8081; port 0 picks a free one)
//!
//! It answers POST on any path, reads the whole request body (as the real endpoints must
//! before they can check a signature) and returns a short `<Dial>` TwiML like the hotline's.
//! Built like the `switchboard` binary: tokio's multi-thread runtime and mimalloc. Prints
//! `listening on ADDR` once it accepts connections.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;

// The allocator `switchboard` itself runs with (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>\
                     <Dial timeout=\"20\"><Number>+15005550211</Number></Dial></Response>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: bare_twiml ADDR (e.g. 127.0.0.1:8081)"))?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    println!("listening on {}", listener.local_addr()?);
    let app = Router::new().fallback_service(post(twiml));
    axum::serve(listener, app).await?;
    Ok(())
}

/// Takes the body, as a webhook handler must, and answers the constant TwiML.
async fn twiml(body: Bytes) -> impl IntoResponse {
    drop(body);
    ([(header::CONTENT_TYPE, "text/xml")], TWIML)
}
