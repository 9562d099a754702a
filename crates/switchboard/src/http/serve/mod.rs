//! The HTTP server: an accept loop over hyper's HTTP/1.1 connections, written out because
//! `axum::serve` sets no timeouts and no cap, so a client could hold a connection (and a file
//! descriptor) for ever. It applies the configured [`HttpLimits`]:
//!
//! - **Connection cap.** Each connection holds a semaphore permit. With none left, a new
//!   connection is accepted and closed at once (the client may retry), rather than left in
//!   the kernel's queue where nobody serves it; the connections already held are served.
//! - **Header timeout.** hyper's `header_read_timeout`, on a timer of our own
//!   ([`ConnTimer`]): a connection's first request header must arrive within it from the
//!   connection's start; before each later request the connection may sit idle up to the
//!   idle timeout, and the header timeout runs from the first byte of that request (as Go's
//!   and nginx's servers do).
//! - **Body timeout.** Each request body ([`TimedBody`]) must be complete within it from the
//!   end of the header; otherwise reading it fails, the handler answers 400 and hyper closes
//!   the connection. The timer is armed only when the body is not already there, so a
//!   webhook whose body came with its header costs no timer.
//! - **Idle timeout.** Between requests (above); and a client that stops reading a response
//!   for that long is disconnected ([`Watched`]).
//!
//! Shutdown: when `shutdown` completes, the loop stops accepting, each connection finishes
//! the request in hand and closes (hyper's graceful shutdown), and `serve` returns once the
//! last one has gone.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt as _;

use crate::config::HttpLimits;

mod timeouts;

use self::timeouts::{ConnTimer, TimedBody, Watched};

/// Serves `router` on `listener` under `limits` until `shutdown` completes and every
/// connection has finished. Handlers see the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    // Connections closed at the cap since the last warning, and when that was: at most one
    // warning a minute, however hard the server is pressed.
    let (mut refused, mut warned) = (0_u64, None::<Instant>);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            drop(stream);
            refused += 1;
            if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    refused,
                    "The server holds as many connections as it may; new ones are closed until one ends."
                );
                (refused, warned) = (0, Some(Instant::now()));
            }
            continue;
        };
        tokio::spawn(serve_connection(
            stream,
            peer,
            router.clone(),
            limits,
            stopping.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(stopping);
    // Every connection holds a receiver; this completes when the last one has closed.
    stop.closed().await;
    Ok(())
}

/// Accepting fails when the process is out of file descriptors, or when a connection was
/// reset before it was taken: the latter is the client's business; for the rest, wait a
/// second rather than spin (as `axum::serve` does).
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "Accepting a connection failed; trying again in a second.");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Serves one connection until it ends; its permit (its place under the cap) is given back
/// then.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: HttpLimits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let got_bytes = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(Watched::new(stream, got_bytes.clone(), limits.idle_timeout));
    let body_timeout = limits.body_timeout;
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(|body| TimedBody::new(body, body_timeout));
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let timer = ConnTimer::new(got_bytes, limits.header_timeout, limits.idle_timeout);
    let mut connection = pin!(
        http1::Builder::new()
            .timer(timer)
            .header_read_timeout(limits.header_timeout)
            .serve_connection(io, service)
    );
    let mut stop = pin!(stopping.wait_for(|stop| *stop));
    let mut stopped = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(client = %peer, error = %e, "A connection ended with an error.");
                }
                return;
            }
            _ = &mut stop, if !stopped => {
                stopped = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}
