//! Item 4: sockets that hold the server open. Half a header, nothing at all, a body that
//! stalls and an idle keep-alive connection must each be closed (or answered with an error)
//! within its timeout plus a margin; 200 half-header sockets must all be closed; and beyond
//! the connection cap, new connections must wait (or be closed) while the server keeps those
//! it holds. The probe run sets short timeouts (`SWITCHBOARD_HTTP_*`) so this takes seconds.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::report::{Check, Report};
use crate::setup::Ctx;

/// How long past its timeout the server may take to close a socket.
const MARGIN: Duration = Duration::from_secs(4);
const HALF_HEADER: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: probe\r\nX-Slow: ";
const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: probe\r\n\r\n";

enum Ended {
    /// Closed by the server, or answered with an error, after this long.
    Closed(Duration),
    StillOpen,
}

/// Waits until the server closes `stream` (or answers it with a 4xx/5xx), or `deadline`.
async fn wait_closed(stream: &mut TcpStream, started: Instant, deadline: Instant) -> Ended {
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return Ended::StillOpen,
            Ok(Ok(0)) | Ok(Err(_)) => return Ended::Closed(started.elapsed()),
            Ok(Ok(n)) => {
                seen.extend_from_slice(&buf[..n]);
                if seen.starts_with(b"HTTP/1.1 4") || seen.starts_with(b"HTTP/1.1 5") {
                    return Ended::Closed(started.elapsed());
                }
            }
        }
    }
}

fn verdict(ended: Ended, limit: u64, what: &str) -> Check {
    match ended {
        Ended::Closed(after) => Check::held(format!(
            "closed after {:.1} s ({what} timeout {limit} s)",
            after.as_secs_f64()
        )),
        Ended::StillOpen => Check::failed(format!(
            "still open after {} s ({what} timeout {limit} s)",
            limit + MARGIN.as_secs()
        )),
    }
}

/// Connects, sends `first`, and waits for the server to end it.
async fn held_socket(ctx: &Ctx, first: &[u8], limit: u64, what: &str) -> Result<Check> {
    let mut s = TcpStream::connect(ctx.addr).await?;
    let started = Instant::now();
    s.write_all(first).await?;
    let deadline = started + Duration::from_secs(limit) + MARGIN;
    Ok(verdict(
        wait_closed(&mut s, started, deadline).await,
        limit,
        what,
    ))
}

/// A keep-alive connection that has had its answer and then sits idle.
async fn idle_socket(ctx: &Ctx) -> Result<Check> {
    let mut s = TcpStream::connect(ctx.addr).await?;
    s.write_all(HEALTHZ).await?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.ends_with(b"\r\n\r\nok\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
            .await
            .context("no answer to GET /healthz")??;
        anyhow::ensure!(n > 0, "closed before answering GET /healthz");
        seen.extend_from_slice(&buf[..n]);
    }
    let started = Instant::now();
    let limit = ctx.limits.idle_secs;
    let deadline = started + Duration::from_secs(limit) + MARGIN;
    Ok(verdict(
        wait_closed(&mut s, started, deadline).await,
        limit,
        "idle",
    ))
}

pub async fn run(ctx: &Ctx, report: &mut Report) {
    let l = &ctx.limits;
    let body = format!(
        "POST /api/v1/people HTTP/1.1\r\nHost: probe\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\": \"sl",
        ctx.b.token
    );
    let (half, nothing, stalled, idle) = tokio::join!(
        held_socket(ctx, HALF_HEADER, l.header_secs, "header"),
        held_socket(ctx, b"", l.header_secs, "header"),
        held_socket(ctx, body.as_bytes(), l.body_secs, "body"),
        idle_socket(ctx),
    );
    report.record(4, "a socket that sends half a request header", half);
    report.record(4, "a socket that sends nothing", nothing);
    report.record(
        4,
        "a request whose body stops after 12 of 1000 bytes",
        stalled,
    );
    report.record(
        4,
        "a keep-alive connection left idle after its answer",
        idle,
    );
    report.record(
        4,
        "200 sockets that each send half a header",
        many_half_headers(ctx).await,
    );
    report.record(
        4,
        "more connections than the cap, each with a request",
        over_the_cap(ctx).await,
    );
}

async fn many_half_headers(ctx: &Ctx) -> Result<Check> {
    const SOCKETS: usize = 200;
    let l = &ctx.limits;
    // With the cap, the server takes the sockets in waves of `max_connections`, each closed
    // after the header timeout.
    let waves = SOCKETS.div_ceil(l.max_connections.max(1)) as u64;
    let limit = l.header_secs * (waves + 1);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(limit) + MARGIN;
    let mut tasks = Vec::with_capacity(SOCKETS);
    for _ in 0..SOCKETS {
        let mut s = TcpStream::connect(ctx.addr).await?;
        s.write_all(HALF_HEADER).await?;
        tasks.push(tokio::spawn(async move {
            matches!(
                wait_closed(&mut s, started, deadline).await,
                Ended::StillOpen
            )
        }));
    }
    let mut open = 0;
    for t in tasks {
        open += usize::from(t.await.unwrap_or(true));
    }
    let waited = started.elapsed().as_secs_f64();
    Ok(if open == 0 {
        Check::held(format!("all {SOCKETS} closed within {waited:.1} s"))
    } else {
        Check::failed(format!(
            "{open} of {SOCKETS} still open after {waited:.1} s (header timeout {} s)",
            l.header_secs
        ))
    })
}

/// Opens `max_connections + 50` connections, each with a complete request, and counts the
/// answers until half a second before the header or idle timeout could free a slot: more
/// answers than the cap means there is none.
async fn over_the_cap(ctx: &Ctx) -> Result<Check> {
    let l = &ctx.limits;
    let cap = l.max_connections;
    let window = Duration::from_secs(l.header_secs.min(l.idle_secs))
        .saturating_sub(Duration::from_millis(500))
        .max(Duration::from_millis(500));
    let total = cap + 50;
    let mut streams = Vec::with_capacity(total);
    for _ in 0..total {
        let mut s = TcpStream::connect(ctx.addr).await?;
        s.write_all(HEALTHZ).await?;
        streams.push(s);
    }
    let deadline = Instant::now() + window;
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut buf = [0u8; 12];
                let left = deadline.saturating_duration_since(Instant::now());
                let answered = matches!(
                    tokio::time::timeout(left, s.read(&mut buf)).await,
                    Ok(Ok(n)) if n > 0 && buf.starts_with(b"HTTP/1.1 2")
                );
                (answered, s)
            })
        })
        .collect();
    let mut answered = 0;
    let mut keep = Vec::new();
    for t in tasks {
        if let Ok((a, s)) = t.await {
            answered += usize::from(a);
            keep.push(s);
        }
    }
    drop(keep);
    Ok(if answered <= cap {
        Check::held(format!(
            "{answered} of {total} answered within {:.1} s (cap {cap})",
            window.as_secs_f64()
        ))
    } else {
        Check::failed(format!(
            "{answered} of {total} answered within {:.1} s: no cap of {cap}",
            window.as_secs_f64()
        ))
    })
}
