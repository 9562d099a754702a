//! CSV import and export of contacts: over the API (raw and multipart), the dashboard and the
//! CLI, on the test's own database.

mod api;
mod cli;
mod refusals;
mod web;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard::ids::OrgId;

use crate::support::TestApp;

/// Posts `csv` as `text/csv` to the import with `query`.
pub async fn post_csv(
    app: &TestApp,
    token: &str,
    query: &str,
    csv: impl Into<reqwest::Body>,
) -> (StatusCode, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/v1/contacts/import?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Waits until the import at `url` is no longer running (the import runs in a task of its
/// own; each batch moves it), and returns it.
pub async fn finished(app: &TestApp, token: &str, url: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, import) = app.get(url, token).await;
        assert_eq!(status, StatusCode::OK, "{import}");
        if import["status"] != "running" {
            return import;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the import never ended: {import}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Imports `csv` and waits for the end.
pub async fn import(app: &TestApp, query: &str, csv: &str) -> Value {
    let (status, started) = post_csv(app, &app.token, query, csv.to_string()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let url = started["url"].as_str().expect("url").to_string();
    finished(app, &app.token, &url).await
}

/// The organisation's contacts as `first last | primary phone | other phones | email | zone`,
/// by id.
pub async fn contacts(app: &TestApp, org: OrgId) -> Vec<String> {
    let sql = "SELECT c.first_name, c.last_name, COALESCE(c.email, ''), COALESCE(c.time_zone, ''), \
               (SELECT p.phone FROM contact_phones p WHERE p.contact_id = c.id AND p.org_id = c.org_id \
                ORDER BY p.is_primary DESC, p.id LIMIT 1), \
               (SELECT COUNT(*) FROM contact_phones p WHERE p.contact_id = c.id AND p.org_id = c.org_id) \
               FROM contacts c WHERE c.org_id = $1 ORDER BY c.id";
    let rows: Vec<(String, String, String, String, Option<String>, i64)> =
        switchboard::with_db!(&app.state.db, p => sqlx::query_as(sql).bind(org).fetch_all(p).await)
            .expect("contacts");
    rows.into_iter()
        .map(|(first, last, email, zone, phone, phones)| {
            format!(
                "{first} {last} | {} | {phones} phones | {email} | {zone}",
                phone.unwrap_or_default()
            )
        })
        .collect()
}

/// How many rows `table` holds (every organisation's).
pub async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    switchboard::with_db!(&app.state.db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await)
        .expect("count")
}

/// A multipart form as a browser sends it: text `parts`, then `csv` as the `file` part named
/// `file_name`. Returns the content type and the body.
pub fn multipart(parts: &[(&str, &str)], file_name: &str, csv: &str) -> (String, String) {
    let boundary = "----browser";
    let mut body = String::new();
    for (name, value) in parts {
        body += &format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        );
    }
    body += &format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}
