//! Files refused as a whole: a 4xx naming the problem, and nothing written.

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{count, post_csv};
use crate::support::{TestApp, TestOptions};

/// Nothing of an import was kept: no import, no contact, no list, no spooled file.
async fn nothing_written(app: &TestApp) {
    for table in [
        "contact_imports",
        "contacts",
        "contact_phones",
        "contact_lists",
    ] {
        assert_eq!(count(app, table).await, 0, "{table}");
    }
    let spooled = app.state.config.data_dir.join("imports");
    let left = std::fs::read_dir(&spooled).map(|d| d.count()).unwrap_or(0);
    assert_eq!(
        left,
        0,
        "a spooled upload was left in {}",
        spooled.display()
    );
}

#[tokio::test]
async fn a_header_without_a_phone_column_is_refused_naming_the_header_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (status, err) = post_csv(
        &app,
        &app.token,
        "list_name=New",
        "Name,Email\nAda,ada@example.org\n",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["field"], "header");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no column holds phone numbers (columns: Name, Email)"),
        "{message}"
    );
    let (status, err) = post_csv(
        &app,
        &app.token,
        "mapping=Cell:phone",
        "Name,Phone\nAda,+14155550101\n",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no column 'Cell'"),
        "{err}"
    );
    let (status, err) = post_csv(&app, &app.token, "", "").await;
    assert_eq!(
        (status, err["error"]["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("is empty"))
    );
    nothing_written(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_binary_file_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let zip: &[u8] = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary";
    let utf16: Vec<u8> = "Phone\n+14155550101\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let latin1: &[u8] = b"Name,Phone\nJos\xe9,+14155550101\n";
    for body in [zip.to_vec(), utf16, latin1.to_vec()] {
        let (status, err) = post_csv(&app, &app.token, "", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["error"]["field"], "file");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is not a CSV text file"),
            "{err}"
        );
    }
    nothing_written(&app).await;
    app.stop().await;
}

/// Sends `head` and then `chunks` as a chunked body over a socket of its own; returns the
/// answer's start.
async fn raw_request(app: &TestApp, head: &str, chunks: &[String]) -> String {
    let addr = app.base_url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = head.replace("{addr}", &addr).replace("{token}", &app.token);
    socket.write_all(head.as_bytes()).await.unwrap();
    for chunk in chunks {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if socket.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 4096];
    let n = socket.read(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

const HEAD: &str = "POST /api/v1/contacts/import HTTP/1.1\r\nHost: {addr}\r\n\
                    Authorization: Bearer {token}\r\nContent-Type: text/csv\r\n";

#[tokio::test]
async fn a_two_gigabyte_upload_is_answered_413_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    let head = format!("{HEAD}Content-Length: 2147483648\r\n\r\nPhone\n");
    let answer = raw_request(&app, &head, &[]).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("payload_too_large") && answer.contains("512 MiB"),
        "{answer}"
    );
    nothing_written(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_streamed_upload_past_the_configured_limit_is_answered_413_and_its_spool_removed() {
    let options = TestOptions {
        env: vec![("SWITCHBOARD_IMPORT_MAX_BYTES", "2048".into())],
        ..TestOptions::default()
    };
    let app = TestApp::spawn_with(options).await;
    let chunks: Vec<String> = std::iter::once("Phone\n".to_string())
        .chain((0..200).map(|i| format!("+1415555{i:04}\n")))
        .collect();
    let head = format!("{HEAD}Transfer-Encoding: chunked\r\n\r\n");
    let answer = raw_request(&app, &head, &chunks).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"field\":\"file\""), "{answer}");
    nothing_written(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn an_import_needs_a_manager_and_a_csv_content_type() {
    let app = TestApp::spawn().await;
    let agent = app
        .token_with_role(switchboard::accounts::Role::Agent)
        .await;
    let (status, _) = post_csv(&app, &agent, "", "Phone\n+14155550101\n").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = app
        .http
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"]["field"], "Content-Type");
    nothing_written(&app).await;
    app.stop().await;
}
