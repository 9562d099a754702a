//! `/api/v1/phone-numbers` with owners: giving, releasing, the refusals, what the simulator's
//! number points at, and what another organisation's token can do (nothing).

use serde_json::{Value, json};
use switchboard::hotline::demo;
use switchboard::telephony::numbers::VOICE_INBOUND_PATH;
use twilio::resources::IncomingPhoneNumber;

use super::{SPARE, app, give, line_id, register};
use crate::support::TestApp;

/// The simulator's record of `e164`.
async fn sim_number(app: &TestApp, e164: &str) -> IncomingPhoneNumber {
    let page = app
        .state
        .telephony
        .client()
        .list_incoming_phone_numbers(Some(e164))
        .await
        .unwrap();
    page.incoming_phone_numbers
        .into_iter()
        .find(|n| n.phone_number == e164)
        .expect("the simulator has the number")
}

async fn release(app: &TestApp, token: &str, id: i64) -> (u16, Value) {
    let (status, body) = app
        .delete(&format!("/api/v1/phone-numbers/{id}/owner"), token)
        .await;
    (status.as_u16(), body)
}

async fn put_owner(app: &TestApp, id: i64, owner: &Value) -> (u16, Value) {
    let r = app
        .http
        .put(app.url(&format!("/api/v1/phone-numbers/{id}/owner")))
        .bearer_auth(&app.token)
        .json(owner)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn giving_an_owned_number_to_another_line_is_a_409_naming_its_owner() {
    let app = app().await;
    let id = register(&app, &app.token, SPARE).await["id"]
        .as_i64()
        .unwrap();
    let ladder = line_id(&app, demo::LADDER_LINE).await;
    let community = line_id(&app, demo::COMMUNITY_LINE).await;
    assert_eq!(give(&app, &app.token, id, ladder).await.0, 200);
    // The same owner again: a retried request, answered the same.
    let (status, again) = give(&app, &app.token, id, ladder).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["owner"]["id"], ladder.get());
    let (status, body) = give(&app, &app.token, id, community).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["field"], "owner");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(SPARE) && message.contains("hotline line 'Field Service Emergency'"),
        "{message}"
    );
    // Released, it can go to the other line.
    let (status, released) = release(&app, &app.token, id).await;
    assert_eq!(status, 200, "{released}");
    assert!(released["owner"].is_null(), "{released}");
    let (status, body) = give(&app, &app.token, id, community).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["owner"]["name"], "Community Line");
    app.stop().await;
}

#[tokio::test]
async fn an_owner_that_does_not_exist_or_has_no_job_yet_is_refused_naming_the_field() {
    let app = app().await;
    let id = register(&app, &app.token, SPARE).await["id"]
        .as_i64()
        .unwrap();
    for (owner, field) in [
        (json!({ "kind": "hotline-line", "id": 999_999 }), "id"),
        (json!({ "kind": "dialer-campaign", "id": 1 }), "kind"),
        (json!({ "kind": "campaign", "id": 1 }), "kind"),
        (json!({ "kind": "hotline-line" }), "id"),
    ] {
        let (status, body) = put_owner(&app, id, &owner).await;
        assert_eq!(status, 400, "{owner}: {body}");
        assert_eq!(body["error"]["field"], field, "{owner}: {body}");
    }
    let (status, _) = put_owner(&app, 999_999, &json!({ "kind": "hotline-line", "id": 1 })).await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert!(list[0]["owner"].is_null(), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn giving_a_number_an_owner_points_it_at_the_inbound_webhooks_in_the_simulator() {
    let app = app().await;
    let id = register(&app, &app.token, SPARE).await["id"]
        .as_i64()
        .unwrap();
    let ladder = line_id(&app, demo::LADDER_LINE).await;
    assert_eq!(give(&app, &app.token, id, ladder).await.0, 200);
    let number = sim_number(&app, SPARE).await;
    let url = |path: &str| Some(app.state.config.public_url_for(path));
    assert_eq!(number.voice_url, url(VOICE_INBOUND_PATH));
    assert_eq!(number.sms_url, url("/twilio/messages/inbound"));
    assert_eq!(number.status_callback, url("/twilio/hotline/call-status"));
    // Released: the same two webhooks (which answer "not in service"), the ledger's callback.
    assert_eq!(release(&app, &app.token, id).await.0, 200);
    let number = sim_number(&app, SPARE).await;
    assert_eq!(number.voice_url, url(VOICE_INBOUND_PATH));
    assert_eq!(number.sms_url, url("/twilio/messages/inbound"));
    let ledger = format!("/twilio/calls/status?org={}", app.org);
    assert_eq!(number.status_callback, url(&ledger));
    app.stop().await;
}

#[tokio::test]
async fn registering_a_line_s_number_gives_it_to_the_line_and_deleting_the_line_releases_it() {
    let app = app().await;
    let number = register(&app, &app.token, demo::COMMUNITY_LINE).await;
    let community = line_id(&app, demo::COMMUNITY_LINE).await;
    assert_eq!(number["owner"]["kind"], "hotline-line", "{number}");
    assert_eq!(number["owner"]["id"], community.get());
    assert_eq!(number["owner"]["name"], "Community Line");
    let (status, _) = app
        .delete(&format!("/api/v1/hotline/lines/{community}"), &app.token)
        .await;
    assert_eq!(status, 204);
    let (_, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert_eq!(list[0]["e164"], demo::COMMUNITY_LINE);
    assert!(list[0]["owner"].is_null(), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn another_organisation_s_token_can_neither_see_nor_give_nor_release_the_number() {
    let app = app().await;
    let id = register(&app, &app.token, SPARE).await["id"]
        .as_i64()
        .unwrap();
    let ladder = line_id(&app, demo::LADDER_LINE).await;
    let (_, other) = app.other_org("elsewhere").await;
    let (status, list) = app.get("/api/v1/phone-numbers", &other).await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([]));
    let (status, _) = give(&app, &other, id, ladder).await;
    assert_eq!(status, 404);
    assert_eq!(give(&app, &app.token, id, ladder).await.0, 200);
    assert_eq!(release(&app, &other, id).await.0, 404);
    // Nor can it give a number of its own to A's line.
    let own = register(&app, &other, "+15005550152").await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = give(&app, &other, own, ladder).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "id");
    let (_, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert_eq!(list[0]["owner"]["id"], ladder.get(), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn a_number_sent_with_the_old_purpose_field_is_refused_naming_it() {
    let app = app().await;
    let (status, body) = app
        .post_json(
            "/api/v1/phone-numbers",
            &app.token,
            &json!({ "e164": SPARE, "purpose": "campaign" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "purpose", "{body}");
    let (_, list) = app.get("/api/v1/phone-numbers", &app.token).await;
    assert_eq!(list, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_has_the_owner_routes_and_each_number_s_owner() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner = &doc["paths"]["/api/v1/phone-numbers/{id}/owner"];
    assert!(
        owner["put"].is_object() && owner["delete"].is_object(),
        "{owner}"
    );
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["NumberJson"]["properties"]["owner"].is_object(),
        "{}",
        schemas["NumberJson"]
    );
    let kinds = schemas["OwnerKind"]["enum"]
        .as_array()
        .expect("owner kinds");
    assert_eq!(
        kinds,
        &[
            json!("hotline-line"),
            json!("calltool-campaign"),
            json!("dialer-campaign"),
            json!("texting-sender")
        ]
    );
    app.stop().await;
}
