//! Contacts and lists over real HTTP on a real database: CRUD, phones unique per
//! organisation, other organisations kept out, search, filters and paging, smart lists
//! evaluated when used, the limits, and the dashboard pages.

mod api;
mod dashboard;
mod lists;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// Creates a contact through the API and answers it.
pub async fn contact(app: &TestApp, body: Value) -> Value {
    let (status, created) = app.post_json("/api/v1/contacts", &app.token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

/// Creates an empty static list through the API and answers it.
pub async fn static_list(app: &TestApp, name: &str) -> Value {
    let body = serde_json::json!({"name": name, "kind": "static"});
    let (status, list) = app.post_json("/api/v1/lists", &app.token, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    list
}
