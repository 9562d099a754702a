//! The server cannot be held open: a client that sends half a header, stalls its body or sits
//! idle is disconnected after the configured timeout, and past the connection cap new
//! connections are closed while those already held are still served. Each test talks raw
//! HTTP/1.1 over its own sockets, with tiny timeouts, and waits for the server to close the
//! socket (a generous guard fails the test if it never does).

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{TestApp, TestOptions};

/// How long a test waits for the server to act before failing: far above every timeout set.
const GUARD: Duration = Duration::from_secs(10);

async fn app_with(settings: &[(&'static str, &str)]) -> TestApp {
    TestApp::spawn_with(TestOptions {
        env: settings.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        ..TestOptions::default()
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    let addr = app.base_url.trim_start_matches("http://");
    TcpStream::connect(addr).await.expect("connect")
}

/// Reads until the server closes `socket` (end of file or reset) and returns what it sent;
/// fails the test when the socket is still open after [`GUARD`].
async fn closed_by_server(socket: &mut TcpStream, what: &str) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(GUARD, async {
        let mut buf = [0u8; 4096];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "{what}: the server still held the socket open after {GUARD:?}"
    );
    String::from_utf8_lossy(&seen).into_owned()
}

/// Sends `GET path` on `socket` (kept alive) and reads the response: its status, or None
/// when the server closed the socket instead of answering.
async fn get_on(socket: &mut TcpStream, path: &str) -> Option<u16> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: switchboard.test\r\n\r\n");
    socket.write_all(request.as_bytes()).await.ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(GUARD, socket.read(&mut byte)).await {
            Ok(Ok(1)) => head.push(byte[0]),
            Ok(_) => return None,
            Err(_) => panic!("GET {path}: no response after {GUARD:?}"),
        }
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    socket.read_exact(&mut body).await.ok()?;
    Some(status)
}

#[tokio::test]
async fn a_socket_that_sends_half_a_header_is_closed_after_the_header_timeout() {
    let app = app_with(&[("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "0.2")]).await;
    let mut half = connect(&app).await;
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: switchbo")
        .await
        .unwrap();
    let answer = closed_by_server(&mut half, "half a header").await;
    assert!(!answer.contains(" 5"), "no 5xx: {answer}");

    let mut silent = connect(&app).await;
    closed_by_server(&mut silent, "a socket that sends nothing").await;

    // A whole request on a new connection is still answered.
    let mut fine = connect(&app).await;
    assert_eq!(get_on(&mut fine, "/healthz").await, Some(200));
    app.stop().await;
}

#[tokio::test]
async fn a_keep_alive_connection_left_idle_is_closed_after_the_idle_timeout() {
    let app = app_with(&[
        ("SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", "0.2"),
        ("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "30"),
    ])
    .await;
    let mut socket = connect(&app).await;
    assert_eq!(get_on(&mut socket, "/healthz").await, Some(200));
    assert_eq!(
        get_on(&mut socket, "/healthz").await,
        Some(200),
        "kept alive"
    );
    closed_by_server(&mut socket, "an idle keep-alive connection").await;
    app.stop().await;
}

#[tokio::test]
async fn a_request_body_that_stalls_is_cut_off_after_the_body_timeout() {
    let app = app_with(&[("SWITCHBOARD_HTTP_BODY_TIMEOUT_SECS", "0.2")]).await;
    let mut socket = connect(&app).await;
    let head = format!(
        "POST /api/v1/people HTTP/1.1\r\nHost: switchboard.test\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\": \"Ada",
        app.token
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let answer = closed_by_server(&mut socket, "a stalled body").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "a 4xx or nothing, never a 5xx or a person: {answer}"
    );
    let (_, people) = app.get("/api/v1/people", &app.token).await;
    assert_eq!(
        people.as_array().unwrap().len(),
        1,
        "only the owner: {people}"
    );
    app.stop().await;
}

#[tokio::test]
async fn beyond_the_connection_cap_new_connections_are_closed_and_held_ones_still_served() {
    let app = app_with(&[
        ("SWITCHBOARD_HTTP_MAX_CONNECTIONS", "3"),
        ("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "30"),
        ("SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", "30"),
    ])
    .await;
    let mut served = connect(&app).await;
    assert_eq!(get_on(&mut served, "/healthz").await, Some(200));
    // Two idle sockets fill the cap; the server accepts connections in the order they came.
    let idle = connect(&app).await;
    let _idle_too = connect(&app).await;
    for n in 0..3 {
        let mut extra = connect(&app).await;
        closed_by_server(&mut extra, &format!("connection {} past the cap", n + 4)).await;
    }
    assert_eq!(
        get_on(&mut served, "/healthz").await,
        Some(200),
        "a held connection is still served"
    );
    // Closing one held socket frees its place for a new connection.
    drop(idle);
    let reused = tokio::time::timeout(GUARD, async {
        loop {
            let mut next = connect(&app).await;
            if let Some(status) = get_on(&mut next, "/healthz").await {
                return status;
            }
        }
    })
    .await
    .expect("a freed place is taken by a new connection");
    assert_eq!(reused, 200);
    app.stop().await;
}
